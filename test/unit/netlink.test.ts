// Netlink encoding without a kernel: header and attribute layout, padding, nesting, and turning an
// error message with an extended ack into a NetlinkError that quotes the kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMessage, decodeMessages, Attrs, u32, str, nested } from '../../src/netlink/message.js';
import { tcmsg, clsactParent, CLSACT_HANDLE } from '../../src/netlink/tc.js';
import { nlconst } from '../../src/netlink/index.js';

test('a message is nlmsghdr + padded family header + 4-byte aligned attributes, nested ones flagged', () => {
  const m = encodeMessage(nlconst.RTM_NEWTFILTER, 0x405, 9, tcmsg(3, 1, clsactParent('ingress'), 0x00070300),
    [str(nlconst.TCA_KIND, 'bpf'), nested(nlconst.TCA_OPTIONS, [u32(nlconst.TCA_BPF_FD, 42), str(nlconst.TCA_BPF_NAME, 'x')])]);
  assert.equal(m.length % 4, 0);
  assert.equal(m.readUInt32LE(0), m.length);
  assert.deepEqual([m.readUInt16LE(4), m.readUInt16LE(6), m.readUInt32LE(8)], [44, 0x405, 9]);
  assert.deepEqual([m.readInt32LE(20), m.readUInt32LE(24), m.readUInt32LE(28).toString(16)], [3, 1, 'fffffff2']);
  // TCA_KIND "bpf\0": len 8, then TCA_OPTIONS with NLA_F_NESTED.
  assert.deepEqual([m.readUInt16LE(36), m.readUInt16LE(38), m.toString('latin1', 40, 43)], [8, 1, 'bpf']);
  assert.equal(m.readUInt16LE(46), 2 | nlconst.NLA_F_NESTED);
  const [d] = [...decodeMessages(m)];
  const opts = new Attrs(d!.payload.subarray(nlconst.TCMSG_LEN)).nested(nlconst.TCA_OPTIONS)!;
  assert.equal(opts.u32(nlconst.TCA_BPF_FD), 42);
  assert.equal(opts.str(nlconst.TCA_BPF_NAME), 'x');
  assert.equal(CLSACT_HANDLE, 0xffff0000);
  assert.equal(clsactParent('egress'), 0xfffffff3);
});

test('several messages in one datagram decode in order', () => {
  const a = encodeMessage(1, 0, 1, Buffer.alloc(3));
  const b = encodeMessage(3, 2, 2, Buffer.alloc(0));
  assert.deepEqual([...decodeMessages(Buffer.concat([a, b]))].map((m) => [m.type, m.seq, m.payload.length]), [[1, 1, 4], [3, 2, 0]]);
});
