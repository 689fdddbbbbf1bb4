// Codecs against gcc: each case is a C type, a C initializer and the JS value it must decode to.
// gcc (x86-64, the same LP64 layout as BPF) compiles one program holding every initialized object
// (static storage, so padding is zero) and prints sizeof and a hex dump of each. The codec built
// from tsbcc's own type for the same declaration must decode gcc's bytes to the JS value, and
// encoding the JS value must give gcc's bytes back, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSource } from '../../src/compiler/frontend.js';
import type { CType, EnumT } from '../../src/compiler/check/types.js';
import { codecFor, enumName, enumNames, EncodeError, recordFields, type CValue } from '../../src/tables/codec.js';

const PRELUDE = fileURLToPath(new URL('../../../test/corpus/prelude.h', import.meta.url));

const TYPES = `
struct event { u32 pid; u32 tgid; u64 ts; char comm[16]; int retval; };
struct ints { s8 a; u8 b; s16 c; u16 d; s32 e; u32 f; s64 g; u64 h; long i; unsigned long j; };
struct bits {
  unsigned a : 3; int b : 5; unsigned long long c : 40; unsigned char d : 1; _Bool e : 1;
  int : 0; short f : 7; int g : 17; long long h : 33; unsigned : 4; unsigned i : 4;
};
struct inner { char x; long y; };
struct outer {
  int tag;
  union { int i; float f; };
  struct { char c; u16 s; };
  struct inner in;
  struct inner arr[2];
  char last;
};
struct arrays { int m[2][3]; u8 addr[16]; char argv[3][8]; signed char sc[3]; short tail; };
struct ptrs { char c; void *p; char *s; };
enum color { RED = 1, GREEN = 2, BLUE = -1, CRIMSON = 1 };
struct misc { _Bool ok; enum color col; float f; double d; char full[4]; char utf[8]; };
struct __attribute__((packed)) packed { char c; u64 x; u16 y; };
union words { u64 x; u32 w[2]; u8 b[8]; };
struct wide { char c; __int128 s; unsigned __int128 u; };
struct ld { char c; long double v; };
struct hist_key { u64 slot; char comm[16]; u32 pid; };
struct enum_bits { enum color col : 3; unsigned big : 29; };
`;

interface Case { name: string; type: string; init: string; expect: CValue }

