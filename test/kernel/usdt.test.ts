// USDT probes in a C program built against <sys/sdt.h>: the notes as readelf shows them, the
// semaphore raised only while attached (by the kernel, through the uprobe's ref_ctr_offset), and
// every argument read by hand-written BPF following the parsed spec, with exact sums.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Assembler, R0, R1, R2, R6, R7, R10 } from '../../src/isa/asm.js';
import { loadProgram } from '../../src/load/index.js';
import { createMap, type ArrayTable } from '../../src/maps/index.js';
import { type Link, attachUsdt, listUsdtProbes, type UsdtProbe, type ProbeMechanism } from '../../src/attach/index.js';
import { probeTarget, runTarget, startTarget } from '../fixtures/probe_target.js';
import { readUsdtArg } from '../fixtures/usdt_read.js';

const skip = process.getuid?.() !== 0 && 'needs root';

/** counts[k] += arg k for each argument; counts[4] += 1 per hit. */
function argSummer(p: UsdtProbe, countsFd: number) {
  const a = new Assembler();
  a.mov64(R6, R1);
  const addTo = (k: number) => {
    a.st('w', R10, -12, k).ldMapFd(R1, countsFd).mov64(R2, R10).alu64Imm('add', R2, -12)
      .call('map_lookup_elem').jmpImm('jeq', R0, 0, `skip${k}`)
      .atomic('add', 'dw', R0, R7, 0).label(`skip${k}`);
  };
  p.args!.forEach((spec, k) => { readUsdtArg(a, spec); addTo(k); });
  a.mov64Imm(R7, 1);
  addTo(4);
  a.mov64Imm(R0, 0).exit();
  return a.assemble();
}

test('the stapsdt notes match readelf -n', { skip }, () => {
  for (const flags of [['-O2'], ['-O0']]) {
    const bin = probeTarget(flags);
    const probes = listUsdtProbes({ binary: bin });
    const text = execFileSync('readelf', ['-n', bin], { encoding: 'latin1' });
    const re = /Provider: (\S+)\s+Name: (\S+)\s+Location: (0x[0-9a-f]+), Base: (0x[0-9a-f]+), Semaphore: (0x[0-9a-f]+)\s+Arguments: (.*)/g;
    const want = [...text.matchAll(re)].map((m) => [m[1], m[2], BigInt(m[3]!), BigInt(m[4]!), BigInt(m[5]!), m[6]!.trim()]);
    assert.ok(want.length >= 1);
    assert.deepEqual(probes.map((p) => [p.provider, p.name, p.pc, p.base, p.semaphore, p.argString]), want);
    const p = probes[0]!;
    assert.equal(p.args!.length, 4);
    assert.ok(p.semaphoreOffset! > 0);
    assert.deepEqual(p.args!.map((x) => [x.size, x.signed]), [[4, true], [8, true], [4, true], [8, true]]);
    assert.equal(p.args![2]!.kind, 'const');
    if (flags[0] === '-O0') assert.ok(p.args!.some((x) => x.kind === 'mem'), `-O0 spills to the stack: ${p.argString}`);
  }
});

for (const [flags, mechanism] of [[['-O2'], 'auto'], [['-O0'], 'auto'], [['-O2'], 'tracefs']] as [string[], ProbeMechanism][]) {
  test(`USDT tsbcc:hit (${flags.join(' ')}, ${mechanism}): semaphore raised while attached, every argument exact`, { skip, timeout: 60000 }, async () => {
    const bin = probeTarget(flags);
    const [p] = listUsdtProbes({ binary: bin });
    using counts = createMap({ type: 'ARRAY', keySize: 4, valueSize: 8, maxEntries: 5 }) as ArrayTable;
    using prog = loadProgram({ type: 'KPROBE', insns: argSummer(p!, counts.fd), name: 'usdt_args', license: 'GPL' });
    const N = 200;
    const t = startTarget(bin, N);
    const pid = await t.ready; // running before the attach: the kernel raises the semaphore in its memory
    let r;
    {
      using l = attachUsdt(prog, { binary: bin, provider: 'tsbcc', name: 'hit', pid, mechanism });
      assert.equal(l.kind, 'usdt');
      t.go();
      r = await t.done;
    }
    assert.equal(r.seen, N, 'the program saw its semaphore raised on every iteration');
    const n = BigInt(N), s = (n * (n - 1n)) / 2n;
    const got = [0, 1, 2, 3, 4].map((k) => counts.get(k)!.readBigUInt64LE(0));
    assert.deepEqual(got, [s, BigInt.asUintN(64, -3n * s), 5n * n, 7n * s, n]);
    const after = await runTarget(bin, 10);
    assert.equal(after.seen, 0, 'semaphore down once detached');
  });
}

test('an unknown USDT probe names what the binary has', { skip }, () => {
  using prog = loadProgram({ type: 'KPROBE', insns: new Assembler().mov64Imm(R0, 0).exit().assemble(), license: 'GPL' });
  const bin = probeTarget();
  assert.throws(() => attachUsdt(prog, { binary: bin, provider: 'tsbcc', name: 'nope' }),
    { message: `no USDT probe tsbcc:nope in ${bin} (it has tsbcc:hit)` });
  assert.throws(() => attachUsdt(prog, { binary: '/bin/true', name: 'x' }), { message: 'no USDT probe x in /bin/true (it has no USDT probes)' });
});

test('a running process\'s USDT probes are found through its mappings (pid only)', { skip, timeout: 60000 }, async () => {
  const bin = probeTarget();
  const [p] = listUsdtProbes({ binary: bin });
  using counts = createMap({ type: 'ARRAY', keySize: 4, valueSize: 8, maxEntries: 5 }) as ArrayTable;
  using prog = loadProgram({ type: 'KPROBE', insns: argSummer(p!, counts.fd), name: 'usdt_pid', license: 'GPL' });
  let link: Link | undefined, r;
  try {
    r = await runTarget(bin, 30, (pid) => {
      const found = listUsdtProbes({ pid }).filter((x) => x.provider === 'tsbcc');
      assert.deepEqual(found.map((x) => [x.path, x.name, x.offset]), [[bin, 'hit', p!.offset]]);
      link = attachUsdt(prog, { pid, name: 'hit' });
    });
  } finally {
    link?.close();
  }
  assert.equal(r.seen, 30);
  assert.equal(counts.get(4)!.readBigUInt64LE(0), 30n);
});
