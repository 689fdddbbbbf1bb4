// tc actions (act_bpf): a SCHED_ACT program run by a matchall filter on a veth end's ingress counts
// the UDP datagrams that arrive, and its TC_ACT_SHOT verdict drops them. The host kernel has no
// act_bpf, so this runs in a QEMU guest (`npm run test:vm`); wherever act_bpf is absent it skips.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { attachTc, attachTcAction, haveTcActionBpf, pendingCleanups } from '../../src/attach/index.js';
import { kernelVersion } from '../../src/sys/index.js';
import { VethPair, ip } from '../fixtures/netns.js';
import { loadNetProgram, counts } from '../fixtures/net_programs.js';

const root = process.getuid?.() === 0 && existsSync('/sys/kernel/btf/vmlinux');
// In the guest the kernel does not load modules on demand: load what this test uses (best effort;
// whatever is missing shows up below as a skip or a failure that names it).
if (root && process.env.TSBCC_VM_HOST_RELEASE) {
  for (const m of ['veth', 'sch_ingress', 'cls_bpf', 'cls_matchall', 'act_bpf']) spawnSync('modprobe', ['-q', m]);
}
const pair = root ? new VethPair() : undefined;
after(() => pair?.close());
const needRoot = !root && 'needs root and kernel BTF';
const skip = !root ? 'needs root and kernel BTF'
  : !pair!.inB(haveTcActionBpf) && 'this kernel has no act_bpf (CONFIG_NET_ACT_BPF): tc BPF actions cannot run here';

const TC_ACT_OK = 0, TC_ACT_SHOT = 2;
const N = 6, SIZE = 30, FRAME = 14 + 20 + 8 + SIZE;
let port = 21000 + (process.pid % 10000);

test('act_bpf on ingress counts a UDP flow; TC_ACT_SHOT drops it; close() removes filter and qdisc', { skip, timeout: 60000 }, async () => {
  const v = pair!;
  const p1 = ++port;
  {
    using obj = loadNetProgram('action', p1, TC_ACT_OK);
    using link = v.inB(() => attachTcAction(obj.program('act_count'), v.ifB, { direction: 'ingress' }));
    assert.match(ip('netns', 'exec', v.nsB, 'tc', 'filter', 'show', 'dev', v.ifB, 'ingress'), /matchall[\s\S]*action order 1: bpf/);
    assert.ok(pendingCleanups().includes(`tc ${v.ifB} ingress`));
    assert.equal(await v.udpAtoB(p1, N, SIZE), N);
    assert.deepEqual(counts(obj), [N, N * FRAME]);
    assert.ok(!link.closed);
  }
  const p2 = ++port;
  {
    using obj = loadNetProgram('action', p2, TC_ACT_SHOT);
    const link = v.inB(() => attachTcAction(obj.program('act_count'), v.ifB, { direction: 'ingress' }));
    assert.equal(await v.udpAtoB(p2, N, SIZE, 800), 0, 'TC_ACT_SHOT drops every datagram');
    assert.equal(counts(obj)[0], N);
    link.close();
    assert.equal(await v.udpAtoB(p2, N, SIZE), N);
  }
  assert.equal(ip('netns', 'exec', v.nsB, 'tc', 'filter', 'show', 'dev', v.ifB, 'ingress').trim(), '');
  assert.doesNotMatch(ip('netns', 'exec', v.nsB, 'tc', 'qdisc', 'show', 'dev', v.ifB), /clsact/);
});

test('attachTc picks tcx on 6.6+ and falls back to a netlink cls_bpf filter before', { skip: needRoot, timeout: 60000 }, async () => {
  const v = pair!;
  const [maj, min] = kernelVersion();
  const tcx = maj > 6 || (maj === 6 && min >= 6);
  const p = ++port;
  using obj = loadNetProgram('tc', p, TC_ACT_OK);
  {
    using link = v.inB(() => attachTc(obj.program('tc_count'), v.ifB, { direction: 'ingress' }));
    assert.equal(link.kind, tcx ? 'tcx' : 'tc');
    assert.equal(await v.udpAtoB(p, N, SIZE), N);
    assert.deepEqual(counts(obj), [N, N * FRAME]);
  }
  assert.equal(ip('netns', 'exec', v.nsB, 'tc', 'filter', 'show', 'dev', v.ifB, 'ingress').trim(), '');
});
