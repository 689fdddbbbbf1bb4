// uprobe_multi links (kernel 6.6+): one bpf_link for many places in one binary — BCC's sym_re
// without one perf event per function. The program must be loaded with expectedAttachType
// TRACE_UPROBE_MULTI (48; not yet in uapi.ts's table, which this file leaves alone).
import { bpf, native, explain, isErrno, NotSupportedError, ProgType } from '../sys/index.js';
import { Link } from './link.js';
import type { Attachable } from './tracepoint.js';
import { resolveUprobeTargets, type UprobeOptions } from './uprobe.js';

/** enum bpf_attach_type BPF_TRACE_UPROBE_MULTI */
export const TRACE_UPROBE_MULTI = 48;
const BPF_LINK_CREATE = 28;
const BPF_F_UPROBE_MULTI_RETURN = 1;

let have: boolean | undefined;
/**
 * Does this kernel have uprobe_multi links? As libbpf asks: a program loaded for them, linked at
 * offset 0 of "/" (a directory) — EBADF from a kernel that has them, EINVAL or a load failure otherwise.
 */
export function haveUprobeMulti(): boolean {
  if (have !== undefined) return have;
  let prog: number;
  try {
    prog = bpf.progLoad({ type: ProgType.KPROBE, insns: Buffer.from('b7000000000000009500000000000000', 'hex'), license: 'GPL',
      expectedAttachType: TRACE_UPROBE_MULTI });
  } catch {
    return (have = false);
  }
  const path = Buffer.from('/\0'), offsets = Buffer.alloc(8);
  try {
    const attr = Buffer.alloc(64);
    attr.writeUInt32LE(prog, 0);
    attr.writeUInt32LE(TRACE_UPROBE_MULTI, 8);
    attr.writeBigUInt64LE(native.addressOf(path), 16);
    attr.writeBigUInt64LE(native.addressOf(offsets), 24);
    attr.writeUInt32LE(1, 48);
    native.close(native.bpf(BPF_LINK_CREATE, attr));
    have = true;
  } catch (e) {
    have = isErrno(e, 'EBADF');
  } finally {
    native.close(prog);
  }
  return have;
}

/**
 * Attach a program loaded with expectedAttachType TRACE_UPROBE_MULTI to every place the options
 * name (symRe, symbol, address or offset — see attachUprobe) with a single uprobe_multi link.
 * USDT semaphores: `refCtrOffset` applies to every place.
 */
export function attachUprobeMulti(prog: Attachable, o: Omit<UprobeOptions, 'mechanism'>): Link {
  const targets = resolveUprobeTargets(o);
  const kind = o.retprobe ? 'uretprobe_multi' : 'uprobe_multi';
  const path = targets[0]!.path;
  const label = targets.length === 1 ? targets[0]!.label : `${path} (${targets.length} functions)`;
  if (!haveUprobeMulti()) throw new NotSupportedError(`cannot attach ${kind} to ${label}: this kernel has no uprobe_multi links (needs 6.6+)`);
  const n = targets.length;
  const pathBuf = Buffer.from(`${path}\0`);
  const offsets = Buffer.alloc(8 * n), refs = o.refCtrOffset ? Buffer.alloc(8 * n) : undefined;
  const cookies = o.cookie !== undefined ? Buffer.alloc(8 * n) : undefined;
  targets.forEach((t, i) => {
    offsets.writeBigUInt64LE(t.offset, 8 * i);
    refs?.writeBigUInt64LE(BigInt(o.refCtrOffset!), 8 * i);
    cookies?.writeBigUInt64LE(o.cookie!, 8 * i);
  });
  const attr = Buffer.alloc(64);
  attr.writeUInt32LE(prog.fd, 0);
  attr.writeUInt32LE(TRACE_UPROBE_MULTI, 8);
  attr.writeBigUInt64LE(native.addressOf(pathBuf), 16);
  attr.writeBigUInt64LE(native.addressOf(offsets), 24);
  if (refs) attr.writeBigUInt64LE(native.addressOf(refs), 32);
  if (cookies) attr.writeBigUInt64LE(native.addressOf(cookies), 40);
  attr.writeUInt32LE(n, 48);
  attr.writeUInt32LE(o.retprobe ? BPF_F_UPROBE_MULTI_RETURN : 0, 52);
  attr.writeUInt32LE(o.pid ?? 0, 56);
  let fd: number;
  try {
    fd = native.bpf(BPF_LINK_CREATE, attr);
  } catch (e) {
    if (isErrno(e, 'ESRCH') && o.pid !== undefined) throw new Error(`cannot attach ${kind} to ${label}: no process with pid ${o.pid}`);
    if (isErrno(e, 'EINVAL')) throw explain(e, `attaching ${kind} to ${label} (was the program loaded with expectedAttachType TRACE_UPROBE_MULTI?)`);
    throw explain(e, `attaching ${kind} to ${label}`);
  }
  return new Link(kind, label, [fd]);
}
