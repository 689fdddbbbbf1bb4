// Typed tables against the kernel: a C program compiled by tsbcc fills a hash, an array, a per-CPU
// hash and two histograms, sends perf and ring buffer records and takes kernel stacks on every
// getppid of the workload (it filters on the workload's unique comm, so other processes' getppid
// calls never count). The tables, typed from the same C declarations by the front end, must give
// exactly the values the workload's N calls produce; the histogram text must be BCC's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { compileObject } from '../../src/compiler/object.js';
import { checkSource } from '../../src/compiler/frontend.js';
import type { QualType, RecordT } from '../../src/compiler/check/types.js';
import { loadObject, type LoadedObject } from '../../src/load/index.js';
import { attachTracepoint } from '../../src/attach/index.js';
import { Btf } from '../../src/btf/reader.js';
import { features, numPossibleCpus } from '../../src/sys/index.js';
import { ksym, ksymname, kallsyms } from '../../src/sys/kallsyms.js';
import {
  typedTable, btfMapTypes, TypedTable, PerCpuTypedTable, EventTable, StackTraces, type UserSymbolizer,
} from '../../src/tables/index.js';
import { Workload } from '../fixtures/workload.js';
import { haveBcc, bccHist } from '../fixtures/bcc_hist.js';

const skip = (process.getuid?.() !== 0 || !existsSync('/sys/kernel/btf/vmlinux')) && 'needs root and kernel BTF';

