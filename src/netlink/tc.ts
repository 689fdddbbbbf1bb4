// rtnetlink traffic control: the clsact qdisc, cls_bpf and matchall filters, and act_bpf actions.
import { NetlinkSocket, NetlinkError } from './socket.js';
import { Attrs, str, u32, bytes, nested, type Attr } from './message.js';
import { ETH_P_ALL, htons } from '../sys/socket.js';
import {
  RTM_NEWQDISC, RTM_DELQDISC, RTM_GETQDISC, RTM_NEWTFILTER, RTM_DELTFILTER, RTM_GETTFILTER,
  RTM_NEWACTION, RTM_DELACTION, NLM_F_CREATE, NLM_F_EXCL, NLM_F_DUMP, NLM_F_ECHO, TCMSG_LEN, TCAMSG_LEN,
  TCA_KIND, TCA_OPTIONS, TCA_ACT_TAB, TC_H_CLSACT, TC_H_MIN_INGRESS, TC_H_MIN_EGRESS, tcHandle,
  TCA_BPF_FD, TCA_BPF_NAME, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT, TCA_BPF_ID, TCA_MATCHALL_ACT,
  TCA_ACT_KIND, TCA_ACT_OPTIONS, TCA_ACT_INDEX, TCA_ACT_BPF_PARMS, TCA_ACT_BPF_FD, TCA_ACT_BPF_NAME,
  TC_ACT_BPF_LEN, TC_ACT_PIPE,
} from './uapi.js';

export type Direction = 'ingress' | 'egress';

/** struct tcmsg: family, ifindex, handle, parent, info. */
export function tcmsg(ifindex: number, handle: number, parent: number, info = 0): Buffer {
  const b = Buffer.alloc(TCMSG_LEN);
  b.writeInt32LE(ifindex, 4);
  b.writeUInt32LE(handle >>> 0, 8);
  b.writeUInt32LE(parent >>> 0, 12);
  b.writeUInt32LE(info >>> 0, 16);
  return b;
}

/** The clsact qdisc's handle (ffff:) and the parents its two hooks give filters. */
export const CLSACT_HANDLE = tcHandle(TC_H_CLSACT, 0);
export const clsactParent = (dir: Direction): number =>
  tcHandle(TC_H_CLSACT, dir === 'ingress' ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS);

export interface Qdisc { kind: string; handle: number; parent: number }

export function listQdiscs(nl: NetlinkSocket, ifindex: number): Qdisc[] {
  return nl.request(RTM_GETQDISC, NLM_F_DUMP, tcmsg(0, 0, 0), [], 'listing qdiscs')
    .filter((m) => m.payload.readInt32LE(4) === ifindex)
    .map((m) => ({
      kind: new Attrs(m.payload.subarray(TCMSG_LEN)).str(TCA_KIND) ?? '',
      handle: m.payload.readUInt32LE(8), parent: m.payload.readUInt32LE(12),
    }));
}

export function hasClsact(nl: NetlinkSocket, ifindex: number): boolean {
  return listQdiscs(nl, ifindex).some((q) => q.kind === 'clsact');
}

/** Add the clsact qdisc. Returns false if one was already there (EEXIST): then it is not ours to remove. */
export function addClsact(nl: NetlinkSocket, ifindex: number, ifname: string): boolean {
  try {
    nl.request(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, tcmsg(ifindex, CLSACT_HANDLE, TC_H_CLSACT),
      [str(TCA_KIND, 'clsact')], `adding clsact qdisc on ${ifname}`);
    return true;
  } catch (e) {
    if (e instanceof NetlinkError && e.code === 'EEXIST') return false;
    throw e;
  }
}

export function deleteClsact(nl: NetlinkSocket, ifindex: number, ifname: string): void {
  nl.request(RTM_DELQDISC, 0, tcmsg(ifindex, CLSACT_HANDLE, TC_H_CLSACT), [str(TCA_KIND, 'clsact')],
    `removing clsact qdisc from ${ifname}`);
}

export interface FilterSpec {
  ifindex: number;
  /** For messages: "veth0 ingress". */
  where: string;
  parent: number;
  /** Lower runs first; 0 lets the kernel choose (it answers with the one it chose, through ECHO). */
  priority: number;
  handle: number;
  /** Ethernet protocol in host order (ETH_P_ALL by default). */
  protocol?: number;
}

export interface Filter { kind: string; handle: number; priority: number; protocol: number; progId?: number; name?: string }

