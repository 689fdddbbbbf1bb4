// The BCC tool programs of test/corpus/bcc: every one compiles and every program in it is accepted
// by this kernel's verifier; those on tracepoints are attached, driven, and their output checked.
// Filters (FILTER_PARENT, FILTER_TGID, FILTER_PORT) keep each tool to this test's own events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync, rmSync, openSync, closeSync, statSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadObject } from '../../src/load/index.js';
import { PerfBuffer } from '../../src/events/index.js';
import type { HashTable, ArrayTable, PerfEventArray } from '../../src/maps/index.js';
import { Workload } from '../fixtures/workload.js';
import { runBcc, compileHere, u32 } from '../fixtures/bcc.js';

const skip = (process.getuid?.() !== 0 || !existsSync('/sys/kernel/btf/vmlinux')) && 'needs root and kernel BTF';
const DIR = fileURLToPath(new URL('../../../test/corpus/bcc/', import.meta.url));
const source = (name: string) => readFileSync(join(DIR, name), 'utf8');
const cstr = (b: Buffer, from: number, to: number) => b.toString('latin1', from, to).replace(/\0.*$/s, '');

test('every tool in test/corpus/bcc compiles and each of its programs loads', { skip, timeout: 120000 }, () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.c')).sort();
  assert.ok(files.length >= 15, `only ${files.length} tools`);
  for (const f of files) {
    const spec = compileHere(source(f), { filename: f });
    assert.ok(spec.programs.length > 0, `${f}: no programs`);
    using obj = loadObject(spec);
    assert.equal(obj.programs.size, spec.programs.length, f);
  }
});

test('tracepoint tools attach', { skip, timeout: 60000 }, () => {
  for (const f of ['biolatency.c', 'bitehist.c', 'hardirqs.c', 'softirqs.c', 'runqlat.c', 'task_switch.c', 'syscount.c']) {
    using r = runBcc(source(f), { filename: f });
    assert.ok(r.links.length > 0 && r.links.length === r.spec.probes.filter((p) => p.attach).length, f);
  }
});

test('execsnoop reports the workload exec: file name, parent, comm, result', { skip, timeout: 30000 }, async () => {
  using r = runBcc(source('execsnoop.c'), { filename: 'execsnoop.c', defines: { FILTER_PARENT: String(process.pid) } });
  const ev: { pid: number; ppid: number; type: number; retval: number; comm: string; argv: string }[] = [];
  using pb = new PerfBuffer(r.obj.map<PerfEventArray>('events'), (d) => ev.push({
    pid: d.readUInt32LE(0), ppid: d.readUInt32LE(4), type: d.readInt32LE(12), retval: d.readInt32LE(16), comm: cstr(d, 20, 36), argv: cstr(d, 36, 164) }));
  using wl = new Workload();
  const { pid } = await wl.run(1);
  r.detach();
  pb.poll();
  const mine = ev.filter((e) => e.pid === pid);
  assert.deepEqual(mine.filter((e) => e.type === 0).map((e) => [e.argv, e.ppid]), [[wl.path, process.pid]]);
  assert.deepEqual(mine.filter((e) => e.type === 1).map((e) => [e.retval, e.comm]), [[0, wl.comm]]);
});

test('opensnoop and statsnoop report this process opening and stat-ing a path', { skip, timeout: 30000 }, () => {
  const defines = { FILTER_TGID: String(process.pid) };
  using open = runBcc(source('opensnoop.c'), { filename: 'opensnoop.c', defines });
  using stat = runBcc(source('statsnoop.c'), { filename: 'statsnoop.c', defines });
  const opens: { tgid: number; ret: number; fname: string }[] = [];
  const stats: { pid: number; ret: number; fname: string }[] = [];
  using pb1 = new PerfBuffer(open.obj.map<PerfEventArray>('events'), (d) => opens.push({ tgid: Number(d.readBigUInt64LE(0) >> 32n), ret: d.readInt32LE(16), fname: cstr(d, 40, 168) }));
  using pb2 = new PerfBuffer(stat.obj.map<PerfEventArray>('events'), (d) => stats.push({ pid: d.readUInt32LE(0), ret: d.readInt32LE(4), fname: cstr(d, 8, 136) }));
  const path = join(tmpdir(), `tsbcc-corpus-${process.pid}`);
  const missing = path + '-missing';
  writeFileSync(path, 'x');
  try {
    closeSync(openSync(path, 'r'));
    assert.throws(() => statSync(missing));
  } finally {
    rmSync(path, { force: true });
  }
  open.detach();
  stat.detach();
  pb1.poll();
  pb2.poll();
  const o = opens.filter((e) => e.fname === path && e.ret >= 0);
  assert.ok(o.length >= 1 && o.every((e) => e.tgid === process.pid), JSON.stringify(opens.slice(-5)));
  const s = stats.filter((e) => e.fname === missing);
  assert.ok(s.length >= 1, JSON.stringify(stats.slice(-5)));
  assert.ok(s.every((e) => e.ret === -2 && e.pid === process.pid));
});

