// Uprobes and uretprobes on real processes: a C target built with gcc, probed by symbol, address,
// file offset and regex, in libc, with and without a pid filter, through the uprobe PMU and
// through tracefs uprobe_events; the counts and values the programs record must be exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { compileObject } from '../../src/compiler/object.js';
import { loadObject, loadProgram, type LoadedObject } from '../../src/load/index.js';
import { Assembler, R0, R1, R2, R10 } from '../../src/isa/asm.js';
import { createMap } from '../../src/maps/index.js';
import { Btf } from '../../src/btf/reader.js';
import { features } from '../../src/sys/index.js';
import type { ArrayTable } from '../../src/maps/index.js';
import { type Link, attachUprobe, attachUprobeMulti, haveUprobeMulti, TRACE_UPROBE_MULTI, attachUretprobe, numOpenUprobes, listProbeEvents, resolveUprobeTargets } from '../../src/attach/index.js';
import { pendingCleanups } from '../../src/attach/cleanup.js';
import { probeTarget, runTarget, startTarget } from '../fixtures/probe_target.js';

const skip = (process.getuid?.() !== 0 || !existsSync('/sys/kernel/btf/vmlinux')) && 'needs root and kernel BTF';

// counts[0]: calls, [1]: sum of the first argument, [2]: returns, [3]: sum of return values.
const PROGRAMS = `
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, u32);
  __type(value, u64);
} counts SEC(".maps");

static void add(u32 k, u64 by)
{
  u64 *v = bpf_map_lookup_elem(&counts, &k);
  if (v)
    __sync_fetch_and_add(v, by);
}

SEC("uprobe")
int on_entry(struct pt_regs *ctx)
{
  add(0, 1);
  add(1, (u32)PT_REGS_PARM1(ctx));
  return 0;
}

SEC("uretprobe")
int on_return(struct pt_regs *ctx)
{
  add(2, 1);
  add(3, (u32)PT_REGS_RC(ctx));
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

function load(): LoadedObject {
  return loadObject(compileObject(PROGRAMS, { filename: 'uprobe.c', btf: Btf.vmlinux(), isaV4: features.haveIsaV4() }));
}

function counts(obj: LoadedObject): bigint[] {
  const t = obj.map<ArrayTable>('counts');
  return [0, 1, 2, 3].map((k) => t.get(k)!.readBigUInt64LE(0));
}

const N = 300;
const sumI = BigInt((N * (N - 1)) / 2);

test('uprobe and uretprobe on a function by symbol count every call, its argument and its result', { skip, timeout: 60000 }, async () => {
  const bin = probeTarget();
  using obj = load();
  const before = numOpenUprobes();
  let r;
  {
    using entry = attachUprobe(obj.program('on_entry'), { binary: bin, symbol: 'tsbcc_add' });
    using ret = attachUretprobe(obj.program('on_return'), { binary: bin, symbol: 'tsbcc_add' });
    assert.equal(entry.kind, 'uprobe');
    assert.equal(ret.kind, 'uretprobe');
    assert.equal(numOpenUprobes(), before + 2);
    r = await runTarget(bin, N);
  }
  assert.equal(numOpenUprobes(), before);
  assert.equal(r.sum, sumI + 1000n * BigInt(N)); // the target's own view of what tsbcc_add returned
  assert.deepEqual(counts(obj), [BigInt(N), sumI, BigInt(N), r.sum]);
  await runTarget(bin, 10); // detached: nothing more is counted
  assert.deepEqual(counts(obj), [BigInt(N), sumI, BigInt(N), r.sum]);
});

test('a pid filter counts only that process', { skip, timeout: 60000 }, async () => {
  const bin = probeTarget();
  using obj = load();
  const a = startTarget(bin, 50), b = startTarget(bin, 70);
  const pidA = await a.ready;
  await b.ready;
  {
    using _l = attachUprobe(obj.program('on_entry'), { binary: bin, symbol: 'tsbcc_add', pid: pidA });
    a.go(); b.go();
    await Promise.all([a.done, b.done]);
  }
  assert.equal(counts(obj)[0], 50n);
});

test('a uprobe on a libc function (by library name "c") with a pid filter counts that process\'s calls', { skip, timeout: 60000 }, async () => {
  const bin = probeTarget();
  using obj = load();
  let link: Link | undefined;
  try {
    await runTarget(bin, N, (pid) => {
      link = attachUprobe(obj.program('on_entry'), { binary: 'c', symbol: 'getppid', pid });
    });
  } finally {
    link?.close();
  }
  assert.match(link!.target, /libc\.so\.6:getppid$/);
  assert.equal(counts(obj)[0], BigInt(N));
});

test('by ELF address in a non-PIE executable and by file offset', { skip, timeout: 60000 }, async () => {
  const bin = probeTarget(['-O2', '-no-pie']);
  const nm = execFileSync('nm', [bin], { encoding: 'latin1' });
  const addr = BigInt('0x' + /^([0-9a-f]+) T tsbcc_add$/m.exec(nm)![1]);
  assert.ok(addr >= 0x400000n, 'a fixed-address executable');
  const [byAddr] = resolveUprobeTargets({ binary: bin, address: addr });
  const [bySym] = resolveUprobeTargets({ binary: bin, symbol: 'tsbcc_add' });
  assert.equal(byAddr!.offset, bySym!.offset);
  assert.equal(byAddr!.offset, addr - 0x400000n); // the first PT_LOAD maps file offset 0 at 0x400000
  using obj = load();
  {
    using _a = attachUprobe(obj.program('on_entry'), { binary: bin, address: addr });
    using _r = attachUretprobe(obj.program('on_return'), { binary: bin, offset: byAddr!.offset });
    await runTarget(bin, 40);
  }
  const c = counts(obj);
  assert.equal(c[0], 40n);
  assert.equal(c[2], 40n);
});

test('symRe attaches to every matching function', { skip, timeout: 60000 }, async () => {
  const bin = probeTarget();
  using obj = load();
  {
    using l = attachUprobe(obj.program('on_entry'), { binary: bin, symRe: /^(tsbcc_add|main)$/ });
    assert.match(l.target, /\(2 functions\)$/);
    await runTarget(bin, 25);
  }
  assert.equal(counts(obj)[0], 26n); // 25 tsbcc_add calls + main once
});

test('the tracefs uprobe_events fallback counts the same and removes its event on close', { skip, timeout: 60000 }, async () => {
  const bin = probeTarget();
  using obj = load();
  let names: string[];
  {
    using _e = attachUprobe(obj.program('on_entry'), { binary: bin, symbol: 'tsbcc_add', mechanism: 'tracefs' });
    using _r = attachUretprobe(obj.program('on_return'), { binary: bin, symbol: 'tsbcc_add', mechanism: 'tracefs' });
    names = listProbeEvents('uprobe_events').filter((n) => n.endsWith(`_${process.pid}_${n.split('_').pop()}`) && n.includes('tsbcc_add'));
    assert.equal(names.length, 2);
    assert.equal(pendingCleanups().filter((w) => w.includes('uprobe_events')).length, 2);
    await runTarget(bin, N);
  }
  assert.deepEqual(counts(obj).slice(0, 3), [BigInt(N), sumI, BigInt(N)]);
  const left = listProbeEvents('uprobe_events');
  for (const n of names) assert.ok(!left.includes(n), `${n} removed`);
  assert.equal(pendingCleanups().filter((w) => w.includes('uprobe_events')).length, 0);
});

test('bad targets get one clear line', { skip }, () => {
  using obj = load();
  const p = obj.program('on_entry');
  assert.throws(() => attachUprobe(p, { binary: '/no/such/binary', symbol: 'main' }), { message: 'binary /no/such/binary does not exist' });
  assert.throws(() => attachUprobe(p, { binary: 'no-such-command-xyz', symbol: 'main' }),
    { message: /^cannot find binary or library "no-such-command-xyz" \(not a path, not libno-such-command-xyz in \/etc\/ld.so.cache, not a command in \$PATH\)$/ });
  assert.throws(() => attachUprobe(p, { binary: 'c', symbol: 'no_such_function_xyz' }),
    { message: /^no symbol "no_such_function_xyz" in \/\S+libc\.so\.6$/ });
  assert.throws(() => attachUprobe(p, { binary: probeTarget(), symbol: 'tsbcc_ad' }),
    { message: /^no symbol "tsbcc_ad" in \S+; did you mean tsbcc_add\?$/ });
  assert.throws(() => attachUprobe(p, { binary: '/etc/hostname', symbol: 'main' }), { message: '/etc/hostname is not an ELF file' });
  assert.throws(() => attachUprobe(p, { binary: probeTarget(), symbol: 'main', pid: 0x3ffffff0 }), { message: /no process with pid 1073741808/ });
});

test('a version-qualified symbol resolves to the same place as the bare name', { skip }, () => {
  const [bare] = resolveUprobeTargets({ binary: 'c', symbol: 'malloc' });
  const [ver] = resolveUprobeTargets({ binary: 'c', symbol: 'malloc@@GLIBC_2.2.5' });
  assert.equal(bare!.offset, ver!.offset);
});

test('uprobe_multi: one link for every function symRe matches, with and without a pid filter', { skip: skip || (!haveUprobeMulti() && 'no uprobe_multi links in this kernel (6.6+)'), timeout: 60000 }, async () => {
  const bin = probeTarget();
  using counts = createMap({ type: 'ARRAY', keySize: 4, valueSize: 8, maxEntries: 1 }) as ArrayTable;
  const a = new Assembler();
  a.st('w', R10, -4, 0).ldMapFd(R1, counts.fd).mov64(R2, R10).alu64Imm('add', R2, -4)
    .call('map_lookup_elem').jmpImm('jeq', R0, 0, 'out').mov64Imm(R1, 1).atomic('add', 'dw', R0, R1, 0)
    .label('out').mov64Imm(R0, 0).exit();
  using prog = loadProgram({ type: 'KPROBE', insns: a.assemble(), license: 'GPL', expectedAttachType: TRACE_UPROBE_MULTI });
  const count = () => counts.get(0)!.readBigUInt64LE(0);
  {
    using l = attachUprobeMulti(prog, { binary: bin, symRe: /^(tsbcc_add|main)$/ });
    assert.equal(l.kind, 'uprobe_multi');
    assert.match(l.target, /\(2 functions\)$/);
    await runTarget(bin, 25); // started after the attach: main's entry counts too
  }
  assert.equal(count(), 26n);
  const other = startTarget(bin, 40);
  await other.ready;
  let link: Link | undefined;
  try {
    await runTarget(bin, 30, (pid) => {
      link = attachUprobeMulti(prog, { binary: bin, symRe: /^(tsbcc_add|main)$/, pid });
      other.go();
    });
    await other.done;
  } finally {
    link?.close();
  }
  assert.equal(count(), 26n + 30n); // that process's 30 tsbcc_add calls (it was in main already), not the other's 40
});
