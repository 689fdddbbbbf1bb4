// Socket filters: a raw packet socket on a test namespace's loopback with a program that keeps only
// one UDP flow (and counts it in a map); and a filter on a UDP socket the test owns.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { attachSocketFilter, attachToSocket } from '../../src/attach/index.js';
import { loadProgram } from '../../src/load/index.js';
import { Assembler, R0 } from '../../src/isa/asm.js';
import { sendto, recvfrom, sockaddrIn } from '../../src/sys/socket.js';
import { VethPair } from '../fixtures/netns.js';
import { loadNetProgram, counts } from '../fixtures/net_programs.js';

const skip = (process.getuid?.() !== 0 || !existsSync('/sys/kernel/btf/vmlinux')) && 'needs root and kernel BTF';
const N = 9, SIZE = 24, FRAME = 14 + 20 + 8 + SIZE;

const pair = skip ? undefined : new VethPair();
after(() => pair?.close());
let port = 40000 + (process.pid % 10000);

test('a raw socket on loopback with a filter receives exactly the UDP flow the program keeps', { skip, timeout: 30000 }, async () => {
  const v = pair!;
  const p = ++port;
  using obj = loadNetProgram('socket', p, 0);
  using sock = v.inA(() => attachSocketFilter(obj.program('sock_count'), { ifname: 'lo' }));
  const rx = v.udp(v.nsA, '127.0.0.1', p);
  const tx = v.udp(v.nsA);
  // Noise on another port, which the filter must keep out.
  for (let i = 0; i < N; i++) {
    sendto(tx, Buffer.alloc(SIZE, i), sockaddrIn('127.0.0.1', p));
    sendto(tx, Buffer.alloc(SIZE, i), sockaddrIn('127.0.0.1', p + 1));
  }
  const seen: Buffer[] = [];
  for (let t = 0; t < 100 && seen.length < 2 * N; t++) {
    for (const pk of sock.drain()) seen.push(pk.data);
    if (seen.length < 2 * N) await sleep(10);
  }
  // On loopback a packet socket sees each datagram twice: leaving (outgoing) and arriving.
  assert.equal(seen.length, 2 * N);
  assert.deepEqual(counts(obj), [2 * N, 2 * N * FRAME]);
  for (const d of seen) {
    assert.equal(d.length, FRAME);
    assert.equal(d.readUInt16BE(12), 0x0800);
    assert.equal(d.readUInt16BE(14 + 22), p, 'only the kept port reaches the socket');
  }
  assert.deepEqual(new Set(seen.map((d) => d[FRAME - 1])), new Set(Array.from({ length: N }, (_, i) => i)));
  const buf = Buffer.alloc(100);
  let delivered = 0;
  while (recvfrom(rx, buf) >= 0) delivered++;
  assert.equal(delivered, N, 'the filter takes nothing away from the UDP socket itself');
});

test('onPacket delivers packets on the event loop; close() stops them', { skip, timeout: 30000 }, async () => {
  const v = pair!;
  const p = ++port;
  using obj = loadNetProgram('socket', p, 0);
  const sock = v.inA(() => attachSocketFilter(obj.program('sock_count'), { ifname: 'lo' }));
  const tx = v.udp(v.nsA);
  let got = 0;
  const enough = new Promise<void>((resolve) => sock.onPacket(() => { if (++got === 2 * N) resolve(); }));
  for (let i = 0; i < N; i++) sendto(tx, Buffer.alloc(SIZE), sockaddrIn('127.0.0.1', p));
  await enough;
  sock.close();
  assert.ok(sock.closed);
  for (let i = 0; i < N; i++) sendto(tx, Buffer.alloc(SIZE), sockaddrIn('127.0.0.1', p));
  await sleep(100);
  assert.equal(got, 2 * N);
});

test('a filter on a socket the caller owns: drop-all keeps datagrams out until it is detached', { skip, timeout: 30000 }, async () => {
  const v = pair!;
  const p = ++port;
  using prog = loadProgram({ type: 'SOCKET_FILTER', name: 'drop_all', insns: new Assembler().mov64Imm(R0, 0).exit().assemble() });
  const rx = v.udp(v.nsA, '127.0.0.1', p);
  const tx = v.udp(v.nsA);
  const buf = Buffer.alloc(100);
  const deliver = async (): Promise<number> => {
    for (let i = 0; i < N; i++) sendto(tx, Buffer.alloc(SIZE), sockaddrIn('127.0.0.1', p));
    await sleep(50);
    let n = 0;
    while (recvfrom(rx, buf) >= 0) n++;
    return n;
  };
  const link = attachToSocket(prog, rx);
  assert.equal(await deliver(), 0);
  link.close();
  assert.equal(await deliver(), N);
});

test('socket filter on a missing interface says so', { skip }, () => {
  using obj = loadNetProgram('socket', ++port, 0);
  assert.throws(() => pair!.inA(() => attachSocketFilter(obj.program('sock_count'), { ifname: 'tsbcc-nope0' })),
    { message: "no network interface 'tsbcc-nope0'" });
});
