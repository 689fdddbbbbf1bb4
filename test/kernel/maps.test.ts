// Kernel tests of src/maps: every map type the library wraps, the Map-like face of tables,
// per-CPU values, batch operations (100,000 entries), pinning. Every value asserted is one the
// kernel returned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  createMap, openPinnedMap, BpfMap, Table, HashTable, ArrayTable, PerCpuTable, PerCpuArrayTable, LpmTrie,
  QueueStack, StackTraceTable, ProgArray, PerfEventArray, RingBufMap, MapOfMaps, BPF_F_NO_PREALLOC,
  type MapSpec,
} from '../../src/maps/index.js';
import { bpf, features, isErrno, kallsyms, MapType, native, numPossibleCpus, perfEventOpen, PerfType,
  PerfCountSw } from '../../src/sys/index.js';
import { Assembler, R0, R1, R2, R3, R4, R6, R10 } from '../../src/isa/asm.js';
import { loadProgram } from '../../src/load/index.js';
import { attachTracepoint } from '../../src/attach/index.js';
import { runWorkloadSync } from '../fixtures/workload.js';

const root = process.getuid?.() === 0;
const skip = !root && 'needs root';

// ---- helpers ----------------------------------------------------------------

const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const u64 = (n: number | bigint): Buffer => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(n))); return b; };
const hex = (b: Buffer): string => b.toString('hex');

/** Ids of every map created here; the last test checks the kernel freed them all. */
const created: number[] = [];
function mk<T extends BpfMap = BpfMap>(spec: MapSpec): T {
  const m = createMap(spec) as T;
  created.push(m.info().id);
  return m;
}

