// Maps: the kernel object (BpfMap) and the Map-like tables over it.
import { native, bpf, isErrno, explain, raiseMemlockIfNeeded, numPossibleCpus, features,
  MapType, type MapTypeName } from '../sys/index.js';

export interface MapSpec {
  type: MapTypeName | number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags?: number;
  name?: string;
  /** For ARRAY_OF_MAPS / HASH_OF_MAPS: a map of the inner type (only its shape matters). */
  innerMap?: BpfMap;
  numaNode?: number;
  mapExtra?: bigint;
  btfFd?: number;
  btfKeyTypeId?: number;
  btfValueTypeId?: number;
}

export const BPF_F_NO_PREALLOC = 1;

export type Key = Buffer | Uint8Array | number;

const typeName = (t: number): string =>
  (Object.entries(MapType).find(([, v]) => v === t)?.[0] ?? String(t));

/** A map in the kernel: its fd and shape. Tables add the operations their type allows. */
export class BpfMap {
  protected _fd: number;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly name: string;

  constructor(fd: number, shape: { type: number; keySize: number; valueSize: number; maxEntries: number; flags?: number; name?: string }) {
    this._fd = fd;
    this.type = shape.type;
    this.keySize = shape.keySize;
    this.valueSize = shape.valueSize;
    this.maxEntries = shape.maxEntries;
    this.flags = shape.flags ?? 0;
    this.name = shape.name ?? '';
  }

  get fd(): number {
    if (this._fd < 0) throw new Error(`map ${this.name || '(unnamed)'} is closed`);
    return this._fd;
  }

  get closed(): boolean { return this._fd < 0; }
  get typeName(): string { return typeName(this.type); }

  info(): bpf.MapInfo { return bpf.mapInfo(this.fd); }
  pin(path: string): void { bpf.objPin(this.fd, path); }
  freeze(): void { bpf.mapFreeze(this.fd); }

  close(): void {
    if (this._fd >= 0) native.close(this._fd);
    this._fd = -1;
  }

  [Symbol.dispose](): void { this.close(); }

  /** A key as the kernel wants it: numbers become u32 (array indexes), buffers must fit keySize. */
  protected keyBuf(key: Key): Buffer {
    if (typeof key === 'number') {
      if (this.keySize !== 4) throw new TypeError(`map ${this.name}: a numeric key needs a 4-byte key, not ${this.keySize}`);
      const b = Buffer.alloc(4);
      b.writeUInt32LE(key >>> 0);
      return b;
    }
    if (key.length !== this.keySize) {
      throw new TypeError(`map ${this.name}: key is ${key.length} bytes, the map's keys are ${this.keySize}`);
    }
    return Buffer.isBuffer(key) ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  }

  protected valueBuf(value: Buffer | Uint8Array, size = this.valueSize): Buffer {
    if (value.length !== size) {
      throw new TypeError(`map ${this.name}: value is ${value.length} bytes, the map's values are ${size}`);
    }
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
}

/** Create a map and wrap it in the table class for its type. */
export function createMap(spec: MapSpec): BpfMap {
  raiseMemlockIfNeeded();
  const type = typeof spec.type === 'number' ? spec.type : MapType[spec.type];
  let fd: number;
  try {
    fd = bpf.mapCreate({
      type, keySize: spec.keySize, valueSize: spec.valueSize, maxEntries: spec.maxEntries,
      flags: spec.flags, name: spec.name, innerMapFd: spec.innerMap?.fd, numaNode: spec.numaNode,
      mapExtra: spec.mapExtra, btfFd: spec.btfFd, btfKeyTypeId: spec.btfKeyTypeId, btfValueTypeId: spec.btfValueTypeId,
    });
  } catch (e) {
    throw explain(e, `creating ${typeName(type)} map ${spec.name ?? ''} (key ${spec.keySize}, value ${spec.valueSize}, ${spec.maxEntries} entries)`);
  }
  return wrapMap(fd, { ...spec, type });
}

/** Open a pinned map (bpffs path). */
export function openPinnedMap(path: string): BpfMap {
  const fd = bpf.objGet(path);
  return wrapMap(fd, bpf.mapInfo(fd));
}

/** Table class for a map fd of a given shape. Registered by tables.ts (to keep this file free of cycles). */
type Wrapper = (fd: number, shape: { type: number; keySize: number; valueSize: number; maxEntries: number; flags?: number; name?: string }) => BpfMap;
let wrapper: Wrapper = (fd, shape) => new BpfMap(fd, shape);
export function setMapWrapper(w: Wrapper): void { wrapper = w; }
export function wrapMap(fd: number, shape: Parameters<Wrapper>[1]): BpfMap { return wrapper(fd, shape); }

/** Map types whose entries the batch commands can walk. */
const BATCHABLE = new Set<number>([MapType.HASH, MapType.PERCPU_HASH, MapType.LRU_HASH, MapType.LRU_PERCPU_HASH,
  MapType.ARRAY, MapType.PERCPU_ARRAY]);

const PERCPU = new Set<number>([MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LRU_PERCPU_HASH,
  MapType.PERCPU_CGROUP_STORAGE]);

export const isPerCpu = (type: number): boolean => PERCPU.has(type);

/**
 * Key/value tables with a Map-like face. Keys and values are Buffers (typed views come with the compiler).
 * Iteration uses MAP_LOOKUP_BATCH where the kernel and the map type allow, else GET_NEXT_KEY + LOOKUP.
 */
export class Table<V = Buffer> extends BpfMap implements Iterable<[Buffer, V]> {
  /** Size of one value as the kernel copies it: per-CPU maps carry one 8-byte-aligned slot per possible CPU. */
  protected get rawValueSize(): number {
    return isPerCpu(this.type) ? ((this.valueSize + 7) & ~7) * numPossibleCpus() : this.valueSize;
  }

