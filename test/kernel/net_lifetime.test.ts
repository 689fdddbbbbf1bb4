// What is left when a process holding networking attachments ends. fd-based ones (tcx and XDP
// bpf_links) vanish with the process, SIGKILL included. Netlink ones (cls_bpf filters, IFLA_XDP)
// are kept by the kernel: tsbcc removes them at exit and on SIGINT/SIGTERM/SIGHUP, but SIGKILL
// cannot run anything, so after SIGKILL they stay until someone removes them (tested as such).
// Also: without CAP_NET_ADMIN / CAP_NET_RAW, attaching fails with one line naming the capability.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { tcxPrograms } from '../../src/attach/index.js';
import { loadProgram } from '../../src/load/index.js';
import { Assembler, R0 } from '../../src/isa/asm.js';
import { VethPair, ip } from '../fixtures/netns.js';

const skip = (process.getuid?.() !== 0 || !existsSync('/sys/kernel/btf/vmlinux')) && 'needs root and kernel BTF';
const CHILD = fileURLToPath(new URL('../fixtures/net_child.js', import.meta.url));

const pair = skip ? undefined : new VethPair();
const children = new Set<import('node:child_process').ChildProcess>();
after(() => {
  // A failed assertion may leave a holder running: end it before its namespace goes.
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  pair?.close();
});

const tcFilters = (): string => ip('netns', 'exec', pair!.nsB, 'tc', 'filter', 'show', 'dev', pair!.ifB, 'ingress').trim();
const qdiscs = (): string => ip('netns', 'exec', pair!.nsB, 'tc', 'qdisc', 'show', 'dev', pair!.ifB);
const linkShow = (): string => ip('-n', pair!.nsB, 'link', 'show', 'dev', pair!.ifB);
const bpftoolNet = (): string => ip('netns', 'exec', pair!.nsB, 'bpftool', 'net', 'show', 'dev', pair!.ifB);
const tcx = (): number[] => pair!.inB(() => tcxPrograms(pair!.ifB, 'ingress'));

/** Start a child in namespace B holding an attachment; resolves once it is attached. */
async function holder(how: string) {
  const child = spawn('ip', ['netns', 'exec', pair!.nsB, process.execPath, CHILD, 'hold', how, pair!.ifB], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '', err = '';
  child.stderr.on('data', (d) => { err += d; });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => { out += d; if (out.includes('ready')) resolve(); });
    child.on('exit', () => reject(new Error(`child exited before attaching: ${err}`)));
  });
  return { child, stop: async (sig: NodeJS.Signals) => { child.kill(sig); const [code, signal] = await once(child, 'exit'); return { code, signal, err }; } };
}

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  test(`${sig} removes a netlink cls_bpf filter and the clsact qdisc it added`, { skip, timeout: 30000 }, async () => {
    const h = await holder('tc-netlink');
    assert.match(tcFilters(), /bpf .*hold.* direct-action/);
    assert.match(qdiscs(), /clsact/);
    const r = await h.stop(sig);
    assert.equal(r.signal, sig, 'the child still dies of the signal');
    assert.equal(r.err, '');
    assert.equal(tcFilters(), '');
    assert.doesNotMatch(qdiscs(), /clsact/);
  });
}

test('SIGTERM removes a netlink (IFLA_XDP) program', { skip, timeout: 30000 }, async () => {
  const h = await holder('xdp-netlink');
  assert.match(linkShow(), /xdpgeneric/);
  assert.equal((await h.stop('SIGTERM')).signal, 'SIGTERM');
  assert.doesNotMatch(linkShow(), /xdp/);
  assert.doesNotMatch(bpftoolNet(), new RegExp(pair!.ifB));
});

test('SIGKILL: tcx and XDP links vanish with the process', { skip, timeout: 30000 }, async () => {
  const before = tcx().length;
  const t = await holder('tcx');
  assert.equal(tcx().length, before + 1);
  await t.stop('SIGKILL');
  assert.equal(tcx().length, before);

  const x = await holder('xdp-link');
  assert.match(linkShow(), /xdpgeneric/);
  assert.match(bpftoolNet(), new RegExp(`${pair!.ifB}.* generic id`));
  await x.stop('SIGKILL');
  assert.doesNotMatch(linkShow(), /xdp/);
  assert.doesNotMatch(bpftoolNet(), new RegExp(pair!.ifB));
});

test('SIGKILL: a netlink cls_bpf filter stays (no cleanup can run); it must be removed by hand', { skip, timeout: 30000 }, async () => {
  const h = await holder('tc-netlink');
  await h.stop('SIGKILL');
  assert.match(tcFilters(), /bpf .*hold.* direct-action/, 'the kernel keeps netlink filters after SIGKILL');
  ip('netns', 'exec', pair!.nsB, 'tc', 'qdisc', 'del', 'dev', pair!.ifB, 'clsact');
  assert.equal(tcFilters(), '');
});

test('without CAP_NET_ADMIN / CAP_NET_RAW attaching fails in one line naming the capability', { skip, timeout: 30000 }, () => {
  const cases = [
    ['tc-netlink', 'SCHED_CLS', `attaching tc program inherited to ${pair!.ifB} ingress: Operation not permitted (EPERM) — needs root or CAP_NET_ADMIN`],
    ['xdp-netlink', 'XDP', `attaching XDP program inherited to ${pair!.ifB} in skb mode: Operation not permitted (EPERM) — needs root or CAP_NET_ADMIN`],
    ['socket', 'SOCKET_FILTER', `attaching socket filter inherited to a packet socket on ${pair!.ifB}: opening the socket: socket: Operation not permitted (EPERM) — needs root or CAP_NET_RAW`],
  ] as const;
  for (const [how, type, message] of cases) {
    // The program is loaded here and handed to the child as fd 3: only the attach lacks privilege.
    using prog = loadProgram({ type, name: 'inherited', insns: new Assembler().mov64Imm(R0, 0).exit().assemble() });
    const r = spawnSync('ip', ['netns', 'exec', pair!.nsB, 'setpriv', '--bounding-set', '-net_admin,-net_raw', '--inh-caps', '-net_admin,-net_raw',
      process.execPath, CHILD, 'try', how, pair!.ifB], { stdio: ['ignore', 'pipe', 'pipe', prog.fd], encoding: 'utf8', timeout: 20000 });
    assert.equal(r.stdout, `error: ${message}\n`, r.stderr);
  }
  assert.equal(tcFilters(), '');
  assert.doesNotMatch(linkShow(), /xdp/);
});
