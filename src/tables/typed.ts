// Typed tables: the maps of maps/ with keys and values as JavaScript values instead of Buffers,
// through codecs built from the C types the compiler gives a map's key and value (as BCC's
// table.py gives ctypes objects). Event maps (perf event arrays and ring buffers) decode each
// record with the event's type and deliver objects to a callback or a `for await` loop.
import type { CType, QualType, RecordT } from '../compiler/check/types.js';
import { codecFor, EncodeError, type Codec, type CodecOptions, type CValue } from './codec.js';
import {
  log2HistOfEntries, linearHistOfEntries, jsonHistsOfEntries, jsonHistText,
  type HistOptions, type JsonHistOptions, type JsonHist,
} from './hist.js';
import { StackTraces, type StackTracesOptions } from './stack.js';
import {
  Table, PerCpuTable, PerfEventArray, RingBufMap, StackTraceTable, ArrayTable, PerCpuArrayTable, type BpfMap,
} from '../maps/index.js';
import { PerfBuffer, RingBuffer, type PerfBufferOptions, type RingBufferOptions } from '../events/index.js';
import { bpf, numPossibleCpus } from '../sys/index.js';

type Types = CType | QualType;

/** Where output goes: process.stdout by default. */
export interface Writer { write(s: string): unknown }

/**
 * A key/value map with decoded keys and values: Map-like (get/set/delete/has/keys/values/entries,
 * iteration, size, clear) plus BCC's items(), zero() and increment(), and its histogram printers.
 * Keys are given in the decoded shape too: a number for a u32 key, an object for a struct key.
 * A key given as a value is encoded with zero padding; a program that leaves stack garbage in a
 * key struct's padding (no `= {}`) makes such entries unreachable by get/delete, as in C.
 * items(), zero() and clear() work on the kernel's own key bytes and see every entry.
 */
export class TypedTable<K = CValue, V = CValue> implements Iterable<[K, V]> {
  constructor(readonly map: Table<Buffer> | Table<Buffer[]>, readonly keyCodec: Codec<K>, readonly valueCodec: Codec<V>) {
    if (keyCodec.size !== map.keySize) throw new TypeError(`map ${map.name || '(unnamed)'}: its keys are ${map.keySize} bytes, but ${keyCodec.describe} is ${keyCodec.size}`);
    if (valueCodec.size !== map.valueSize) throw new TypeError(`map ${map.name || '(unnamed)'}: its values are ${map.valueSize} bytes, but ${valueCodec.describe} is ${valueCodec.size}`);
  }

  get name(): string { return this.map.name || '(unnamed)'; }
  /** Array maps: every index in [0, maxEntries) exists, delete zeroes a value (BCC's ArrayBase). */
  get isArray(): boolean { return this.map instanceof ArrayTable || this.map instanceof PerCpuArrayTable; }

  protected fromRaw(raw: Buffer | Buffer[]): V { return this.valueCodec.decode(raw as Buffer); }
  protected toRaw(v: V): Buffer | Buffer[] { return this.encode(this.valueCodec, v, 'value'); }
  protected keyBuf(k: K): Buffer { return this.encode(this.keyCodec, k, 'key'); }

  /** Encode a key or value; a bad one's error names the map and the field: "map stats: key.comm: ...". */
  protected encode<T>(codec: Codec<T>, v: T, label: string): Buffer {
    try {
      return codec.encode(v, label);
    } catch (e) {
      if (e instanceof EncodeError) e.message = `map ${this.name}: ${e.message}`;
      throw e;
    }
  }

  private get raw(): Table<Buffer | Buffer[]> { return this.map as Table<Buffer | Buffer[]>; }

  get(key: K): V | undefined {
    const r = this.raw.get(this.keyBuf(key));
    return r === undefined ? undefined : this.fromRaw(r);
  }

  /** flags: BPF_ANY (default), BPF_NOEXIST, BPF_EXIST. */
  set(key: K, value: V, flags = bpf.BPF_ANY): this {
    this.raw.set(this.keyBuf(key), this.toRaw(value), flags);
    return this;
  }

