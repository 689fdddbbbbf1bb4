// Feature probes: can this kernel do X? Each answer is computed once by a real, minimal attempt and cached.
import { native } from './native.js';
import { isErrno } from './errors.js';
import * as bpf from './bpf.js';
import { MapType, ProgType, AttachType, type MapTypeName, type ProgTypeName } from './uapi.js';

const cache = new Map<string, boolean>();

function cached(key: string, probe: () => boolean): boolean {
  let v = cache.get(key);
  if (v === undefined) {
    v = probe();
    cache.set(key, v);
  }
  return v;
}

/** Raw instructions, so probes depend on nothing above this layer. */
function insn(code: number, dst: number, src: number, off: number, imm: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = code; b[1] = (src << 4) | dst; b.writeInt16LE(off, 2); b.writeInt32LE(imm, 4);
  return b;
}
const MOV64_R0_0 = insn(0xb7, 0, 0, 0, 0);
const EXIT = insn(0x95, 0, 0, 0, 0);

/** Types that need an attach target (BTF id, ifindex) cannot be probed with a bare program. */
const EXPECTED_ATTACH: Partial<Record<ProgTypeName, number>> = {
  CGROUP_SOCK_ADDR: AttachType.CGROUP_INET4_CONNECT,
  SK_LOOKUP: AttachType.SK_LOOKUP,
  CGROUP_SOCKOPT: AttachType.CGROUP_GETSOCKOPT,
};

function tryLoad(type: number, insns: Buffer, expectedAttachType = 0, log?: Buffer): number {
  return bpf.progLoad({ type, insns, license: 'GPL', expectedAttachType, logBuf: log, logLevel: log ? 1 : 0 });
}

/** Can a program of this type be loaded? */
export function haveProgType(name: ProgTypeName): boolean {
  return cached(`prog:${name}`, () => {
    try {
      native.close(tryLoad(ProgType[name], Buffer.concat([MOV64_R0_0, EXIT]), EXPECTED_ATTACH[name] ?? 0));
      return true;
    } catch (e) {
      if (isErrno(e, 'EINVAL', 'E2BIG', 'ENOTSUPP', 'EOPNOTSUPP')) return false;
      throw e;
    }
  });
}

function mapProbeAttr(name: MapTypeName): bpf.MapCreateAttr {
  const type = MapType[name];
  const page = native.pageSize;
  switch (name) {
    case 'RINGBUF': case 'USER_RINGBUF': return { type, keySize: 0, valueSize: 0, maxEntries: page };
    case 'QUEUE': case 'STACK': return { type, keySize: 0, valueSize: 4, maxEntries: 1 };
    case 'BLOOM_FILTER': return { type, keySize: 0, valueSize: 4, maxEntries: 1 };
    case 'LPM_TRIE': return { type, keySize: 8, valueSize: 4, maxEntries: 1, flags: 1 /* NO_PREALLOC */ };
    case 'STACK_TRACE': return { type, keySize: 4, valueSize: 8, maxEntries: 1 };
    case 'CGROUP_STORAGE': case 'PERCPU_CGROUP_STORAGE': return { type, keySize: 16, valueSize: 8, maxEntries: 0 };
    default: return { type, keySize: 4, valueSize: 4, maxEntries: 1 };
  }
}

/** Can a map of this type be created? (Map-in-map and local-storage types need more than a bare create.) */
export function haveMapType(name: MapTypeName): boolean {
  return cached(`map:${name}`, () => {
    if (/OF_MAPS$/.test(name)) {
      const inner = bpf.mapCreate(mapProbeAttr('ARRAY'));
      try {
        native.close(bpf.mapCreate({ ...mapProbeAttr(name), innerMapFd: inner }));
        return true;
      } catch (e) {
        if (isErrno(e, 'EINVAL', 'E2BIG', 'ENOTSUPP', 'EOPNOTSUPP')) return false;
        throw e;
      } finally {
        native.close(inner);
      }
    }
    try {
      native.close(bpf.mapCreate(mapProbeAttr(name)));
      return true;
    } catch (e) {
      if (isErrno(e, 'EINVAL', 'E2BIG', 'ENOTSUPP', 'EOPNOTSUPP')) return false;
      throw e;
    }
  });
}

