// Differential testing of the code generator: random well-defined C functions (test/fixtures/cgen.ts)
// compiled natively by gcc and by tsbcc; tsbcc's runs in the kernel through BPF_PROG_TEST_RUN.
// Every result must agree. Bounded in time for CI; DIFF_SECONDS and DIFF_SEED widen a local run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateProgram, type GeneratedProgram } from '../fixtures/cgen.js';
import { runNativeFast } from '../fixtures/native.js';
import { CFunctionRunner } from '../fixtures/run_c.js';
import { VerifierError } from '../../src/load/index.js';
import { CompileError } from '../../src/compiler/diagnostics.js';

const skip = process.getuid?.() !== 0 && 'needs root (BPF_PROG_TEST_RUN)';
const SECONDS = Number(process.env.DIFF_SECONDS ?? 15);
const FIRST = Number(process.env.DIFF_SEED ?? 1);

test(`differential: ${SECONDS}s of random C functions, tsbcc in the kernel == gcc natively`, { skip, timeout: (SECONDS + 60) * 1000 }, () => {
  const end = Date.now() + SECONDS * 1000;
  let seed = FIRST, checked = 0, inputs = 0;
  const unsupported = new Map<string, number>();
  while (Date.now() < end) {
    const batch: GeneratedProgram[] = [];
    for (let i = 0; i < 5; i++) batch.push(generateProgram(seed++, { maxStmts: 20 }));
    const expected = runNativeFast(batch);
    batch.forEach((p, i) => {
      let r: CFunctionRunner;
      try {
        r = CFunctionRunner.compile(p.source, 'fuzz_fn');
      } catch (e) {
        if (e instanceof CompileError && e.diagnostics.some((d) => d.code === 'codegen-unsupported' || d.code === 'codegen-stack')) {
          const msg = e.diagnostics[0]!.message.replace(/'[^']*'/g, "'…'").replace(/\d+/g, 'N');
          unsupported.set(msg, (unsupported.get(msg) ?? 0) + 1);
          return;
        }
        if (e instanceof VerifierError && /too large|too complex|complexity/.test(e.reason)) {
          // Correct but too many branches for the verifier's budget: a code-quality limit, counted.
          unsupported.set('verifier complexity limit', (unsupported.get('verifier complexity limit') ?? 0) + 1);
          return;
        }
        if (e instanceof VerifierError) assert.fail(`seed ${p.seed}: the verifier rejected tsbcc's code: ${e.reason}\n${p.source}`);
        throw e;
      }
      try {
        p.inputs.forEach((args, k) => {
          assert.equal(r.run(args), expected[i]![k], `seed ${p.seed} on (${args.join(', ')}):\n${p.source}`);
          inputs++;
        });
      } finally {
        r.close();
      }
      checked++;
    });
  }
  console.log(`# differential: ${checked} programs, ${inputs} inputs agree (seeds ${FIRST}..${seed - 1})`);
  for (const [msg, n] of unsupported) console.log(`#   not compiled yet (${n}): ${msg}`);
  assert.ok(checked > 0, 'no program was compiled');
});