test('syscount counts exactly the workload getppid calls; stacksnoop keys them by kernel stack', { skip, timeout: 30000 }, () => {
  using sc = runBcc(source('syscount.c'), { filename: 'syscount.c', defines: { FILTER_PARENT: String(process.pid) } });
  using ss = runBcc(source('stacksnoop.c'), { filename: 'stacksnoop.c' });
  using wl = new Workload();
  const N = 200;
  const { pid } = wl.runSync(N);
  sc.detach();
  ss.detach();
  const v = sc.obj.map<HashTable>('data').get(u32(110));
  assert.equal(v?.readBigUInt64LE(0), BigInt(N));
  assert.ok(v!.readBigUInt64LE(8) > 0n, 'no time measured');
  const entries = [...ss.obj.map<HashTable>('counts').entries()].filter(([k]) => k.readUInt32LE(0) === pid);
  assert.equal(entries.reduce((acc, [, c]) => acc + c.readBigUInt64LE(0), 0n), BigInt(N));
  assert.ok(entries.every(([k]) => k.readInt32LE(4) >= 0 && cstr(k, 8, 24) === wl.comm));
});

test('killsnoop reports kill(self, 0); runqlat and task_switch see scheduling', { skip, timeout: 30000 }, () => {
  using ks = runBcc(source('killsnoop.c'), { filename: 'killsnoop.c', defines: { FILTER_TGID: String(process.pid) } });
  using rq = runBcc(source('runqlat.c'), { filename: 'runqlat.c' });
  using ts = runBcc(source('task_switch.c'), { filename: 'task_switch.c' });
  const ev: { pid: number; tpid: number; sig: number; ret: number }[] = [];
  using pb = new PerfBuffer(ks.obj.map<PerfEventArray>('events'), (d) => ev.push({ pid: d.readUInt32LE(0), tpid: d.readInt32LE(4), sig: d.readInt32LE(8), ret: d.readInt32LE(12) }));
  process.kill(process.pid, 0);
  using wl = new Workload();
  wl.runSync(50);
  ks.detach();
  rq.detach();
  ts.detach();
  pb.poll();
  assert.deepEqual(ev.filter((e) => e.tpid === process.pid), [{ pid: process.pid, tpid: process.pid, sig: 0, ret: 0 }]);
  assert.ok(rq.obj.map<ArrayTable>('samples').get(u32(0))!.readBigUInt64LE(0) > 0n, 'runqlat saw no wakeup-to-run');
  assert.ok(ts.obj.map<ArrayTable>('total').get(u32(0))!.readBigUInt64LE(0) > 0n, 'task_switch saw no switch');
  assert.ok([...ts.obj.map<HashTable>('stats').keys()].length > 0);
});

test('tcplife reports a loopback TCP session with its ports', { skip, timeout: 30000 }, async () => {
  const server = createServer((s) => { s.on('data', () => s.end()); });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as AddressInfo).port;
  try {
    using r = runBcc(source('tcplife.c'), { filename: 'tcplife.c', defines: { FILTER_PORT: String(port) } });
    const ev: { pid: number; saddr: string; daddr: string; lport: number; dport: number; span: bigint }[] = [];
    const ip = (b: Buffer, o: number) => [...b.subarray(o, o + 4)].join('.');
    using pb = new PerfBuffer(r.obj.map<PerfEventArray>('ipv4_events'), (d) => ev.push({
      span: d.readBigUInt64LE(8), pid: d.readUInt32LE(16), saddr: ip(d, 20), daddr: ip(d, 24), lport: d.readUInt16LE(28), dport: d.readUInt16LE(30) }));
    await new Promise<void>((res, rej) => {
      const c = connect(port, '127.0.0.1', () => c.write('hi'));
      c.on('data', () => {});
      c.on('end', () => { c.end(); });
      c.on('close', () => res());
      c.on('error', rej);
    });
    await new Promise((res) => setTimeout(res, 100));
    r.detach();
    pb.poll();
    const client = ev.find((e) => e.dport === port);
    assert.ok(client, `no session to port ${port}: ${JSON.stringify(ev, (_, v) => typeof v === 'bigint' ? String(v) : v)}`);
    assert.equal(client.saddr, '127.0.0.1');
    assert.equal(client.daddr, '127.0.0.1');
    assert.ok(client.lport > 0 && client.lport !== port);
  } finally {
    server.close();
  }
});

test('http_filter (load_byte, load_word) keeps HTTP and drops the rest, run on packets with BPF_PROG_TEST_RUN', { skip, timeout: 30000 }, () => {
  // BPF_PROG_TEST_RUN gives a socket filter the packet from its IP header on (a packet socket, from its Ethernet header).
  const spec = compileHere(source('http_filter.c'), { filename: 'http_filter.c', defines: { L2_HLEN: '0' } });
  using obj = loadObject(spec);
  const packet = (payload: string) => {
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip[9] = 6;
    const tcp = Buffer.alloc(20);
    tcp[12] = 0x50;
    const data = Buffer.from(payload, 'latin1');
    ip.writeUInt16BE(20 + 20 + data.length, 2);
    return Buffer.concat([eth, ip, tcp, data]);
  };
  const prog = obj.program('http_filter');
  assert.equal(prog.testRun({ dataIn: packet('GET / HTTP/1.1\r\n\r\n') }).retval >>> 0, 0xffffffff);
  assert.equal(prog.testRun({ dataIn: packet('HTTP/1.1 200 OK\r\n') }).retval >>> 0, 0xffffffff);
  assert.equal(prog.testRun({ dataIn: packet('SSH-2.0-OpenSSH\r\n') }).retval, 0);
  const seen = obj.map<ArrayTable>('seen');
  assert.equal(seen.get(u32(0))!.readBigUInt64LE(0), 3n);
  assert.equal(seen.get(u32(1))!.readBigUInt64LE(0), 2n);
});
