// XDP: a bpf_link (BPF_XDP, Linux 5.9+; fd-based, gone when the process dies), or the legacy way,
// RTM_SETLINK with IFLA_XDP, which the kernel keeps until it is removed.
import { bpf, native, isErrno, AttachType } from '../sys/index.js';
import { NetlinkSocket, getLink, getXdp, setXdp, NetlinkError, nlconst } from '../netlink/index.js';
import { Link } from './link.js';
import { PersistentLink } from './persistent.js';
import { netError } from './net_errors.js';
import type { Attachable } from './tracepoint.js';

const { XDP_FLAGS_SKB_MODE, XDP_FLAGS_DRV_MODE, XDP_FLAGS_HW_MODE, XDP_FLAGS_UPDATE_IF_NOEXIST } = nlconst;

/**
 * 'skb' (generic: works on any interface, after the kernel has built the skb), 'drv' (native: in the
 * driver, needs driver support), 'hw' (offloaded to the NIC), or 'auto' (the kernel picks: native
 * where the driver has it, else generic).
 */
export type XdpMode = 'auto' | 'skb' | 'generic' | 'drv' | 'native' | 'hw';

export interface XdpOptions {
  mode?: XdpMode;
  /** 'auto' (default): a bpf_link when the kernel has it, else netlink. 'link' or 'netlink' force one. */
  via?: 'auto' | 'link' | 'netlink';
}

const MODE_FLAGS: Record<XdpMode, number> = {
  auto: 0, skb: XDP_FLAGS_SKB_MODE, generic: XDP_FLAGS_SKB_MODE, drv: XDP_FLAGS_DRV_MODE, native: XDP_FLAGS_DRV_MODE,
  hw: XDP_FLAGS_HW_MODE,
};
const MODE_NAMES = ['none', 'driver (native)', 'generic (skb)', 'hardware offload', 'multiple'];

/** Attach an XDP program to `ifname` (in the calling thread's network namespace). Close the link to detach. */
export function attachXdp(prog: Attachable, ifname: string, opts: XdpOptions = {}): Link {
  const mode = opts.mode ?? 'auto';
  const flags = MODE_FLAGS[mode];
  if (flags === undefined) throw new Error(`unknown XDP mode '${mode}' (expected skb, drv, hw or auto)`);
  const via = opts.via ?? 'auto';
  const what = `attaching XDP program ${prog.name || '(unnamed)'} to ${ifname}${mode === 'auto' ? '' : ` in ${mode} mode`}`;
  using nl = new NetlinkSocket();
  const ifindex = getLink(nl, ifname).index;
  if (via !== 'netlink') {
    try {
      return new Link('xdp', ifname, [bpf.linkCreate({ progFd: prog.fd, targetFd: ifindex, attachType: AttachType.XDP, flags })]);
    } catch (e) {
      // EINVAL: a kernel without XDP links (before 5.9). Netlink then says, with an extended ack,
      // whatever else may be wrong.
      if (via === 'link' || !isErrno(e, 'EINVAL')) throw xdpError(e, what, mode, ifname, nl);
    }
  }
  return attachXdpNetlink(prog, ifname, ifindex, flags, mode, what);
}

function attachXdpNetlink(prog: Attachable, ifname: string, ifindex: number, flags: number, mode: XdpMode, what: string): PersistentLink {
  const nl = new NetlinkSocket();
  // Our own reference to the program, so the undo can name it even if the caller closes theirs.
  let own = -1;
  try {
    own = bpf.progGetFdById(bpf.progInfo(prog.fd).id);
    setXdp(nl, ifindex, prog.fd, flags | XDP_FLAGS_UPDATE_IF_NOEXIST, what);
    const fd = own;
    return new PersistentLink('xdp', ifname, () => {
      try {
        // Only if our program is still the one attached (XDP_FLAGS_REPLACE with the expected fd).
        setXdp(nl, ifindex, -1, flags, `removing XDP program from ${ifname}`, fd);
      } catch (e) {
        if (!(e instanceof NetlinkError && (e.code === 'EEXIST' || e.code === 'ENODEV' || e.code === 'ENOENT'))) throw e;
      }
    }, [nl, { close: () => native.close(fd) }]);
  } catch (e) {
    if (own >= 0) native.close(own);
    const err = xdpError(e, what, mode, ifname, nl);
    nl.close();
    throw err;
  }
}

/** Say what went wrong in words: busy interface, unsupported mode. */
function xdpError(e: unknown, what: string, mode: XdpMode, ifname: string, nl: NetlinkSocket): Error {
  const code = (e as { code?: string }).code;
  if (code === 'EBUSY' || code === 'EEXIST') {
    let already = '';
    try { const s = getXdp(nl, ifname); if (s.attached) already = ` (program id ${s.progId}, ${MODE_NAMES[s.attached]} mode)`; } catch { /* keep the short message */ }
    return Object.assign(new Error(`${what}: interface ${ifname} already has an XDP program attached${already}`), { code });
  }
  if ((code === 'EOPNOTSUPP' || code === 'ENOTSUPP') && (mode === 'drv' || mode === 'native')) {
    return Object.assign(new Error(`${what}: the driver of ${ifname} does not support XDP in driver (native) mode; use generic mode ({ mode: 'skb' })`), { code });
  }
  if ((code === 'EOPNOTSUPP' || code === 'ENOTSUPP' || code === 'EINVAL') && mode === 'hw') {
    return Object.assign(new Error(`${what}: ${ifname} cannot offload XDP programs to hardware; use driver or generic mode`), { code });
  }
  return netError(e, what);
}
