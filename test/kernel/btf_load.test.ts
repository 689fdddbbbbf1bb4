// BTF built by BtfBuilder, loaded by the kernel: types, maps typed by it, and programs whose
// verifier log speaks in source lines through func_info / line_info.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BtfBuilder, encodeFuncInfo, encodeLineInfo } from '../../src/btf/writer.js';
import { loadBtf, BtfLoadError, btfInfo } from '../../src/btf/load.js';
import { Btf } from '../../src/btf/reader.js';
import { Assembler, R0, R1 } from '../../src/isa/asm.js';
import { loadProgram, VerifierError } from '../../src/load/index.js';
import { createMap } from '../../src/maps/index.js';

const skip = process.getuid?.() !== 0 && 'needs root';

/** Every kind the writer has, in the shapes a C compiler produces for a small program. */
function richBtf() {
  const b = new BtfBuilder();
  const int = b.addInt('int', 4, { signed: true });
  const uint = b.addInt('unsigned int', 4);
  const char = b.addInt('char', 1, { signed: true });
  const long = b.addInt('long', 8, { signed: true });
  const bool = b.addInt('_Bool', 1, { bool: true });
  const inner = b.addStruct('inner', 8, [{ name: 'x', type: int, bitOffset: 0 }, { name: 'y', type: uint, bitOffset: 32 }]);
  const char4 = b.addArray(char, int, 4);
  const u = b.addUnion('u', 4, [{ name: 'i', type: int, bitOffset: 0 }, { name: 'c', type: char4, bitOffset: 0 }]);
  const flags = b.addStruct('flags', 8, [
    { name: 'a', type: uint, bitOffset: 0, bitfieldSize: 1 },
    { name: 'b', type: uint, bitOffset: 1, bitfieldSize: 3 },
    { name: 'c', type: uint, bitOffset: 4, bitfieldSize: 28 },
    { name: 'd', type: int, bitOffset: 32 },
  ]);
  const color = b.addEnum('color', 4, [{ name: 'RED', value: 0 }, { name: 'GREEN', value: 1 }, { name: 'BLUE', value: -1 }]);
  const big = b.addEnum('big', 8, [{ name: 'HUGE', value: 1n << 40n }]);
  // References ahead: struct outer is added four types later.
  const outerId = b.typeCount + 5;
  const outerFwdPtr = b.addPtr(outerId); // struct outer *
  const outerT = b.addTypedef('outer_t', outerId);
  const name16 = b.addArray(char, int, 16);
  const long2 = b.addArray(long, int, 2);
  const outer = b.addStruct('outer', 64, [
    { name: 'in', type: inner, bitOffset: 0 },
    { name: 'u', type: u, bitOffset: 64 },
    { name: 'f', type: flags, bitOffset: 96 },
    { name: 'col', type: color, bitOffset: 160 },
    { name: 'next', type: outerFwdPtr, bitOffset: 192 },
    { name: 'name', type: name16, bitOffset: 256 },
    { name: 'arr', type: long2, bitOffset: 384 },
  ]);
  assert.equal(outer, outerId);
  const opaque = b.addFwd('opaque');
  const opaquePtr = b.addPtr(opaque);
  const cvInt = b.addConst(b.addVolatile(int));
  const tagged = b.addPtr(b.addTypeTag(int, 'user'));
  const dbl = b.addFloat('double', 8);
  b.addDeclTag('important', outer, 0);
  const voidPtr = b.addPtr(0);
  const proto = b.addFuncProto(int, [{ name: 'ctx', type: voidPtr }]);
  const func = b.addFunc('prog', proto, 'global');
  const counter = b.addVar('counter', long, 'global');
  const buf = b.addVar('buf', name16, 'static');
  const bss = b.addDatasec('.bss', 24, [{ type: buf, offset: 8, size: 16 }, { type: counter, offset: 0, size: 8 }]);
  return { b, ids: { int, uint, char, long, bool, inner, u, flags, color, big, outer, outerT, opaquePtr, cvInt, tagged, dbl, func, proto, counter, buf, bss } };
}

test('the kernel accepts BTF with structs, unions, bitfields, enums, typedefs, pointers, arrays, funcs, vars and a datasec', { skip }, () => {
  const { b } = richBtf();
  const blob = b.build();
  using btf = loadBtf(blob);
  assert.ok(btf.fd > 0);
  const info = btf.info({ data: true });
  assert.ok(info.id > 0);
  assert.equal(info.kernelBtf, false);
  assert.equal(info.size, blob.length);
  assert.deepEqual(info.data, blob); // the kernel keeps the blob as given
  assert.deepEqual(btfInfo(btf.fd).id, info.id);
});