const CASES: Case[] = [
  { name: 'event', type: 'struct event', init: '{ 4242, 4241, 123456789012345ULL, "bash", -2 }',
    expect: { pid: 4242, tgid: 4241, ts: 123456789012345n, comm: 'bash', retval: -2 } },
  { name: 'ints_min', type: 'struct ints', init: '{ -128, 255, -32768, 65535, -2147483647 - 1, 4294967295u, -9223372036854775807LL - 1, 18446744073709551615ULL, -1, 1 }',
    expect: { a: -128, b: 255, c: -32768, d: 65535, e: -2147483648, f: 4294967295, g: -9223372036854775808n, h: 18446744073709551615n, i: -1n, j: 1n } },
  { name: 'ints_mid', type: 'struct ints', init: '{ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }',
    expect: { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7n, h: 8n, i: 9n, j: 10n } },
  { name: 'bits', type: 'struct bits', init: '{ 5, -11, 0xabcdef1234ULL, 1, 1, -64, -65536, -4294967296LL, 9 }',
    expect: { a: 5, b: -11, c: 0xabcdef1234n, d: 1, e: true, f: -64, g: -65536, h: -4294967296n, i: 9 } },
  { name: 'bits_max', type: 'struct bits', init: '{ 7, 15, 0xffffffffffULL, 0, 0, 63, 65535, 4294967295LL, 15 }',
    expect: { a: 7, b: 15, c: 0xffffffffffn, d: 0, e: false, f: 63, g: 65535, h: 4294967295n, i: 15 } },
  { name: 'outer', type: 'struct outer', init: '{ 7, { .i = 0x11223344 }, { \'z\', 513 }, { \'q\', -5 }, { { 1, 2 }, { 3, 4 } }, \'!\' }',
    expect: { tag: 7, i: 0x11223344, f: new Float32Array(new Int32Array([0x11223344]).buffer)[0]!, c: 'z'.charCodeAt(0), s: 513,
      in: { x: 'q'.charCodeAt(0), y: -5n }, arr: [{ x: 1, y: 2n }, { x: 3, y: 4n }], last: 33 } },
  { name: 'arrays', type: 'struct arrays', init: '{ { { 1, -2, 3 }, { -4, 5, -6 } }, { 10, 0, 0, 1, 255 }, { "ls", "-l", "/tmp" }, { -1, 2, -3 }, 99 }',
    expect: { m: [[1, -2, 3], [-4, 5, -6]], addr: [10, 0, 0, 1, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], argv: ['ls', '-l', '/tmp'], sc: [-1, 2, -3], tail: 99 } },
  { name: 'ptrs', type: 'struct ptrs', init: '{ 1, (void *)0xffff888012345678UL, (char *)8 }',
    expect: { c: 1, p: 0xffff888012345678n, s: 8n } },
  { name: 'misc', type: 'struct misc', init: '{ 1, BLUE, 1.5f, -2.25e300, { \'a\', \'b\', \'c\', \'d\' }, "h\\xc3\\xa9llo" }',
    expect: { ok: true, col: -1, f: 1.5, d: -2.25e300, full: 'abcd', utf: 'héllo' } },
  { name: 'packed', type: 'struct packed', init: '{ 3, 0x0102030405060708ULL, 0xbeef }',
    expect: { c: 3, x: 0x0102030405060708n, y: 0xbeef } },
  { name: 'words', type: 'union words', init: '{ .x = 0x8877665544332211ULL }',
    expect: { x: 0x8877665544332211n, w: [0x44332211, 0x88776655], b: [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88] } },
  { name: 'wide', type: 'struct wide', init: '{ 1, -((__int128)1 << 100), ((unsigned __int128)0xfedcba9876543210ULL << 64) | 7 }',
    expect: { c: 1, s: -(1n << 100n), u: (0xfedcba9876543210n << 64n) | 7n } },
  { name: 'ld', type: 'struct ld', init: '{ 2, -3.75L }', expect: { c: 2, v: -3.75 } },
  { name: 'hist_key', type: 'struct hist_key', init: '{ 12, "sshd", 77 }', expect: { slot: 12n, comm: 'sshd', pid: 77 } },
  { name: 'enum_bits', type: 'struct enum_bits', init: '{ GREEN, 0x1fffffff }', expect: { col: 2, big: 0x1fffffff } },
  { name: 'u64', type: 'u64', init: '0xfffffffffffffffeULL', expect: 0xfffffffffffffffen },
  { name: 'int', type: 'int', init: '-7', expect: -7 },
  { name: 'comm', type: 'char[16]', init: '"systemd-journal"', expect: 'systemd-journal' },
];

/** Named, non-bitfield fields (anonymous members' ones included) whose offsets gcc reports. */
const OFFSETS: [string, string][] = [
  ['struct event', 'ts'], ['struct event', 'comm'], ['struct event', 'retval'], ['struct ints', 'h'], ['struct ints', 'j'],
  ['struct outer', 'i'], ['struct outer', 'f'], ['struct outer', 'c'], ['struct outer', 's'], ['struct outer', 'in'],
  ['struct outer', 'arr'], ['struct outer', 'last'], ['struct arrays', 'addr'], ['struct arrays', 'argv'], ['struct arrays', 'sc'],
  ['struct arrays', 'tail'], ['struct ptrs', 'p'], ['struct ptrs', 's'], ['struct misc', 'col'], ['struct misc', 'd'],
  ['struct misc', 'utf'], ['struct packed', 'x'], ['struct packed', 'y'], ['struct wide', 's'], ['struct wide', 'u'],
  ['struct ld', 'v'], ['struct hist_key', 'pid'], ['union words', 'b'],
];
const gccOffsets = new Map<string, number>();

