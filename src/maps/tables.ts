// One table class per family of map types, and the factory that picks it.
import { bpf, native, numPossibleCpus, MapType } from '../sys/index.js';
import { BpfMap, Table, setMapWrapper, type Key } from './map.js';

/** HASH and LRU_HASH. */
export class HashTable extends Table {}

/** ARRAY: every index exists; delete and clear zero the value (as in BCC). */
export class ArrayTable extends Table {
  override delete(key: Key): boolean {
    this.set(key, Buffer.alloc(this.valueSize));
    return true;
  }

  override clear(): void {
    const zero = Buffer.alloc(this.valueSize);
    this.setMany(Array.from({ length: this.maxEntries }, (_, i) => [i, zero] as [number, Buffer]));
  }

  override get size(): number { return this.maxEntries; }
}

/** Sum little-endian unsigned integers of 1, 2, 4 or 8 bytes. */
function readUint(b: Buffer): bigint {
  switch (b.length) {
    case 1: return BigInt(b[0]!);
    case 2: return BigInt(b.readUInt16LE(0));
    case 4: return BigInt(b.readUInt32LE(0));
    case 8: return b.readBigUInt64LE(0);
    default: throw new TypeError(`sum/max need an integer value of 1, 2, 4 or 8 bytes, not ${b.length}`);
  }
}

/** PERCPU_HASH, PERCPU_ARRAY, LRU_PERCPU_HASH: a value is one Buffer per possible CPU. */
export class PerCpuTable extends Table<Buffer[]> {
  private get slot(): number { return (this.valueSize + 7) & ~7; }

  protected override decode(raw: Buffer): Buffer[] {
    const n = numPossibleCpus(), s = this.slot;
    return Array.from({ length: n }, (_, i) => raw.subarray(i * s, i * s + this.valueSize));
  }

  /** One value for every CPU, or the same value given once for all. */
  protected override encodeValue(v: Buffer[] | Buffer): Buffer {
    const n = numPossibleCpus(), s = this.slot;
    if (!Buffer.isBuffer(v) && v.length !== n) {
      throw new TypeError(`map ${this.name}: per-CPU value needs ${n} entries, got ${v.length}`);
    }
    const out = Buffer.alloc(n * s);
    for (let i = 0; i < n; i++) {
      const one = Buffer.isBuffer(v) ? v : v[i];
      if (!one) throw new TypeError(`map ${this.name}: per-CPU value needs ${n} entries, got ${(v as Buffer[]).length}`);
      this.valueBuf(one).copy(out, i * s);
    }
    return out;
  }

  /** The value summed over CPUs, read as an unsigned integer (counters). */
  sum(key: Key): bigint {
    return (this.get(key) ?? []).reduce((acc, b) => acc + readUint(b), 0n);
  }

  max(key: Key): bigint {
    return (this.get(key) ?? []).reduce((acc, b) => (readUint(b) > acc ? readUint(b) : acc), 0n);
  }
}

export class PerCpuArrayTable extends PerCpuTable {
  override delete(key: Key): boolean {
    this.set(key, Buffer.alloc(this.valueSize) as unknown as Buffer[]);
    return true;
  }

  override clear(): void {
    const zero = Buffer.alloc(this.valueSize) as unknown as Buffer[];
    this.setMany(Array.from({ length: this.maxEntries }, (_, i) => [i, zero] as [number, Buffer[]]));
  }
}

/** LPM_TRIE: keys are { u32 prefixlen; u8 data[] }. */
export class LpmTrie extends Table {
  /** Build a key from a prefix length and address bytes. */
  static key(prefixLen: number, data: Buffer | Uint8Array | number[]): Buffer {
    const b = Buffer.alloc(4 + data.length);
    b.writeUInt32LE(prefixLen);
    Buffer.from(data as Uint8Array).copy(b, 4);
    return b;
  }
}

/** QUEUE and STACK: no keys; push, pop and peek. */
export class QueueStack extends BpfMap {
  /** flags BPF_EXIST: overwrite the oldest element when full. */
  push(value: Buffer, flags = 0): void {
    bpf.mapUpdateElem(this.fd, null, this.valueBuf(value), flags);
  }

  pop(): Buffer | undefined {
    const v = Buffer.alloc(this.valueSize);
    return bpf.mapLookupAndDeleteElem(this.fd, null, v) ? v : undefined;
  }

  peek(): Buffer | undefined {
    const v = Buffer.alloc(this.valueSize);
    return bpf.mapLookupElem(this.fd, null, v) ? v : undefined;
  }

  /** Pop everything. */
  *drain(): IterableIterator<Buffer> {
    for (let v = this.pop(); v; v = this.pop()) yield v;
  }
}