  has(key: K): boolean { return this.raw.has(this.keyBuf(key)); }
  /** Remove an entry (array maps: zero it). */
  delete(key: K): boolean { return this.raw.delete(this.keyBuf(key)); }

  *keys(): IterableIterator<K> {
    for (const k of this.raw.keys()) yield this.keyCodec.decode(k);
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.raw.entries()) yield this.fromRaw(v);
  }

  *entries(): IterableIterator<[K, V]> {
    for (const [k, v] of this.raw.entries()) yield [this.keyCodec.decode(k), this.fromRaw(v)];
  }

  [Symbol.iterator](): IterableIterator<[K, V]> { return this.entries(); }

  /** Every [key, value] at once (BCC's items()). */
  items(): [K, V][] { return [...this.entries()]; }

  get size(): number { return this.raw.size; }
  /** Remove every entry (array maps: zero every value). */
  clear(): void { this.raw.clear(); }

  /** Set every existing entry's value to zero, keeping the keys (BCC's zero()). */
  zero(): void {
    const zero = this.toRaw(this.valueCodec.zero());
    const keys = [...this.raw.keys()];
    if (keys.length) this.raw.setMany(keys.map((k) => [k, zero] as [Buffer, Buffer | Buffer[]]));
  }

  /** Write many entries (one system call where the kernel has UPDATE_BATCH). */
  setMany(entries: Iterable<[K, V]>, flags = bpf.BPF_ANY): void {
    this.raw.setMany([...entries].map(([k, v]) => [this.keyBuf(k), this.toRaw(v)] as [Buffer, Buffer | Buffer[]]), flags);
  }

  /**
   * Add `by` to an integer value, creating it at `by` when absent (BCC's increment). A read then a
   * write from user space: not atomic against a program updating the same entry meanwhile.
   */
  increment(key: K, by: number | bigint = 1): V {
    const cur = this.get(key) ?? this.valueCodec.zero();
    let next: unknown;
    if (typeof cur === 'bigint') next = cur + BigInt(by);
    else if (typeof cur === 'number') next = cur + Number(by);
    else throw new TypeError(`map ${this.name}: increment needs an integer value, not ${this.valueCodec.describe}`);
    this.set(key, next as V);
    return next as V;
  }

  // ---- histograms (BCC's print_log2_hist, print_linear_hist, print_json_hist) ----------------

  /** Whether a struct key's section bucket is a char array (BCC prints those as bytes: b'sda'). */
  private histOpts<O extends HistOptions>(opts: O): O {
    if (opts.bucketBytes !== undefined) return opts;
    const t = this.keyCodec.type;
    if (t.kind !== 'struct') return opts;
    const named = (t.fields ?? []).filter((f) => f.name !== undefined);
    const slot = named.some((f) => f.name === 'slot') ? 'slot' : named[1]?.name;
    const bucket = named.find((f) => f.name !== slot)?.type.type;
    const bytes = bucket?.kind === 'array' && bucket.of.type.kind === 'int' && bucket.of.type.char === true;
    return bytes ? { ...opts, bucketBytes: true } : opts;
  }

  /**
   * The log2 histogram text; `print…` writes it to stdout. Options come as an object, or
   * positionally in BCC's order: (valType, sectionHeader, sectionPrintFn, bucketFn,
   * stripLeadingZero, bucketSort) — `printLog2Hist('usecs', 'disk')` reads as it does in BCC.
   */
  log2Hist(valType = 'value', ...rest: HistArgs): string { return log2HistOfEntries(this.entries(), valType, this.histOpts(histArgs(rest))); }
  printLog2Hist(valType = 'value', ...rest: HistArgs): void { outOf(rest).write(this.log2Hist(valType, ...rest)); }
  /** The linear histogram text (BCC's print_linear_hist); arguments as log2Hist's. */
  linearHist(valType = 'value', ...rest: HistArgs): string { return linearHistOfEntries(this.entries(), valType, this.histOpts(histArgs(rest))); }
  printLinearHist(valType = 'value', ...rest: HistArgs): void { outOf(rest).write(this.linearHist(valType, ...rest)); }
  /** The JSON histograms as objects, one per section. */
  jsonHist(valType = 'value', opts: JsonHistOptions = {}): JsonHist[] { return jsonHistsOfEntries(this.entries(), valType, this.histOpts(opts)); }
  /** Prints what BCC prints (a Python dict per section), or real JSON with format 'json'. */
  printJsonHist(valType = 'value', opts: JsonHistOptions & { out?: Writer } = {}): void {
    (opts.out ?? process.stdout).write(this.jsonHist(valType, opts).map((h) => jsonHistText(h, opts.format)).join(''));
  }

  close(): void { this.map.close(); }
  [Symbol.dispose](): void { this.close(); }
}

