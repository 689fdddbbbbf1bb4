// cgroup hooks: a child process moved into a cgroup the test creates sends UDP datagrams; a
// cgroup_skb/egress program on that cgroup counts their bytes, and a connect4 program that says no
// makes the child's connect() fail. Traffic from outside the cgroup is not seen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { attachCgroup, cgroup2Root } from '../../src/attach/index.js';
import { loadProgram } from '../../src/load/index.js';
import { Assembler, R0 } from '../../src/isa/asm.js';
import { sendto, sockaddrIn } from '../../src/sys/socket.js';
import { VethPair } from '../fixtures/netns.js';
import { loadNetProgram, counts } from '../fixtures/net_programs.js';

const skip = (process.getuid?.() !== 0 || !existsSync('/sys/kernel/btf/vmlinux')) && 'needs root and kernel BTF';
const N = 5, SIZE = 100;

let cgroup = '';
const pair = skip ? undefined : new VethPair();
before(() => {
  if (skip) return;
  cgroup = join(cgroup2Root(), `tsbcc-net-${process.pid}`);
  mkdirSync(cgroup);
});
after(() => {
  pair?.close();
  if (cgroup) rmdirSync(cgroup);
});
let port = 50000 + (process.pid % 10000);

/**
 * Run a node script from inside the cgroup, in the test's namespace A: the shell moves itself into
 * the cgroup, then execs `ip netns exec` (which remounts /sys for the namespace), which execs node.
 */
function runInCgroup(script: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', `echo $$ > ${cgroup}/cgroup.procs && exec ip netns exec "$0" "$1" -e "$2"`,
    pair!.nsA, process.execPath, script],
    { encoding: 'utf8', timeout: 20000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sendScript = (p: number): string => `
const s = require('node:dgram').createSocket('udp4');
let left = ${N};
for (let i = 0; i < ${N}; i++) s.send(Buffer.alloc(${SIZE}), ${p}, '127.0.0.1', () => { if (--left === 0) s.close(); });`;

test('cgroup skb egress counts the bytes a process in the cgroup sends, and only those', { skip, timeout: 30000 }, () => {
  const p = ++port;
  using obj = loadNetProgram('cgroup_skb/egress', p, 1);
  {
    using link = attachCgroup(obj.program('cg_count'), cgroup, 'egress');
    assert.equal(link.kind, 'cgroup');
    // The same flow from the test process, outside the cgroup.
    const tx = pair!.udp(pair!.nsA);
    for (let i = 0; i < N; i++) sendto(tx, Buffer.alloc(SIZE), sockaddrIn('127.0.0.1', p));
    const r = runInCgroup(sendScript(p));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(counts(obj), [N, N * (20 + 8 + SIZE)]);
  }
  const r = runInCgroup(sendScript(p));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(counts(obj)[0], N, 'detached: the program no longer runs');
});

test('cgroup connect4 returning 0 makes connect() fail with EPERM inside the cgroup only while attached', { skip, timeout: 30000 }, () => {
  using prog = loadProgram({ type: 'CGROUP_SOCK_ADDR', expectedAttachType: 'CGROUP_INET4_CONNECT', name: 'deny_connect',
    insns: new Assembler().mov64Imm(R0, 0).exit().assemble() });
  const script = `
const s = require('node:dgram').createSocket('udp4');
s.connect(${++port}, '127.0.0.1', (e) => { console.log(e ? e.code : 'connected'); s.close(); });`;
  {
    using _link = attachCgroup(prog, cgroup, 'connect4');
    assert.equal(runInCgroup(script).stdout.trim(), 'EPERM');
  }
  assert.equal(runInCgroup(script).stdout.trim(), 'connected');
});

test('a missing cgroup is named in one line', { skip }, () => {
  using obj = loadNetProgram('cgroup_skb/egress', ++port, 1);
  const missing = join(cgroup2Root(), `tsbcc-no-such-${process.pid}`);
  assert.throws(() => attachCgroup(obj.program('cg_count'), missing, 'egress'), { message: `no cgroup '${missing}'` });
  assert.throws(() => attachCgroup(obj.program('cg_count'), `tsbcc-no-such-${process.pid}`, 'egress'), { message: `no cgroup '${missing}'` });
  assert.throws(() => attachCgroup(obj.program('cg_count'), cgroup, 'sideways' as 'egress'), /unknown cgroup hook 'sideways'/);
});

test('links attach with multi semantics: two egress programs on one cgroup both run; closing one leaves the other', { skip, timeout: 30000 }, () => {
  const p = ++port;
  using a = loadNetProgram('cgroup_skb/egress', p, 1);
  using b = loadNetProgram('cgroup_skb/egress', p, 1);
  const la = attachCgroup(a.program('cg_count'), cgroup, 'egress');
  using _lb = attachCgroup(b.program('cg_count'), cgroup, 'CGROUP_INET_EGRESS');
  assert.equal(runInCgroup(sendScript(p)).status, 0);
  assert.deepEqual([counts(a)[0], counts(b)[0]], [N, N]);
  la.close();
  assert.equal(runInCgroup(sendScript(p)).status, 0);
  assert.deepEqual([counts(a)[0], counts(b)[0]], [N, 2 * N]);
});

test('sock_create and sysctl hooks: a program returning 0 denies the operation inside the cgroup', { skip, timeout: 30000 }, () => {
  const deny = (type: 'CGROUP_SOCK' | 'CGROUP_SYSCTL', expectedAttachType: 'CGROUP_INET_SOCK_CREATE' | 'CGROUP_SYSCTL') =>
    loadProgram({ type, expectedAttachType, name: `deny_${type.toLowerCase()}`, insns: new Assembler().mov64Imm(R0, 0).exit().assemble() });
  const cases = [
    ['sock_create', deny('CGROUP_SOCK', 'CGROUP_INET_SOCK_CREATE'),
      `try { require('node:net').createServer().listen(0, '127.0.0.1').on('error', (e) => console.log(e.code)).on('listening', function () { console.log('ok'); this.close(); }); } catch (e) { console.log(e.code); }`],
    ['sysctl', deny('CGROUP_SYSCTL', 'CGROUP_SYSCTL'),
      `try { require('node:fs').readFileSync('/proc/sys/kernel/ostype'); console.log('ok'); } catch (e) { console.log(e.code); }`],
  ] as const;
  for (const [hook, prog, script] of cases) {
    using _p = prog;
    {
      using _l = attachCgroup(prog, cgroup, hook);
      assert.equal(runInCgroup(script).stdout.trim(), 'EPERM', hook);
    }
    assert.equal(runInCgroup(script).stdout.trim(), 'ok', hook);
  }
});