/** Per case: sizeof and the bytes, as gcc lays the initialized object out. */
function gccDump(): Map<string, { size: number; bytes: Buffer }> {
  const dir = mkdtempSync(join(tmpdir(), 'tsbcc-codec-'));
  try {
    const decl = (c: Case): string => c.type === 'char[16]' ? `static char i_${c.name}[16] = ${c.init};` : `static ${c.type} i_${c.name} = ${c.init};`;
    const src = `#include <stdio.h>\n#include <stddef.h>\n${TYPES}\n${CASES.map(decl).join('\n')}
static void dump(const char *n, const void *p, unsigned long size) {
  printf("%s %lu ", n, size);
  for (unsigned long i = 0; i < size; i++) printf("%02x", ((const unsigned char *)p)[i]);
  printf("\\n");
}
int main(void) {
${CASES.map((c) => `  dump("${c.name}", &i_${c.name}, sizeof i_${c.name});`).join('\n')}
${OFFSETS.map(([t, f]) => `  printf("offsetof ${t}.${f} %lu\\n", (unsigned long)offsetof(${t}, ${f}));`).join('\n')}
  return 0;
}
`;
    writeFileSync(join(dir, 'dump.c'), src);
    execFileSync('gcc', ['-std=gnu11', '-w', '-include', PRELUDE, '-o', join(dir, 'dump'), join(dir, 'dump.c')]);
    const out = execFileSync(join(dir, 'dump'), { encoding: 'utf8' });
    const m = new Map<string, { size: number; bytes: Buffer }>();
    for (const line of out.trim().split('\n')) {
      const o = /^offsetof (.*) (\d+)$/.exec(line);
      if (o) { gccOffsets.set(o[1]!, Number(o[2])); continue; }
      const [name, size, hex] = line.split(' ');
      m.set(name!, { size: Number(size), bytes: Buffer.from(hex!, 'hex') });
    }
    return m;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** tsbcc's types for every case, from the front end checking the same declarations. */
function tsbccTypes(): Map<string, CType> {
  const decl = (c: Case): string => c.type === 'char[16]' ? `char g_${c.name}[16];` : `${c.type} g_${c.name};`;
  const unit = checkSource(`${TYPES}\n${CASES.map(decl).join('\n')}\n`, { filename: 'codec.c' });
  return new Map(unit.globals.filter((g) => g.name.startsWith('g_')).map((g) => [g.name.slice(2), g.type.type]));
}

const gcc = gccDump();
const types = tsbccTypes();

for (const c of CASES) {
  test(`codec ${c.type} (${c.name}): decodes gcc's bytes and encodes them back`, () => {
    const codec = codecFor(types.get(c.name)!);
    const g = gcc.get(c.name)!;
    assert.equal(codec.size, g.size, 'sizeof');
    assert.deepEqual(codec.decode(g.bytes), c.expect);
    assert.deepEqual(codec.encode(c.expect).toString('hex'), g.bytes.toString('hex'));
    // At an offset inside a larger buffer, too.
    const big = Buffer.concat([Buffer.alloc(5, 0xaa), g.bytes]);
    assert.deepEqual(codec.decode(big, 5), c.expect);
  });
}

test('record fields as decoded objects show them: offsets are gcc\'s, anonymous members lifted', () => {
  for (const [t, f] of OFFSETS) {
    const c = CASES.find((x) => x.type === t)!;
    const r = types.get(c.name)!;
    assert.ok(r.kind === 'struct' || r.kind === 'union');
    const field = recordFields(r).find((x) => x.name === f);
    assert.ok(field, `${t} has no field ${f} in its decoded shape`);
    assert.equal(field.offset, gccOffsets.get(`${t}.${f}`), `offsetof(${t}, ${f})`);
  }
  const outer = types.get('outer')!;
  assert.ok(outer.kind === 'struct');
  assert.deepEqual(recordFields(outer).map((x) => x.name), ['tag', 'i', 'f', 'c', 's', 'in', 'arr', 'last']);
  const bits = types.get('bits')!;
  assert.ok(bits.kind === 'struct');
  assert.deepEqual(recordFields(bits).filter((x) => x.name === 'c' || x.name === 'i').map((x) => [x.name, x.bitOffset, x.bitWidth]),
    [['c', 8, 40], ['i', 128, 4]]);
});

const codecOf = (name: string) => codecFor<any>(types.get(name)!);

test('codec: missing fields encode as zero; numbers and bigints are both accepted for any integer', () => {
  const ev = codecOf('event');
  assert.deepEqual(ev.encode({ pid: 1n, ts: 5 }), ev.encode({ pid: 1, tgid: 0, ts: 5n, comm: '', retval: 0 }));
  assert.deepEqual(ev.decode(ev.encode({})), ev.zero());
  assert.deepEqual(ev.zero(), { pid: 0, tgid: 0, ts: 0n, comm: '', retval: 0 });
  // -1 into an unsigned field is all ones, as C's conversion makes it.
  assert.equal(ev.decode(ev.encode({ pid: -1 })).pid, 0xffffffff);
  // Byte buffers for char arrays and byte arrays.
  assert.equal(ev.decode(ev.encode({ comm: Buffer.from('abc') })).comm, 'abc');
  const arr = codecOf('arrays');
  assert.deepEqual(arr.decode(arr.encode({ addr: Buffer.from([1, 2, 3]) })).addr.slice(0, 4), [1, 2, 3, 0]);
});

test('codec: a bad value names the field and what was expected', () => {
  const ev = codecOf('event');
  assert.throws(() => ev.encode({ pid: 'x' }), (e: Error) => e instanceof EncodeError && /^event\.pid: expected an integer/.test(e.message));
  assert.throws(() => ev.encode({ pid: 2 ** 32 }), /event\.pid: number 4294967296 does not fit in unsigned int \(4 bytes\)/);
  assert.throws(() => ev.encode({ pid: 1.5 }), /event\.pid: expected an integer/);
  assert.throws(() => ev.encode({ comm: 'x'.repeat(17) }), /event\.comm: .* is 17 bytes, more than char \[16\] holds/);
  assert.throws(() => ev.encode({ pdi: 1 }), /event: struct event has no field 'pdi' \(did you mean 'pid'\?\)/);
  assert.throws(() => ev.encode(5), /event: expected an object with the fields of struct event, got number 5/);
  const arr = codecOf('arrays');
  assert.throws(() => arr.encode({ m: [[1, 2, 3], [4, 5, 'six']] }), /arrays\.m\[1\]\[2\]: expected an integer/);
  assert.throws(() => arr.encode({ m: [[1, 2, 3, 4]] }), /arrays\.m\[0\]: 4 elements do not fit in int \[3\]/);
  const bits = codecOf('bits');
  assert.throws(() => bits.encode({ a: 8 }), /bits\.a: number 8 does not fit in bitfield unsigned int : 3/);
  assert.throws(() => bits.encode({ b: -17 }), /bits\.b: number -17 does not fit in bitfield int : 5/);
  const misc = codecOf('misc');
  assert.throws(() => misc.encode({ ok: 2 }), /misc\.ok: expected a boolean/);
  assert.throws(() => misc.encode({ col: 'GREN' }), /misc\.col: enum color has no enumerator 'GREN' \(did you mean 'GREEN', 'RED'\?\)/);
  assert.throws(() => misc.encode({ f: 1n }), /misc\.f: expected a number for float, got 1n/);
  assert.throws(() => codecOf('event').decode(Buffer.alloc(8)), /struct event needs 40 bytes, got 8/);
});

test('codec: bitfields written one by one leave their neighbours alone', () => {
  const bits = codecOf('bits');
  const want = { a: 5, b: -11, c: 0xabcdef1234n, d: 1, e: true, f: -64, g: -65536, h: -4294967296n, i: 9 };
  const b = Buffer.alloc(bits.size);
  for (const [k, v] of Object.entries(want)) bits.encodeInto({ [k]: v }, b, 0);
  assert.deepEqual(b.toString('hex'), gcc.get('bits')!.bytes.toString('hex'));
});

test('codec: a string replaces a char array whole, inside a larger buffer too', () => {
  const ev = codecOf('event');
  const b = Buffer.alloc(ev.size + 8, 0xff);
  ev.encodeInto({ comm: 'systemd-journald' }, b, 4);
  ev.encodeInto({ comm: 'ab' }, b, 4);
  assert.equal(ev.decode(b, 4).comm, 'ab');
  assert.deepEqual([...b.subarray(4 + 16, 4 + 32)], [0x61, 0x62, ...new Array(14).fill(0)]);
  assert.equal(b[4 + 32 + 4], 0xff, 'bytes past the value are untouched');
  // A char array with no NUL in it ends at its length, whatever follows.
  const full = Buffer.alloc(ev.size + 4, 0x41);
  assert.equal(ev.decode(full).comm, 'A'.repeat(16));
});

test('codec: enumerator names by value, enums encode from names', () => {
  const misc = types.get('misc')!;
  assert.ok(misc.kind === 'struct');
  const col = misc.fields!.find((f) => f.name === 'col')!.type.type as EnumT;
  assert.equal(enumName(col, 2), 'GREEN');
  assert.equal(enumName(col, -1n), 'BLUE');
  assert.equal(enumName(col, 1), 'RED'); // the first name for an aliased value
  assert.equal(enumName(col, 9), undefined);
  assert.deepEqual([...enumNames(col)], [[1, 'RED'], [2, 'GREEN'], [-1, 'BLUE']]);
  const c = codecOf('misc');
  assert.equal(c.decode(c.encode({ col: 'GREEN' })).col, 2);
});

test('codec: latin1 decoding keeps every byte', () => {
  const c = codecFor(types.get('misc')!, { charEncoding: 'latin1' });
  const v = c.decode(gcc.get('misc')!.bytes) as { utf: string };
  assert.equal(v.utf, 'h\u00c3\u00a9llo');
  assert.deepEqual(c.encode(c.decode(gcc.get('misc')!.bytes)), gcc.get('misc')!.bytes);
});