/** assert.throws for an errno error with this code (the native addon sets error.code). */
function throwsErrno(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isErrno(e), `expected an errno error, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  });
}

const ncpu = root ? numPossibleCpus() : 1;

// ---- HASH: the Map-like face ------------------------------------------------------

test('HASH: get/set/has/delete, iteration, size, clear', { skip }, () => {
  using h = mk<HashTable>({ type: 'HASH', keySize: 8, valueSize: 8, maxEntries: 16, name: 'face_hash' });
  assert.ok(h instanceof HashTable);
  assert.equal(h.typeName, 'HASH');
  const info = h.info();
  assert.equal(info.type, MapType.HASH);
  assert.equal(info.keySize, 8);
  assert.equal(info.valueSize, 8);
  assert.equal(info.maxEntries, 16);
  assert.equal(info.name, 'face_hash');
  assert.ok(info.id > 0);

  assert.equal(h.get(u64(1)), undefined);
  assert.equal(h.has(u64(1)), false);
  assert.equal(h.size, 0);
  assert.deepEqual([...h], []);

  // set returns the table (chaining); Uint8Array keys work as well as Buffers.
  assert.equal(h.set(u64(1), u64(100)), h);
  h.set(u64(2), u64(200)).set(new Uint8Array(u64(3)), u64(300));
  assert.equal(h.size, 3);
  assert.equal(h.get(u64(2))!.readBigUInt64LE(0), 200n);
  assert.equal(h.get(new Uint8Array(u64(3)))!.readBigUInt64LE(0), 300n);
  assert.equal(h.has(u64(1)), true);

  const expected = new Map([[1n, 100n], [2n, 200n], [3n, 300n]]);
  const fromEntries = new Map([...h.entries()].map(([k, v]) => [k.readBigUInt64LE(0), v.readBigUInt64LE(0)]));
  assert.deepEqual(fromEntries, expected);
  const fromIter = new Map([...h].map(([k, v]) => [k.readBigUInt64LE(0), v.readBigUInt64LE(0)]));
  assert.deepEqual(fromIter, expected);
  assert.deepEqual([...h.keys()].map((k) => k.readBigUInt64LE(0)).sort(), [1n, 2n, 3n]);
  assert.deepEqual([...h.values()].map((v) => v.readBigUInt64LE(0)).sort(), [100n, 200n, 300n]);

  // Overwrite with BPF_ANY, then with BPF_EXIST.
  h.set(u64(1), u64(101));
  assert.equal(h.get(u64(1))!.readBigUInt64LE(0), 101n);
  h.set(u64(1), u64(102), bpf.BPF_EXIST);
  assert.equal(h.get(u64(1))!.readBigUInt64LE(0), 102n);
  // Flags the kernel refuses: NOEXIST on a present key, EXIST on an absent one.
  throwsErrno(() => h.set(u64(1), u64(0), bpf.BPF_NOEXIST), 'EEXIST');
  throwsErrno(() => h.set(u64(99), u64(0), bpf.BPF_EXIST), 'ENOENT');
  assert.equal(h.get(u64(1))!.readBigUInt64LE(0), 102n);
  assert.equal(h.has(u64(99)), false);
  h.set(u64(4), u64(400), bpf.BPF_NOEXIST);
  assert.equal(h.get(u64(4))!.readBigUInt64LE(0), 400n);

  assert.equal(h.delete(u64(2)), true);
  assert.equal(h.delete(u64(2)), false);
  assert.equal(h.get(u64(2)), undefined);
  assert.equal(h.size, 3);

  // Deleting while iterating keys is safe.
  for (const k of h.keys()) h.delete(k);
  assert.equal(h.size, 0);

  h.set(u64(7), u64(7)).set(u64(8), u64(8));
  h.clear();
  assert.equal(h.size, 0);
  assert.equal(h.get(u64(7)), undefined);
});

test('HASH: size mismatches are TypeErrors, a full map says E2BIG', { skip }, () => {
  using h = mk<HashTable>({ type: 'HASH', keySize: 8, valueSize: 4, maxEntries: 4, name: 'mismatch' });
  assert.throws(() => h.get(Buffer.alloc(4)), TypeError);
  assert.throws(() => h.get(1), TypeError); // a number is a u32 key; this map's keys are 8 bytes
  assert.throws(() => h.has(Buffer.alloc(9)), TypeError);
  assert.throws(() => h.delete(Buffer.alloc(7)), TypeError);
  assert.throws(() => h.set(Buffer.alloc(5), u32(1)), TypeError);
  assert.throws(() => h.set(u64(1), u64(1)), TypeError);
  assert.throws(() => h.set(u64(1), Buffer.alloc(3)), TypeError);
  assert.throws(() => h.setMany([[u64(1), Buffer.alloc(2)]]), TypeError);
  assert.equal(h.size, 0, 'a refused set must not reach the kernel');

  for (let i = 0; i < 4; i++) h.set(u64(i), u32(i * 10));
  throwsErrno(() => h.set(u64(4), u32(40)), 'E2BIG');
  h.set(u64(3), u32(33)); // updating a present key in a full map is fine
  assert.equal(h.get(u64(3))!.readUInt32LE(0), 33);
  assert.equal(h.size, 4);
});

test('a closed map refuses operations; close is idempotent; freeze makes it read-only', { skip }, () => {
  using h = mk<HashTable>({ type: 'HASH', keySize: 4, valueSize: 4, maxEntries: 4 });
  h.set(1, u32(11));
  h.freeze();
  throwsErrno(() => h.set(2, u32(22)), 'EPERM');
  assert.equal(h.get(1)!.readUInt32LE(0), 11);
  assert.equal(h.closed, false);
  h.close();
  assert.equal(h.closed, true);
  assert.throws(() => h.get(1), /closed/);
  h.close();
  h[Symbol.dispose]();
});

// ---- ARRAY ---------------------------------------------------------------------------

test('ARRAY: every index exists, delete zeroes, out of range', { skip }, () => {
  using a = mk<ArrayTable>({ type: 'ARRAY', keySize: 4, valueSize: 8, maxEntries: 8, name: 'arr' });
  assert.ok(a instanceof ArrayTable);
  assert.equal(a.size, 8);
  assert.deepEqual([...a.keys()].map((k) => k.readUInt32LE(0)), [0, 1, 2, 3, 4, 5, 6, 7]);
  for (const [, v] of a) assert.equal(v.readBigUInt64LE(0), 0n);
  assert.equal(a.has(7), true);
  assert.equal(a.has(8), false);
  assert.equal(a.get(8), undefined);

  a.set(3, u64(33)).set(u32(5), u64(55));
  assert.equal(a.get(3)!.readBigUInt64LE(0), 33n);
  assert.equal(a.get(u32(5))!.readBigUInt64LE(0), 55n);
  assert.deepEqual([...a.values()].map((v) => v.readBigUInt64LE(0)), [0n, 0n, 0n, 33n, 0n, 55n, 0n, 0n]);

  // Array slots always exist: NOEXIST is refused, EXIST works.
  throwsErrno(() => a.set(3, u64(1), bpf.BPF_NOEXIST), 'EEXIST');
  a.set(3, u64(34), bpf.BPF_EXIST);
  assert.equal(a.get(3)!.readBigUInt64LE(0), 34n);
  throwsErrno(() => a.set(8, u64(1)), 'E2BIG');

  assert.equal(a.delete(3), true);
  assert.deepEqual(a.get(3), Buffer.alloc(8));
  assert.equal(a.has(3), true);
  assert.equal(a.size, 8);

  a.clear();
  assert.equal(a.size, 8);
  for (const [, v] of a) assert.deepEqual(v, Buffer.alloc(8));
});

// ---- per-CPU -------------------------------------------------------------------------

test('PERCPU_HASH: one Buffer per possible CPU, sum, max, one value for all', { skip }, () => {
  // A 4-byte value: the kernel pads each CPU's slot to 8 bytes; the table must hide that.
  using p = mk<PerCpuTable>({ type: 'PERCPU_HASH', keySize: 4, valueSize: 4, maxEntries: 8, name: 'pcpu_hash' });
  assert.ok(p instanceof PerCpuTable);
  assert.equal(p.get(1), undefined);
  assert.equal(p.sum(1), 0n);

  const per = Array.from({ length: ncpu }, (_, c) => u32(10 + c * 7));
  p.set(1, per);
  const got = p.get(1)!;
  assert.equal(got.length, ncpu);
  for (let c = 0; c < ncpu; c++) {
    assert.equal(got[c]!.length, 4);
    assert.equal(got[c]!.readUInt32LE(0), 10 + c * 7);
  }
  assert.equal(p.sum(1), BigInt(Array.from({ length: ncpu }, (_, c) => 10 + c * 7).reduce((a, b) => a + b, 0)));
  assert.equal(p.max(1), BigInt(10 + (ncpu - 1) * 7));

  // The same value for every CPU.
  p.set(2, u32(5) as unknown as Buffer[]);
  assert.deepEqual(p.get(2)!.map((b) => b.readUInt32LE(0)), Array(ncpu).fill(5));
  assert.equal(p.sum(2), BigInt(5 * ncpu));
  assert.equal(p.max(2), 5n);

  // Wrong shapes are TypeErrors.
  assert.throws(() => p.set(3, per.slice(0, ncpu - 1)), TypeError);
  assert.throws(() => p.set(3, [...per, u32(0)]), TypeError);
  assert.throws(() => p.set(3, per.map(() => Buffer.alloc(8))), TypeError);
  assert.equal(p.has(3), false);

  const entries = new Map([...p].map(([k, v]) => [k.readUInt32LE(0), v.map((b) => b.readUInt32LE(0))]));
  assert.deepEqual(entries, new Map([[1, per.map((b) => b.readUInt32LE(0))], [2, Array(ncpu).fill(5)]]));
  assert.equal(p.delete(1), true);
  assert.equal(p.get(1), undefined);
  assert.equal(p.size, 1);
});

test('PERCPU_ARRAY: values per CPU, delete zeroes, sum of 8-byte counters', { skip }, () => {
  using p = mk<PerCpuArrayTable>({ type: 'PERCPU_ARRAY', keySize: 4, valueSize: 8, maxEntries: 4, name: 'pcpu_arr' });
  assert.ok(p instanceof PerCpuArrayTable);
  assert.deepEqual(p.get(0)!.map((b) => b.readBigUInt64LE(0)), Array(ncpu).fill(0n));
  const big = (1n << 40n) + 3n;
  p.set(0, Array.from({ length: ncpu }, (_, c) => u64(big * BigInt(c + 1))));
  assert.equal(p.sum(0), big * BigInt((ncpu * (ncpu + 1)) / 2));
  assert.equal(p.max(0), big * BigInt(ncpu));
  p.set(1, u64(9) as unknown as Buffer[]);
  assert.deepEqual(p.get(1)!.map((b) => b.readBigUInt64LE(0)), Array(ncpu).fill(9n));
  assert.equal(p.get(4), undefined);
  assert.equal(p.size, 4);

  assert.equal(p.delete(0), true);
  assert.deepEqual(p.get(0)!.map((b) => b.readBigUInt64LE(0)), Array(ncpu).fill(0n));
  p.clear();
  for (const [, v] of p) for (const b of v) assert.equal(b.readBigUInt64LE(0), 0n);
});

// ---- LRU -----------------------------------------------------------------------------------

test('LRU_HASH: never full, evicts, keeps the newest', { skip }, () => {
  const max = 64;
  using l = mk<HashTable>({ type: 'LRU_HASH', keySize: 4, valueSize: 4, maxEntries: max, name: 'lru' });
  assert.ok(l instanceof HashTable);
  for (let i = 0; i < max * 4; i++) l.set(i, u32(i * 3));
  const size = l.size;
  assert.ok(size > 0 && size <= max, `LRU size ${size} should be in 1..${max}`);
  assert.equal(l.get(max * 4 - 1)!.readUInt32LE(0), (max * 4 - 1) * 3);
  assert.equal(l.has(0), false, 'the oldest key should have been evicted');
  for (const [k, v] of l) assert.equal(v.readUInt32LE(0), k.readUInt32LE(0) * 3);
  l.clear();
  assert.equal(l.size, 0);
});

test('LRU_PERCPU_HASH: per-CPU values and sum', { skip }, () => {
  using l = mk<PerCpuTable>({ type: 'LRU_PERCPU_HASH', keySize: 4, valueSize: 8, maxEntries: 32, name: 'lru_pcpu' });
  assert.ok(l instanceof PerCpuTable);
  l.set(7, Array.from({ length: ncpu }, (_, c) => u64(c + 1)));
  assert.deepEqual(l.get(7)!.map((b) => b.readBigUInt64LE(0)), Array.from({ length: ncpu }, (_, c) => BigInt(c + 1)));
  assert.equal(l.sum(7), BigInt((ncpu * (ncpu + 1)) / 2));
  assert.equal(l.max(7), BigInt(ncpu));
  throwsErrno(() => l.set(7, u64(0) as unknown as Buffer[], bpf.BPF_NOEXIST), 'EEXIST');
  l.set(8, u64(80) as unknown as Buffer[]);
  const all = new Map([...l].map(([k, v]) => [k.readUInt32LE(0), v.map((b) => b.readBigUInt64LE(0))]));
  assert.deepEqual(all, new Map([[7, Array.from({ length: ncpu }, (_, c) => BigInt(c + 1))], [8, Array(ncpu).fill(80n)]]));
  assert.equal(l.delete(8), true);
  assert.equal(l.size, 1);
  assert.equal(l.delete(7), true);
  assert.equal(l.size, 0);
});

// ---- LPM_TRIE ---------------------------------------------------------------------------

test('LPM_TRIE: longest prefix wins', { skip }, () => {
  using t = mk<LpmTrie>({ type: 'LPM_TRIE', keySize: 8, valueSize: 4, maxEntries: 16, flags: BPF_F_NO_PREALLOC, name: 'lpm' });
  assert.ok(t instanceof LpmTrie);
  const k8 = LpmTrie.key(8, [10, 0, 0, 0]);
  const k16 = LpmTrie.key(16, Buffer.from([10, 1, 0, 0]));
  assert.deepEqual(k16, Buffer.from([16, 0, 0, 0, 10, 1, 0, 0]));
  t.set(k8, u32(8));
  t.set(k16, u32(16));
  assert.equal(t.get(LpmTrie.key(32, [10, 1, 2, 3]))!.readUInt32LE(0), 16);
  assert.equal(t.get(LpmTrie.key(32, [10, 2, 0, 0]))!.readUInt32LE(0), 8);
  assert.equal(t.get(LpmTrie.key(32, [10, 255, 255, 255]))!.readUInt32LE(0), 8);
  assert.equal(t.get(LpmTrie.key(32, [11, 1, 2, 3])), undefined);
  assert.equal(t.get(LpmTrie.key(12, new Uint8Array([10, 1, 0, 0])))!.readUInt32LE(0), 8);
  assert.equal(t.has(LpmTrie.key(32, [10, 9, 9, 9])), true);

  assert.equal(t.size, 2);
  const entries = new Map([...t].map(([k, v]) => [hex(k), v.readUInt32LE(0)]));
  assert.deepEqual(entries, new Map([[hex(k8), 8], [hex(k16), 16]]));

  // A key of the wrong length is caught before the kernel.
  assert.throws(() => t.get(LpmTrie.key(32, [10, 1, 2])), TypeError);

  assert.equal(t.delete(k16), true);
  assert.equal(t.get(LpmTrie.key(32, [10, 1, 2, 3]))!.readUInt32LE(0), 8);
  assert.equal(t.delete(k16), false);
  t.clear();
  assert.equal(t.size, 0);
  assert.equal(t.get(LpmTrie.key(32, [10, 1, 2, 3])), undefined);
});

// ---- QUEUE and STACK --------------------------------------------------------------------

test('QUEUE: FIFO, peek, empty, full', { skip }, () => {
  using q = mk<QueueStack>({ type: 'QUEUE', keySize: 0, valueSize: 4, maxEntries: 3, name: 'queue' });
  assert.ok(q instanceof QueueStack);
  assert.equal(q.pop(), undefined);
  assert.equal(q.peek(), undefined);
  q.push(u32(1)); q.push(u32(2)); q.push(u32(3));
  throwsErrno(() => q.push(u32(4)), 'E2BIG');
  assert.equal(q.peek()!.readUInt32LE(0), 1);
  assert.equal(q.peek()!.readUInt32LE(0), 1, 'peek does not remove');
  assert.equal(q.pop()!.readUInt32LE(0), 1);
  assert.equal(q.pop()!.readUInt32LE(0), 2);
  assert.equal(q.pop()!.readUInt32LE(0), 3);
  assert.equal(q.pop(), undefined);

  // BPF_EXIST on a full queue drops the oldest element.
  for (const n of [1, 2, 3]) q.push(u32(n));
  q.push(u32(4), bpf.BPF_EXIST);
  assert.deepEqual([...q.drain()].map((b) => b.readUInt32LE(0)), [2, 3, 4]);
  assert.equal(q.peek(), undefined);
  assert.throws(() => q.push(Buffer.alloc(8)), TypeError);
});

test('STACK: LIFO, peek, empty, full', { skip }, () => {
  using s = mk<QueueStack>({ type: 'STACK', keySize: 0, valueSize: 8, maxEntries: 3, name: 'stack' });
  assert.ok(s instanceof QueueStack);
  assert.equal(s.pop(), undefined);
  s.push(u64(1)); s.push(u64(2)); s.push(u64(3));
  throwsErrno(() => s.push(u64(4)), 'E2BIG');
  assert.equal(s.peek()!.readBigUInt64LE(0), 3n);
  assert.equal(s.pop()!.readBigUInt64LE(0), 3n);
  assert.equal(s.peek()!.readBigUInt64LE(0), 2n);
  assert.equal(s.pop()!.readBigUInt64LE(0), 2n);
  assert.equal(s.pop()!.readBigUInt64LE(0), 1n);
  assert.equal(s.pop(), undefined);
  assert.equal(s.peek(), undefined);

  for (const n of [1, 2, 3]) s.push(u64(n));
  s.push(u64(4), bpf.BPF_EXIST); // full: the oldest (bottom) element goes
  assert.deepEqual([...s.drain()].map((b) => b.readBigUInt64LE(0)), [4n, 3n, 2n]);
});

// ---- PERF_EVENT_ARRAY, RINGBUF ----------------------------------------------------------

test('PERF_EVENT_ARRAY: shape, setFd, deleteFd', { skip }, () => {
  using pa = mk<PerfEventArray>({ type: 'PERF_EVENT_ARRAY', keySize: 4, valueSize: 4, maxEntries: ncpu, name: 'perf_arr' });
  assert.ok(pa instanceof PerfEventArray);
  const info = pa.info();
  assert.equal(info.type, MapType.PERF_EVENT_ARRAY);
  assert.equal(info.maxEntries, ncpu);
  const pfd = perfEventOpen({ type: PerfType.SOFTWARE, config: PerfCountSw.BPF_OUTPUT, samplePeriod: 1 }, -1, 0);
  try {
    assert.equal(bpf.mapDeleteElem(pa.fd, u32(0)), false, 'slot 0 starts empty');
    pa.setFd(0, pfd);
    assert.equal(bpf.mapDeleteElem(pa.fd, u32(0)), true, 'slot 0 held the event');
    pa.setFd(0, pfd);
    pa.deleteFd(0);
    assert.equal(bpf.mapDeleteElem(pa.fd, u32(0)), false, 'deleteFd emptied slot 0');
    throwsErrno(() => pa.setFd(ncpu, pfd), 'E2BIG');
  } finally {
    native.close(pfd);
  }
});

test('RINGBUF: create and shape', { skip }, () => {
  const size = native.pageSize * 4;
  using rb = mk<RingBufMap>({ type: 'RINGBUF', keySize: 0, valueSize: 0, maxEntries: size, name: 'ringbuf' });
  assert.ok(rb instanceof RingBufMap);
  assert.equal(rb.typeName, 'RINGBUF');
  const info = rb.info();
  assert.equal(info.type, MapType.RINGBUF);
  assert.equal(info.maxEntries, size);
  assert.equal(info.keySize, 0);
  assert.equal(info.valueSize, 0);
  assert.equal(info.name, 'ringbuf');
  // The data size must be a power-of-two number of pages.
  assert.throws(() => createMap({ type: 'RINGBUF', keySize: 0, valueSize: 0, maxEntries: native.pageSize * 3 }),
    (e: unknown) => isErrno(e, 'EINVAL') && /RINGBUF/.test((e as Error).message));
});

// ---- STACK_TRACE ---------------------------------------------------------------------------

/** stacks <- bpf_get_stackid(ctx, stacks, 0); ids[0] = the id when it is >= 0. */
function stackProgram(stacksFd: number, idsFd: number) {
  const a = new Assembler();
  a.mov64(R6, R1)
    .mov64(R1, R6)
    .ldMapFd(R2, stacksFd)
    .mov64Imm(R3, 0)
    .call('get_stackid')
    .jmpImm('jslt', R0, 0, 'out')
    .stx('dw', R10, R0, -16)
    .st('w', R10, -4, 0)
    .ldMapFd(R1, idsFd)
    .mov64(R2, R10).alu64Imm('add', R2, -4)
    .mov64(R3, R10).alu64Imm('add', R3, -16)
    .mov64Imm(R4, 0)
    .call('map_update_elem')
    .label('out')
    .mov64Imm(R0, 0)
    .exit();
  return a.assemble();
}

test('STACK_TRACE: unknown ids, and a real kernel stack from get_stackid', { skip }, () => {
  const depth = 127;
  using stacks = mk<StackTraceTable>({ type: 'STACK_TRACE', keySize: 4, valueSize: depth * 8, maxEntries: 1024, name: 'stacks' });
  assert.ok(stacks instanceof StackTraceTable);
  assert.equal(stacks.get(0), undefined);
  assert.equal(stacks.get(17), undefined);
  assert.equal(stacks.get(1 << 20), undefined);
  assert.equal(stacks.get(-1), undefined);
  assert.deepEqual([...stacks.keys()], []);

  using ids = mk<ArrayTable>({ type: 'ARRAY', keySize: 4, valueSize: 8, maxEntries: 1, name: 'stack_ids' });
  ids.set(0, u64(-1));
  using prog = loadProgram({ type: 'TRACEPOINT', insns: stackProgram(stacks.fd, ids.fd), name: 'stackid' });
  {
    using _link = attachTracepoint(prog, 'syscalls:sys_enter_getppid');
    runWorkloadSync(100);
  }
  const id = ids.get(0)!.readBigInt64LE(0);
  assert.ok(id >= 0n, `get_stackid gave no id (${id})`);
  assert.ok([...stacks.keys()].includes(Number(id)), 'the id is among the map keys');

  const ips = stacks.get(Number(id));
  assert.ok(ips && ips.length > 0, 'the stack is empty');
  assert.ok(ips.length <= depth);
  const syms = kallsyms();
  assert.ok(syms.addressesVisible, '/proc/kallsyms addresses are hidden');
  const names: string[] = [];
  for (const ip of ips) {
    assert.ok(ip >= 0xffff_8000_0000_0000n, `0x${ip.toString(16)} is not a kernel address`);
    const r = syms.resolve(ip);
    assert.ok(r, `0x${ip.toString(16)} resolves to no symbol`);
    assert.ok(r.offset < 1n << 20n, `0x${ip.toString(16)} is ${r.offset} bytes into ${r.symbol.name}`);
    names.push(r.symbol.name);
  }
  console.log(`stack ${id}: ${names.join(' <- ')}`);
  assert.ok(names.some((n) => /syscall/i.test(n)), `no syscall frame in ${names.join(', ')}`);

  assert.equal(stacks.delete(Number(id)), true);
  assert.equal(stacks.get(Number(id)), undefined);
  assert.equal(stacks.delete(Number(id)), false);
  stacks.clear();
  assert.deepEqual([...stacks.keys()], []);
});

// ---- PROG_ARRAY -------------------------------------------------------------------------------

const trivial = () => new Assembler().mov64Imm(R0, 0).exit().assemble();

test('PROG_ARRAY: set a program, getId is its id, delete; one program type per array', { skip }, () => {
  using pa = mk<ProgArray>({ type: 'PROG_ARRAY', keySize: 4, valueSize: 4, maxEntries: 4, name: 'progs' });
  assert.ok(pa instanceof ProgArray);
  using prog = loadProgram({ type: 'SOCKET_FILTER', insns: trivial(), name: 'tail0' });
  const progId = prog.info().id;
  assert.equal(pa.getId(0), undefined);
  assert.equal(pa.set(0, prog), pa);
  assert.equal(pa.getId(0), progId);
  pa.set(2, prog.fd);
  assert.equal(pa.getId(2), progId);
  assert.equal(pa.getId(1), undefined);
  throwsErrno(() => pa.set(4, prog), 'E2BIG');

  // The first program fixes the array's program type.
  using other = loadProgram({ type: 'TRACEPOINT', insns: trivial(), name: 'other_type' });
  throwsErrno(() => pa.set(1, other), 'EINVAL');

  assert.equal(pa.delete(0), true);
  assert.equal(pa.getId(0), undefined);
  assert.equal(pa.delete(0), false);
  assert.equal(pa.delete(2), true);
});

// ---- map-in-map ---------------------------------------------------------------------------------

test('ARRAY_OF_MAPS: set inner maps, getId, delete; inner shape is enforced', { skip }, () => {
  const shape = { type: 'ARRAY', keySize: 4, valueSize: 8, maxEntries: 4 } as const;
  using template = mk<ArrayTable>({ ...shape, name: 'inner_tmpl' });
  using outer = mk<MapOfMaps>({ type: 'ARRAY_OF_MAPS', keySize: 4, valueSize: 4, maxEntries: 2, innerMap: template, name: 'outer_arr' });
  assert.ok(outer instanceof MapOfMaps);
  using a = mk<ArrayTable>({ ...shape, name: 'inner_a' });
  using b = mk<ArrayTable>({ ...shape, name: 'inner_b' });
  const aId = a.info().id, bId = b.info().id;
  assert.equal(outer.getId(0), undefined);
  assert.equal(outer.set(0, a), outer);
  outer.set(1, b);
  assert.equal(outer.getId(0), aId);
  assert.equal(outer.getId(1), bId);
  b.set(1, u64(42));
  // The outer map holds its own references: closing our fd leaves the inner map alive.
  a.close();
  b.close();
  assert.equal(outer.getId(0), aId);
  assert.ok([...bpf.mapIds()].includes(aId));
  const bFd = bpf.mapGetFdById(outer.getId(1)!);
  try {
    const v = Buffer.alloc(8);
    assert.ok(bpf.mapLookupElem(bFd, u32(1), v));
    assert.equal(v.readBigUInt64LE(0), 42n);
  } finally {
    native.close(bFd);
  }

  using wrong = mk<ArrayTable>({ ...shape, valueSize: 16, name: 'inner_wrong' });
  throwsErrno(() => outer.set(0, wrong), 'EINVAL');
  assert.equal(outer.getId(0), aId);
  throwsErrno(() => outer.set(2, template), 'E2BIG');

  assert.equal(outer.delete(0), true);
  assert.equal(outer.getId(0), undefined);
  assert.equal(outer.delete(0), false);
});

test('HASH_OF_MAPS: set inner maps by key, getId, delete', { skip }, () => {
  const shape = { type: 'HASH', keySize: 4, valueSize: 4, maxEntries: 8 } as const;
  using template = mk<HashTable>({ ...shape, name: 'hinner_tmpl' });
  using outer = mk<MapOfMaps>({ type: 'HASH_OF_MAPS', keySize: 8, valueSize: 4, maxEntries: 4, innerMap: template, name: 'outer_hash' });
  assert.ok(outer instanceof MapOfMaps);
  using a = mk<HashTable>({ ...shape, name: 'hinner_a' });
  using b = mk<HashTable>({ ...shape, name: 'hinner_b' });
  outer.set(u64(1000), a).set(u64(2000), b);
  assert.equal(outer.getId(u64(1000)), a.info().id);
  assert.equal(outer.getId(u64(2000)), b.info().id);
  assert.equal(outer.getId(u64(3000)), undefined);
  outer.set(u64(1000), b); // replace
  assert.equal(outer.getId(u64(1000)), b.info().id);
  assert.throws(() => outer.getId(1), TypeError);
  assert.equal(outer.delete(u64(1000)), true);
  assert.equal(outer.getId(u64(1000)), undefined);
  assert.equal(outer.delete(u64(1000)), false);
  assert.equal(outer.getId(u64(2000)), b.info().id);
});

// ---- batch operations ------------------------------------------------------------------------

/** A value that depends on every bit of the key. */
const mix = (i: number): bigint => BigInt.asUintN(64, BigInt(i) * 0x9e3779b97f4a7c15n + 0x1234n);

/** Whether the table's last walk went through the batch commands (white-box: a private field). */
const usedBatch = (t: Table<unknown>): boolean | undefined => (t as unknown as { batchWorks?: boolean }).batchWorks;

test('HASH batch: 100,000 entries by UPDATE_BATCH, LOOKUP_BATCH, GET_NEXT_KEY, LOOKUP_AND_DELETE_BATCH', { skip }, () => {
  assert.ok(features.haveBatchOps(), 'this kernel has the batch commands');
  const N = 100_000;
  using h = mk<HashTable>({ type: 'HASH', keySize: 4, valueSize: 8, maxEntries: N, name: 'batch100k' });
  const input: [Buffer, Buffer][] = Array.from({ length: N }, (_, i) => [u32(i), u64(mix(i))]);

  let t0 = performance.now();
  h.setMany(input);
  const tSet = performance.now() - t0;
  assert.equal(usedBatch(h), undefined, 'setMany went through UPDATE_BATCH without falling back');

  // Some spot checks by single lookups.
  for (const i of [0, 1, 4242, 65535, 65536, N - 1]) assert.equal(h.get(i)!.readBigUInt64LE(0), mix(i));
  assert.equal(h.get(N), undefined);
  throwsErrno(() => h.set(N, u64(0)), 'E2BIG');

  // LOOKUP_BATCH: every key exactly once, with its value.
  t0 = performance.now();
  const seen = new Uint8Array(N);
  let count = 0, bad = 0, dup = 0;
  const batchOrder: number[] = [];
  for (const [k, v] of h.entries()) {
    const i = k.readUInt32LE(0);
    count++;
    batchOrder.push(i);
    if (i >= N || v.readBigUInt64LE(0) !== mix(i)) { bad++; continue; }
    if (seen[i]) dup++;
    seen[i] = 1;
  }
  const tBatch = performance.now() - t0;
  assert.equal(usedBatch(h), true, 'entries() used LOOKUP_BATCH');
  assert.equal(count, N);
  assert.equal(bad, 0);
  assert.equal(dup, 0);
  assert.equal(seen.indexOf(0), -1);

  // GET_NEXT_KEY + LOOKUP: the same pairs.
  t0 = performance.now();
  seen.fill(0);
  count = 0; bad = 0; dup = 0;
  const keyOrder: number[] = [];
  for (const k of h.keys()) {
    const i = k.readUInt32LE(0);
    const v = h.get(k);
    count++;
    keyOrder.push(i);
    if (!v || i >= N || v.readBigUInt64LE(0) !== mix(i)) { bad++; continue; }
    if (seen[i]) dup++;
    seen[i] = 1;
  }
  const tKeys = performance.now() - t0;
  assert.equal(count, N);
  assert.equal(bad, 0);
  assert.equal(dup, 0);
  assert.equal(seen.indexOf(0), -1);
  // Both walk the buckets in order: the same sequence of keys.
  assert.deepEqual(batchOrder, keyOrder);

  t0 = performance.now();
  assert.equal(h.size, N);
  const tSize = performance.now() - t0;

  // Every key again with NOEXIST: the kernel refuses the first one.
  throwsErrno(() => h.setMany(input.slice(0, 10), bpf.BPF_NOEXIST), 'EEXIST');

  t0 = performance.now();
  h.clear();
  const tClear = performance.now() - t0;
  assert.equal(usedBatch(h), true, 'clear() used LOOKUP_AND_DELETE_BATCH');
  assert.equal(h.size, 0);
  assert.equal(h.get(0), undefined);
  assert.deepEqual([...h.entries()], []);

  console.log(`100k HASH: setMany ${tSet.toFixed(1)} ms, entries() (LOOKUP_BATCH) ${tBatch.toFixed(1)} ms, ` +
    `keys()+get ${tKeys.toFixed(1)} ms, size ${tSize.toFixed(1)} ms, clear() ${tClear.toFixed(1)} ms`);
});

test('setMany with NOEXIST/EXIST: per-element semantics, and batching stays on', { skip }, () => {
  using h = mk<HashTable>({ type: 'HASH', keySize: 4, valueSize: 4, maxEntries: 8, name: 'setmany_flags' });
  h.setMany([[1, u32(10)], [2, u32(20)]], bpf.BPF_NOEXIST);
  throwsErrno(() => h.setMany([[3, u32(30)], [1, u32(11)]], bpf.BPF_NOEXIST), 'EEXIST');
  assert.equal(h.get(3)!.readUInt32LE(0), 30, 'elements before the refused one are written');
  assert.equal(h.get(1)!.readUInt32LE(0), 10);
  h.setMany([[1, u32(12)], [2, u32(22)]], bpf.BPF_EXIST);
  throwsErrno(() => h.setMany([[4, u32(40)]], bpf.BPF_EXIST), 'ENOENT');
  h.setMany([]);
  const got = new Map([...h].map(([k, v]) => [k.readUInt32LE(0), v.readUInt32LE(0)]));
  assert.deepEqual(got, new Map([[1, 12], [2, 22], [3, 30]]));
  assert.equal(usedBatch(h), true, 'a refused flag must not turn LOOKUP_BATCH off for the table');
  h.clear();
  assert.equal(usedBatch(h), true);
  assert.equal(h.size, 0);
});

test('PERCPU_HASH batch: per-CPU values through UPDATE_BATCH and LOOKUP_BATCH', { skip }, () => {
  const N = 5000;
  using p = mk<PerCpuTable>({ type: 'PERCPU_HASH', keySize: 4, valueSize: 4, maxEntries: N, name: 'pcpu_batch' });
  const val = (i: number, c: number): number => (i * 31 + c * 1_000_003) >>> 0;
  p.setMany(Array.from({ length: N }, (_, i) => [i, Array.from({ length: ncpu }, (_, c) => u32(val(i, c)))] as [number, Buffer[]]));
  assert.equal(p.size, N);
  const seen = new Uint8Array(N);
  let bad = 0, count = 0;
  for (const [k, v] of p) {
    const i = k.readUInt32LE(0);
    count++;
    if (i >= N || v.length !== ncpu || seen[i]) { bad++; continue; }
    seen[i] = 1;
    for (let c = 0; c < ncpu; c++) if (v[c]!.length !== 4 || v[c]!.readUInt32LE(0) !== val(i, c)) bad++;
  }
  assert.equal(usedBatch(p), true);
  assert.equal(count, N);
  assert.equal(bad, 0);
  assert.equal(p.sum(123), BigInt(Array.from({ length: ncpu }, (_, c) => val(123, c)).reduce((a, b) => a + b, 0)));
  p.clear();
  assert.equal(p.size, 0);
});

test('ARRAY batch: setMany over every index, entries() in index order, clear zeroes', { skip }, () => {
  const N = 10_000;
  using a = mk<ArrayTable>({ type: 'ARRAY', keySize: 4, valueSize: 8, maxEntries: N, name: 'arr_batch' });
  a.setMany(Array.from({ length: N }, (_, i) => [i, u64(mix(i))] as [number, Buffer]));
  let i = 0, bad = 0;
  for (const [k, v] of a.entries()) {
    if (k.readUInt32LE(0) !== i || v.readBigUInt64LE(0) !== mix(i)) bad++;
    i++;
  }
  assert.equal(usedBatch(a), true);
  assert.equal(i, N);
  assert.equal(bad, 0);
  assert.equal(a.get(N - 1)!.readBigUInt64LE(0), mix(N - 1));
  a.clear();
  let nonzero = 0;
  for (const v of a.values()) if (v.readBigUInt64LE(0) !== 0n) nonzero++;
  assert.equal(nonzero, 0);
  assert.equal(a.size, N);
});

test('PERCPU_ARRAY batch: entries() through LOOKUP_BATCH', { skip }, () => {
  const N = 256;
  using a = mk<PerCpuArrayTable>({ type: 'PERCPU_ARRAY', keySize: 4, valueSize: 8, maxEntries: N, name: 'pcpu_arr_b' });
  a.setMany(Array.from({ length: N }, (_, i) => [i, Array.from({ length: ncpu }, (_, c) => u64(i * 100 + c))] as [number, Buffer[]]));
  let i = 0;
  for (const [k, v] of a) {
    assert.equal(k.readUInt32LE(0), i);
    assert.deepEqual(v.map((b) => b.readBigUInt64LE(0)), Array.from({ length: ncpu }, (_, c) => BigInt(i * 100 + c)));
    i++;
  }
  assert.equal(i, N);
  assert.equal(usedBatch(a), true);
});

// ---- pinning --------------------------------------------------------------------------------------

const BPFFS = '/sys/fs/bpf';

function ensureBpffs(): void {
  const mounted = readFileSync('/proc/mounts', 'latin1').split('\n').some((l) => {
    const [, dir, fstype] = l.split(' ');
    return dir === BPFFS && fstype === 'bpf';
  });
  if (!mounted) execFileSync('mount', ['-t', 'bpf', 'bpf', BPFFS]);
}

test('pin a map to bpffs and open it again: the same map', { skip }, () => {
  ensureBpffs();
  const path = `${BPFFS}/tsbcc_maps_test_${process.pid}`;
  using h = mk<HashTable>({ type: 'HASH', keySize: 4, valueSize: 8, maxEntries: 32, name: 'pinned' });
  h.set(5, u64(555));
  h.pin(path);
  try {
    assert.ok(existsSync(path));
    using again = openPinnedMap(path) as HashTable;
    assert.ok(again instanceof HashTable);
    assert.notEqual(again.fd, h.fd);
    assert.equal(again.info().id, h.info().id);
    assert.equal(again.type, MapType.HASH);
    assert.equal(again.keySize, 4);
    assert.equal(again.valueSize, 8);
    assert.equal(again.maxEntries, 32);
    assert.equal(again.name, 'pinned');
    assert.equal(again.get(5)!.readBigUInt64LE(0), 555n);
    again.set(6, u64(666));
    assert.equal(h.get(6)!.readBigUInt64LE(0), 666n);
    throwsErrno(() => h.pin(path), 'EEXIST');
  } finally {
    unlinkSync(path);
  }
  assert.equal(existsSync(path), false);
  throwsErrno(() => openPinnedMap(path), 'ENOENT');
});

// ---- nothing left behind ----------------------------------------------------------------------------

test('every map created here is gone from the kernel once closed', { skip }, async () => {
  // Maps held by programs or outer maps are freed after an RCU grace period or from a workqueue.
  let left: number[] = [];
  for (let i = 0; i < 100; i++) {
    const live = new Set(bpf.mapIds());
    left = created.filter((id) => live.has(id));
    if (!left.length) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.deepEqual(left, [], `maps still in the kernel after the tests: ${left.join(', ')}`);
});
