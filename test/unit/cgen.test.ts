// The differential-testing generator (test/fixtures/cgen.ts): its programs must be well defined —
// gcc -O2 with UBSan never aborts, clang -O2 agrees with gcc on every result and clang with MSan
// sees no uninitialized value reach one — deterministic per seed, and accepted by tsbcc's front end,
// which must also give every expression the type C gives it.
// Bounded in time: CGEN_SECONDS (default 15) for the native runs, CGEN_SEED for the first seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateProgram, FEATURES, PRELUDE, type GeneratedProgram } from '../fixtures/cgen.js';
import { runNativeAsync, haveCompiler, renameProgram } from '../fixtures/native.js';
import { frontend } from '../../src/compiler/frontend.js';
import { formatDiagnostic } from '../../src/compiler/diagnostics.js';

const SECONDS = Number(process.env.CGEN_SECONDS ?? 15);
const SEED = Number(process.env.CGEN_SEED ?? 1);
const HAVE_GCC = haveCompiler('gcc');
const HAVE_CLANG = haveCompiler('clang');

test('cgen: the same seed gives the same program, different seeds different ones', () => {
  const seen = new Set<string>();
  for (let s = SEED; s < SEED + 50; s++) {
    const a = generateProgram(s), b = generateProgram(s);
    assert.equal(a.source, b.source, `seed ${s}: source differs between two generations`);
    assert.deepEqual(a.inputs, b.inputs);
    assert.ok(!seen.has(a.source), `seed ${s} repeats an earlier program`);
    seen.add(a.source);
    assert.match(a.source, /static __attribute__\(\(noinline\)\) u64 fuzz_fn\(u64 a, u64 b, u64 c, u64 d\)/);
    assert.ok(a.inputs.length >= 4 && a.inputs.every((t) => t.length === 4 && t.every((v) => v >= 0n && v < 1n << 64n)));
  }
  // options are honoured
  const small = generateProgram(SEED, { maxStmts: 3, maxDepth: 1, features: ['arith'], inputs: 3 });
  assert.equal(small.inputs.length, 3);
  assert.doesNotMatch(small.source, /\b(switch|goto|while|for)\b/);
});

test(`cgen: ${SECONDS}s of programs are well defined (gcc UBSan${HAVE_CLANG ? '; clang -O2 agrees; clang MSan' : ''})`,
  { skip: !HAVE_GCC && 'gcc not installed', timeout: (SECONDS * 4 + 120) * 1000 }, async () => {
    const start = Date.now(), end = start + SECONDS * 1000;
    let seed = SEED, count = 0, batches = 0, batchMs = 0;
    const batchSize = 40;
    // a few batches with a restricted feature set or extreme sizes, so each construct is also seen alone
    const variant = (i: number, s: number): GeneratedProgram => {
      if (i % 10 === 7) return generateProgram(s, { features: FEATURES.filter((_, k) => (k + s) % 3 !== 0) });
      if (i % 10 === 9) return generateProgram(s, { maxStmts: 120, maxDepth: 6 });
      return generateProgram(s);
    };
    do {
      const t0 = Date.now();
      const progs = Array.from({ length: batchSize }, (_, i) => variant(i, seed + i));
      seed += batchSize;
      const runs: Promise<bigint[][]>[] = [runNativeAsync(progs, { cc: 'gcc', sanitize: 'undefined' })];
      if (HAVE_CLANG) runs.push(runNativeAsync(progs, { cc: 'clang', sanitize: 'none' }), runNativeAsync(progs, { cc: 'clang', sanitize: 'memory' }));
      const [gcc, clang, msan] = await Promise.all(runs);
      for (const [name, other] of [['clang -O2', clang], ['clang -O0 (MSan)', msan]] as const) {
        if (!other) continue;
        progs.forEach((p, i) => {
          for (let j = 0; j < p.inputs.length; j++) {
            if (gcc![i]![j] !== other[i]![j]) {
              assert.fail(`gcc and ${name} disagree on seed ${p.seed}, input (${p.inputs[j]!.map((v) => '0x' + v.toString(16)).join(', ')}): ` +
                `0x${gcc![i]![j]!.toString(16)} vs 0x${other[i]![j]!.toString(16)}\n${p.source}`);
            }
          }
        });
      }
      count += progs.length;
      batches++;
      batchMs = Math.max(batchMs, Date.now() - t0);
    } while (Date.now() + batchMs < end);
    const secs = (Date.now() - start) / 1000;
    console.log(`cgen: ${count} programs (seeds ${SEED}..${seed - 1}) in ${secs.toFixed(1)} s, ${(count / secs).toFixed(1)} programs/s` +
      ` (gcc -O2 UBSan${HAVE_CLANG ? ' + clang -O2 + clang -O0 MSan' : ''})`);
    assert.ok(count >= batchSize);
  });

test('cgen: tsbcc\'s front end accepts every generated program and types its expressions as C does', () => {
  // Type assertions on a third of the expressions: (void)sizeof(char[types_compatible(typeof(E), T) ? 1 : -1]).
  // gcc checks the generator's type model on the same text, so a rejected assertion is the front end's error.
  const n = Math.max(300, SECONDS * 40);
  const programs = Array.from({ length: n }, (_, i) => generateProgram(SEED + i, { typeAsserts: 0.3 }));
  if (HAVE_GCC) {
    const text = PRELUDE + programs.map((p, i) => renameProgram(p.source, i)).join('\n');
    const r = spawnSync('gcc', ['-fsyntax-only', '-w', '-std=gnu11', '-x', 'c', '-'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, `gcc rejects generated programs (a generator bug):\n${r.stderr.split('\n').slice(0, 20).join('\n')}`);
  }
  const failures = new Map<string, { seed: number; text: string; count: number }>();
  let rejected = 0;
  for (const p of programs) {
    const r = frontend(p.source, { filename: `cgen-${p.seed}.c` });
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length === 0 && r.ok) continue;
    rejected++;
    for (const d of errors) {
      const key = d.code ?? d.message;
      const f = failures.get(key);
      if (f) f.count++;
      else failures.set(key, { seed: p.seed, count: 1, text: formatDiagnostic(d) });
    }
  }
  if (rejected) {
    const lines = [...failures.entries()].map(([code, f]) => `[${code}] ${f.count}x, first in seed ${f.seed}:\n${f.text}`);
    assert.fail(`the front end rejected ${rejected} of ${n} generated programs ` +
      `(regenerate with generateProgram(seed, { typeAsserts: 0.3 })):\n${lines.join('\n')}`);
  }
});