  private batchWorks: boolean | undefined;

  protected decode(raw: Buffer): V { return raw as unknown as V; }
  protected encodeValue(v: V): Buffer { return this.valueBuf(v as unknown as Buffer); }

  get(key: Key): V | undefined {
    const v = Buffer.alloc(this.rawValueSize);
    return bpf.mapLookupElem(this.fd, this.keyBuf(key), v) ? this.decode(v) : undefined;
  }

  has(key: Key): boolean {
    return bpf.mapLookupElem(this.fd, this.keyBuf(key), Buffer.alloc(this.rawValueSize));
  }

  /** flags: BPF_ANY (default), BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK. */
  set(key: Key, value: V, flags = bpf.BPF_ANY): this {
    bpf.mapUpdateElem(this.fd, this.keyBuf(key), this.encodeValue(value), flags);
    return this;
  }

  delete(key: Key): boolean {
    return bpf.mapDeleteElem(this.fd, this.keyBuf(key));
  }

  /** Keys in the kernel's order, by GET_NEXT_KEY. Deleting while iterating is safe. */
  *keys(): IterableIterator<Buffer> {
    let prev: Buffer | null = null;
    for (;;) {
      const next = Buffer.alloc(this.keySize);
      if (!bpf.mapGetNextKey(this.fd, prev, next)) return;
      yield next;
      prev = next;
    }
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  *entries(): IterableIterator<[Buffer, V]> {
    if (this.canBatch()) {
      const it = this.batchEntries(false);
      const first = it.next();
      if (this.batchWorks !== false) {
        if (!first.done) yield first.value;
        yield* it;
        return;
      }
    }
    for (const k of this.keys()) {
      const v = Buffer.alloc(this.rawValueSize);
      if (bpf.mapLookupElem(this.fd, k, v)) yield [k, this.decode(v)];
    }
  }

  [Symbol.iterator](): IterableIterator<[Buffer, V]> { return this.entries(); }

  /** Entries counted through the batch commands where possible (one system call per chunk, not per key). */
  get size(): number {
    let n = 0;
    for (const _ of this.entries()) n++;
    return n;
  }

  /** Remove every entry (LOOKUP_AND_DELETE_BATCH where possible). */
  clear(): void {
    if (this.canBatch()) {
      for (const _ of this.batchEntries(true));
      if (this.batchWorks !== false) return;
    }
    const keys = [...this.keys()];
    for (const k of keys) bpf.mapDeleteElem(this.fd, k);
  }

  /** Write many entries in one system call where the kernel has UPDATE_BATCH. */
  setMany(entries: Iterable<[Key, V]>, flags = bpf.BPF_ANY): void {
    const list = [...entries];
    if (!list.length) return;
    // UPDATE_BATCH takes no per-element NOEXIST/EXIST (the kernel says EINVAL): those go one by one.
    if (this.canBatch() && (flags & ~bpf.BPF_F_LOCK) === 0) {
      const keys = Buffer.concat(list.map(([k]) => this.keyBuf(k)));
      const values = Buffer.concat(list.map(([, v]) => this.encodeValue(v)));
      try {
        let done = 0;
        while (done < list.length) {
          done += bpf.mapUpdateBatch(this.fd, keys.subarray(done * this.keySize),
            values.subarray(done * this.rawValueSize), list.length - done, flags);
        }
        return;
      } catch (e) {
        if (!isErrno(e, 'EINVAL', 'ENOTSUPP', 'EOPNOTSUPP')) throw e;
        this.batchWorks = false;
      }
    }
    for (const [k, v] of list) this.set(k, v, flags);
  }

  private canBatch(): boolean {
    return this.batchWorks !== false && BATCHABLE.has(this.type) && features.haveBatchOps();
  }

  /** Walk the map in chunks with (LOOKUP|LOOKUP_AND_DELETE)_BATCH. Sets batchWorks=false if the kernel refuses. */
  private *batchEntries(del: boolean): Generator<[Buffer, V]> {
    let chunk = Math.max(1, Math.min(this.maxEntries, 4096));
    const vsize = this.rawValueSize;
    // The batch token: a bucket index for hashes, a key for arrays; the kernel wants at least key_size.
    const tokenSize = Math.max(this.keySize, 8);
    let inBatch: Buffer | null = null;
    for (;;) {
      const keys = Buffer.alloc(chunk * this.keySize);
      const values = Buffer.alloc(chunk * vsize);
      const outBatch = Buffer.alloc(tokenSize);
      let r: bpf.BatchResult;
      try {
        r = bpf.mapLookupBatch(this.fd, inBatch, outBatch, keys, values, chunk, del);
      } catch (e) {
        // ENOSPC: one hash bucket holds more entries than the chunk; try again with room for it.
        if (isErrno(e, 'ENOSPC') && chunk < this.maxEntries * 2) { chunk *= 2; continue; }
        if (isErrno(e, 'EINVAL', 'ENOTSUPP', 'EOPNOTSUPP') && inBatch === null) { this.batchWorks = false; return; }
        throw e;
      }
      this.batchWorks = true;
      for (let i = 0; i < r.count; i++) {
        yield [keys.subarray(i * this.keySize, (i + 1) * this.keySize),
          this.decode(values.subarray(i * vsize, (i + 1) * vsize))];
      }
      if (r.done) return;
      inBatch = outBatch;
    }
  }
}
