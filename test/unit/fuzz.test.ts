// Fuzzing the front end: random and mutated programs must produce diagnostics, never exceptions.
// Deterministic (seeded), bounded in time for CI; FUZZ_SECONDS and FUZZ_SEED widen a local run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { frontend } from '../../src/compiler/frontend.js';
import { Btf } from '../../src/btf/reader.js';
import { existsSync } from 'node:fs';
import { corpusFiles } from '../fixtures/corpus.js';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 8);
let seed = Number(process.env.FUZZ_SEED ?? 0x7eb5cc);
function rand(n: number): number {
  // xorshift32
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed % n;
}
const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;

const PIECES = ['int', 'u32', 'struct', 'union', 'enum', 'typedef', 'static', 'const', '*', '&', '(', ')', '{', '}', '[', ']', ';', ',',
  '=', '==', '+', '-', '<<', '>>', '?', ':', '->', '.', '...', 'sizeof', 'return', 'if', 'else', 'for', 'while', 'do', 'switch', 'case',
  'default', 'goto', 'x', 'y', 'f', '0', '1', '0x7fffffffffffffff', '18446744073709551616', "'a'", '"s"', '#define', '#if', '#endif',
  '#include', '__attribute__((packed))', '__builtin_offsetof', '_Static_assert', '\n', ' ', '\\', '/*', '*/', '//', '##', '#', '@', '`'];

function mutate(src: string): string {
  const ops = 1 + rand(4);
  let s = src;
  for (let i = 0; i < ops; i++) {
    const at = rand(s.length + 1);
    switch (rand(5)) {
      case 0: s = s.slice(0, at) + s.slice(at + 1 + rand(20)); break; // delete a span
      case 1: s = s.slice(0, at) + pick(PIECES) + s.slice(at); break; // insert a piece
      case 2: { const from = rand(s.length), len = rand(40); s = s.slice(0, at) + s.slice(from, from + len) + s.slice(at); break; } // duplicate
      case 3: s = s.slice(0, at) + String.fromCharCode(rand(128)) + s.slice(at + 1); break; // replace a char
      case 4: { const b = rand(s.length); s = s.slice(0, Math.min(at, b)) + s.slice(Math.max(at, b)); break; } // cut
    }
  }
  return s;
}

function soup(): string {
  return Array.from({ length: rand(60) }, () => pick(PIECES)).join(rand(2) ? ' ' : '');
}

test(`fuzz: ${SECONDS}s of mutated and random programs give only diagnostics`, { timeout: (SECONDS + 30) * 1000 }, () => {
  const seeds = [...corpusFiles('ok'), ...corpusFiles('errors'), ...corpusFiles('kernel')].map((f) => readFileSync(f, 'utf8'));
  // Half the runs resolve kernel types through BTF when this machine has it (importing is a code path too).
  const btf = existsSync('/sys/kernel/btf/vmlinux') ? Btf.vmlinux() : undefined;
  const end = Date.now() + SECONDS * 1000;
  let runs = 0;
  while (Date.now() < end) {
    const input = rand(4) === 0 ? soup() : mutate(pick(seeds));
    try {
      frontend(input, { filename: 'fuzz.c', btf: rand(2) ? btf : undefined });
    } catch (e) {
      assert.fail(`internal error on input (seed state ${seed}):\n${input}\n---\n${(e as Error).stack}`);
    }
    runs++;
  }
  console.log(`# fuzz: ${runs} programs`);
  assert.ok(runs > 50);
});