/** Bucket callbacks take whatever the key's bucket field decodes to. */
type Bucket = any;
/** Histogram options: an object, or BCC's positional arguments after val_type. */
export type HistArgs =
  | [opts?: HistOptions & { out?: Writer }]
  | [sectionHeader: string, sectionPrintFn?: ((b: Bucket) => string) | null, bucketFn?: ((b: Bucket) => unknown) | null,
     stripLeadingZero?: boolean | null, bucketSort?: ((bs: Bucket[]) => unknown[]) | null];

function histArgs(rest: HistArgs): HistOptions {
  if (typeof rest[0] !== 'string') return (rest[0] as HistOptions | undefined) ?? {};
  const [sectionHeader, sectionPrintFn, bucketFn, stripLeadingZero, bucketSort] = rest;
  return { sectionHeader, sectionPrintFn: sectionPrintFn ?? undefined, bucketFn: bucketFn ?? undefined,
    stripLeadingZero: stripLeadingZero ?? undefined, bucketSort: bucketSort ?? undefined };
}

const outOf = (rest: HistArgs): Writer => (typeof rest[0] === 'object' && rest[0]?.out) || process.stdout;

/** Apply op leaf by leaf: numbers with numbers, bigints with bigints, through arrays and objects. */
function combine(a: unknown, b: unknown, op: (x: bigint, y: bigint) => bigint, fop: (x: number, y: number) => number): unknown {
  if (typeof a === 'bigint') return op(a, b as bigint);
  if (typeof a === 'number') return fop(a, b as number);
  if (typeof a === 'boolean') return a || (b as boolean);
  if (Array.isArray(a)) return a.map((x, i) => combine(x, (b as unknown[])[i], op, fop));
  if (a && typeof a === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(a)) o[k] = combine((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], op, fop);
    return o;
  }
  return a; // strings: the first CPU's
}

/**
 * A per-CPU map: a value is one decoded V per possible CPU. sum/max/average fold them, leaf by
 * leaf for struct values (BCC's allow integers only). set() takes one V per CPU, setAll() one for all.
 */
export class PerCpuTypedTable<K = CValue, V = CValue> extends TypedTable<K, V[]> {
  constructor(map: PerCpuTable, keyCodec: Codec<K>, readonly cpuValueCodec: Codec<V>) {
    // The base class sizes and describes values with the codec; reading and writing go through
    // fromRaw/toRaw below, which apply it once per CPU.
    super(map, keyCodec, cpuValueCodec as unknown as Codec<V[]>);
  }

  protected override fromRaw(raw: Buffer | Buffer[]): V[] { return (raw as Buffer[]).map((b) => this.cpuValueCodec.decode(b)); }
  protected override toRaw(v: V[]): Buffer | Buffer[] {
    const n = numPossibleCpus();
    if (!Array.isArray(v) || v.length !== n) throw new TypeError(`map ${this.name}: a per-CPU value needs ${n} values (one per possible CPU); setAll() writes one to every CPU`);
    return v.map((x, i) => this.encode(this.cpuValueCodec, x, `value[cpu ${i}]`));
  }

  /** The same value on every CPU. */
  setAll(key: K, value: V, flags = bpf.BPF_ANY): this {
    (this.map as PerCpuTable).set(this.keyBuf(key), this.encode(this.cpuValueCodec, value, 'value') as unknown as Buffer[], flags);
    return this;
  }