/** Is helper `id` callable from programs of this type? */
export function haveHelper(progType: ProgTypeName, id: number): boolean {
  return cached(`helper:${progType}:${id}`, () => {
    const log = Buffer.alloc(4096);
    try {
      native.close(tryLoad(ProgType[progType], Buffer.concat([insn(0x85, 0, 0, 0, id), MOV64_R0_0, EXIT]),
        EXPECTED_ATTACH[progType] ?? 0, log));
      return true;
    } catch (e) {
      const text = log.toString('latin1', 0, Math.max(0, log.indexOf(0)));
      // The verifier names an unknown or forbidden helper in one of these ways; any other complaint
      // (argument types, a null map) means the helper itself was accepted.
      if (/invalid func|unknown func|program of this type cannot use helper/.test(text)) return false;
      if (isErrno(e, 'EINVAL', 'EACCES')) return text.length > 0;
      throw e;
    }
  });
}

/** bpf_link for perf events (kprobe, uprobe, tracepoint): LINK_CREATE with BPF_PERF_EVENT, kernel 5.15+. */
export function havePerfEventLink(): boolean {
  return cached('link:perf_event', () => {
    const prog = tryLoad(ProgType.TRACEPOINT, Buffer.concat([MOV64_R0_0, EXIT]));
    try {
      // An invalid target fd: a kernel that knows the attach type looks the fd up and says EBADF.
      native.close(bpf.linkCreate({ progFd: prog, targetFd: -1 >>> 0, attachType: AttachType.PERF_EVENT }));
      return true;
    } catch (e) {
      return isErrno(e, 'EBADF');
    } finally {
      native.close(prog);
    }
  });
}

/** The MAP_*_BATCH commands (kernel 5.6+). */
export function haveBatchOps(): boolean {
  return cached('batch', () => {
    const fd = bpf.mapCreate({ type: MapType.HASH, keySize: 4, valueSize: 4, maxEntries: 1 });
    try {
      const k = Buffer.alloc(4), v = Buffer.alloc(4), out = Buffer.alloc(4);
      bpf.mapLookupBatch(fd, null, out, k, v, 1);
      return true;
    } catch (e) {
      if (isErrno(e, 'EINVAL', 'ENOTSUPP', 'EOPNOTSUPP')) return false;
      throw e;
    } finally {
      native.close(fd);
    }
  });
}

/** BPF_JMP32 instructions (kernel 5.1+). */
export function haveJmp32(): boolean {
  return cached('jmp32', () => {
    try {
      // w0 = 0; if w0 == 0 goto +0; exit
      native.close(tryLoad(ProgType.SOCKET_FILTER, Buffer.concat([MOV64_R0_0, insn(0x16, 0, 0, 0, 0), EXIT])));
      return true;
    } catch (e) {
      if (isErrno(e, 'EINVAL')) return false;
      throw e;
    }
  });
}

/** ISA v4 (kernel 6.6+): sign-extending loads and moves, signed division, bswap, 32-bit-offset jumps. */
export function haveIsaV4(): boolean {
  return cached('isa_v4', () => {
    try {
      // r0 = (s8)r0 (movsx, off=8); exit — on an older kernel the verifier calls it an invalid instruction.
      native.close(tryLoad(ProgType.SOCKET_FILTER, Buffer.concat([MOV64_R0_0, insn(0xbf, 0, 0, 8, 0), EXIT])));
      return true;
    } catch (e) {
      if (isErrno(e, 'EINVAL')) return false;
      throw e;
    }
  });
}

/** Forget cached answers (tests). */
export function resetFeatureCache(): void {
  cache.clear();
}
