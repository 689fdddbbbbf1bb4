// Event streams from a real tracepoint: every event arrives with the right contents, and losses are counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadProgram } from '../../src/load/index.js';
import { createMap, type ArrayTable, type PerfEventArray, type RingBufMap, type PerCpuTable } from '../../src/maps/index.js';
import { attachTracepoint } from '../../src/attach/index.js';
import { PerfBuffer, RingBuffer } from '../../src/events/index.js';
import { numPossibleCpus } from '../../src/sys/index.js';
import { Workload } from '../fixtures/workload.js';
import { perfOutputProgram, ringbufOutputProgram, decodeEvent, type Event } from '../fixtures/programs.js';

const skip = process.getuid?.() !== 0 && 'needs root';
const SYS_getppid = 110;

function seqMap() {
  return createMap({ type: 'ARRAY', keySize: 4, valueSize: 8, maxEntries: 1, name: 'seq' });
}

function checkComplete(events: Event[], pid: number, n: number): void {
  const mine = events.filter((e) => e.tgid === pid);
  assert.equal(mine.length, n, `expected ${n} events from pid ${pid}`);
  for (const e of mine) {
    assert.equal(e.pid, pid);
    assert.equal(e.nr, SYS_getppid);
    assert.ok(e.ts > 0n);
  }
  const seqs = new Set(events.map((e) => e.seq));
  assert.equal(seqs.size, events.length, 'a sequence number arrived twice');
}

test('perf buffer: every event arrives, in content and count', { skip, timeout: 30000 }, async () => {
  using wl = new Workload();
  using seq = seqMap();
  using events = createMap({ type: 'PERF_EVENT_ARRAY', keySize: 4, valueSize: 4, maxEntries: numPossibleCpus(), name: 'events' }) as PerfEventArray;
  using prog = loadProgram({ type: 'TRACEPOINT', insns: perfOutputProgram(events.fd, seq.fd, wl.comm), name: 'perf_out' });
  const got: Event[] = [];
  const perCpuLastTs = new Map<number, bigint>();
  using pb = new PerfBuffer(events, (data, cpu) => {
    assert.equal(data.length >= 32, true);
    const ev = decodeEvent(data);
    const last = perCpuLastTs.get(cpu) ?? 0n;
    assert.ok(ev.ts >= last, 'timestamps went backwards within a CPU ring');
    perCpuLastTs.set(cpu, ev.ts);
    got.push(ev);
  }, { pageCount: 256 });
  const N = 20000;
  let pid: number;
  {
    using _l = attachTracepoint(prog, 'syscalls:sys_enter_getppid');
    pid = (await wl.run(N)).pid;
  }
  pb.poll();
  assert.equal(pb.lost, 0);
  checkComplete(got, pid, N);
});

test('perf buffer: async iteration delivers copies', { skip, timeout: 30000 }, async () => {
  using wl = new Workload();
  using seq = seqMap();
  using events = createMap({ type: 'PERF_EVENT_ARRAY', keySize: 4, valueSize: 4, maxEntries: numPossibleCpus() }) as PerfEventArray;
  using prog = loadProgram({ type: 'TRACEPOINT', insns: perfOutputProgram(events.fd, seq.fd, wl.comm) });
  const pb = new PerfBuffer(events, undefined, { pageCount: 64, flushIntervalMs: 5 });
  const N = 100;
  using _l = attachTracepoint(prog, 'syscalls:sys_enter_getppid');
  const { pid } = wl.runSync(N);
  const got: Event[] = [];
  for await (const { data } of pb) {
    const ev = decodeEvent(data);
    if (ev.tgid === pid) got.push(ev);
    if (got.length === N) break; // break closes the buffer
  }
  assert.equal(got.length, N);
  assert.deepEqual(got.map((e) => e.nr), Array(N).fill(SYS_getppid));
});

