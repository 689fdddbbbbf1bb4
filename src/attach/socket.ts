// Socket filters: a SOCKET_FILTER program decides, per packet, how many bytes a socket receives
// (0 drops the packet for that socket only). attachSocketFilter opens a raw AF_PACKET socket, as
// BCC's attach_raw_socket does, and reads its packets; attachToSocket filters a socket you own.
import { native, type Watcher } from '../sys/index.js';
import { socket, bind, recvfrom, setsockopt, sockaddrLl, htons, AF_PACKET, SOCK_RAW, SOCK_NONBLOCK,
  SOL_SOCKET, SO_ATTACH_BPF, SO_DETACH_BPF, ETH_P_ALL, MSG_TRUNC } from '../sys/socket.js';
import { ifIndex } from '../netlink/index.js';
import { Link } from './link.js';
import { netError } from './net_errors.js';
import type { Attachable } from './tracepoint.js';

export interface SocketFilterOptions {
  /** Only packets of this interface (looked up in the calling thread's network namespace); default all. */
  ifname?: string;
  /** Ethernet protocol (host order); default ETH_P_ALL. */
  protocol?: number;
}

/** A packet as a packet socket delivers it: the bytes the filter let through, and the wire length. */
export interface Packet { data: Buffer; length: number }

/** A raw packet socket with a filter on it. Closing closes the socket, which detaches the program. */
export class SocketFilter extends Link {
  private watcher: Watcher | undefined;
  private readonly buf = Buffer.alloc(65536);

  constructor(target: string, readonly socketFd: number) {
    super('socket', target, [socketFd]);
  }

  /** The next waiting packet, or undefined when none is (the socket is non-blocking). */
  read(): Packet | undefined {
    const n = recvfrom(this.fd, this.buf, MSG_TRUNC);
    if (n < 0) return undefined;
    return { data: Buffer.from(this.buf.subarray(0, Math.min(n, this.buf.length))), length: n };
  }

  /** Every packet waiting now. */
  drain(): Packet[] {
    const out: Packet[] = [];
    for (let p = this.read(); p; p = this.read()) out.push(p);
    return out;
  }

  /** Call `cb` for each packet as it arrives, on Node's event loop, until close(). */
  onPacket(cb: (p: Packet) => void): void {
    this.watcher?.stop();
    this.watcher = native.watch(this.fd, 1, () => { for (const p of this.drain()) cb(p); });
  }

  override close(): void {
    this.watcher?.stop();
    this.watcher = undefined;
    super.close();
  }
}

/**
 * Open a raw AF_PACKET socket (optionally bound to one interface) with `prog` attached
 * (SO_ATTACH_BPF), like BCC's attach_raw_socket. The filter is attached before the socket is
 * bound, so the socket never queues an unfiltered packet.
 */
export function attachSocketFilter(prog: Attachable, opts: SocketFilterOptions = {}): SocketFilter {
  const target = opts.ifname ?? 'all interfaces';
  const what = `attaching socket filter ${prog.name || '(unnamed)'} to a packet socket on ${target}`;
  const ifindex = opts.ifname ? ifIndex(opts.ifname) : 0;
  let fd: number;
  try {
    fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, 0); // protocol 0: receives nothing until bound
  } catch (e) {
    throw netError(e, `${what}: opening the socket`, 'CAP_NET_RAW');
  }
  try {
    setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, prog.fd);
    bind(fd, sockaddrLl(ifindex, opts.protocol ?? ETH_P_ALL));
  } catch (e) {
    native.close(fd);
    throw netError(e, what, 'CAP_NET_RAW');
  }
  return new SocketFilter(target, fd);
}

/** A filter on a socket the caller owns: close() detaches it (SO_DETACH_BPF) and leaves the socket open. */
export class SocketAttachment extends Link {
  private attached = true;
  constructor(readonly socketFd: number) { super('socket', `fd ${socketFd}`, []); }
  override get closed(): boolean { return !this.attached; }
  override get fd(): number { return this.socketFd; }
  override close(): void {
    if (!this.attached) return;
    this.attached = false;
    try { setsockopt(this.socketFd, SOL_SOCKET, SO_DETACH_BPF, 0); } catch { /* socket already closed */ }
  }
}

/** Attach a SOCKET_FILTER program to an existing socket fd (any family). */
export function attachToSocket(prog: Attachable, socketFd: number): SocketAttachment {
  try {
    setsockopt(socketFd, SOL_SOCKET, SO_ATTACH_BPF, prog.fd);
  } catch (e) {
    throw netError(e, `attaching socket filter ${prog.name || '(unnamed)'} to socket fd ${socketFd}`);
  }
  return new SocketAttachment(socketFd);
}

