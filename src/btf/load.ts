// Load BTF into the kernel (BPF_BTF_LOAD); a refusal carries the kernel's BTF log.
import { native, bpf, isErrno, explain, raiseMemlockIfNeeded } from '../sys/index.js';

/** The kernel refused a BTF blob: `log` is its whole BTF log, `reason` the line that says why. */
export class BtfLoadError extends Error {
  override readonly name = 'BtfLoadError';
  constructor(readonly code: string, readonly errno: number, readonly log: string, readonly reason: string) {
    super(`the kernel rejected BTF (${code}): ${reason}`);
  }
}

/**
 * The lines of a BTF log that say why. The kernel prints the header, then for the failing type its
 * description (`[3] STRUCT s size=8 vlen=1`) and the complaint on the next line(s); both are kept.
 */
export function btfLogReason(log: string): string {
  const lines = log.split('\n').map((l) => l.trim()).filter(Boolean);
  if (!lines.length) return 'no BTF log';
  const last = lines[lines.length - 1]!;
  // The complaint often follows the failing type's (or member's) description on its own line.
  const prev = lines.length > 1 ? lines[lines.length - 2]! : '';
  return /^\[\d+\]/.test(prev) && !/^\[\d+\]/.test(last) ? `${prev} ${last}` : last;
}

const MAX_LOG = 1 << 30 >>> 2;

/** A BTF object loaded in the kernel. */
export class BtfObject {
  private _fd: number;
  constructor(fd: number) { this._fd = fd; }

  get fd(): number {
    if (this._fd < 0) throw new Error('BTF object is closed');
    return this._fd;
  }

  get closed(): boolean { return this._fd < 0; }

  /** The kernel's id for this BTF, its size and (with `data`) the blob the kernel keeps. */
  info(opts: { data?: boolean } = {}): BtfInfo { return btfInfo(this.fd, opts); }

  close(): void {
    if (this._fd >= 0) native.close(this._fd);
    this._fd = -1;
  }

  [Symbol.dispose](): void { this.close(); }
}

/**
 * BPF_BTF_LOAD. Loads without a log first; on failure, loads again with a log (growing the
 * buffer on ENOSPC) and throws BtfLoadError with the kernel's reason. EPERM is explained.
 */
export function loadBtf(blob: Buffer): BtfObject {
  raiseMemlockIfNeeded();
  let size = 0;
  for (;;) {
    const logBuf = size ? Buffer.alloc(size) : undefined;
    try {
      return new BtfObject(bpf.btfLoad(blob, logBuf, 1));
    } catch (e) {
      if (!isErrno(e)) throw e;
      if (e.code === 'EPERM' || e.code === 'EACCES' || e.code === 'ENOMEM' || e.code === 'EFAULT') {
        throw explain(e, 'loading BTF');
      }
      if (!logBuf) { size = 64 * 1024; continue; }
      if (e.code === 'ENOSPC' && size < MAX_LOG) { size *= 4; continue; }
      const end = logBuf.indexOf(0);
      const log = logBuf.toString('utf8', 0, end < 0 ? logBuf.length : end);
      if (!log) throw explain(e, 'loading BTF');
      throw new BtfLoadError(e.code, e.errno, log, btfLogReason(log));
    }
  }
}

export interface BtfInfo {
  id: number;
  /** Size of the BTF blob in bytes. */
  size: number;
  /** "vmlinux" or a module's name for kernel BTF; empty for BTF loaded by a program. */
  name: string;
  kernelBtf: boolean;
  /** The blob itself, when asked for. */
  data?: Buffer;
}

/** struct bpf_btf_info for a BTF fd (BPF_OBJ_GET_INFO_BY_FD). */
export function btfInfo(fd: number, opts: { data?: boolean } = {}): BtfInfo {
  const info = Buffer.alloc(32);
  const name = Buffer.alloc(64);
  info.writeBigUInt64LE(native.addressOf(name), 16);
  info.writeUInt32LE(name.length, 24);
  bpf.objGetInfoByFd(fd, info);
  const size = info.readUInt32LE(8);
  let data: Buffer | undefined;
  if (opts.data) {
    data = Buffer.alloc(size);
    const again = Buffer.alloc(32);
    again.writeBigUInt64LE(size ? native.addressOf(data) : 0n, 0);
    again.writeUInt32LE(size, 8);
    bpf.objGetInfoByFd(fd, again);
  }
  const end = name.indexOf(0);
  return {
    id: info.readUInt32LE(12), size, name: name.toString('utf8', 0, end < 0 ? name.length : end),
    kernelBtf: info.readUInt32LE(28) !== 0, data,
  };
}
