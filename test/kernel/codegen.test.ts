// The code generator, end to end: C functions compiled by tsbcc run in the kernel (through
// BPF_PROG_TEST_RUN) and must return what gcc's native build returns, on every input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CFunctionRunner } from '../fixtures/run_c.js';
import { compileFunction } from '../../src/compiler/compile.js';
import { runNativeFns } from '../fixtures/native_fn.js';
import { CORPUS } from '../fixtures/corpus.js';

const skip = process.getuid?.() !== 0 && 'needs root (BPF_PROG_TEST_RUN)';
const EDGE = [0n, 1n, 2n, 7n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 12345678901234567n];

function inputsFor(seed: number): bigint[][] {
  const out: bigint[][] = [[0n, 0n, 0n, 0n], [1n, 2n, 3n, 4n], [0xffffffffffffffffn, 0n, 0xffffffffffffffffn, 1n]];
  let s = seed || 1;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  for (let i = 0; i < 20; i++) out.push([0, 1, 2, 3].map(() => (next() & 1 ? EDGE[next() % EDGE.length]! : (BigInt(next()) << 32n) | BigInt(next()))));
  return out;
}

const dir = join(CORPUS, 'codegen_fn');
const files = readdirSync(dir).filter((f) => f.endsWith('.c')).sort();

test('hand-written C functions: tsbcc in the kernel agrees with gcc natively', { skip, timeout: 60000 }, () => {
  const programs = files.map((f, i) => ({ name: f, source: readFileSync(join(dir, f), 'utf8'), inputs: inputsFor(i + 1) }));
  const expected = runNativeFns(programs);
  programs.forEach((p, i) => {
    using r = CFunctionRunner.compile(p.source, 'fn');
    p.inputs.forEach((args, k) => {
      assert.equal(r.run(args), expected[i]![k], `${p.name} on (${args.join(', ')})`);
    });
  });
});

test('helper calls: arguments in r1-r5, values that live across calls survive them', { skip }, () => {
  const src = `
    #include <bpf/bpf_helper_defs.h>
    u64 fn(u64 a, u64 b, u64 c, u64 d) {
      u64 x = a * 3, y = b ^ c;
      u32 cpu = bpf_get_smp_processor_id();
      u64 t1 = bpf_ktime_get_ns();
      u64 t2 = bpf_ktime_get_ns();
      return x + y + d + (cpu < 4096 ? 1000 : 0) + (t2 >= t1 && t1 > 0);
    }`;
  using r = CFunctionRunner.compile(src, 'fn');
  for (const [a, b, c, d] of [[1n, 2n, 3n, 4n], [10n, 0xffn, 0xf0n, 7n]] as bigint[][]) {
    assert.equal(r.run([a!, b!, c!, d!]), BigInt.asUintN(64, a! * 3n + (b! ^ c!) + d! + 1000n + 1n));
  }
});

test('too much stack is a compile-time error naming the function', { skip }, () => {
  const src = 'u64 fn(u64 a, u64 b, u64 c, u64 d) { u64 big[80] = { a, b }; big[(c & 63)] = d; return big[(d & 63)]; }';
  assert.throws(() => CFunctionRunner.compile(src, 'fn'), /function 'fn' needs 6\d\d bytes of stack .* BPF allows 512; the largest objects: 'big' \(640 bytes\)/);
});

test('#pragma unroll copies a constant-trip loop (no backward jump) and computes the same as the loop', { skip }, () => {
  const body = (pragma: string) => `
    u64 fn(u64 a, u64 b, u64 c, u64 d) {
      u64 acc = 0;
      u8 bytes[8];
      __builtin_memcpy(bytes, &a, 8);
      ${pragma}
      for (int i = 0; i < 8; i++) {
        if (bytes[i] & 1) acc += bytes[i] * (i + 1);
        else acc ^= b >> i;
        if (acc > d && d) break;
      }
      ${pragma}
      for (unsigned j = 10; j > 4; j -= 2) acc += c << j;
      return acc;
    }`;
  using unrolled = CFunctionRunner.compile(body('#pragma unroll'), 'fn');
  using looped = CFunctionRunner.compile(body(''), 'fn');
  const backward = (insns: { code: number; off: number }[]) => insns.some((i) => (i.code & 7) === 5 && i.code !== 0x85 && i.code !== 0x95 && i.off < 0);
  assert.ok(!backward(unrolled.compiled.insns), 'the unrolled function has no loop left');
  assert.ok(backward(looped.compiled.insns), 'without the pragma the loop stays a loop');
  for (const args of [[0x0102030405060708n, 0xffn, 3n, 0n], [0xfffefdfcfbfaf9f8n, 0x1234n, 1n, 500n], [0n, 0n, 0n, 0n]] as bigint[][]) {
    assert.equal(unrolled.run(args), looped.run(args), `on ${args}`);
  }
});

test('signed division and remainder without ISA v4: a branch-free sequence with C semantics', { skip }, () => {
  const src = `
    s64 fn(s64 a, s64 b, s32 c, s32 d) {
      s64 q = b ? a / b : 0, r = b ? a % b : 0;
      s32 q32 = d ? c / d : 0, r32 = d ? c % d : 0;
      return q * 1000003 + r * 101 + q32 * 7LL + r32 + a / -4 + c % 3;
    }`;
  const compiled = compileFunction(src, 'fn', { filename: 'sdiv.c', isaV4: false });
  assert.ok(!compiled.insns.some((i) => (i.code & 0x07) === 0x07 && ((i.code & 0xf0) === 0x30 || (i.code & 0xf0) === 0x90) && i.off === 1),
    'no ISA v4 sdiv/smod instruction is emitted');
  using r = new CFunctionRunner(compiled);
  const s64 = (x: bigint) => BigInt.asIntN(64, x), s32 = (x: bigint) => BigInt.asIntN(32, x);
  const want = (a: bigint, b: bigint, c: bigint, d: bigint) => {
    const q = b ? a / b : 0n, rr = b ? a % b : 0n;
    const q32 = d ? s32(c / d) : 0n, r32 = d ? c % d : 0n;
    return BigInt.asUintN(64, q * 1000003n + rr * 101n + q32 * 7n + r32 + a / -4n + c % 3n);
  };
  const cases: bigint[][] = [[7n, 2n, 7n, 2n], [-7n, 2n, -7n, 2n], [7n, -2n, 7n, -2n], [-7n, -2n, -7n, -2n], [0n, 5n, 0n, 5n],
    [-9223372036854775807n, 3n, -2147483647n, 3n], [1234567890123n, -97n, -100000n, 7n], [5n, 0n, 5n, 0n], [-1n, 1n, -1n, 1n]];
  for (const [a, b, c, d] of cases) {
    assert.equal(r.run([a!, b!, c!, d!].map((x) => BigInt.asUintN(64, x))), want(s64(a!), s64(b!), s32(c!), s32(d!)), `${a} ${b} ${c} ${d}`);
  }
});