function filterMsg(f: FilterSpec): Buffer {
  return tcmsg(f.ifindex, f.handle, f.parent, ((f.priority & 0xffff) << 16) | htons(f.protocol ?? ETH_P_ALL));
}

function decodeFilter(payload: Buffer): Filter {
  const a = new Attrs(payload.subarray(TCMSG_LEN));
  const info = payload.readUInt32LE(16);
  const opts = a.nested(TCA_OPTIONS);
  return { kind: a.str(TCA_KIND) ?? '', handle: payload.readUInt32LE(8), priority: info >>> 16,
    protocol: htons(info & 0xffff), progId: opts?.u32(TCA_BPF_ID), name: opts?.str(TCA_BPF_NAME) };
}

/** Add a filter of `kind` with `options`; returns it as the kernel made it (priority, handle filled in). */
function addFilter(nl: NetlinkSocket, f: FilterSpec, kind: string, options: Attr[], what: string): Filter {
  const replies = nl.request(RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, filterMsg(f),
    [str(TCA_KIND, kind), nested(TCA_OPTIONS, options)], what);
  const echoed = replies.find((m) => m.type === RTM_NEWTFILTER);
  return echoed ? decodeFilter(echoed.payload)
    : { kind, handle: f.handle, priority: f.priority, protocol: f.protocol ?? ETH_P_ALL };
}

/** cls_bpf in direct-action mode: the program's return value is the verdict (TC_ACT_*). */
export function addBpfFilter(nl: NetlinkSocket, f: FilterSpec, progFd: number, progName: string): Filter {
  return addFilter(nl, f, 'bpf', [
    u32(TCA_BPF_FD, progFd), str(TCA_BPF_NAME, progName || 'tsbcc'), u32(TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT),
  ], `adding bpf filter ${progName || ''} on ${f.where}`.replace('  ', ' '));
}

/** An act_bpf action: the program's return value is the action's verdict; TC_ACT_UNSPEC falls to `defaultAction`. */
export function bpfAction(progFd: number, progName: string, defaultAction = TC_ACT_PIPE, index = 0): Attr[] {
  const parms = Buffer.alloc(TC_ACT_BPF_LEN);
  parms.writeUInt32LE(index, 0);
  parms.writeInt32LE(defaultAction, 8);
  return [str(TCA_ACT_KIND, 'bpf'), nested(TCA_ACT_OPTIONS, [
    bytes(TCA_ACT_BPF_PARMS, parms), u32(TCA_ACT_BPF_FD, progFd), str(TCA_ACT_BPF_NAME, progName || 'tsbcc'),
  ])];
}

/** A matchall filter whose one action is `action` (TCA_MATCHALL_ACT holds actions numbered from 1). */
export function addMatchallFilter(nl: NetlinkSocket, f: FilterSpec, action: Attr[], what: string): Filter {
  return addFilter(nl, f, 'matchall', [nested(TCA_MATCHALL_ACT, [nested(1, action)])], what);
}

export function deleteFilter(nl: NetlinkSocket, f: FilterSpec): void {
  nl.request(RTM_DELTFILTER, 0, filterMsg(f), [], `removing filter ${f.priority}:${f.handle} from ${f.where}`);
}

export function listFilters(nl: NetlinkSocket, ifindex: number, parent: number): Filter[] {
  return nl.request(RTM_GETTFILTER, NLM_F_DUMP, tcmsg(ifindex, 0, parent), [], 'listing filters')
    // Each priority also dumps a head entry (the classifier itself, no options, handle 0): skip it.
    .filter((m) => m.type === RTM_NEWTFILTER && new Attrs(m.payload.subarray(TCMSG_LEN)).has(TCA_OPTIONS))
    .map((m) => decodeFilter(m.payload));
}

const tcamsg = (): Buffer => Buffer.alloc(TCAMSG_LEN);

/** RTM_NEWACTION: a standalone (shared) act_bpf action at `index`. */
export function addBpfAction(nl: NetlinkSocket, progFd: number, progName: string, index: number): void {
  nl.request(RTM_NEWACTION, NLM_F_CREATE | NLM_F_EXCL, tcamsg(),
    [nested(TCA_ACT_TAB, [nested(1, bpfAction(progFd, progName, TC_ACT_PIPE, index))])],
    `adding bpf action ${index}`);
}

export function deleteBpfAction(nl: NetlinkSocket, index: number): void {
  nl.request(RTM_DELACTION, 0, tcamsg(),
    [nested(TCA_ACT_TAB, [nested(1, [str(TCA_ACT_KIND, 'bpf'), u32(TCA_ACT_INDEX, index)])])],
    `removing bpf action ${index}`);
}
