// Split BTF (kernel modules): ids and string offsets continue the base's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BtfBuilder } from '../../src/btf/writer.js';
import { Btf } from '../../src/btf/reader.js';
import { Kind } from '../../src/btf/types.js';
import { sizeOf, findMember } from '../../src/btf/query.js';

function splitBlob(types: number[][], strings: string[]): Buffer {
  const words = types.flat();
  const str = Buffer.from(strings.map((s) => s + '\0').join(''), 'latin1');
  const out = Buffer.alloc(24 + words.length * 4 + str.length);
  out.writeUInt16LE(0xeb9f, 0); out.writeUInt8(1, 2); out.writeUInt32LE(24, 4);
  out.writeUInt32LE(0, 8); out.writeUInt32LE(words.length * 4, 12);
  out.writeUInt32LE(words.length * 4, 16); out.writeUInt32LE(str.length, 20);
  words.forEach((w, i) => out.writeUInt32LE(w >>> 0, 24 + i * 4));
  str.copy(out, 24 + words.length * 4);
  return out;
}

test('split BTF reads types and strings from its base', () => {
  const b = new BtfBuilder();
  const int = b.addInt('int', 4, { signed: true });
  const base = b.addStruct('base_s', 8, [{ name: 'a', type: int, bitOffset: 0 }, { name: 'b', type: int, bitOffset: 32 }]);
  const baseBlob = b.build();
  const vm = Btf.parse(baseBlob, undefined, 'base');
  const baseStrLen = baseBlob.readUInt32LE(20);
  const aOff = baseBlob.indexOf(Buffer.from('\0a\0'), 24 + baseBlob.readUInt32LE(12)) + 1 - (24 + baseBlob.readUInt32LE(16));
  // Split strings start at baseStrLen: "" is not repeated; [0] = "mod_s", then "inner".
  const s0 = baseStrLen, s1 = baseStrLen + 'mod_s'.length + 1;
  const STRUCT = (name: number, vlen: number, size: number) => [name, (Kind.STRUCT << 24) | vlen, size];
  const mod = Btf.parse(splitBlob([
    // [3] struct mod_s { struct base_s inner; int a; } — `a` names a base string
    [...STRUCT(s0, 2, 12), s1, base, 0, aOff, int, 64],
    // [4] pointer to mod_s
    [0, Kind.PTR << 24, 3],
  ], ['mod_s', 'inner']), vm, 'mod');
  assert.equal(mod.startId, 3);
  assert.equal(mod.nextId, 5);
  assert.equal(mod.nameOf(3), 'mod_s');
  assert.equal(mod.nameOf(1), 'int'); // from the base
  assert.equal(mod.find('mod_s'), 3);
  assert.equal(mod.find('base_s'), base); // looked up through the base
  assert.deepEqual(mod.findAll('int'), [int]);
  const t = mod.type(3);
  assert.equal(t.kind, Kind.STRUCT);
  assert.deepEqual((t as { members: { name: string }[] }).members.map((m) => m.name), ['inner', 'a']);
  assert.equal(sizeOf(mod, 3), 12);
  assert.equal(findMember(mod, 3, 'a')!.bitOffset, 64);
  assert.equal(mod.kindOf(4), Kind.PTR);
  assert.throws(() => mod.type(5), /no type with id 5/);
});

test('not BTF: a clear error', () => {
  assert.throws(() => Btf.parse(Buffer.from('hello world, this is not btf at all')), /not BTF \(bad magic/);
  const b = new BtfBuilder();
  b.addInt('int', 4, { signed: true });
  const blob = b.build();
  assert.throws(() => Btf.parse(blob.subarray(0, blob.length - 4)), /run past the end/);
});
