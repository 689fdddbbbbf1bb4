// Typed tables over maps made with createMap: per-CPU arrays, LRU hashes with struct keys,
// and the two event readers in the other delivery mode than tables.test.ts uses (perf records
// through `for await`, ring buffer records through a callback), fed by the hand-assembled
// programs of test/fixtures/programs.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSource } from '../../src/compiler/frontend.js';
import type { QualType } from '../../src/compiler/check/types.js';
import { createMap, type PerCpuTable, type PerfEventArray, type RingBufMap } from '../../src/maps/index.js';
import { loadProgram } from '../../src/load/index.js';
import { attachTracepoint } from '../../src/attach/index.js';
import { numPossibleCpus } from '../../src/sys/index.js';
import { typedTable, TypedTable, PerCpuTypedTable, EventTable } from '../../src/tables/index.js';
import { perfOutputProgram, ringbufOutputProgram, EVENT_SIZE } from '../fixtures/programs.js';
import { Workload } from '../fixtures/workload.js';
import { haveBcc, bccHist } from '../fixtures/bcc_hist.js';

const skip = process.getuid?.() !== 0 && 'needs root';

const DECLS = `
struct flow { u8 proto; u16 port; u32 addr[4]; };
struct tally { u64 packets; u64 bytes; s32 last; };
/* The fixtures' 32-byte record (see test/fixtures/programs.ts). */
struct ev { u32 pid; u32 tgid; u64 ts; u64 nr; u64 seq; };
/* A prefix of it, and a type longer than the record. */
struct long_ev { u32 pid; u32 tgid; u64 ts; u64 nr; u64 seq; u64 extra; };
struct disk_key { char disk[8]; u64 slot; };
struct disk_key g_disk; struct flow g_flow; struct tally g_tally; struct ev g_ev; struct long_ev g_long; u32 g_u32; u64 g_u64;
`;
const T = new Map(checkSource(DECLS).globals.map((g) => [g.name.slice(2), g.type] as [string, QualType]));

test('PERCPU_ARRAY: fixed keys, per-CPU struct values, sum/max/average, delete zeroes', { skip }, () => {
  using m = createMap({ type: 'PERCPU_ARRAY', keySize: 4, valueSize: 24, maxEntries: 4, name: `pca${process.pid}` });
  const t = typedTable(m, { key: T.get('u32'), value: T.get('tally') }) as PerCpuTypedTable<number, { packets: bigint | number; bytes: bigint | number; last: number }>;
  assert.ok(t instanceof PerCpuTypedTable && t.isArray);
  const n = numPossibleCpus();
  assert.equal(t.size, 4);
  assert.deepEqual([...t.keys()], [0, 1, 2, 3]);
  assert.deepEqual(t.get(2), new Array(n).fill({ packets: 0n, bytes: 0n, last: 0 }));
  t.set(2, Array.from({ length: n }, (_, i) => ({ packets: i + 1, bytes: 100 * (i + 1), last: -i })));
  const tri = BigInt((n * (n + 1)) / 2);
  assert.deepEqual(t.sum(2), { packets: tri, bytes: 100n * tri, last: -((n * (n - 1)) / 2) });
  assert.deepEqual(t.max(2), { packets: BigInt(n), bytes: BigInt(100 * n), last: 0 });
  assert.throws(() => t.average(2), /average needs an integer value, not struct tally/);
  t.delete(2);
  assert.deepEqual(t.sum(2), { packets: 0n, bytes: 0n, last: 0 });
  assert.throws(() => t.increment(), /per-CPU/);

  using c = createMap({ type: 'PERCPU_ARRAY', keySize: 4, valueSize: 8, maxEntries: 2, name: `pcc${process.pid}` });
  const counter = typedTable(c, { key: T.get('u32'), value: T.get('u64') }) as PerCpuTypedTable<number, bigint>;
  counter.setAll(1, 6n);
  assert.equal(counter.sum(1), 6n * BigInt(n));
  assert.equal(counter.average(1), 6);
  assert.deepEqual([...counter.sums()], [[0, 0n], [1, 6n * BigInt(n)]]);
  counter.zero();
  assert.equal(counter.sum(1), 0n);
});

