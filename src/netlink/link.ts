// rtnetlink links (interfaces): name to index, and the XDP program attached the legacy way (IFLA_XDP).
import { NetlinkSocket, NetlinkError } from './socket.js';
import { Attrs, str, s32, u32, nested, type Attr } from './message.js';
import { RTM_GETLINK, RTM_SETLINK, IFINFOMSG_LEN, IFLA_IFNAME, IFLA_XDP, IFLA_XDP_FD, IFLA_XDP_FLAGS,
  IFLA_XDP_ATTACHED, IFLA_XDP_PROG_ID, IFLA_XDP_EXPECTED_FD, XDP_FLAGS_REPLACE } from './uapi.js';

/** The interface does not exist (in the calling thread's network namespace). */
export class NoSuchInterfaceError extends Error {
  override readonly name = 'NoSuchInterfaceError';
  readonly code = 'ENODEV';
  constructor(readonly ifname: string) {
    super(`no network interface '${ifname}'`);
  }
}

/** struct ifinfomsg: family, type, index, flags, change. */
export function ifinfomsg(index: number): Buffer {
  const b = Buffer.alloc(IFINFOMSG_LEN);
  b.writeInt32LE(index, 4);
  return b;
}

export interface LinkInfo { index: number; name: string; attrs: Attrs }

/** RTM_GETLINK by name. Throws NoSuchInterfaceError when there is none. */
export function getLink(nl: NetlinkSocket, ifname: string): LinkInfo {
  let replies;
  try {
    replies = nl.request(RTM_GETLINK, 0, ifinfomsg(0), [str(IFLA_IFNAME, ifname)], `looking up interface ${ifname}`);
  } catch (e) {
    if (e instanceof NetlinkError && (e.code === 'ENODEV' || e.code === 'ENOENT')) throw new NoSuchInterfaceError(ifname);
    throw e;
  }
  const m = replies[0];
  if (!m) throw new NoSuchInterfaceError(ifname);
  const attrs = new Attrs(m.payload.subarray(IFINFOMSG_LEN));
  return { index: m.payload.readInt32LE(4), name: attrs.str(IFLA_IFNAME) ?? ifname, attrs };
}

/** The ifindex of a named interface, looked up through netlink so it is right in any network namespace. */
export function ifIndex(ifname: string, nl?: NetlinkSocket): number {
  if (nl) return getLink(nl, ifname).index;
  using own = new NetlinkSocket();
  return getLink(own, ifname).index;
}

export interface XdpState { attached: number; progId: number }

/** What IFLA_XDP says is attached to an interface. */
export function getXdp(nl: NetlinkSocket, ifname: string): XdpState {
  const x = getLink(nl, ifname).attrs.nested(IFLA_XDP);
  return { attached: x?.u8(IFLA_XDP_ATTACHED) ?? 0, progId: x?.u32(IFLA_XDP_PROG_ID) ?? 0 };
}

/**
 * RTM_SETLINK with IFLA_XDP: attach progFd (or detach with -1) in the mode `flags` names.
 * With expectedFd, the kernel changes nothing unless that program is the one attached (XDP_FLAGS_REPLACE).
 */
export function setXdp(nl: NetlinkSocket, ifindex: number, progFd: number, flags: number, what: string, expectedFd?: number): void {
  const xdp: Attr[] = [s32(IFLA_XDP_FD, progFd)];
  if (expectedFd !== undefined) {
    flags |= XDP_FLAGS_REPLACE;
    xdp.push(s32(IFLA_XDP_EXPECTED_FD, expectedFd));
  }
  if (flags) xdp.push(u32(IFLA_XDP_FLAGS, flags));
  nl.request(RTM_SETLINK, 0, ifinfomsg(ifindex), [nested(IFLA_XDP, xdp)], what);
}
