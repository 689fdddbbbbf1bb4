// bpf_usdt_readarg / bpf_usdt_readarg_p in the BCC dialect, on a real process: a C target built
// against <sys/sdt.h> (-O2: arguments in registers; -O0: on the stack; constants in both) fires its
// probes after the program is attached by pid; the values the program read and sent through a
// BPF_PERF_OUTPUT are compared with what the target passed, exactly, for every hit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadObject } from '../../src/load/index.js';
import { PerfBuffer } from '../../src/events/index.js';
import type { PerfEventArray } from '../../src/maps/index.js';
import { attachUsdt, listUsdtProbes, usdtSpecsFor, usdtContextFor } from '../../src/attach/index.js';
import { compileHere } from '../fixtures/bcc.js';
import { probeTarget, startTarget } from '../fixtures/probe_target.js';

const skip = (process.getuid?.() !== 0 || !existsSync('/sys/kernel/btf/vmlinux')) && 'needs root and kernel BTF';

const PROGRAM = `
struct ev {
  u32 kind;
  s32 bad;        /* bpf_usdt_readarg into a destination of the wrong size: -1, as in BCC */
  s8 a; u8 pad; u16 b; s32 c;
  u64 d;
  u64 wide;       /* left as set: the wrong-size read writes nothing */
  char s[16];
  s64 sum;        /* the values as C sees them after sign/zero extension */
};
BPF_PERF_OUTPUT(events);

int on_args(struct pt_regs *ctx) {
  struct ev e = {};
  e.kind = 1;
  bpf_usdt_readarg(1, ctx, &e.a);
  bpf_usdt_readarg(2, ctx, &e.b);
  bpf_usdt_readarg(3, ctx, &e.c);
  bpf_usdt_readarg(4, ctx, &e.d);
  bpf_usdt_readarg_p(5, ctx, e.s, sizeof(e.s));
  e.wide = 99;
  e.bad = bpf_usdt_readarg(1, ctx, &e.wide);
  e.sum = e.a + e.b + e.c;
  events.perf_submit(ctx, &e, sizeof(e));
  return 0;
}

int on_consts(struct pt_regs *ctx) {
  struct ev e = {};
  e.kind = 2;
  s8 a; u16 b; s32 c; u64 d;
  int r = bpf_usdt_readarg(1, ctx, &a) | bpf_usdt_readarg(2, ctx, &b) | bpf_usdt_readarg(3, ctx, &c) | bpf_usdt_readarg(4, ctx, &d);
  e.a = a; e.b = b; e.c = c; e.d = d; e.bad = r;
  e.sum = a + b + c;
  events.perf_submit(ctx, &e, sizeof(e));
  return 0;
}

/* Two locations, different specs: the read is picked by PT_REGS_IP; the type is the widest (s16, u64). */
int on_multi(struct pt_regs *ctx) {
  struct ev e = {};
  e.kind = 3;
  s16 x = 0; u64 y = 0;
  e.bad = bpf_usdt_readarg(1, ctx, &x) | bpf_usdt_readarg(2, ctx, &y);
  e.c = x; e.d = y;
  events.perf_submit(ctx, &e, sizeof(e));
  return 0;
}
`;

interface Ev { kind: number; bad: number; a: number; b: number; c: number; d: bigint; wide: bigint; s: string; sum: bigint }
const decode = (x: Buffer): Ev => ({
  kind: x.readUInt32LE(0), bad: x.readInt32LE(4), a: x.readInt8(8), b: x.readUInt16LE(10), c: x.readInt32LE(12),
  d: x.readBigUInt64LE(16), wide: x.readBigUInt64LE(24), s: x.toString('latin1', 32, 48).replace(/\0.*$/s, ''), sum: x.readBigInt64LE(48),
});

