// A NETLINK_ROUTE socket that sends one request at a time and collects its answer: the replies
// (for GET and ECHO), then the ack or error. Errors carry the errno name and, when the kernel
// attached one, its extended-ack message ("Exclusivity flag on, cannot modify."), which says far
// more than the errno.
import { getSystemErrorMap } from 'node:util';
import { native } from '../sys/native.js';
import { socket, bind, sendto, recvfrom, setsockopt, setReceiveTimeout, sockaddrNl,
  AF_NETLINK, SOCK_RAW, SOL_NETLINK } from '../sys/socket.js';
import { encodeMessage, decodeMessages, Attrs, type Attr, type Message } from './message.js';
import { NETLINK_ROUTE, NLMSG_ERROR, NLMSG_DONE, NLMSG_HDRLEN, NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP,
  NLM_F_CAPPED, NLM_F_ACK_TLVS, NETLINK_EXT_ACK, NETLINK_CAP_ACK, NLMSGERR_ATTR_MSG } from './uapi.js';

/** A request the kernel refused: `code` is the errno name, `extack` the kernel's own explanation. */
export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';
  /** Why, without what was being done: the extended ack or the errno's description, and the errno name. */
  readonly reason: string;
  constructor(readonly code: string, readonly errno: number, readonly extack: string | undefined, what: string) {
    const reason = `${extack ?? describe(errno)} (${code})`;
    super(`${what}: ${reason}`);
    this.reason = reason;
  }
}

const errnoInfo = (errno: number): [string, string] | undefined => getSystemErrorMap().get(-errno);
const describe = (errno: number): string => {
  const d = errnoInfo(errno)?.[1] ?? `error ${errno}`;
  return d[0]!.toUpperCase() + d.slice(1);
};
/** The errno name as the addon spells it (EOPNOTSUPP, not libuv's ENOTSUP). */
export const errnoName = (errno: number): string => {
  const name = errnoInfo(errno)?.[0] ?? (errno === 524 ? 'ENOTSUPP' : `E${errno}`);
  return name === 'ENOTSUP' ? 'EOPNOTSUPP' : name;
};

const RECV_SIZE = 256 * 1024;

export class NetlinkSocket {
  private fd: number;
  private seq = Math.floor(Math.random() * 0x7fffffff);
  private readonly rbuf = Buffer.alloc(RECV_SIZE);

  /** Opens a socket in the calling thread's network namespace; it stays bound to that namespace. */
  constructor(protocol = NETLINK_ROUTE) {
    this.fd = socket(AF_NETLINK, SOCK_RAW, protocol);
    try {
      bind(this.fd, sockaddrNl());
      // Extended acks explain errors; capped acks keep them from echoing our whole request back.
      try { setsockopt(this.fd, SOL_NETLINK, NETLINK_EXT_ACK, 1); } catch { /* kernels before 4.12 */ }
      try { setsockopt(this.fd, SOL_NETLINK, NETLINK_CAP_ACK, 1); } catch { /* idem */ }
      setReceiveTimeout(this.fd, 10_000);
    } catch (e) {
      native.close(this.fd);
      throw e;
    }
  }

  /**
   * Send one request and return the messages it produced. Without NLM_F_DUMP the kernel's ack ends
   * the answer; with it, NLMSG_DONE does. `what` names the request in errors ("adding clsact qdisc on eth0").
   */
  request(type: number, flags: number, header: Buffer, attrs: readonly Attr[], what: string): Message[] {
    if (this.fd < 0) throw new Error('netlink socket is closed');
    const seq = this.seq = (this.seq + 1) >>> 0;
    const dump = (flags & NLM_F_DUMP) === NLM_F_DUMP;
    sendto(this.fd, encodeMessage(type, flags | NLM_F_REQUEST | NLM_F_ACK, seq, header, attrs), sockaddrNl());
    const out: Message[] = [];
    for (;;) {
      let n: number;
      try {
        n = recvfrom(this.fd, this.rbuf);
      } catch (e) {
        if ((e as { code?: string }).code === 'EAGAIN') throw new Error(`${what}: the kernel did not answer in 10 s`);
        throw e;
      }
      for (const m of decodeMessages(this.rbuf.subarray(0, n))) {
        if (m.seq !== seq) continue; // a late answer to an earlier request
        if (m.type === NLMSG_DONE) {
          const err = m.payload.length >= 4 ? m.payload.readInt32LE(0) : 0;
          if (err < 0) throw this.error(m, err, what);
          return out;
        }
        if (m.type === NLMSG_ERROR) {
          const err = m.payload.readInt32LE(0);
          if (err < 0) throw this.error(m, err, what);
          if (!dump) return out;
          continue;
        }
        out.push({ ...m, payload: Buffer.from(m.payload) });
      }
    }
  }

  /** struct nlmsgerr: int error; struct nlmsghdr msg (+ the request unless capped); then ext-ack TLVs. */
  private error(m: Message, err: number, what: string): NetlinkError {
    let extack: string | undefined;
    if (m.flags & NLM_F_ACK_TLVS && m.type === NLMSG_ERROR) {
      const origLen = m.payload.readUInt32LE(4);
      const tlvs = 4 + (m.flags & NLM_F_CAPPED ? NLMSG_HDRLEN : origLen);
      extack = new Attrs(m.payload.subarray(tlvs)).str(NLMSGERR_ATTR_MSG) || undefined;
    }
    return new NetlinkError(errnoName(-err), -err, extack, what);
  }

  close(): void {
    if (this.fd >= 0) native.close(this.fd);
    this.fd = -1;
  }

  [Symbol.dispose](): void { this.close(); }
}
