// tc classifiers on an interface's ingress or egress: a tcx bpf_link (Linux 6.6+; fd-based, gone
// when the process dies), or the classic way through rtnetlink: a clsact qdisc (added if absent)
// and a cls_bpf filter in direct-action mode, which the kernel keeps until it is removed.
import { statSync } from 'node:fs';
import { bpf, native, isErrno, BpfCmd, NotSupportedError } from '../sys/index.js';
import { NetlinkSocket, ifIndex, addClsact, deleteClsact, addBpfFilter, deleteFilter, listFilters,
  clsactParent, addMatchallFilter, bpfAction, addBpfAction, deleteBpfAction, NetlinkError, type Direction, type FilterSpec } from '../netlink/index.js';
import { Link } from './link.js';
import { PersistentLink } from './persistent.js';
import { netError } from './net_errors.js';
import type { Attachable } from './tracepoint.js';

export type { Direction } from '../netlink/index.js';

/** enum bpf_attach_type, Linux 6.6 (newer than the generated uapi table). */
export const BPF_TCX_INGRESS = 46, BPF_TCX_EGRESS = 47;

/**
 * Ids of the programs attached through tcx to an interface's ingress or egress, in run order
 * (BPF_PROG_QUERY with target_ifindex; Linux 6.6+). The interface is looked up in the calling
 * thread's network namespace.
 */
export function tcxPrograms(ifname: string, direction: Direction): number[] {
  const ifindex = ifIndex(ifname);
  const ids = Buffer.alloc(64 * 4);
  const attr = Buffer.alloc(64);
  attr.writeUInt32LE(ifindex, 0);
  attr.writeUInt32LE(direction === 'ingress' ? BPF_TCX_INGRESS : BPF_TCX_EGRESS, 4);
  attr.writeBigUInt64LE(native.addressOf(ids), 16);
  attr.writeUInt32LE(64, 24);
  try {
    native.bpf(BpfCmd.PROG_QUERY, attr);
  } catch (e) {
    throw netError(e, `listing tcx programs on ${ifname} ${direction}`);
  }
  return Array.from({ length: attr.readUInt32LE(24) }, (_, i) => ids.readUInt32LE(i * 4));
}

export interface TcOptions {
  /** 'ingress' (packets arriving) or 'egress' (leaving). */
  direction: Direction;
  /** 'auto' (default): tcx when the kernel has it, else netlink. 'tcx' or 'netlink' force one. */
  via?: 'auto' | 'tcx' | 'netlink';
  /** Netlink only (tcx links ignore them): filter priority (lower runs first) and handle; 0 lets the kernel choose. */
  priority?: number;
  handle?: number;
}

/**
 * A netlink cls_bpf (or matchall + act_bpf) attachment: where it is, the priority and handle the
 * kernel gave it, and whether the clsact qdisc under it is this process's (then it goes with the
 * last of this process's filters on it).
 */
export class TcFilterLink extends PersistentLink {
  constructor(target: string, readonly priority: number, readonly handle: number, readonly createdQdisc: boolean,
    undo: () => void, nl: NetlinkSocket) {
    super('tc', target, undo, [nl]);
  }
}

/**
 * Attach a SCHED_CLS program to `ifname`'s ingress or egress. The program's return value is the
 * verdict (TC_ACT_OK 0, TC_ACT_SHOT 2, ...). Interfaces are looked up in the calling thread's
 * network namespace. Close the returned link to detach.
 */
export function attachTc(prog: Attachable, ifname: string, opts: TcOptions): Link {
  const where = `${ifname} ${opts.direction}`;
  const via = opts.via ?? 'auto';
  const ifindex = ifIndex(ifname);
  if (via !== 'netlink') {
    try {
      const fd = bpf.linkCreate({ progFd: prog.fd, targetFd: ifindex,
        attachType: opts.direction === 'ingress' ? BPF_TCX_INGRESS : BPF_TCX_EGRESS });
      return new Link('tcx', where, [fd]);
    } catch (e) {
      // EINVAL: a kernel without tcx does not know the attach type.
      if (via === 'tcx' || !isErrno(e, 'EINVAL')) throw netError(e, `attaching tc program ${prog.name || '(unnamed)'} to ${where} (tcx)`);
    }
  }
  return attachClsBpf(prog, ifname, ifindex, opts);
}

/**
 * clsact qdiscs this process added, by network namespace and ifindex, with how many of our filters
 * use each: the qdisc goes when the last of them does (and no one else's filter is on it).
 */
const ownedQdiscs = new Map<string, number>();

/** Add clsact if absent; returns the ownership key when the qdisc is ours (added now or earlier by us). */
function useClsact(nl: NetlinkSocket, ifindex: number, ifname: string): string | undefined {
  const key = `${statSync('/proc/thread-self/ns/net').ino}:${ifindex}`;
  if (addClsact(nl, ifindex, ifname)) ownedQdiscs.set(key, 0);
  if (!ownedQdiscs.has(key)) return undefined;
  ownedQdiscs.set(key, ownedQdiscs.get(key)! + 1);
  return key;
}