for (const flags of [['-O2'], ['-O0']]) {
  test(`bpf_usdt_readarg reads register, stack and constant arguments of every width (${flags[0]})`, { skip, timeout: 60000 }, async () => {
    const bin = probeTarget(flags, 'usdt_target.c');
    const kinds = listUsdtProbes({ binary: bin }).find((p) => p.name === 'args')!.args!.map((a) => a.kind);
    // The build puts the arguments where this test says it reads them from.
    assert.ok(kinds.includes(flags[0] === '-O2' ? 'reg' : 'mem'), `${flags[0]}: ${kinds.join(' ')}`);
    const multi = listUsdtProbes({ binary: bin }).filter((p) => p.name === 'multi');
    assert.equal(multi.length, 2);
    assert.notEqual(multi[0]!.argString, multi[1]!.argString);
    const N = 4;
    const t = startTarget(bin, N);
    const pid = await t.ready;
    const got: Ev[] = [];
    try {
      const spec = compileHere(PROGRAM, {
        usdt: {
          on_args: usdtSpecsFor(bin, 'tsbcc_dialect', 'args', pid),
          on_consts: { probe: 'tsbcc_dialect:consts', locations: usdtSpecsFor(bin, 'tsbcc_dialect', 'consts', pid) },
          on_multi: usdtContextFor(bin, 'tsbcc_dialect', 'multi', pid),
        },
      });
      assert.deepEqual(spec.warnings.map((w) => w.code), ['bcc-usdt-size']);
      using obj = loadObject(spec);
      using pb = new PerfBuffer(obj.map<PerfEventArray>('events'), (d) => got.push(decode(d)));
      {
        using l1 = attachUsdt(obj.program('on_args'), { binary: bin, provider: 'tsbcc_dialect', name: 'args', pid });
        using l2 = attachUsdt(obj.program('on_consts'), { binary: bin, provider: 'tsbcc_dialect', name: 'consts', pid });
        using l3 = attachUsdt(obj.program('on_multi'), { binary: bin, provider: 'tsbcc_dialect', name: 'multi', pid });
        void l1; void l2; void l3;
        t.go();
        await t.done;
      }
      pb.poll();
    } catch (e) {
      t.kill();
      await t.done.catch(() => undefined);
      throw e;
    }
    const want: Ev[] = [];
    for (let i = 0; i < N; i++) {
      const [a, b, c] = [-1 - i, 65000 + i, -100000 * (i + 1)];
      want.push({ kind: 1, bad: -1, a, b, c, d: 0xfedcba9800000000n + BigInt(i), wide: 99n, s: `hello-${i}`, sum: BigInt(a + b + c) });
      want.push({ kind: 2, bad: 0, a: -7, b: 60000, c: -100000, d: 0x123456789an, wide: 0n, s: '', sum: BigInt(-7 + 60000 - 100000) });
      // Even i: (int8)-42 and the int32 c, widened to s16 and (sign-extended) u64; odd i: (int16)(-300-i), i+7.
      const [x, y] = i % 2 === 0 ? [-42, BigInt.asUintN(64, BigInt(c))] : [-300 - i, BigInt(i + 7)];
      want.push({ kind: 3, bad: 0, a: 0, b: 0, c: x, d: y, wide: 0n, s: '', sum: 0n });
    }
    // Per-CPU perf buffers: the target may move between CPUs, so compare as sorted lists.
    const order = (xs: Ev[]) => xs.map((x) => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).sort();
    assert.equal(got.length, 3 * N);
    assert.deepEqual(order(got), order(want));
  });
}

test('usdtSpecsFor / usdtContextFor: specs per location, run-time addresses only where they can be known', { skip }, async () => {
  const bin = probeTarget(['-O2'], 'usdt_target.c');
  const notes = listUsdtProbes({ binary: bin }).filter((p) => p.name === 'multi');
  assert.deepEqual(usdtSpecsFor(bin, 'tsbcc_dialect', 'multi'), notes.map((p) => p.args));
  // A PIE binary without a pid: where it will be mapped is unknown.
  assert.ok(notes[0]!.pie);
  assert.equal(usdtContextFor(bin, undefined, 'multi').addresses, undefined);
  assert.throws(() => usdtSpecsFor(bin, 'tsbcc_dialect', 'nope'), { message: /^no USDT probe tsbcc_dialect:nope in .* \(it has tsbcc_dialect:multi, tsbcc_dialect:args, tsbcc_dialect:consts\)$/ });
  const t = startTarget(bin, 0);
  const pid = await t.ready;
  try {
    const c = usdtContextFor(bin, 'tsbcc_dialect', 'multi', pid);
    assert.equal(c.probe, 'tsbcc_dialect:multi');
    // The same page offsets as the link-time addresses, moved by the load bias.
    assert.deepEqual(c.addresses!.map((a) => a & 0xfffn), notes.map((p) => p.pc & 0xfffn));
    assert.equal(c.addresses![1]! - c.addresses![0]!, notes[1]!.pc - notes[0]!.pc);
  } finally {
    t.go();
    await t.done;
  }
});

test('tsbcc compile --usdt: each probe\'s specs from the binary, every program accepted by the verifier', { skip, timeout: 60000 }, () => {
  const bin = probeTarget(['-O0'], 'usdt_target.c');
  const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'tsbcc-usdt-cli-'));
  try {
    const file = join(dir, 'prog.c');
    writeFileSync(file, PROGRAM.replace(/^int on_multi[^]*$/m, ''));
    const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'compile', file, ...args], { encoding: 'utf8', timeout: 60000 });
    const ok = run('--usdt', `on_args=${bin}:tsbcc_dialect:args`, '--usdt', `on_consts=${bin}:tsbcc_dialect:consts`, '--load');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^on_args: accepted by the verifier$/m);
    assert.match(ok.stdout, /^on_consts: accepted by the verifier$/m);
    const bad = run('--usdt', `on_args=${bin}:tsbcc_dialect:nope`);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^tsbcc compile: no USDT probe tsbcc_dialect:nope in \S+ \(it has [^)]*\)\n$/);
    const missing = run('--usdt', `on_args=${bin}:tsbcc_dialect:args`);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /error: bpf_usdt_readarg in 'on_consts', which is not attached as a USDT probe/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
