// Sockets: typed wrappers over socket(2), bind, sendto, recvfrom, setsockopt/getsockopt, with the
// constants and address layouts (sockaddr_in, sockaddr_ll, sockaddr_nl) the networking hooks use.
import { native } from './native.js';

export const AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16, AF_PACKET = 17;
export const SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0o4000, SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1, SOL_PACKET = 263, SOL_NETLINK = 270;
export const SO_RCVBUF = 8, SO_RCVTIMEO = 20, SO_ATTACH_FILTER = 26, SO_DETACH_FILTER = 27,
  SO_ATTACH_BPF = 50, SO_DETACH_BPF = SO_DETACH_FILTER;
export const MSG_DONTWAIT = 0x40, MSG_TRUNC = 0x20;
/** linux/if_ether.h: every protocol, in network byte order when used as a packet socket's protocol. */
export const ETH_P_ALL = 0x0003, ETH_P_IP = 0x0800, ETH_P_IPV6 = 0x86dd;
export const IPPROTO_UDP = 17;

/** htons, for the protocol field of packet sockets. */
export const htons = (v: number): number => ((v & 0xff) << 8) | ((v >> 8) & 0xff);

export function socket(domain: number, type: number, protocol = 0): number {
  return native.socket(domain, type | SOCK_CLOEXEC, protocol);
}

export function bind(fd: number, addr: Buffer): void { native.bind(fd, addr); }

/** Returns bytes sent, or -1 when a non-blocking socket would block. */
export function sendto(fd: number, data: Buffer, addr: Buffer | null = null, flags = 0): number {
  return native.sendto(fd, data, flags, addr);
}

/** Returns bytes received, or -1 when nothing is waiting (non-blocking socket or MSG_DONTWAIT). */
export function recvfrom(fd: number, buf: Buffer, flags = 0, addr: Buffer | null = null): number {
  return native.recvfrom(fd, buf, flags, addr);
}

export function setsockopt(fd: number, level: number, name: number, value: number | Buffer): void {
  native.setsockopt(fd, level, name, value);
}

export function getsockoptInt(fd: number, level: number, name: number): number {
  const b = Buffer.alloc(4);
  native.getsockopt(fd, level, name, b);
  return b.readInt32LE(0);
}

/** A receive timeout, so a blocking recv on a socket that never answers cannot hang forever. */
export function setReceiveTimeout(fd: number, ms: number): void {
  const tv = Buffer.alloc(16);
  tv.writeBigInt64LE(BigInt(Math.floor(ms / 1000)), 0);
  tv.writeBigInt64LE(BigInt((ms % 1000) * 1000), 8);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv);
}

/** struct sockaddr_in for an IPv4 address "a.b.c.d" and port. */
export function sockaddrIn(ip: string, port: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(AF_INET, 0);
  b.writeUInt16BE(port, 2);
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) throw new Error(`not an IPv4 address: '${ip}'`);
  Buffer.from(parts).copy(b, 4);
  return b;
}

/** struct sockaddr_ll: a packet socket bound to one interface (ifindex 0: all) and protocol (host order). */
export function sockaddrLl(ifindex: number, protocol = ETH_P_ALL): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16LE(AF_PACKET, 0);
  b.writeUInt16BE(protocol, 2);
  b.writeInt32LE(ifindex, 4);
  return b;
}

/** struct sockaddr_nl: the kernel (pid 0) or a port id, and multicast groups. */
export function sockaddrNl(pid = 0, groups = 0): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16LE(AF_NETLINK, 0);
  b.writeUInt32LE(pid, 4);
  b.writeUInt32LE(groups, 8);
  return b;
}

export const CLONE_NEWNET = 0x40000000;

/** Move the calling thread into the namespace behind fd (an open /run/netns/<name> or /proc/<pid>/ns/net). */
export function setns(fd: number, nstype = CLONE_NEWNET): void { native.setns(fd, nstype); }