/** STACK_TRACE: stack id -> instruction pointers (u64 each), innermost first. */
export class StackTraceTable extends BpfMap {
  /** The addresses of a stack, without the zero padding; undefined if the id is unknown. */
  get(stackId: number): bigint[] | undefined {
    if (stackId < 0) return undefined;
    const v = Buffer.alloc(this.valueSize);
    if (!bpf.mapLookupElem(this.fd, this.keyBuf(stackId), v)) return undefined;
    const out: bigint[] = [];
    for (let off = 0; off + 8 <= v.length; off += 8) {
      const ip = v.readBigUInt64LE(off);
      if (ip === 0n) break;
      out.push(ip);
    }
    return out;
  }

  delete(stackId: number): boolean {
    return bpf.mapDeleteElem(this.fd, this.keyBuf(stackId));
  }

  *keys(): IterableIterator<number> {
    let prev: Buffer | null = null;
    for (;;) {
      const next = Buffer.alloc(4);
      if (!bpf.mapGetNextKey(this.fd, prev, next)) return;
      yield next.readUInt32LE(0);
      prev = next;
    }
  }

  clear(): void {
    for (const id of [...this.keys()]) this.delete(id);
  }
}

/** Anything with a program fd. */
export interface HasFd { readonly fd: number }

/** PROG_ARRAY: slots of programs for tail calls. */
export class ProgArray extends BpfMap {
  set(index: number, prog: HasFd | number): this {
    const v = Buffer.alloc(4);
    v.writeUInt32LE(typeof prog === 'number' ? prog : prog.fd);
    bpf.mapUpdateElem(this.fd, this.keyBuf(index), v);
    return this;
  }

  delete(index: number): boolean {
    return bpf.mapDeleteElem(this.fd, this.keyBuf(index));
  }

  /** The id of the program in a slot (the kernel returns ids, not fds). */
  getId(index: number): number | undefined {
    const v = Buffer.alloc(4);
    return bpf.mapLookupElem(this.fd, this.keyBuf(index), v) ? v.readUInt32LE(0) : undefined;
  }
}

/** PERF_EVENT_ARRAY: one perf event fd per CPU; readers live in events/perf_buffer.ts. */
export class PerfEventArray extends BpfMap {
  setFd(cpu: number, perfFd: number): void {
    const v = Buffer.alloc(4);
    v.writeUInt32LE(perfFd);
    bpf.mapUpdateElem(this.fd, this.keyBuf(cpu), v);
  }

  deleteFd(cpu: number): void {
    bpf.mapDeleteElem(this.fd, this.keyBuf(cpu));
  }
}

/** RINGBUF: the reader lives in events/ring_buffer.ts. maxEntries is the data size in bytes. */
export class RingBufMap extends BpfMap {}

/** ARRAY_OF_MAPS / HASH_OF_MAPS: values are map fds in, map ids out. */
export class MapOfMaps extends BpfMap {
  set(key: Key, inner: HasFd): this {
    const v = Buffer.alloc(4);
    v.writeUInt32LE(inner.fd);
    bpf.mapUpdateElem(this.fd, this.keyBuf(key), v);
    return this;
  }

  getId(key: Key): number | undefined {
    const v = Buffer.alloc(4);
    return bpf.mapLookupElem(this.fd, this.keyBuf(key), v) ? v.readUInt32LE(0) : undefined;
  }

  delete(key: Key): boolean {
    return bpf.mapDeleteElem(this.fd, this.keyBuf(key));
  }
}

const CLASSES: Record<number, new (fd: number, shape: ConstructorParameters<typeof BpfMap>[1]) => BpfMap> = {
  [MapType.HASH]: HashTable,
  [MapType.LRU_HASH]: HashTable,
  [MapType.ARRAY]: ArrayTable,
  [MapType.PERCPU_HASH]: PerCpuTable,
  [MapType.LRU_PERCPU_HASH]: PerCpuTable,
  [MapType.PERCPU_ARRAY]: PerCpuArrayTable,
  [MapType.LPM_TRIE]: LpmTrie,
  [MapType.QUEUE]: QueueStack,
  [MapType.STACK]: QueueStack,
  [MapType.STACK_TRACE]: StackTraceTable,
  [MapType.PROG_ARRAY]: ProgArray,
  [MapType.PERF_EVENT_ARRAY]: PerfEventArray,
  [MapType.RINGBUF]: RingBufMap,
  [MapType.ARRAY_OF_MAPS]: MapOfMaps,
  [MapType.HASH_OF_MAPS]: MapOfMaps,
};

setMapWrapper((fd, shape) => new (CLASSES[shape.type] ?? BpfMap)(fd, shape));

/** Close a raw fd (for callers that got one from a pinned path or a by-id lookup). */
export const closeFd = (fd: number): void => native.close(fd);