test('LRU_HASH with struct keys (u8 and u16 fields, an array member): set, get, iterate, increment, clear', { skip }, () => {
  using m = createMap({ type: 'LRU_HASH', keySize: 20, valueSize: 24, maxEntries: 16, name: `lru${process.pid}` });
  type Flow = { proto: number; port: number; addr: number[] };
  const t = typedTable(m, { key: T.get('flow'), value: T.get('tally') }) as TypedTable<Flow, Record<string, bigint | number>>;
  assert.ok(t instanceof TypedTable && !t.isArray);
  const flows: Flow[] = [6, 17, 1].map((proto, i) => ({ proto, port: 443 + i, addr: [10, 0, 0, i + 1] }));
  t.setMany(flows.map((f, i) => [f, { packets: i + 1, bytes: BigInt(i) << 40n, last: -1 }]));
  assert.equal(t.size, 3);
  assert.deepEqual(t.get({ proto: 17, port: 444, addr: [10, 0, 0, 2] }), { packets: 2n, bytes: 1n << 40n, last: -1 });
  // A missing array element is zero: [10, 0] is [10, 0, 0, 0], which is not stored.
  assert.equal(t.get({ proto: 17, port: 444, addr: [10, 0] }), undefined);
  const got = t.items().sort((a, b) => a[0].proto - b[0].proto);
  assert.deepEqual(got.map(([k]) => k), [flows[2], flows[0], flows[1]]);
  assert.throws(() => t.increment(flows[0]!), /increment needs an integer value, not struct tally/);
  t.clear();
  assert.equal(t.size, 0);

  using h = createMap({ type: 'HASH', keySize: 4, valueSize: 8, maxEntries: 4, name: `inc${process.pid}` });
  const counts = typedTable(h, { key: T.get('u32'), value: T.get('u64') }) as TypedTable<number, bigint>;
  assert.equal(counts.increment(7), 1n);
  assert.equal(counts.increment(7, 41), 42n);
  assert.equal(counts.increment(7, 2n ** 62n), 42n + 2n ** 62n);
  assert.throws(() => typedTable(h, { key: T.get('u64'), value: T.get('u64') }), /its keys are 4 bytes, but u64 is 8/);
});

test('perf records through `for await`, ring buffer records through a callback, decoded', { skip, timeout: 30000 }, async () => {
  using wl = new Workload();
  using seq = createMap({ type: 'ARRAY', keySize: 4, valueSize: 8, maxEntries: 1 });
  using perfMap = createMap({ type: 'PERF_EVENT_ARRAY', keySize: 4, valueSize: 4, maxEntries: numPossibleCpus() }) as PerfEventArray;
  using perfProg = loadProgram({ type: 'TRACEPOINT', insns: perfOutputProgram(perfMap.fd, seq.fd, wl.comm) });
  const perf = typedTable(perfMap, { event: T.get('ev') }) as EventTable<{ pid: number; tgid: number; ts: bigint; nr: bigint; seq: bigint }>;
  assert.equal(perf.eventCodec.size, EVENT_SIZE);
  const N = 64;
  const seen: { pid: number; nr: bigint; seq: bigint }[] = [];
  let pid = 0;
  {
    using _l = attachTracepoint(perfProg, 'syscalls:sys_enter_getppid');
    const events = perf.events({ flushIntervalMs: 10 }); // the reader is open from here on
    const run = wl.run(N).then((r) => (pid = r.pid));
    for await (const ev of events) {
      seen.push(ev);
      if (seen.length === N) break;
    }
    await run;
  }
  assert.deepEqual(seen.map((e) => e.seq).sort((a, b) => Number(a - b)), Array.from({ length: N }, (_, i) => BigInt(i)));
  assert.ok(seen.every((e) => e.pid === pid && e.nr === 110n));

  using seq2 = createMap({ type: 'ARRAY', keySize: 4, valueSize: 8, maxEntries: 1 });
  using ringMap = createMap({ type: 'RINGBUF', keySize: 0, valueSize: 0, maxEntries: 1 << 16 }) as RingBufMap;
  using lost = createMap({ type: 'PERCPU_ARRAY', keySize: 4, valueSize: 8, maxEntries: 1 }) as PerCpuTable;
  using ringProg = loadProgram({ type: 'TRACEPOINT', insns: ringbufOutputProgram(ringMap.fd, seq2.fd, lost.fd, 0, wl.comm) });
  const ring = typedTable(ringMap, { event: T.get('long') }) as EventTable<Record<string, bigint | number>>;
  const got: Record<string, bigint | number>[] = [];
  using rb = ring.openRingBuffer((ev) => got.push(ev));
  {
    using _l = attachTracepoint(ringProg, 'syscalls:sys_enter_getppid');
    pid = (await wl.run(N)).pid;
  }
  rb.poll();
  assert.equal(got.length, N);
  // The type is 8 bytes longer than the record: the rest reads as zero.
  assert.deepEqual(got.map((e) => [e.pid, e.nr, e.seq, e.extra]), Array.from({ length: N }, (_, i) => [pid, 110n, BigInt(i), 0n]));
  assert.ok(got.every((e, i) => i === 0 || (e.ts as bigint) >= (got[i - 1]!.ts as bigint)), 'ring buffer order is time order');
});