test('perf buffer: overflow is counted, received + lost == sent', { skip, timeout: 30000 }, async () => {
  using wl = new Workload();
  using seq = seqMap();
  using events = createMap({ type: 'PERF_EVENT_ARRAY', keySize: 4, valueSize: 4, maxEntries: numPossibleCpus() }) as PerfEventArray;
  using prog = loadProgram({ type: 'TRACEPOINT', insns: perfOutputProgram(events.fd, seq.fd, wl.comm) });
  let received = 0, lostSeen = 0;
  using pb = new PerfBuffer(events, () => { received++; }, { pageCount: 1, flushIntervalMs: 0, onLost: (n) => { lostSeen += n; } });
  const N = 5000;
  const sent = () => Number((seq as ArrayTable).get(0)!.readBigUInt64LE(0));
  {
    using _l = attachTracepoint(prog, 'syscalls:sys_enter_getppid');
    wl.runSync(N); // the loop is blocked: nobody drains a 4 KiB ring meanwhile
  }
  pb.poll();
  assert.ok(pb.lost > 0, 'expected losses with a one-page ring');
  assert.equal(lostSeen, pb.lost);
  assert.equal(sent(), N);
  assert.equal(received + pb.lost, sent());
});

test('ring buffer: every event arrives, in content and count', { skip, timeout: 30000 }, async () => {
  using wl = new Workload();
  using seq = seqMap();
  using ring = createMap({ type: 'RINGBUF', keySize: 0, valueSize: 0, maxEntries: 1 << 20, name: 'ring' }) as RingBufMap;
  using lost = createMap({ type: 'PERCPU_ARRAY', keySize: 4, valueSize: 8, maxEntries: 1 }) as PerCpuTable;
  using prog = loadProgram({ type: 'TRACEPOINT', insns: ringbufOutputProgram(ring.fd, seq.fd, lost.fd, 0, wl.comm), name: 'ring_out' });
  const got: Event[] = [];
  using rb = new RingBuffer(ring, (data) => {
    assert.equal(data.length, 32);
    got.push(decodeEvent(data));
  }, { lostCounter: lost });
  const N = 20000;
  let pid: number;
  {
    using _l = attachTracepoint(prog, 'syscalls:sys_enter_getppid');
    pid = (await wl.run(N)).pid;
  }
  rb.poll();
  assert.equal(rb.lost, 0);
  checkComplete(got, pid, N);
  // One ring shared by all CPUs: every sequence number 0..N-1 is there exactly once.
  assert.deepEqual(got.map((e) => e.seq).sort((x, y) => x - y), Array.from({ length: N }, (_, i) => i));
});

test('ring buffer: overflow is counted through the program\'s drop counter', { skip, timeout: 30000 }, async () => {
  using wl = new Workload();
  using seq = seqMap();
  using ring = createMap({ type: 'RINGBUF', keySize: 0, valueSize: 0, maxEntries: 4096 }) as RingBufMap;
  using lost = createMap({ type: 'PERCPU_ARRAY', keySize: 4, valueSize: 8, maxEntries: 1 }) as PerCpuTable;
  using prog = loadProgram({ type: 'TRACEPOINT', insns: ringbufOutputProgram(ring.fd, seq.fd, lost.fd, 0, wl.comm) });
  let received = 0, reported = 0;
  using rb = new RingBuffer(ring, () => { received++; }, { lostCounter: lost, onLost: (n) => { reported += n; } });
  const N = 5000;
  {
    using _l = attachTracepoint(prog, 'syscalls:sys_enter_getppid');
    wl.runSync(N);
  }
  rb.poll();
  const sent = Number((seq as ArrayTable).get(0)!.readBigUInt64LE(0));
  assert.equal(sent, N);
  assert.ok(rb.lost > 0, 'expected drops with a one-page ring');
  assert.equal(reported, rb.lost);
  assert.equal(received + rb.lost, sent);
});

test('ring buffer: async iteration', { skip, timeout: 30000 }, async () => {
  using wl = new Workload();
  using seq = seqMap();
  using ring = createMap({ type: 'RINGBUF', keySize: 0, valueSize: 0, maxEntries: 1 << 16 }) as RingBufMap;
  using lost = createMap({ type: 'PERCPU_ARRAY', keySize: 4, valueSize: 8, maxEntries: 1 }) as PerCpuTable;
  using prog = loadProgram({ type: 'TRACEPOINT', insns: ringbufOutputProgram(ring.fd, seq.fd, lost.fd, 0, wl.comm) });
  const rb = new RingBuffer(ring);
  using _l = attachTracepoint(prog, 'syscalls:sys_enter_getppid');
  const N = 50;
  const { pid } = wl.runSync(N);
  let n = 0;
  for await (const data of rb) {
    if (decodeEvent(data).tgid === pid) n++;
    if (n === N) break;
  }
  assert.equal(n, N);
});
