// XDP in generic mode on a veth end in a test-owned namespace: a counting program sees the UDP
// datagrams that arrive, XDP_DROP makes them never reach the socket; via bpf_link and via netlink.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { attachXdp, PersistentLink, pendingCleanups } from '../../src/attach/index.js';
import { VethPair, ip } from '../fixtures/netns.js';
import { loadNetProgram, counts } from '../fixtures/net_programs.js';

const skip = (process.getuid?.() !== 0 || !existsSync('/sys/kernel/btf/vmlinux')) && 'needs root and kernel BTF';
const XDP_DROP = 1, XDP_PASS = 2;
const N = 6, SIZE = 50, FRAME = 14 + 20 + 8 + SIZE;

const pair = skip ? undefined : new VethPair();
after(() => pair?.close());
let port = 30000 + (process.pid % 10000);

const xdpShown = (): string => ip('-n', pair!.nsB, 'link', 'show', 'dev', pair!.ifB);

for (const via of ['link', 'netlink'] as const) {
  test(`XDP via ${via} (generic mode) counts arriving datagrams; XDP_DROP drops them`, { skip, timeout: 30000 }, async () => {
    const v = pair!;
    const p1 = ++port;
    {
      using obj = loadNetProgram('xdp', p1, XDP_PASS);
      using link = v.inB(() => attachXdp(obj.program('xdp_count'), v.ifB, { mode: 'skb', via }));
      assert.equal(link instanceof PersistentLink, via === 'netlink');
      assert.match(xdpShown(), /xdpgeneric/);
      assert.equal(await v.udpAtoB(p1, N, SIZE), N);
      assert.deepEqual(counts(obj), [N, N * FRAME]);
    }
    assert.doesNotMatch(xdpShown(), /xdp/, 'closing removed the program');
    const p2 = ++port;
    {
      using obj = loadNetProgram('xdp', p2, XDP_DROP);
      const link = v.inB(() => attachXdp(obj.program('xdp_count'), v.ifB, { mode: 'skb', via }));
      assert.equal(await v.udpAtoB(p2, N, SIZE, 600), 0, 'XDP_DROP: nothing arrives');
      assert.ok(counts(obj)[0] >= 1, 'the program saw the dropped datagrams');
      link.close();
      assert.equal(await v.udpAtoB(p2, N, SIZE), N, 'after close() the flow passes again');
    }
    assert.doesNotMatch(xdpShown(), /xdp/);
    assert.doesNotMatch(pendingCleanups().join(','), new RegExp(v.ifB));
  });
}

test('XDP errors: missing interface, driver mode unsupported, interface already taken', { skip, timeout: 30000 }, () => {
  const v = pair!;
  using obj = loadNetProgram('xdp', ++port, XDP_PASS);
  const prog = obj.program('xdp_count');
  for (const via of ['link', 'netlink'] as const) {
    assert.throws(() => v.inB(() => attachXdp(prog, 'tsbcc-nope0', { mode: 'skb', via })), { message: "no network interface 'tsbcc-nope0'" });
    // The namespace's loopback has no native XDP.
    assert.throws(() => v.inB(() => attachXdp(prog, 'lo', { mode: 'drv', via })), {
      message: "attaching XDP program xdp_count to lo in drv mode: the driver of lo does not support XDP in driver (native) mode; use generic mode ({ mode: 'skb' })",
    });
  }
  using first = v.inB(() => attachXdp(prog, v.ifB, { mode: 'skb', via: 'link' }));
  for (const via of ['link', 'netlink'] as const) {
    assert.throws(() => v.inB(() => attachXdp(prog, v.ifB, { mode: 'skb', via })),
      { message: `attaching XDP program xdp_count to ${v.ifB} in skb mode: interface ${v.ifB} already has an XDP program attached (program id ${prog.info().id}, generic (skb) mode)` });
  }
  assert.ok(!first.closed);
});

test('XDP driver (native) mode on veth, via link and via netlink: the mode flag reaches the kernel', { skip, timeout: 30000 }, async () => {
  const v = pair!;
  for (const via of ['link', 'netlink'] as const) {
    const p = ++port;
    using obj = loadNetProgram('xdp', p, XDP_PASS);
    {
      using _l = v.inB(() => attachXdp(obj.program('xdp_count'), v.ifB, { mode: 'drv', via }));
      assert.match(xdpShown(), / xdp qdisc/, 'attached in driver mode, not generic');
      assert.equal(await v.udpAtoB(p, N, SIZE), N);
      assert.deepEqual(counts(obj), [N, N * FRAME]);
    }
    assert.doesNotMatch(xdpShown(), /xdp/);
  }
});
