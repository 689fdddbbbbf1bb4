// tc classifiers on a veth pair between two test-owned network namespaces: a program on B's
// ingress or A's egress counts the UDP datagrams A sends to B, and a drop verdict really drops them.
// Both ways in: tcx links and netlink cls_bpf filters on clsact.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { attachTc, tcxPrograms, TcFilterLink, pendingCleanups } from '../../src/attach/index.js';
import { NetlinkSocket, NetlinkError, ifIndex, listFilters, listQdiscs, clsactParent, addClsact, deleteClsact, addBpfFilter } from '../../src/netlink/index.js';
import { VethPair, ip } from '../fixtures/netns.js';
import { loadNetProgram, counts } from '../fixtures/net_programs.js';

const skip = (process.getuid?.() !== 0 || !existsSync('/sys/kernel/btf/vmlinux')) && 'needs root and kernel BTF';
const TC_ACT_OK = 0, TC_ACT_SHOT = 2;
const N = 7, SIZE = 40, FRAME = 14 + 20 + 8 + SIZE;

const pair = skip ? undefined : new VethPair();
after(() => pair?.close());
let port = 20000 + (process.pid % 10000);

for (const via of ['tcx', 'netlink'] as const) {
  for (const direction of ['ingress', 'egress'] as const) {
    test(`tc ${direction} via ${via} counts a UDP flow and a drop verdict drops it`, { skip, timeout: 30000 }, async () => {
      const v = pair!;
      // Ingress on B sees what arrives; egress on A sees what leaves.
      const inNs = direction === 'ingress' ? v.inB.bind(v) : v.inA.bind(v);
      const dev = direction === 'ingress' ? v.ifB : v.ifA;
      const ns = direction === 'ingress' ? v.nsB : v.nsA;
      const p1 = ++port;
      {
        using obj = loadNetProgram('tc', p1, TC_ACT_OK);
        using link = inNs(() => attachTc(obj.program('tc_count'), dev, { direction, via }));
        assert.equal(link.kind, via === 'tcx' ? 'tcx' : 'tc');
        const id = obj.program('tc_count').info().id;
        assert.equal(inNs(() => tcxPrograms(dev, direction)).includes(id), via === 'tcx');
        if (via === 'netlink') {
          assert.ok(link instanceof TcFilterLink);
          const shown = ip('netns', 'exec', ns, 'tc', 'filter', 'show', 'dev', dev, direction);
          assert.match(shown, new RegExp(`bpf .*tc_count.* direct-action`), shown);
          assert.match(shown, new RegExp(`pref ${link.priority} `));
          assert.ok(pendingCleanups().includes(`tc ${dev} ${direction}`));
        }
        assert.equal(await v.udpAtoB(p1, N, SIZE), N, 'all datagrams arrive while the program passes them');
        assert.deepEqual(counts(obj), [N, N * FRAME]);
      }
      const p2 = ++port;
      {
        using obj = loadNetProgram('tc', p2, TC_ACT_SHOT);
        const link = inNs(() => attachTc(obj.program('tc_count'), dev, { direction, via }));
        assert.equal(await v.udpAtoB(p2, N, SIZE, 600), 0, 'TC_ACT_SHOT drops every datagram');
        assert.equal(counts(obj)[0], N, 'the program saw each dropped datagram');
        link.close();
        assert.equal(await v.udpAtoB(p2, N, SIZE), N, 'after close() the flow passes again');
        assert.equal(counts(obj)[0], N, 'a closed link no longer runs the program');
      }
      // Nothing of ours is left on the interface.
      assert.equal(ip('netns', 'exec', ns, 'tc', 'filter', 'show', 'dev', dev, direction).trim(), '');
      assert.doesNotMatch(ip('netns', 'exec', ns, 'tc', 'qdisc', 'show', 'dev', dev), /clsact/);
      assert.doesNotMatch(pendingCleanups().join(','), new RegExp(dev));
    });
  }
}

