// BtfBuilder: byte-exact encodings against linux/btf.h.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BtfBuilder, encodeFuncInfo, encodeLineInfo } from '../../src/btf/writer.js';

/** u32 words of the type section (after the 24-byte header). */
function typeWords(blob: Buffer): number[] {
  const typeLen = blob.readUInt32LE(12);
  const out: number[] = [];
  for (let o = 24; o < 24 + typeLen; o += 4) out.push(blob.readUInt32LE(o));
  return out;
}

function strings(blob: Buffer): Buffer {
  const strOff = blob.readUInt32LE(16), strLen = blob.readUInt32LE(20);
  return blob.subarray(24 + strOff, 24 + strOff + strLen);
}

test('an empty builder writes a header and a string section holding only "\\0"', () => {
  const blob = new BtfBuilder().build();
  assert.deepEqual(blob, Buffer.from([
    0x9f, 0xeb, 1, 0, 24, 0, 0, 0, // magic 0xeB9F, version 1, flags 0, hdr_len 24
    0, 0, 0, 0, 0, 0, 0, 0, // type_off 0, type_len 0
    0, 0, 0, 0, 1, 0, 0, 0, // str_off 0, str_len 1
    0,
  ]));
});

test('INT int: name_off, kind<<24, size, then encoding<<24 | offset<<16 | bits', () => {
  const b = new BtfBuilder();
  assert.equal(b.addInt('int', 4, { signed: true }), 1);
  assert.equal(b.addInt('_Bool', 1, { bool: true }), 2);
  assert.equal(b.addInt('char', 1, { char: true }), 3);
  assert.equal(b.typeCount, 3);
  const blob = b.build();
  assert.deepEqual(blob.subarray(0, 24), Buffer.from([
    0x9f, 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0, 48, 0, 0, 0, 48, 0, 0, 0, 16, 0, 0, 0]));
  assert.deepEqual(typeWords(blob), [
    1, 1 << 24, 4, (1 << 24) | 32,
    5, 1 << 24, 1, (4 << 24) | 8,
    11, 1 << 24, 1, (2 << 24) | 8,
  ]);
  assert.equal(strings(blob).toString('latin1'), '\0int\0_Bool\0char\0');
  assert.equal(blob.length, 24 + 48 + 16);
});

test('strings are deduplicated; the empty string is offset 0', () => {
  const b = new BtfBuilder();
  assert.equal(b.addString(''), 0);
  const x = b.addString('x');
  assert.equal(x, 1);
  assert.equal(b.addString('x'), 1);
  const int = b.addInt('int', 4, { signed: true });
  b.addStruct('x', 8, [{ name: 'int', type: int, bitOffset: 0 }, { name: 'x', type: int, bitOffset: 32 }]);
  assert.equal(strings(b.build()).toString('latin1'), '\0x\0int\0');
  assert.throws(() => b.addString('a\0b'), /NUL/);
});

test('struct members: plain offsets without kind_flag; bitfields set kind_flag and pack size<<24 | offset', () => {
  const b = new BtfBuilder();
  const int = b.addInt('int', 4, { signed: true });
  const plain = b.addStruct('p', 8, [{ name: 'a', type: int, bitOffset: 0 }, { name: 'b', type: int, bitOffset: 32 }]);
  const bits = b.addUnion('u', 4, [{ name: 'c', type: int, bitOffset: 0, bitfieldSize: 3 }, { name: 'd', type: int, bitOffset: 3, bitfieldSize: 5 }, { name: 'e', type: int, bitOffset: 0 }]);
  assert.deepEqual([plain, bits], [2, 3]);
  const w = typeWords(b.build());
  const s = b.addString.bind(b);
  assert.deepEqual(w.slice(4, 4 + 9), [s('p'), (4 << 24) | 2, 8, s('a'), int, 0, s('b'), int, 32]);
  assert.deepEqual(w.slice(13), [s('u'), ((1 << 31) | (5 << 24) | 3) >>> 0, 4,
    s('c'), int, (3 << 24) | 0, s('d'), int, (5 << 24) | 3, s('e'), int, 0]);
});

test('setMembers completes a self-referential struct', () => {
  const b = new BtfBuilder();
  const node = b.addStruct('node', 8, []);
  const p = b.addPtr(node);
  b.setMembers(node, [{ name: 'next', type: p, bitOffset: 0 }]);
  const w = typeWords(b.build());
  assert.deepEqual(w.slice(0, 6), [b.addString('node'), (4 << 24) | 1, 8, b.addString('next'), p, 0]);
  assert.deepEqual(w.slice(6), [0, 2 << 24, node]);
  assert.throws(() => b.setMembers(p, []), /not a struct or union/);
});