const SRC = `
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>

const volatile u64 targ_comm[2] = {};   /* the workload's comm, set before loading */

struct key { u32 tgid; char comm[16]; };
struct stats { u64 count; u32 last_pid; s32 neg; u8 flags : 3; s8 sflag : 4; char comm[16]; };
struct pc { u64 n; u64 sum; };
struct hkey { u32 parity; u32 slot; };
struct event { u32 pid; u32 tgid; u64 seq; s64 neg; char comm[16]; u8 odd : 1; s8 small : 5; u16 port; };

struct event *event_type;               /* unused: names the record type for user space */

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64); __type(key, struct key); __type(value, struct stats); } stats SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, u32); __type(value, u64); } counts SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 64); __type(key, u32); __type(value, struct pc); } pcpu SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 256); __type(key, struct hkey); __type(value, u64); } hist SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 256); __type(key, u32); __type(value, u64); } hist1 SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, sizeof(u32)); __uint(value_size, sizeof(u32)); } perf SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } ring SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK_TRACE); __uint(max_entries, 64); __uint(key_size, sizeof(u32)); __uint(value_size, 127 * sizeof(u64)); } stacks SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, u32); __type(value, s64); } stackid SEC(".maps");

/* BCC's bpf_log2l: 0 for 0, else 1 + floor(log2(v)). */
static __always_inline u32 log2l(u64 v)
{
  u32 r = 0;
  if (!v) return 0;
  if (v >> 32) { v >>= 32; r += 32; }
  if (v >> 16) { v >>= 16; r += 16; }
  if (v >> 8) { v >>= 8; r += 8; }
  if (v >> 4) { v >>= 4; r += 4; }
  if (v >> 2) { v >>= 2; r += 2; }
  if (v >> 1) { r += 1; }
  return r + 1;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
  struct key k = {};
  u64 id = bpf_get_current_pid_tgid();
  u64 seq;

  bpf_get_current_comm(&k.comm, sizeof(k.comm));
  if (((u64 *)k.comm)[0] != targ_comm[0] || ((u64 *)k.comm)[1] != targ_comm[1])
    return 0;
  k.tgid = id >> 32;

  struct stats *s = bpf_map_lookup_elem(&stats, &k);
  if (s) {
    seq = s->count;
    s->count = seq + 1;
    s->last_pid = (u32)id;
  } else {
    struct stats z = {};
    z.count = 1;
    z.last_pid = (u32)id;
    z.neg = -7;
    z.flags = 5;
    z.sflag = -3;
    bpf_get_current_comm(&z.comm, sizeof(z.comm));
    bpf_map_update_elem(&stats, &k, &z, BPF_NOEXIST);
    seq = 0;
  }

  u32 idx = seq & 7;
  u64 *c = bpf_map_lookup_elem(&counts, &idx);
  if (c) __sync_fetch_and_add(c, 1);

  u32 tgid = k.tgid;
  struct pc *p = bpf_map_lookup_elem(&pcpu, &tgid);
  if (p) {
    p->n += 1;
    p->sum += seq;
  } else {
    struct pc one = { 1, seq };
    bpf_map_update_elem(&pcpu, &tgid, &one, BPF_NOEXIST);
  }

  struct hkey hk = { seq & 1, log2l(seq) };
  u64 *h = bpf_map_lookup_elem(&hist, &hk);
  if (h) __sync_fetch_and_add(h, 1);
  else { u64 one = 1; bpf_map_update_elem(&hist, &hk, &one, BPF_NOEXIST); }
  u32 slot = log2l(seq * 3);
  u64 *h1 = bpf_map_lookup_elem(&hist1, &slot);
  if (h1) __sync_fetch_and_add(h1, 1);
  else { u64 one = 1; bpf_map_update_elem(&hist1, &slot, &one, BPF_NOEXIST); }

  struct event e = {};
  e.pid = (u32)id;
  e.tgid = tgid;
  e.seq = seq;
  e.neg = -(s64)seq - 1;
  __builtin_memcpy(e.comm, k.comm, 16);
  e.odd = seq & 1;
  e.small = (s8)(seq % 16) - 8;
  e.port = 8080 + seq;
  bpf_perf_event_output(ctx, &perf, BPF_F_CURRENT_CPU, &e, sizeof(e));
  bpf_ringbuf_output(&ring, &e, sizeof(e), 0);

  s64 sid = bpf_get_stackid(ctx, &stacks, 0);
  u32 zero = 0;
  if (sid >= 0) bpf_map_update_elem(&stackid, &zero, &sid, BPF_ANY);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

const N = 100;

/** Compile and load the program for this workload's comm; the C types of its maps from the front end. */
function setup(wl: Workload): { obj: LoadedObject; types: Map<string, { key?: QualType; value?: QualType }>; event: QualType } {
  const btf = Btf.vmlinux();
  const spec = compileObject(SRC, { filename: 'tables.c', btf, isaV4: features.haveIsaV4() });
  const unit = checkSource(SRC, { filename: 'tables.c', btf });
  const types = new Map<string, { key?: QualType; value?: QualType }>();
  for (const g of unit.globals) if (g.type.type.kind === 'struct' && g.attrs?.get('section')?.[0] === '.maps') types.set(g.name, btfMapTypes(g.type.type as RecordT));
  const evSym = unit.globals.find((g) => g.name === 'event_type')!;
  assert.equal(evSym.type.type.kind, 'ptr');
  const comm = Buffer.alloc(16);
  comm.write(wl.comm, 'latin1');
  const obj = loadObject(spec, { globals: { targ_comm: comm } });
  return { obj, types, event: (evSym.type.type as { to: QualType }).to };
}

/** What bpf_log2l gives (see the C). */
const log2l = (v: number): number => (v === 0 ? 0 : Math.floor(Math.log2(v)) + 1);

test('typed hash, array, per-CPU and histogram maps hold exactly what N getppid calls wrote', { skip, timeout: 60000 }, async () => {
  using wl = new Workload();
  const { obj, types, event } = setup(wl);
  using _obj = obj;
  const t = <T>(name: string): T => typedTable(obj.map(name), types.get(name)) as T;
  const stats = t<TypedTable>('stats');
  const counts = t<TypedTable<number, bigint>>('counts');
  const pcpu = t<PerCpuTypedTable<number, { n: bigint | number; sum: bigint | number }>>('pcpu');
  const hist = t<TypedTable>('hist');
  const hist1 = t<TypedTable<number, bigint>>('hist1');
  assert.ok(stats instanceof TypedTable && pcpu instanceof PerCpuTypedTable && counts.isArray);
  assert.ok(typedTable(obj.map('perf'), { event }) instanceof EventTable);

  let pid: number;
  {
    using _l = attachTracepoint(obj.program('on_getppid'), 'syscalls:sys_enter_getppid');
    pid = (await wl.run(N)).pid;
  }

  // HASH with a struct key and a struct value with bitfields.
  const key = { tgid: pid, comm: wl.comm };
  assert.deepEqual(stats.items(), [[key, { count: BigInt(N), last_pid: pid, neg: -7, flags: 5, sflag: -3, comm: wl.comm }]]);
  assert.deepEqual(stats.get(key), stats.items()[0]![1]);
  assert.equal(stats.get({ tgid: pid, comm: 'someone-else' }), undefined);
  assert.equal(stats.has(key), true);
  assert.equal(stats.size, 1);
  // Writing through the codec: the program's next lookup would see it; read it back here.
  stats.set(key, { count: 5, comm: 'x' });
  assert.deepEqual(stats.get(key), { count: 5n, last_pid: 0, neg: 0, flags: 0, sflag: 0, comm: 'x' });
  stats.zero();
  assert.deepEqual(stats.get(key), { count: 0n, last_pid: 0, neg: 0, flags: 0, sflag: 0, comm: '' });
  assert.equal(stats.delete(key), true);
  assert.equal(stats.size, 0);
  assert.throws(() => stats.set({ tgid: pid, comm: 'a'.repeat(17) }, {}), /EncodeError: map stats: key\.comm: .* more than char \[16\] holds/);
  assert.throws(() => stats.set(key, { count: 'many' }), /EncodeError: map stats: value\.count: expected an integer/);

  // ARRAY: every index exists; seq & 7 over 0..N-1.
  const want = Array.from({ length: 8 }, (_, i) => BigInt(Math.floor((N - 1 - i) / 8) + 1));
  assert.deepEqual(counts.items(), want.map((v, i) => [i, v]));
  assert.equal(counts.size, 8);
  assert.equal(counts.increment(3, 10), want[3]! + 10n);
  assert.equal(counts.get(3), want[3]! + 10n);
  counts.delete(3);
  assert.equal(counts.get(3), 0n, 'deleting from an array zeroes');
  counts.clear();
  assert.deepEqual([...counts.values()], new Array(8).fill(0n));

  // PERCPU_HASH: one struct per possible CPU; the sum is exact whichever CPUs ran the workload.
  const per = pcpu.get(pid)!;
  assert.equal(per.length, numPossibleCpus());
  assert.deepEqual(pcpu.sum(pid), { n: BigInt(N), sum: BigInt((N * (N - 1)) / 2) });
  assert.ok(pcpu.max(pid)!.n <= BigInt(N) && pcpu.max(pid)!.n >= BigInt(Math.ceil(N / numPossibleCpus())) - 1n);
  pcpu.setAll(pid, { n: 2, sum: 3 });
  assert.deepEqual(pcpu.sum(pid), { n: BigInt(2 * numPossibleCpus()), sum: BigInt(3 * numPossibleCpus()) });
  pcpu.set(pid, per.map((_, i) => ({ n: i, sum: 0 })));
  assert.equal(pcpu.get(pid)![numPossibleCpus() - 1]!.n, BigInt(numPossibleCpus() - 1));
  assert.throws(() => pcpu.set(pid, [{ n: 1, sum: 1 }].concat(numPossibleCpus() === 1 ? [{ n: 1, sum: 1 }] : [])), /needs \d+ values/);

  // Histograms: the counts are what seq produced, and the text is BCC's for the same table.
  const sect = new Map<string, bigint>();
  const flat = new Map<number, bigint>();
  for (let s = 0; s < N; s++) {
    const k = `${s & 1},${log2l(s)}`;
    sect.set(k, (sect.get(k) ?? 0n) + 1n);
    flat.set(log2l(s * 3), (flat.get(log2l(s * 3)) ?? 0n) + 1n);
  }
  const hItems = hist.items() as [{ parity: number; slot: number }, bigint][];
  assert.deepEqual(new Map(hItems.map(([k, v]) => [`${k.parity},${k.slot}`, v])), sect);
  assert.deepEqual(new Map(hist1.items()), flat);
  if (haveBcc()) {
    const items = hItems.map(([k, v]) => [[k.parity, k.slot], v] as [[number, number], bigint]);
    const [log2Sect, log2Flat, linFlat] = bccHist([
      { fn: 'table_log2', items, valType: 'calls', sectionHeader: 'parity' },
      { fn: 'table_log2', items: hist1.items(), valType: 'usecs' },
      { fn: 'table_linear', items: hist1.items(), valType: 'slot' },
    ]);
    assert.equal(hist.log2Hist('calls', { sectionHeader: 'parity' }), log2Sect);
    assert.equal(hist1.log2Hist('usecs'), log2Flat);
    assert.equal(hist1.linearHist('slot'), linFlat);
    let printed = '';
    hist1.printLog2Hist('usecs', { out: { write: (s: string) => (printed += s) } });
    assert.equal(printed, log2Flat);
  }
  const json = hist1.jsonHist('usecs');
  assert.equal(json.length, 1);
  assert.equal(json[0]!.data.reduce((a, b) => a + Number(b.count), 0), N - (flat.get(0) ? Number(flat.get(0)) : 0));
});

test('perf buffer and ring buffer deliver decoded structs; async iteration; stacks symbolized', { skip, timeout: 60000 }, async () => {
  using wl = new Workload();
  const { obj, event, types } = setup(wl);
  using _obj = obj;
  const perf = typedTable(obj.map('perf'), { event }) as EventTable<Record<string, unknown>>;
  const ring = typedTable(obj.map('ring'), { event }) as EventTable<Record<string, unknown>>;
  const stacks = typedTable(obj.map('stacks')) as StackTraces;
  assert.throws(() => ring.openPerfBuffer(() => {}), /map ring is a RINGBUF, not a PERF_EVENT_ARRAY: use openRingBuffer/);
  assert.throws(() => (typedTable(obj.map('perf')) as EventTable).event(Buffer.alloc(8)), /no event type is known/);

  const fromPerf: Record<string, unknown>[] = [];
  const cpus = new Set<number>();
  using _pb = perf.openPerfBuffer((ev, cpu) => { fromPerf.push(ev); cpus.add(cpu); }, { pageCnt: 8, lostCb: () => assert.fail('perf records lost') });
  const fromRing: Record<string, unknown>[] = [];
  let pid = 0;
  {
    using _l = attachTracepoint(obj.program('on_getppid'), 'syscalls:sys_enter_getppid');
    const events = ring.events();
    const run = wl.run(N).then((r) => (pid = r.pid));
    for await (const ev of events) {
      fromRing.push(ev);
      if (fromRing.length === N) break; // leaving the loop closes the reader
    }
    await run;
  }
  _pb.poll();
  const expected = (seq: number) => ({ pid, tgid: pid, seq: BigInt(seq), neg: -BigInt(seq) - 1n, comm: wl.comm, odd: seq & 1,
    small: (seq % 16) - 8, port: 8080 + seq });
  assert.equal(fromRing.length, N);
  assert.deepEqual(fromRing, Array.from({ length: N }, (_, i) => expected(i)));
  assert.equal(fromPerf.length, N);
  fromPerf.sort((a, b) => Number(a.seq as bigint - (b.seq as bigint)));
  assert.deepEqual(fromPerf, Array.from({ length: N }, (_, i) => expected(i)));
  assert.ok([...cpus].every((c) => c >= 0 && c < numPossibleCpus()));

  // The last kernel stack: addresses, then names; the syscall entry path is on it.
  const id = (typedTable(obj.map('stackid'), types.get('stackid')) as TypedTable<number, bigint>).get(0)!;
  assert.ok(id >= 0n, `bpf_get_stackid failed (${id})`);
  const addrs = stacks.walk(id);
  assert.ok(addrs.length > 2 && addrs.length <= 127 && !addrs.includes(0n));
  const names = stacks.kernelStack(id);
  assert.deepEqual(names, addrs.map((a) => ksym(a)));
  console.log(`stack ${id}: ${names.join(' <- ')}`);
  assert.ok(names.every((n) => n !== '[unknown]'), names.join(', '));
  assert.ok(names.some((n) => /^(do_syscall_64|entry_SYSCALL_64.*|x64_sys_call)$/.test(n)), `no syscall entry frame in ${names.join(', ')}`);
  for (const f of stacks.frames(id, undefined, { showOffset: true, showModule: true })) {
    assert.match(f.name, /^[\w.$]+\+0x[0-9a-f]+ \[(kernel|[\w-]+)\]$/);
    const [name, off] = f.name.split(' ')[0]!.split('+');
    assert.equal(ksymname(name!) + BigInt(off!), f.addr, `${f.name} is 0x${f.addr.toString(16)}`);
  }
  assert.equal(kallsyms().ksym(addrs[0]!), names[0]);
  assert.deepEqual(stacks.walk(-14), [], 'a get_stackid error (-EFAULT) is an empty stack');
  assert.deepEqual(stacks.walk(Number(id) + 1000), []);

  // User stacks go through the injected symbolizer.
  const calls: [number, bigint][] = [];
  const fake: UserSymbolizer = { symbolize: (p, a) => { calls.push([p, a]); return { name: 'main', offset: 0x10n, module: '/usr/bin/prog' }; } };
  const userView = new StackTraces(obj.map('stacks'), { userSymbolizer: fake });
  assert.deepEqual(userView.userStack(id, 1234, { showOffset: true, showModule: true }), addrs.map(() => 'main+0x10 [prog]'));
  assert.deepEqual(calls.map(([p]) => p), addrs.map(() => 1234));
  assert.deepEqual(stacks.userStack(id, 1234), addrs.map(() => '[unknown]'));
});