  override zero(): void {
    const zero = this.cpuValueCodec.encode(this.cpuValueCodec.zero());
    const m = this.map as PerCpuTable;
    const keys = [...m.keys()];
    if (keys.length) m.setMany(keys.map((k) => [k, zero as unknown as Buffer[]]));
  }

  override increment(): never {
    throw new TypeError(`map ${this.name} is per-CPU: increment it from the program; read it with sum()`);
  }

  /** The values of every CPU added up (undefined when the key is absent). */
  sum(key: K): V | undefined {
    const vs = this.get(key);
    return vs?.reduce((a, b) => combine(a, b, (x, y) => x + y, (x, y) => x + y) as V);
  }

  max(key: K): V | undefined {
    const vs = this.get(key);
    return vs?.reduce((a, b) => combine(a, b, (x, y) => (x > y ? x : y), Math.max) as V);
  }

  /** The sum divided by the number of CPUs, as a number (BCC's average). */
  average(key: K): number | undefined {
    const s = this.sum(key);
    if (s === undefined) return undefined;
    if (typeof s !== 'number' && typeof s !== 'bigint') throw new TypeError(`map ${this.name}: average needs an integer value, not ${this.cpuValueCodec.describe}`);
    return Number(s) / numPossibleCpus();
  }

  /** Entries with each value summed over CPUs (what histograms print). */
  *sums(): IterableIterator<[K, V]> {
    for (const [k, vs] of this.entries()) yield [k, vs.reduce((a, b) => combine(a, b, (x, y) => x + y, (x, y) => x + y) as V)];
  }
}


/** BCC's open_perf_buffer options, plus the reader's own. */
export interface OpenPerfBufferOptions extends PerfBufferOptions {
  /** Data pages per CPU (BCC's page_cnt); a power of two. */
  pageCnt?: number;
  /** Called with the number of records lost (BCC's lost_cb). */
  lostCb?: (lost: number, cpu: number) => void;
}

/**
 * A perf event array or ring buffer whose records are C structs: `event(data)` decodes one (BCC's
 * table.event), `openPerfBuffer`/`openRingBuffer` deliver decoded records to a callback, and
 * `events()` is an async iterator over them. Records shorter than the type (a program that sends
 * a prefix) are zero-extended; longer ones (perf pads to 8 bytes) are read up to the type's size.
 */
export class EventTable<E = CValue> {
  constructor(readonly map: PerfEventArray | RingBufMap, private codec?: Codec<E>) {}

  get name(): string { return this.map.name || '(unnamed)'; }

  /** The codec records are decoded with; set it when the event type becomes known. */
  get eventCodec(): Codec<E> {
    if (!this.codec) throw new TypeError(`map ${this.name}: no event type is known for its records; give one (eventType) to decode them`);
    return this.codec;
  }
  set eventCodec(c: Codec<E>) { this.codec = c; }

  /** Decode one record. */
  event(data: Buffer): E {
    const c = this.eventCodec;
    if (data.length >= c.size) return c.decode(data);
    const b = Buffer.alloc(c.size);
    data.copy(b);
    return c.decode(b);
  }

  private perfMap(): PerfEventArray {
    if (!(this.map instanceof PerfEventArray)) throw new TypeError(`map ${this.name} is a ${this.map.typeName}, not a PERF_EVENT_ARRAY: use openRingBuffer`);
    return this.map;
  }

  private ringMap(): RingBufMap {
    if (!(this.map instanceof RingBufMap)) throw new TypeError(`map ${this.name} is a ${this.map.typeName}, not a RINGBUF: use openPerfBuffer`);
    return this.map;
  }

  /** Read the perf buffer: `cb(event, cpu)` for every record as it arrives. Close the result to stop. */
  openPerfBuffer(cb: (event: E, cpu: number) => void, opts: OpenPerfBufferOptions = {}): PerfBuffer {
    const { pageCnt, lostCb, ...rest } = opts;
    this.eventCodec; // fail now, not at the first record
    return new PerfBuffer(this.perfMap(), (data, cpu) => cb(this.event(data), cpu),
      { ...rest, pageCount: pageCnt ?? rest.pageCount, onLost: lostCb ?? rest.onLost, copy: false });
  }

