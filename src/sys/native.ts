// The native addon, typed. Nothing here but the shape of the raw system calls.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export type Bytes = Buffer | Uint8Array | ArrayBufferView | ArrayBuffer;

export interface Watcher {
  /** Stop watching; the callback is never called again. */
  stop(): void;
  /** Whether this watcher keeps the event loop alive (default true). */
  ref(on?: boolean): void;
  /** pause(true) stops polling until pause(false). */
  pause(on?: boolean): void;
}

export interface Native {
  bpf(cmd: number, attr: Bytes): number;
  addressOf(buf: Bytes): bigint;
  perfEventOpen(attr: Bytes, pid: number, cpu: number, groupFd: number, flags: number): number;
  ioctl(fd: number, request: number, arg: number | bigint | Bytes): number;
  close(fd: number): void;
  mmap(fd: number, length: number, prot: number, flags: number, offset: number): ArrayBuffer;
  munmap(mapping: ArrayBuffer): void;
  /** events: 1 = readable, 2 = writable. The callback gets (status, events). */
  watch(fd: number, events: number, cb: (status: number, events: number) => void): Watcher;
  setrlimit(resource: number, soft: number, hard: number): void;
  /** Returns bytes read, or -1 when a non-blocking fd has nothing (EAGAIN). */
  read(fd: number, buf: Bytes): number;
  mount(source: string, target: string, fstype: string): void;
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, sockaddr: Bytes): void;
  /** Returns bytes sent, or -1 when a non-blocking socket would block. */
  sendto(fd: number, data: Bytes, flags: number, sockaddr: Bytes | null): number;
  /** Returns bytes received (the full length with MSG_TRUNC), or -1 when nothing is waiting (EAGAIN). */
  recvfrom(fd: number, buf: Bytes, flags: number, sockaddr: Bytes | null): number;
  /** A number is passed as a C int. */
  setsockopt(fd: number, level: number, name: number, value: number | Bytes): void;
  /** Returns the length the kernel wrote into buf. */
  getsockopt(fd: number, level: number, name: number, buf: Bytes): number;
  setns(fd: number, nstype: number): void;
  readonly pageSize: number;
}

function load(): Native {
  const require = createRequire(import.meta.url);
  // dist/src/sys/native.js or src/sys/native.ts: walk up to the package root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'build', 'Release', 'tsbcc_native.node');
    if (existsSync(candidate)) return require(candidate) as Native;
    dir = dirname(dir);
  }
  throw new Error('tsbcc: the native addon is not built; run `npm install` (it runs node-gyp)');
}

export const native: Native = load();