test('an invalid member type raises BtfLoadError with the kernel\'s reason and log', { skip }, () => {
  const b = new BtfBuilder();
  const int = b.addInt('int', 4, { signed: true });
  b.addStruct('s', 8, [{ name: 'a', type: int, bitOffset: 0 }, { name: 'b', type: 99, bitOffset: 32 }]);
  let err: unknown;
  try { loadBtf(b.build()); } catch (e) { err = e; }
  assert.ok(err instanceof BtfLoadError, String(err));
  assert.equal(err.code, 'EINVAL');
  assert.match(err.reason, /STRUCT s .*b type_id=99 .*Invalid member/);
  assert.match(err.message, /the kernel rejected BTF \(EINVAL\): .*Invalid member/);
  assert.match(err.log, /^magic: 0xeb9f$/m);
});

test('other refusals carry their reason too', { skip }, () => {
  // A struct whose member runs past its end.
  const b = new BtfBuilder();
  const long = b.addInt('long', 8, { signed: true });
  b.addStruct('small', 4, [{ name: 'x', type: long, bitOffset: 0 }]);
  assert.throws(() => loadBtf(b.build()), (e: unknown) => e instanceof BtfLoadError && /Member exceeds struct_size/.test(e.reason));
  // A bad magic number.
  const blob = new BtfBuilder().build();
  blob.writeUInt16LE(0x1234, 0);
  assert.throws(() => loadBtf(blob), (e: unknown) => e instanceof BtfLoadError && /magic/i.test(e.reason));
});

test('maps take key and value types from our BTF, including a .bss datasec', { skip }, () => {
  const { b, ids } = richBtf();
  using btf = loadBtf(b.build());
  using hash = createMap({ type: 'HASH', keySize: 4, valueSize: 64, maxEntries: 4, name: 'typed',
    btfFd: btf.fd, btfKeyTypeId: ids.int, btfValueTypeId: ids.outerT });
  assert.ok(hash.fd > 0);
  using bss = createMap({ type: 'ARRAY', keySize: 4, valueSize: 24, maxEntries: 1, name: '.bss',
    btfFd: btf.fd, btfKeyTypeId: 0, btfValueTypeId: ids.bss });
  assert.ok(bss.fd > 0);
  // A value type whose size disagrees with value_size is refused.
  assert.throws(() => createMap({ type: 'HASH', keySize: 4, valueSize: 16, maxEntries: 4, btfFd: btf.fd,
    btfKeyTypeId: ids.int, btfValueTypeId: ids.inner }), (e: unknown) => (e as { code?: string }).code === 'EINVAL');
});

/** BTF for `int name(void *ctx)` plus a static `int helper(void)`, and the text of prog.c's lines. */
function programBtf(name: string, source: Record<number, string>) {
  const b = new BtfBuilder();
  const int = b.addInt('int', 4, { signed: true });
  const ctxProto = b.addFuncProto(int, [{ name: 'ctx', type: b.addPtr(0) }]);
  const main = b.addFunc(name, ctxProto, 'global');
  const helper = b.addFunc('helper', b.addFuncProto(int, []), 'static');
  const file = b.addString('prog.c');
  const line = (insnOff: number, n: number) => ({ insnOff, fileNameOff: file, lineOff: b.addString(source[n]!), line: n, col: 2 });
  return { b, int, main, helper, line };
}

test('with func_info and line_info, the verifier log shows the C source line of each instruction', { skip }, () => {
  const { b, main, line } = programBtf('bad_deref', { 10: 'void *p = 0;', 11: 'return *(u64 *)p;', 12: '}' });
  const lineInfo = encodeLineInfo([line(0, 10), line(1, 11), line(2, 12)]);
  using btf = loadBtf(b.build());
  const insns = new Assembler().mov64Imm(R1, 0).ldx('dw', R0, R1, 0).exit().assemble();
  let err: unknown;
  try {
    loadProgram({ type: 'SOCKET_FILTER', insns, name: 'bad_deref', btfFd: btf.fd,
      funcInfo: encodeFuncInfo([{ insnOff: 0, typeId: main }]), lineInfo });
  } catch (e) { err = e; }
  assert.ok(err instanceof VerifierError, String(err));
  assert.match(err.reason, /R1 invalid mem access 'scalar'/);
  // The kernel prints `; <line text> @ <file>:<line>` before the instructions of that line.
  assert.match(err.log, /^; void \*p = 0; @ prog\.c:10\n0: \(b7\) r1 = 0/m);
  assert.match(err.log, /^; return \*\(u64 \*\)p; @ prog\.c:11\n1: \(79\) r0 = \*\(u64 \*\)\(r1 \+0\)/m);
  assert.equal(err.insnIndex, 1);
});