  /** Read the ring buffer: `cb(event)` for every record. Close the result to stop. */
  openRingBuffer(cb: (event: E) => void, opts: RingBufferOptions = {}): RingBuffer {
    this.eventCodec;
    return new RingBuffer(this.ringMap(), (data) => cb(this.event(data)), { ...opts, copy: false });
  }

  /**
   * The decoded records as an async iterator: `for await (const ev of table.events()) ...`.
   * The reader opens at this call, so records sent after it are kept even before the loop starts
   * (a perf event array drops records while no reader is open). Leaving the loop closes the
   * reader; an iterator that is never iterated should be closed with `return()`.
   */
  events(opts: OpenPerfBufferOptions & RingBufferOptions = {}): AsyncGenerator<E, void, undefined> {
    this.eventCodec;
    const decode = (data: Buffer): E => this.event(data);
    if (this.map instanceof RingBufMap) {
      // Copies: a record is decoded when the loop asks for it, after the reader has released its space.
      const rb = new RingBuffer(this.map, undefined, { ...opts, copy: true });
      return (async function* () {
        try {
          for await (const data of rb) yield decode(data);
        } finally {
          rb.close();
        }
      })();
    }
    const { pageCnt, lostCb, ...rest } = opts;
    const pb = new PerfBuffer(this.perfMap(), undefined, { ...rest, pageCount: pageCnt ?? rest.pageCount, onLost: lostCb ?? rest.onLost, copy: true });
    return (async function* () {
      try {
        for await (const { data } of pb) yield decode(data);
      } finally {
        pb.close();
      }
    })();
  }

  close(): void { this.map.close(); }
  [Symbol.dispose](): void { this.close(); }
}

export interface TableTypes {
  /** The key's C type (maps with keys). */
  key?: Types;
  /** The value's C type; for perf event arrays and ring buffers, the type of a record. */
  value?: Types;
  /** For perf event arrays and ring buffers: the record type (overrides value). */
  event?: Types;
}

export type AnyTypedTable = TypedTable | PerCpuTypedTable | EventTable | StackTraces;

/**
 * The typed view of a map, by map type: hash and array maps give a TypedTable, per-CPU maps a
 * PerCpuTypedTable, perf event arrays and ring buffers an EventTable, stack trace maps StackTraces.
 */
export function typedTable(map: BpfMap, types: TableTypes = {}, opts: CodecOptions & StackTracesOptions = {}): AnyTypedTable {
  const c = (t: Types | undefined, what: string): Codec => {
    if (!t) throw new TypeError(`map ${map.name || '(unnamed)'}: the ${what} type is needed for a typed view`);
    return codecFor(t, opts);
  };
  if (map instanceof PerfEventArray || map instanceof RingBufMap) {
    const ev = types.event ?? types.value;
    return new EventTable(map, ev ? codecFor(ev, opts) : undefined);
  }
  if (map instanceof StackTraceTable) return new StackTraces(map, opts);
  if (map instanceof PerCpuTable) return new PerCpuTypedTable(map, c(types.key, 'key'), c(types.value, 'value'));
  if (map instanceof Table) return new TypedTable(map, c(types.key, 'key'), c(types.value, 'value'));
  throw new TypeError(`map ${map.name || '(unnamed)'}: a ${map.typeName} map has no typed view (use its own methods)`);
}

/**
 * The key and value types of a BTF-defined map (libbpf style): the struct's `key` and `value`
 * members are pointers to them (`__type(key, u32)` is `typeof(u32) *key`).
 */
export function btfMapTypes(def: RecordT): { key?: QualType; value?: QualType } {
  const member = (n: string): QualType | undefined => {
    const f = def.fields?.find((x) => x.name === n);
    return f && f.type.type.kind === 'ptr' ? f.type.type.to : undefined;
  };
  return { key: member('key'), value: member('value') };
}