test('a histogram keyed by a char-array section prints its sections as BCC does (disk = b\'sda\')', { skip: skip || (!haveBcc() && 'python3-bpfcc (the oracle) is not installed') }, () => {
  using m = createMap({ type: 'HASH', keySize: 16, valueSize: 8, maxEntries: 64, name: `dh${process.pid}` });
  const t = typedTable(m, { key: T.get('disk'), value: T.get('u64') }) as TypedTable<{ disk: string; slot: number | bigint }, bigint>;
  const items: [[string, number], number][] = [[['sda', 2], 7], [['sda', 6], 30], [['vdb', 1], 1], [['vdb', 9], 1000]];
  t.setMany(items.map(([[disk, slot], v]) => [{ disk, slot }, BigInt(v)]));
  // The oracle gets the items in the order the map gives them, as BCC would.
  const inMapOrder = t.items().map(([k, v]) => [[k.disk, Number(k.slot)], Number(v)] as [[string, number], number]);
  const [log2, linear] = bccHist([{ fn: 'table_log2', items: inMapOrder, valType: 'usecs', sectionHeader: 'disk' },
    { fn: 'table_linear', items: inMapOrder, valType: 'usecs', sectionHeader: 'disk' }]);
  assert.match(log2!, /^\ndisk = b'(sda|vdb)'\n/);
  assert.equal(t.log2Hist('usecs', { sectionHeader: 'disk' }), log2);
  assert.equal(t.linearHist('usecs', 'disk'), linear, 'BCC\'s positional arguments');
  assert.equal(t.log2Hist('usecs', 'disk', null, null, false), log2);
});

test('openPerfBuffer: lostCb hears of every record a full ring dropped (BCC\'s page_cnt, lost_cb)', { skip, timeout: 30000 }, () => {
  using wl = new Workload();
  using seq = createMap({ type: 'ARRAY', keySize: 4, valueSize: 8, maxEntries: 1 });
  using perfMap = createMap({ type: 'PERF_EVENT_ARRAY', keySize: 4, valueSize: 4, maxEntries: numPossibleCpus() }) as PerfEventArray;
  using prog = loadProgram({ type: 'TRACEPOINT', insns: perfOutputProgram(perfMap.fd, seq.fd, wl.comm) });
  const perf = typedTable(perfMap, { event: T.get('ev') }) as EventTable<{ seq: bigint }>;
  const seqs = new Set<bigint>();
  let lost = 0;
  using pb = perf.openPerfBuffer((ev) => seqs.add(ev.seq), { pageCnt: 1, lostCb: (n) => (lost += n) });
  const N = 3000;
  {
    using _l = attachTracepoint(prog, 'syscalls:sys_enter_getppid');
    wl.runSync(N); // the event loop is blocked: one page per CPU overflows
  }
  pb.poll();
  assert.equal(pb.lost, lost);
  assert.ok(lost > 0, 'one page per CPU held all the records');
  assert.equal(seqs.size + lost, N, `${seqs.size} received + ${lost} lost`);
  assert.ok([...seqs].every((s) => s >= 0n && s < BigInt(N)));
});

test('ring buffer events() hands out records that stay intact after the kernel reuses their space', { skip, timeout: 30000 }, async () => {
  using wl = new Workload();
  using seq = createMap({ type: 'ARRAY', keySize: 4, valueSize: 8, maxEntries: 1 });
  using ringMap = createMap({ type: 'RINGBUF', keySize: 0, valueSize: 0, maxEntries: 4096 }) as RingBufMap;
  using lost = createMap({ type: 'PERCPU_ARRAY', keySize: 4, valueSize: 8, maxEntries: 1 }) as PerCpuTable;
  using prog = loadProgram({ type: 'TRACEPOINT', insns: ringbufOutputProgram(ringMap.fd, seq.fd, lost.fd, 0, wl.comm) });
  const ring = typedTable(ringMap, { event: T.get('ev') }) as EventTable<{ seq: bigint; nr: bigint }>;
  const events = ring.events();
  const it = events[Symbol.asyncIterator]();
  const M = 150; // more than 4096 bytes of 40-byte records hold
  using _l = attachTracepoint(prog, 'syscalls:sys_enter_getppid');
  wl.runSync(M);
  const kept = M - Number(lost.sum(0));
  assert.ok(kept > 0 && kept < M, `${kept} of ${M} records fit`);
  const first = it.next(); // starts the reader's loop; the ring drains on its next turn
  await new Promise((r) => setTimeout(r, 50));
  wl.runSync(M); // new records land where the first batch was
  const got = [(await first).value!];
  while (got.length < kept) got.push((await it.next()).value!);
  await it.return!();
  assert.deepEqual(got.map((e) => e.seq), Array.from({ length: kept }, (_, i) => BigInt(i)), 'the first batch, unchanged');
  assert.ok(got.every((e) => e.nr === 110n));
});