function releaseClsact(nl: NetlinkSocket, ifindex: number, ifname: string, key: string | undefined): void {
  if (key === undefined || !ownedQdiscs.has(key)) return;
  const users = ownedQdiscs.get(key)! - 1;
  ownedQdiscs.set(key, users);
  if (users > 0) return;
  ownedQdiscs.delete(key);
  const left = listFilters(nl, ifindex, clsactParent('ingress')).length + listFilters(nl, ifindex, clsactParent('egress')).length;
  if (left === 0) deleteClsact(nl, ifindex, ifname);
}

function attachClsBpf(prog: Attachable, ifname: string, ifindex: number, opts: TcOptions): TcFilterLink {
  const where = `${ifname} ${opts.direction}`;
  const nl = new NetlinkSocket();
  try {
    const qdisc = useClsact(nl, ifindex, ifname);
    const spec: FilterSpec = { ifindex, where, parent: clsactParent(opts.direction), priority: opts.priority ?? 0, handle: opts.handle ?? 0 };
    let f;
    try {
      f = addBpfFilter(nl, spec, prog.fd, prog.name);
    } catch (e) {
      releaseClsact(nl, ifindex, ifname, qdisc);
      throw e;
    }
    const made = { ...spec, priority: f.priority, handle: f.handle };
    return new TcFilterLink(where, f.priority, f.handle, qdisc !== undefined, () => removeFilter(nl, made, ifname, qdisc), nl);
  } catch (e) {
    nl.close();
    throw netError(e, `attaching tc program ${prog.name || '(unnamed)'} to ${where}`);
  }
}

/** Remove our filter; then the clsact qdisc, if we added it, our last filter on it went and no one else's is there. */
function removeFilter(nl: NetlinkSocket, f: FilterSpec, ifname: string, qdisc: string | undefined): void {
  try {
    deleteFilter(nl, f);
  } catch (e) {
    // Already gone (the interface or qdisc was deleted): nothing left to undo.
    if (e instanceof NetlinkError && (e.code === 'ENOENT' || e.code === 'ENODEV' || e.code === 'EINVAL')) {
      if (qdisc) ownedQdiscs.delete(qdisc);
      return;
    }
    throw e;
  }
  releaseClsact(nl, f.ifindex, ifname, qdisc);
}

export interface TcActionOptions {
  direction: Direction;
  priority?: number;
  handle?: number;
}

/**
 * Run a SCHED_ACT program as a tc action (act_bpf) on every packet of `ifname`'s ingress or egress,
 * through a matchall filter on the clsact qdisc. Its return value is the action's verdict. Netlink
 * only (there is no bpf_link for actions): removed on close and at exit.
 */
export function attachTcAction(prog: Attachable, ifname: string, opts: TcActionOptions): TcFilterLink {
  const where = `${ifname} ${opts.direction}`;
  const ifindex = ifIndex(ifname);
  const nl = new NetlinkSocket();
  try {
    const qdisc = useClsact(nl, ifindex, ifname);
    const spec: FilterSpec = { ifindex, where, parent: clsactParent(opts.direction), priority: opts.priority ?? 0, handle: opts.handle ?? 0 };
    let f;
    try {
      f = addMatchallFilter(nl, spec, bpfAction(prog.fd, prog.name), `adding matchall filter with bpf action ${prog.name || ''} on ${where}`);
    } catch (e) {
      releaseClsact(nl, ifindex, ifname, qdisc);
      throw missingModule(e) ?? e;
    }
    const made = { ...spec, priority: f.priority, handle: f.handle };
    return new TcFilterLink(where, f.priority, f.handle, qdisc !== undefined, () => removeFilter(nl, made, ifname, qdisc), nl);
  } catch (e) {
    nl.close();
    if (e instanceof NotSupportedError) throw e;
    throw netError(e, `attaching tc action ${prog.name || '(unnamed)'} to ${where}`);
  }
}

/** The kernel's extended ack says which module is missing: the classifier or the action. */
function missingModule(e: unknown): NotSupportedError | undefined {
  if (!(e instanceof NetlinkError) || e.code !== 'ENOENT' || !e.extack) return undefined;
  if (/classifier not found/i.test(e.extack)) return new NotSupportedError(`tc classifier 'matchall' (cls_matchall) is not available in this kernel: ${e.extack}`, e);
  if (/action module/i.test(e.extack)) return new NotSupportedError(`tc action 'bpf' (act_bpf) is not available in this kernel: ${e.extack}`, e);
  return undefined;
}

let actBpf: boolean | undefined;

/**
 * Does this kernel have act_bpf (tc actions running BPF)? Probed once by adding a standalone action
 * with a trivial program in the calling thread's network namespace, and removing it.
 */
export function haveTcActionBpf(): boolean {
  if (actBpf !== undefined) return actBpf;
  // r0 = -1 (TC_ACT_UNSPEC); exit
  const insns = Buffer.from([0xb7, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x95, 0, 0, 0, 0, 0, 0, 0]);
  const fd = bpf.progLoad({ type: 4 /* SCHED_ACT */, insns, license: 'GPL', name: 'probe_act' });
  using nl = new NetlinkSocket();
  const index = 0x7000_0000 + (process.pid & 0xfffffff);
  try {
    addBpfAction(nl, fd, 'probe_act', index);
    deleteBpfAction(nl, index);
    actBpf = true;
  } catch (e) {
    if (!(missingModule(e) || (e instanceof NetlinkError && e.code === 'EOPNOTSUPP'))) throw e;
    actBpf = false;
  } finally {
    native.close(fd);
  }
  return actBpf;
}