test('enums: ENUM for 32-bit values (kind_flag = signed), ENUM64 when a value needs it', () => {
  const b = new BtfBuilder();
  const e = b.addEnum('e', 4, [{ name: 'A', value: 0 }, { name: 'B', value: -1 }]);
  const u = b.addEnum('u', 4, [{ name: 'C', value: 0xffffffff }]);
  const e64 = b.addEnum('big', 8, [{ name: 'D', value: 0x1_0000_0002n }, { name: 'E', value: 3 }]);
  const s64 = b.addEnum('neg', 8, [{ name: 'F', value: -(1n << 40n) }]);
  const w = typeWords(b.build());
  const s = (x: string) => b.addString(x);
  assert.deepEqual([e, u, e64, s64], [1, 2, 3, 4]);
  assert.deepEqual(w.slice(0, 7), [s('e'), ((1 << 31) | (6 << 24) | 2) >>> 0, 4, s('A'), 0, s('B'), 0xffffffff]);
  assert.deepEqual(w.slice(7, 12), [s('u'), (6 << 24) | 1, 4, s('C'), 0xffffffff]);
  assert.deepEqual(w.slice(12, 21), [s('big'), (19 << 24) | 2, 8, s('D'), 2, 1, s('E'), 3, 0]);
  assert.deepEqual(w.slice(21), [s('neg'), ((1 << 31) | (19 << 24) | 1) >>> 0, 8, s('F'), 0, 0xffffff00]);
});

test('ptr, array, fwd, typedef, qualifiers, tags, float', () => {
  const b = new BtfBuilder();
  const int = b.addInt('int', 4, { signed: true });
  const s = (x: string) => b.addString(x);
  const ids = [
    b.addPtr(int), b.addArray(int, int, 16), b.addFwd('sf'), b.addFwd('uf', true), b.addTypedef('myint', int),
    b.addVolatile(int), b.addConst(int), b.addRestrict(int), b.addTypeTag(int, 'user'), b.addFloat('double', 8),
    b.addDeclTag('tag', int, 2),
  ];
  assert.deepEqual(ids, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.deepEqual(typeWords(b.build()).slice(4), [
    0, 2 << 24, int,
    0, 3 << 24, 0, int, int, 16,
    s('sf'), 7 << 24, 0,
    s('uf'), ((1 << 31) | (7 << 24)) >>> 0, 0,
    s('myint'), 8 << 24, int,
    0, 9 << 24, int,
    0, 10 << 24, int,
    0, 11 << 24, int,
    s('user'), 18 << 24, int,
    s('double'), 16 << 24, 8,
    s('tag'), 17 << 24, int, 2,
  ]);
  const d = new BtfBuilder();
  d.addDeclTag('t', 1);
  assert.equal(typeWords(d.build())[3], 0xffffffff);
});

test('func proto (variadic adds a 0/0 param), func linkage in vlen, var linkage, datasec sorted by offset', () => {
  const b = new BtfBuilder();
  const s = (x: string) => b.addString(x);
  const int = b.addInt('int', 4, { signed: true });
  const vp = b.addPtr(0);
  const proto = b.addFuncProto(int, [{ name: 'ctx', type: vp }], true);
  const f = b.addFunc('prog', proto);
  const g = b.addFunc('helper', proto, 'static');
  const v1 = b.addVar('a', int, 'global');
  const v2 = b.addVar('b', int, 'static');
  const sec = b.addDatasec('.bss', 8, [{ type: v2, offset: 4, size: 4 }, { type: v1, offset: 0, size: 4 }]);
  assert.deepEqual([proto, f, g, v1, v2, sec], [3, 4, 5, 6, 7, 8]);
  assert.deepEqual(typeWords(b.build()).slice(7), [
    0, (13 << 24) | 2, int, s('ctx'), vp, 0, 0,
    s('prog'), (12 << 24) | 1, proto,
    s('helper'), 12 << 24, proto,
    s('a'), 14 << 24, int, 1,
    s('b'), 14 << 24, int, 0,
    s('.bss'), (15 << 24) | 2, 8, v1, 0, 4, v2, 4, 4,
  ]);
});

test('range checks fail where the bad value is given', () => {
  const b = new BtfBuilder();
  assert.throws(() => b.addInt('i', 3), /size 3/);
  assert.throws(() => b.addInt('i', 4, {}, 33), /do not fit/);
  assert.throws(() => b.addInt('c', 1, { signed: true, char: true }), /exclusive/);
  assert.throws(() => b.addPtr(-1), /out of range/);
  assert.throws(() => b.addStruct('s', 4, [{ name: 'x', type: 1, bitOffset: 0, bitfieldSize: 300 }]), /bitfield size 300/);
  assert.throws(() => b.addEnum('e', 3, []), /size 3/);
  assert.throws(() => b.addFloat('f', 3), /size 3/);
});

test('func_info records: insn_off, type_id (8 bytes each)', () => {
  assert.deepEqual(encodeFuncInfo([{ insnOff: 0, typeId: 4 }, { insnOff: 7, typeId: 5 }]),
    Buffer.from([0, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0, 0]));
});

test('line_info records: insn_off, file_name_off, line_off, line<<10 | col (16 bytes each)', () => {
  const buf = encodeLineInfo([{ insnOff: 2, fileNameOff: 1, lineOff: 8, line: 11, col: 5 },
    { insnOff: 3, fileNameOff: 1, lineOff: 20, line: 12, col: 5000 }]);
  assert.equal(buf.length, 32);
  assert.deepEqual([0, 4, 8, 12, 16, 20, 24, 28].map((o) => buf.readUInt32LE(o)),
    [2, 1, 8, (11 << 10) | 5, 3, 1, 20, (12 << 10) | 0x3ff]);
  assert.throws(() => encodeLineInfo([{ insnOff: 0, fileNameOff: 0, lineOff: 0, line: 1 << 22, col: 0 }]), /line/);
});
