// bpf(2) commands, one function each, with attributes laid out as in linux/bpf.h (union bpf_attr).
import { native, type Bytes } from './native.js';
import { isErrno } from './errors.js';
import { BpfCmd } from './uapi.js';

const ATTR_SIZE = 144;

/** A zeroed bpf_attr with little-endian field writers. Pointers are the addresses of live Buffers. */
class Attr {
  readonly buf = Buffer.alloc(ATTR_SIZE);
  u32(off: number, v: number): this { this.buf.writeUInt32LE(v >>> 0, off); return this; }
  u64(off: number, v: number | bigint): this { this.buf.writeBigUInt64LE(BigInt(v), off); return this; }
  ptr(off: number, b: Bytes | null | undefined): this {
    if (b) this.buf.writeBigUInt64LE(native.addressOf(b), off);
    return this;
  }
  str(off: number, s: string, max: number): this {
    this.buf.write(s.slice(0, max - 1), off, 'latin1');
    return this;
  }
  call(cmd: number): number { return native.bpf(cmd, this.buf); }
}

export const cstr = (s: string): Buffer => Buffer.from(s + '\0', 'latin1');

export const BPF_OBJ_NAME_LEN = 16;

/** Kernel object names: [A-Za-z0-9_.], at most 15 characters. */
export function objName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.]/g, '_').slice(0, BPF_OBJ_NAME_LEN - 1);
}

// ---- maps -----------------------------------------------------------------

export interface MapCreateAttr {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags?: number;
  innerMapFd?: number;
  numaNode?: number;
  name?: string;
  ifindex?: number;
  btfFd?: number;
  btfKeyTypeId?: number;
  btfValueTypeId?: number;
  btfVmlinuxValueTypeId?: number;
  mapExtra?: bigint;
}

export function mapCreate(a: MapCreateAttr): number {
  return new Attr()
    .u32(0, a.type).u32(4, a.keySize).u32(8, a.valueSize).u32(12, a.maxEntries)
    .u32(16, a.flags ?? 0).u32(20, a.innerMapFd ?? 0).u32(24, a.numaNode ?? 0)
    .str(28, objName(a.name ?? ''), BPF_OBJ_NAME_LEN).u32(44, a.ifindex ?? 0)
    .u32(48, a.btfFd ?? 0).u32(52, a.btfKeyTypeId ?? 0).u32(56, a.btfValueTypeId ?? 0)
    .u32(60, a.btfVmlinuxValueTypeId ?? 0).u64(64, a.mapExtra ?? 0n)
    .call(BpfCmd.MAP_CREATE);
}

function elemAttr(fd: number, key: Bytes | null, valueOrNext: Bytes | null, flags: number | bigint): Attr {
  return new Attr().u32(0, fd).ptr(8, key).ptr(16, valueOrNext).u64(24, flags);
}

/** Returns false when the key is absent (ENOENT). */
export function mapLookupElem(fd: number, key: Bytes | null, value: Bytes, flags = 0): boolean {
  try {
    elemAttr(fd, key, value, flags).call(BpfCmd.MAP_LOOKUP_ELEM);
    return true;
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return false;
    throw e;
  }
}

export const BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2, BPF_F_LOCK = 4;

export function mapUpdateElem(fd: number, key: Bytes | null, value: Bytes, flags: number | bigint = BPF_ANY): void {
  elemAttr(fd, key, value, flags).call(BpfCmd.MAP_UPDATE_ELEM);
}

/** Returns false when the key was absent. */
export function mapDeleteElem(fd: number, key: Bytes): boolean {
  try {
    elemAttr(fd, key, null, 0).call(BpfCmd.MAP_DELETE_ELEM);
    return true;
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return false;
    throw e;
  }
}

/** key null asks for the first key. Returns false at the end of the map. */
export function mapGetNextKey(fd: number, key: Bytes | null, next: Bytes): boolean {
  try {
    elemAttr(fd, key, next, 0).call(BpfCmd.MAP_GET_NEXT_KEY);
    return true;
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return false;
    throw e;
  }
}