test('netlink cls_bpf: a clsact qdisc that was already there stays; priority and handle are honoured', { skip, timeout: 30000 }, () => {
  const v = pair!;
  using obj = loadNetProgram('tc', ++port, TC_ACT_OK);
  v.inB(() => {
    using nl = new NetlinkSocket();
    const idx = ifIndex(v.ifB, nl);
    assert.equal(addClsact(nl, idx, v.ifB), true);
    try {
      const a = attachTc(obj.program('tc_count'), v.ifB, { direction: 'ingress', via: 'netlink', priority: 7, handle: 3 }) as TcFilterLink;
      const b = attachTc(obj.program('tc_count'), v.ifB, { direction: 'ingress', via: 'netlink', priority: 9, handle: 4 }) as TcFilterLink;
      assert.deepEqual([a.priority, a.handle, a.createdQdisc], [7, 3, false]);
      assert.deepEqual(listFilters(nl, idx, clsactParent('ingress')).map((f) => [f.kind, f.priority, f.handle, f.name]),
        [['bpf', 7, 3, 'tc_count'], ['bpf', 9, 4, 'tc_count']]);
      a.close();
      assert.deepEqual(listFilters(nl, idx, clsactParent('ingress')).map((f) => f.priority), [9]);
      b.close();
      assert.deepEqual(listFilters(nl, idx, clsactParent('ingress')), []);
      assert.ok(listQdiscs(nl, idx).some((q) => q.kind === 'clsact'), 'the qdisc we did not add is left alone');
    } finally {
      deleteClsact(nl, idx, v.ifB);
    }
  });
});

test('netlink: a filter that exists already is a clear one-line error from the kernel', { skip, timeout: 30000 }, () => {
  const v = pair!;
  using obj = loadNetProgram('tc', ++port, TC_ACT_OK);
  v.inB(() => {
    using a = attachTc(obj.program('tc_count'), v.ifB, { direction: 'egress', via: 'netlink', priority: 5, handle: 1 });
    assert.throws(() => attachTc(obj.program('tc_count'), v.ifB, { direction: 'egress', via: 'netlink', priority: 5, handle: 1 }),
      (e: Error) => /^attaching tc program tc_count to tv\S+ egress: .*\(EEXIST\)$/.test(e.message) && !e.message.includes('\n'));
    assert.ok(!a.closed);
  });
});

test('tc on a missing interface says so', { skip }, () => {
  using obj = loadNetProgram('tc', ++port, TC_ACT_OK);
  for (const via of ['tcx', 'netlink'] as const) {
    assert.throws(() => pair!.inB(() => attachTc(obj.program('tc_count'), 'tsbcc-nope0', { direction: 'ingress', via })),
      { message: "no network interface 'tsbcc-nope0'" });
  }
});

test('netlink errors carry the kernel\'s extended ack message', { skip }, () => {
  const v = pair!;
  using obj = loadNetProgram('tc', ++port, TC_ACT_OK);
  v.inA(() => {
    using nl = new NetlinkSocket();
    // No clsact qdisc on A: the kernel explains which part of the request is wrong.
    assert.throws(() => addBpfFilter(nl, { ifindex: ifIndex(v.ifA, nl), where: `${v.ifA} ingress`, parent: clsactParent('ingress'), priority: 1, handle: 1 },
      obj.program('tc_count').fd, 'tc_count'),
    (e: NetlinkError) => e instanceof NetlinkError && e.code === 'EINVAL' && /qdisc/i.test(e.extack ?? '') &&
      e.message === `adding bpf filter tc_count on ${v.ifA} ingress: ${e.extack} (EINVAL)`);
  });
});

test('netlink: the clsact qdisc this process added stays while any of its filters does, then goes', { skip, timeout: 30000 }, () => {
  const v = pair!;
  using obj = loadNetProgram('tc', ++port, TC_ACT_OK);
  const qdisc = (): boolean => /clsact/.test(ip('netns', 'exec', v.nsA, 'tc', 'qdisc', 'show', 'dev', v.ifA));
  for (const first of ['ingress', 'egress'] as const) {
    const links = v.inA(() => (['ingress', 'egress'] as const).map((direction) =>
      attachTc(obj.program('tc_count'), v.ifA, { direction, via: 'netlink' }) as TcFilterLink));
    assert.deepEqual(links.map((l) => l.createdQdisc), [true, true]);
    const [a, b] = first === 'ingress' ? links : [links[1]!, links[0]!];
    a!.close();
    assert.ok(qdisc(), `closing the ${first} filter keeps the qdisc the other one needs`);
    b!.close();
    assert.ok(!qdisc(), 'closing the last one removes it');
  }
});
