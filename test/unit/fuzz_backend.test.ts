// Fuzzing the whole compiler: programs that pass the front end (mutated corpus programs and random
// generated functions) go through lowering and code generation, which may refuse them only with
// diagnostics (CompileError), never with an internal exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { compileObject } from '../../src/compiler/object.js';
import { compileFunction } from '../../src/compiler/compile.js';
import { CompileError } from '../../src/compiler/diagnostics.js';
import { Btf } from '../../src/btf/reader.js';
import { corpusFiles } from '../fixtures/corpus.js';
import { generateProgram } from '../fixtures/cgen.js';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 6);
let seed = Number(process.env.FUZZ_SEED ?? 0x5eed);
const rand = (n: number): number => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed % n; };

function mutate(src: string): string {
  let s = src;
  for (let i = 0, n = 1 + rand(3); i < n; i++) {
    const at = rand(s.length + 1);
    switch (rand(3)) {
      case 0: s = s.slice(0, at) + s.slice(at + 1 + rand(12)); break;
      case 1: { const from = rand(s.length); s = s.slice(0, at) + s.slice(from, from + rand(30)) + s.slice(at); break; }
      case 2: s = s.slice(0, at) + ['0', '1', '-', '+', '*', '&', ';', 'x', '(', ')', '[', ']'][rand(12)] + s.slice(at); break;
    }
  }
  return s;
}

test(`fuzz the back end: ${SECONDS}s of programs give code or diagnostics, never exceptions`, { timeout: (SECONDS + 60) * 1000 }, () => {
  const btf = existsSync('/sys/kernel/btf/vmlinux') ? Btf.vmlinux() : undefined;
  const seeds = [...corpusFiles('kernel'), ...(btf ? corpusFiles('codegen') : [])].map((f) => readFileSync(f, 'utf8'));
  const end = Date.now() + SECONDS * 1000;
  let runs = 0, compiled = 0;
  while (Date.now() < end) {
    const which = rand(3);
    try {
      if (which === 0) {
        const p = generateProgram(rand(1 << 30), { maxStmts: 15 });
        compileFunction(rand(2) ? p.source : mutate(p.source), 'fuzz_fn', { filename: 'gen.c' });
      } else if (btf) {
        compileObject(mutate(seeds[rand(seeds.length)]!), { filename: 'mut.c', btf });
      }
      compiled++;
    } catch (e) {
      if (!(e instanceof CompileError)) assert.fail(`internal error (seed state ${seed}): ${(e as Error).stack}`);
    }
    runs++;
  }
  console.log(`# back-end fuzz: ${runs} programs, ${compiled} compiled`);
  assert.ok(runs > 10);
});