/** Pop for queues and stacks (key null); lookup-and-delete for hashes. False when empty/absent. */
export function mapLookupAndDeleteElem(fd: number, key: Bytes | null, value: Bytes, flags = 0): boolean {
  try {
    elemAttr(fd, key, value, flags).call(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM);
    return true;
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return false;
    throw e;
  }
}

export function mapFreeze(fd: number): void {
  new Attr().u32(0, fd).call(BpfCmd.MAP_FREEZE);
}

export interface BatchResult {
  /** Elements processed by this call. */
  count: number;
  /** True when the end of the map was reached (ENOENT from the kernel). */
  done: boolean;
}

function batch(cmd: number, fd: number, inBatch: Bytes | null, outBatch: Bytes | null,
  keys: Bytes | null, values: Bytes | null, count: number, elemFlags: number | bigint): BatchResult {
  const a = new Attr().ptr(0, inBatch).ptr(8, outBatch).ptr(16, keys).ptr(24, values)
    .u32(32, count).u32(36, fd).u64(40, elemFlags);
  try {
    a.call(cmd);
    return { count: a.buf.readUInt32LE(32), done: false };
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return { count: a.buf.readUInt32LE(32), done: true };
    throw e;
  }
}

/** MAP_LOOKUP_BATCH (or LOOKUP_AND_DELETE_BATCH when del): up to `count` entries after inBatch. */
export function mapLookupBatch(fd: number, inBatch: Bytes | null, outBatch: Bytes, keys: Bytes,
  values: Bytes, count: number, del = false, elemFlags = 0): BatchResult {
  return batch(del ? BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH : BpfCmd.MAP_LOOKUP_BATCH,
    fd, inBatch, outBatch, keys, values, count, elemFlags);
}

export function mapUpdateBatch(fd: number, keys: Bytes, values: Bytes, count: number, elemFlags: number | bigint = 0): number {
  return batch(BpfCmd.MAP_UPDATE_BATCH, fd, null, null, keys, values, count, elemFlags).count;
}

export function mapDeleteBatch(fd: number, keys: Bytes, count: number): number {
  return batch(BpfCmd.MAP_DELETE_BATCH, fd, null, null, keys, null, count, 0).count;
}

// ---- programs -------------------------------------------------------------

export interface ProgLoadAttr {
  type: number;
  insns: Buffer;
  license: string;
  logLevel?: number;
  logBuf?: Buffer;
  kernVersion?: number;
  flags?: number;
  name?: string;
  ifindex?: number;
  expectedAttachType?: number;
  btfFd?: number;
  funcInfo?: Buffer; funcInfoRecSize?: number;
  lineInfo?: Buffer; lineInfoRecSize?: number;
  attachBtfId?: number;
  attachProgFd?: number;
  fdArray?: Buffer;
}

export function progLoad(a: ProgLoadAttr): number {
  const license = cstr(a.license);
  const attr = new Attr()
    .u32(0, a.type).u32(4, a.insns.length / 8).ptr(8, a.insns).ptr(16, license)
    .u32(24, a.logBuf ? a.logLevel ?? 1 : 0).u32(28, a.logBuf?.length ?? 0).ptr(32, a.logBuf)
    .u32(40, a.kernVersion ?? 0).u32(44, a.flags ?? 0).str(48, objName(a.name ?? ''), BPF_OBJ_NAME_LEN)
    .u32(64, a.ifindex ?? 0).u32(68, a.expectedAttachType ?? 0).u32(72, a.btfFd ?? 0)
    .u32(108, a.attachBtfId ?? 0).u32(112, a.attachProgFd ?? 0).ptr(120, a.fdArray);
  if (a.funcInfo) attr.u32(76, a.funcInfoRecSize ?? 8).ptr(80, a.funcInfo).u32(88, a.funcInfo.length / (a.funcInfoRecSize ?? 8));
  if (a.lineInfo) attr.u32(92, a.lineInfoRecSize ?? 16).ptr(96, a.lineInfo).u32(104, a.lineInfo.length / (a.lineInfoRecSize ?? 16));
  return attr.call(BpfCmd.PROG_LOAD);
}