test('a program with a sub-program loads with func_info and line_info, and the kernel keeps them', { skip }, () => {
  const { b, main, helper, line } = programBtf('calls_helper', { 10: 'return helper();', 11: '}', 14: 'return 7;', 15: '}' });
  const lineInfo = encodeLineInfo([line(0, 10), line(1, 11), line(2, 14), line(3, 15)]); // adds the strings: before build()
  using btf = loadBtf(b.build());
  const insns = new Assembler().callLocal('helper').exit().label('helper').mov64Imm(R0, 7).exit().assemble();
  using prog = loadProgram({ type: 'SOCKET_FILTER', insns, name: 'calls_helper', btfFd: btf.fd,
    funcInfo: encodeFuncInfo([{ insnOff: 0, typeId: main }, { insnOff: 2, typeId: helper }]), lineInfo });
  const info = prog.info();
  assert.equal(info.btfId, btf.info().id);
  assert.equal(info.nrFuncInfo, 2);
  assert.equal(info.nrLineInfo, 4);
  assert.equal(prog.testRun({ dataIn: Buffer.alloc(64) }).retval, 7);
});

test('func_info naming a type that is not a FUNC is refused with the verifier\'s reason', { skip }, () => {
  const { b, int } = programBtf('p', {});
  using btf = loadBtf(b.build());
  const insns = new Assembler().mov64Imm(R0, 0).exit().assemble();
  assert.throws(() => loadProgram({ type: 'SOCKET_FILTER', insns, btfFd: btf.fd,
    funcInfo: encodeFuncInfo([{ insnOff: 0, typeId: int }]) }),
  (e: unknown) => e instanceof VerifierError && /invalid type id/.test(e.log));
});

test('round trip: build, load, read the kernel\'s copy back with Btf.parse: same layout', { skip }, () => {
  const { b, ids } = richBtf();
  using btf = loadBtf(b.build());
  const back = Btf.parse(btf.info({ data: true }).data!);
  const outer = back.type(ids.outer);
  assert.equal(outer.kind, 4);
  assert.equal(outer.name, 'outer');
  assert.equal(outer.size, 64);
  assert.deepEqual(outer.members.map((m) => [m.name, m.bitOffset, m.bitfieldSize]),
    [['in', 0, 0], ['u', 64, 0], ['f', 96, 0], ['col', 160, 0], ['next', 192, 0], ['name', 256, 0], ['arr', 384, 0]]);
  assert.equal(back.find('outer'), ids.outer);
  const flags = back.type(ids.flags);
  assert.ok(flags.kind === 4);
  assert.deepEqual(flags.members.map((m) => [m.name, m.type, m.bitOffset, m.bitfieldSize]),
    [['a', ids.uint, 0, 1], ['b', ids.uint, 1, 3], ['c', ids.uint, 4, 28], ['d', ids.int, 32, 0]]);
  const u = back.type(ids.u);
  assert.ok(u.kind === 5 && u.size === 4 && u.name === 'u');
  const color = back.type(ids.color);
  assert.ok(color.kind === 6);
  assert.equal(color.signed, true);
  assert.deepEqual(color.values, [{ name: 'RED', value: 0n }, { name: 'GREEN', value: 1n }, { name: 'BLUE', value: -1n }]);
  const big = back.type(ids.big);
  assert.ok(big.kind === 19 && big.size === 8);
  assert.deepEqual(big.values, [{ name: 'HUGE', value: 1n << 40n }]);
  const uint = back.type(ids.uint);
  assert.ok(uint.kind === 1);
  assert.deepEqual([uint.name, uint.size, uint.bits, uint.signed], ['unsigned int', 4, 32, false]);
  const td = back.type(ids.outerT);
  assert.ok(td.kind === 8 && td.name === 'outer_t' && td.type === ids.outer);
  const func = back.type(ids.func);
  assert.ok(func.kind === 12 && func.name === 'prog' && func.linkage === 'global' && func.type === ids.proto);
  const proto = back.type(ids.proto);
  assert.ok(proto.kind === 13 && proto.returnType === ids.int && !proto.variadic);
  assert.deepEqual(proto.params.map((p) => p.name), ['ctx']);
  const bss = back.type(ids.bss);
  assert.ok(bss.kind === 15 && bss.name === '.bss' && bss.size === 24);
  assert.deepEqual(bss.vars, [{ type: ids.counter, offset: 0, size: 8 }, { type: ids.buf, offset: 8, size: 16 }]);
  const buf = back.type(ids.buf);
  assert.ok(buf.kind === 14 && buf.name === 'buf' && buf.linkage === 'static');
  const dbl = back.type(ids.dbl);
  assert.ok(dbl.kind === 16 && dbl.size === 8);
});