export interface TestRunAttr {
  progFd: number;
  dataIn?: Buffer;
  dataOut?: Buffer;
  ctxIn?: Buffer;
  ctxOut?: Buffer;
  repeat?: number;
  flags?: number;
  cpu?: number;
  batchSize?: number;
}

export interface TestRunResult {
  retval: number;
  /** Average run time in ns, as the kernel measured it. */
  duration: number;
  dataSizeOut: number;
  ctxSizeOut: number;
}

export function progTestRun(a: TestRunAttr): TestRunResult {
  const attr = new Attr()
    .u32(0, a.progFd).u32(8, a.dataIn?.length ?? 0).u32(12, a.dataOut?.length ?? 0)
    .ptr(16, a.dataIn).ptr(24, a.dataOut).u32(32, a.repeat ?? 0)
    .u32(40, a.ctxIn?.length ?? 0).u32(44, a.ctxOut?.length ?? 0).ptr(48, a.ctxIn).ptr(56, a.ctxOut)
    .u32(64, a.flags ?? 0).u32(68, a.cpu ?? 0).u32(72, a.batchSize ?? 0);
  attr.call(BpfCmd.PROG_TEST_RUN);
  const b = attr.buf;
  return { retval: b.readUInt32LE(4), duration: b.readUInt32LE(36), dataSizeOut: b.readUInt32LE(12), ctxSizeOut: b.readUInt32LE(44) };
}

// ---- pinning, links, BTF, stats --------------------------------------------

export function objPin(fd: number, path: string): void {
  const p = cstr(path);
  new Attr().ptr(0, p).u32(8, fd).call(BpfCmd.OBJ_PIN);
}

export const BPF_F_RDONLY = 1 << 3, BPF_F_WRONLY = 1 << 4;

export function objGet(path: string, fileFlags = 0): number {
  const p = cstr(path);
  return new Attr().ptr(0, p).u32(12, fileFlags).call(BpfCmd.OBJ_GET);
}

export interface LinkCreateAttr {
  progFd: number;
  targetFd: number;
  attachType: number;
  flags?: number;
  targetBtfId?: number;
  /** For perf-event links (kprobe, uprobe, tracepoint): the value bpf_get_attach_cookie() returns. */
  bpfCookie?: bigint;
}

export function linkCreate(a: LinkCreateAttr): number {
  const attr = new Attr().u32(0, a.progFd).u32(4, a.targetFd).u32(8, a.attachType).u32(12, a.flags ?? 0);
  if (a.bpfCookie !== undefined) attr.u64(16, a.bpfCookie);
  else attr.u32(16, a.targetBtfId ?? 0);
  return attr.call(BpfCmd.LINK_CREATE);
}

export function linkDetach(linkFd: number): void {
  new Attr().u32(0, linkFd).call(BpfCmd.LINK_DETACH);
}

export function rawTracepointOpen(name: string | null, progFd: number): number {
  const n = name === null ? null : cstr(name);
  return new Attr().ptr(0, n).u32(8, progFd).call(BpfCmd.RAW_TRACEPOINT_OPEN);
}

export function btfLoad(data: Buffer, logBuf?: Buffer, logLevel = 1): number {
  return new Attr().ptr(0, data).ptr(8, logBuf).u32(16, data.length)
    .u32(20, logBuf?.length ?? 0).u32(24, logBuf ? logLevel : 0).call(BpfCmd.BTF_LOAD);
}

/** ENABLE_STATS: returns an fd; run-time stats stay on while it is open. */
export function enableStats(type: number): number {
  return new Attr().u32(0, type).call(BpfCmd.ENABLE_STATS);
}

export function objGetInfoByFd(fd: number, info: Buffer): number {
  const a = new Attr().u32(0, fd).u32(4, info.length).ptr(8, info);
  a.call(BpfCmd.OBJ_GET_INFO_BY_FD);
  return a.buf.readUInt32LE(4);
}

function getNextId(cmd: number, start: number): number | undefined {
  const a = new Attr().u32(0, start);
  try {
    a.call(cmd);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return undefined;
    throw e;
  }
  return a.buf.readUInt32LE(4);
}

function* ids(cmd: number): Generator<number> {
  for (let id = getNextId(cmd, 0); id !== undefined; id = getNextId(cmd, id)) yield id;
}

/** Ids of every program, map or link loaded in the kernel. */
export const progIds = (): Generator<number> => ids(BpfCmd.PROG_GET_NEXT_ID);
export const mapIds = (): Generator<number> => ids(BpfCmd.MAP_GET_NEXT_ID);
export const linkIds = (): Generator<number> => ids(BpfCmd.LINK_GET_NEXT_ID);

export function progGetFdById(id: number): number { return new Attr().u32(0, id).call(BpfCmd.PROG_GET_FD_BY_ID); }
export function mapGetFdById(id: number): number { return new Attr().u32(0, id).call(BpfCmd.MAP_GET_FD_BY_ID); }
export function linkGetFdById(id: number): number { return new Attr().u32(0, id).call(BpfCmd.LINK_GET_FD_BY_ID); }

// ---- object info ------------------------------------------------------------

const cName = (b: Buffer, off: number, len: number): string => {
  const s = b.subarray(off, off + len);
  const end = s.indexOf(0);
  return s.toString('latin1', 0, end < 0 ? len : end);
};

export interface ProgInfo {
  type: number; id: number; tag: string; name: string;
  jitedLen: number; xlatedLen: number; mapIds: number[];
  runTimeNs: bigint; runCnt: bigint; verifiedInsns: number;
  /** The program's BTF object id (0 without BTF) and how many func_info / line_info records it kept. */
  btfId: number; nrFuncInfo: number; nrLineInfo: number;
  xlated?: Buffer;
}

/** struct bpf_prog_info; with xlated, also fetches the translated instructions. */
export function progInfo(fd: number, opts: { xlated?: boolean } = {}): ProgInfo {
  const info = Buffer.alloc(232);
  objGetInfoByFd(fd, info);
  const nrMaps = info.readUInt32LE(52);
  const xlatedLen = info.readUInt32LE(20);
  let xlated: Buffer | undefined;
  let mapIdList: number[] = [];
  if (nrMaps || opts.xlated) {
    const again = Buffer.alloc(232);
    const maps = Buffer.alloc(nrMaps * 4);
    again.writeUInt32LE(nrMaps, 52);
    again.writeBigUInt64LE(nrMaps ? native.addressOf(maps) : 0n, 56);
    if (opts.xlated) {
      xlated = Buffer.alloc(xlatedLen);
      again.writeUInt32LE(xlatedLen, 20);
      again.writeBigUInt64LE(xlatedLen ? native.addressOf(xlated) : 0n, 32);
    }
    objGetInfoByFd(fd, again);
    mapIdList = Array.from({ length: nrMaps }, (_, i) => maps.readUInt32LE(i * 4));
  }
  return {
    type: info.readUInt32LE(0), id: info.readUInt32LE(4), tag: info.subarray(8, 16).toString('hex'),
    name: cName(info, 64, 16), jitedLen: info.readUInt32LE(16), xlatedLen, mapIds: mapIdList,
    runTimeNs: info.readBigUInt64LE(192), runCnt: info.readBigUInt64LE(200),
    verifiedInsns: info.readUInt32LE(216), btfId: info.readUInt32LE(128), nrFuncInfo: info.readUInt32LE(144),
    nrLineInfo: info.readUInt32LE(148), xlated,
  };
}

export interface MapInfo {
  type: number; id: number; keySize: number; valueSize: number; maxEntries: number; flags: number; name: string;
}

export function mapInfo(fd: number): MapInfo {
  const b = Buffer.alloc(88);
  objGetInfoByFd(fd, b);
  return {
    type: b.readUInt32LE(0), id: b.readUInt32LE(4), keySize: b.readUInt32LE(8), valueSize: b.readUInt32LE(12),
    maxEntries: b.readUInt32LE(16), flags: b.readUInt32LE(20), name: cName(b, 24, 16),
  };
}

export interface LinkInfo { type: number; id: number; progId: number }

export function linkInfo(fd: number): LinkInfo {
  const b = Buffer.alloc(48);
  objGetInfoByFd(fd, b);
  return { type: b.readUInt32LE(0), id: b.readUInt32LE(4), progId: b.readUInt32LE(8) };
}
