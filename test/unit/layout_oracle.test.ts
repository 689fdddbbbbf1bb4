// Struct layout against a C compiler. Each declaration is written once, as a small TS structure; a
// tiny printer derives its C text from it, so the two cannot drift. gcc (x86-64) compiles one
// program that prints sizeof, _Alignof and every member's offset (for bitfields, the first bit set
// when the field is all ones in a zeroed object, and how many bits are set), and layoutRecord must
// give the same numbers. clang x86-64 is asked too when it is installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FLOAT, DOUBLE, LDOUBLE, VOID, UINT, INT, UCHAR, KERNEL_TYPEDEFS,
  type QualType, type RecordT, type EnumT,
  intByName, newRecord, newTypeId, ptrTo, arrayOf, isRecord,
} from '../../src/compiler/check/types.js';
import { completeRecord, findField } from '../../src/compiler/check/layout.js';

// ---- the corpus, as data ----------------------------------------------------------------------

type TSpec = string | { ptr: TSpec } | { arr: TSpec; n?: number } | { ref: string } | { anon: Decl };
interface MSpec { name?: string; t: TSpec; bits?: number; aligned?: number; alignas?: number; packed?: boolean }
interface Decl { name?: string; kind: 'struct' | 'union'; members: MSpec[]; packed?: boolean; aligned?: number; pack?: number }

const m = (t: TSpec, name?: string, more: Partial<MSpec> = {}): MSpec => ({ t, name, ...more });
const bf = (t: TSpec, name: string | undefined, bits: number, more: Partial<MSpec> = {}): MSpec => ({ t, name, bits, ...more });
const S = (name: string, members: MSpec[], more: Partial<Decl> = {}): Decl => ({ name, kind: 'struct', members, ...more });
const U = (name: string, members: MSpec[], more: Partial<Decl> = {}): Decl => ({ name, kind: 'union', members, ...more });
const anonS = (members: MSpec[], more: Partial<Decl> = {}): TSpec => ({ anon: { kind: 'struct', members, ...more } });
const anonU = (members: MSpec[], more: Partial<Decl> = {}): TSpec => ({ anon: { kind: 'union', members, ...more } });
const arr = (t: TSpec, n?: number): TSpec => ({ arr: t, n });
const ref = (name: string): TSpec => ({ ref: name });

const CORPUS: Decl[] = [
  // plain members: natural alignment, tail padding, nesting, arrays
  S('basic', [m('char', 'c'), m('int', 'i'), m('short', 's'), m('long', 'l')]),
  S('char_u64', [m(arr('char', 3), 'a'), m('unsigned long long', 'x'), m('char', 'b')]),
  S('tail', [m('long', 'l'), m('char', 'c')]),
  S('ptrs', [m('char', 'c'), m({ ptr: 'void' }, 'p'), m('int', 'i')]),
  S('arr_after_u64', [m('u64', 'x'), m(arr('char', 13), 'name')]),
  S('floats', [m('char', 'c'), m('double', 'd'), m('float', 'f')]),
  S('ldouble', [m('char', 'c'), m('long double', 'ld'), m('char', 'e')]),
  S('int128', [m('char', 'c'), m('__int128', 'v'), m('short', 's')]),
  S('nested', [m('char', 'c'), m(ref('tail'), 't'), m('char', 'd')]),
  S('nested_arr', [m('short', 's'), m(arr(ref('ptrs'), 2), 'arr'), m('char', 'z')]),
  S('mixed_many', [m('u8', 'a'), m('u16', 'b'), m('u8', 'c'), m('u32', 'd'), m('u8', 'e'), m('u64', 'f'), m('u8', 'g')]),
  S('event', [m('u32', 'pid'), m('u32', 'tgid'), m('u64', 'ts'), m(arr('char', 16), 'comm'), m('int', 'retval')]),
  S('hist_key', [m('u64', 'slot'), m(arr('char', 16), 'comm'), m('u32', 'pid')]),
  S('ptr_array', [m('char', 'c'), m(arr({ ptr: 'char' }, 3), 'argv'), m('int', 'n')]),
  S('bools', [m('_Bool', 'a'), m('_Bool', 'b'), m('int', 'c'), m('_Bool', 'd')]),
  S('matrix', [m('char', 'c'), m(arr(arr('short', 3), 2), 'm'), m('char', 'd')]),
  S('empty_then', [m('char', 'c'), m(anonS([]), 'e'), m('int', 'i')]),
  // unions
  U('u_basic', [m('char', 'c'), m('int', 'i'), m('long', 'l')]),
  U('u_arr', [m(arr('char', 9), 'b'), m('int', 'i')]),
  U('u_nested', [m(ref('basic'), 's'), m(arr('char', 30), 'c')]),
  U('u_bitfields', [bf('unsigned', 'a', 3), bf('unsigned long long', 'b', 40), m('char', 'c')]),
  U('u_unnamed_bf', [m('char', 'c'), bf('int', undefined, 20)]),
  U('u_zero_bf', [bf('int', undefined, 0), m('char', 'c')]),
  U('u_arr_bf', [m(arr('unsigned char', 3), 'bytes'), bf('unsigned short', 's', 9)]),
  U('u_packed', [m('char', 'c'), m('int', 'i'), m('long', 'l')], { packed: true }),
  U('u_aligned', [m('int', 'i')], { aligned: 32 }),
  U('u_bool_bf', [bf('_Bool', 'b', 1), bf('unsigned char', 'c', 7)]),
  // bitfields
  S('bf_simple', [bf('unsigned', 'a', 3), bf('unsigned', 'b', 5), bf('unsigned', 'c', 24)]),
  S('bf_straddle', [bf('unsigned', 'a', 30), bf('unsigned', 'b', 4)]),
  S('bf_char', [bf('unsigned char', 'a', 3), bf('unsigned char', 'b', 6)]),
  S('bf_mixed_types', [bf('char', 'a', 3), bf('int', 'b', 10)]),
  S('bf_short_straddle', [m('char', 'c'), bf('unsigned short', 's', 10)]),
  S('bf_zero', [m('char', 'a'), bf('int', undefined, 0), m('char', 'b')]),
  S('bf_zero_between', [bf('unsigned', 'a', 3), bf('unsigned', undefined, 0), bf('unsigned', 'b', 3)]),
  S('bf_zero_ll', [m('char', 'a'), bf('long long', undefined, 0), m('char', 'b')]),
  S('bf_zero_char', [bf('unsigned', 'a', 3), bf('char', undefined, 0), bf('unsigned', 'b', 3)]),
  S('bf_zero_at_start', [bf('int', undefined, 0), m('char', 'a')]),
  S('bf_zero_after_full', [bf('unsigned', 'a', 32), bf('unsigned', undefined, 0), bf('unsigned', 'b', 1)]),
  S('bf_unnamed', [m('char', 'a'), bf('int', undefined, 5), m('char', 'b')]),
  S('bf_unnamed_ll', [m('char', 'a'), bf('long long', undefined, 3)]),
  S('bf_unnamed_then_named', [m('char', 'a'), bf('int', undefined, 7), bf('int', 'b', 3)]),
  S('bf_named_ll', [m('char', 'a'), bf('long long', 'b', 3)]),
  S('bf_ll', [bf('unsigned long long', 'a', 40), bf('unsigned long long', 'b', 30)]),
  S('bf_ll_fit', [bf('unsigned long long', 'a', 33), bf('unsigned', 'b', 20)]),
  S('bf_ll_full', [bf('unsigned long long', 'a', 64), bf('unsigned long long', 'b', 1)]),
  S('bf_large_then_char', [bf('unsigned long long', 'x', 60), m('char', 'c')]),
  S('bf_bool', [bf('_Bool', 'a', 1), bf('_Bool', 'b', 1), m('char', 'c'), bf('_Bool', 'd', 1)]),
  S('bf_signed', [bf('int', 'a', 5), bf('int', 'b', 27), bf('signed char', 'c', 7)]),
  S('bf_enum', [bf('enum ue', 'e', 4), bf('unsigned', 'x', 4)]),
  S('bf_enum_signed', [bf('enum se', 'e', 3), bf('int', 'y', 3), m('enum se', 'whole')]),
  S('bf_packed_enum', [m('char', 'c'), bf('enum pe', 'e', 3), m('enum pe', 'f')]),
  S('bf_after_array', [m(arr('char', 3), 'a'), bf('unsigned', 'b', 12)]),
  S('bf_u8_after_u32', [bf('unsigned', 'x', 28), bf('unsigned char', 'y', 6)]),
  S('bf_short_fits', [bf('unsigned', 'x', 5), bf('unsigned short', 'y', 11)]),
  S('bf_then_int', [bf('unsigned char', 'a', 1), m('int', 'b')]),
  S('bf_schar_run', [bf('signed char', 'a', 4), bf('signed char', 'b', 4), bf('signed char', 'c', 4)]),
  S('bf_u64_kernel', [m('u32', 'flags'), bf('u64', 'lo', 20), bf('u64', 'mid', 20), bf('u64', 'hi', 24), m('u16', 'x')]),
  S('bf_aligned', [m('char', 'c'), bf('int', 'b', 3, { aligned: 8 }), m('char', 'd')]),
  S('bf_long', [m('int', 'i'), bf('long', 'l', 33), bf('unsigned long', 'u', 31)]),
  // packed, aligned, _Alignas
  S('packed_basic', [m('char', 'c'), m('int', 'i'), m('short', 's'), m('long', 'l')], { packed: true }),
  S('packed_aligned', [m('char', 'c'), m('int', 'i')], { packed: true, aligned: 4 }),
  S('packed_member_aligned', [m('char', 'c'), m('int', 'i', { aligned: 4 })], { packed: true }),
  S('bf_packed', [m('char', 'a'), bf('unsigned', 'b', 30), bf('unsigned', 'c', 4)], { packed: true }),
  S('bf_packed_ll', [bf('unsigned char', 'a', 3), bf('unsigned long long', 'b', 62)], { packed: true }),
  S('bf_packed_zero', [m('char', 'a'), bf('int', undefined, 0), m('char', 'b')], { packed: true }),
  S('aligned_record', [m('int', 'x')], { aligned: 16 }),
  S('aligned_small', [m('int', 'x'), m('char', 'y')], { aligned: 2 }),
  S('aligned_member', [m('char', 'c'), m('int', 'x', { aligned: 16 }), m('char', 'd')]),
  S('alignas_member', [m('char', 'c'), m('short', 's', { alignas: 8 }), m('char', 'd')]),
  S('alignas_char', [m('char', 'c'), m('char', 'd', { alignas: 2 })]),
  S('member_packed', [m('char', 'c'), m('int', 'i', { packed: true })]),
  S('bf_member_packed', [m('char', 'c'), bf('unsigned', 'i', 30, { packed: true }), bf('unsigned', 'j', 4)]),
  S('nested_packed', [m('char', 'c'), m(ref('packed_basic'), 'p'), m('int', 'i')]),
  S('nested_aligned', [m('char', 'c'), m(ref('aligned_record'), 'r')]),
  S('packed_nested_aligned', [m('char', 'c'), m(ref('aligned_record'), 'r')], { packed: true }),
  S('packed_nested_struct', [m('char', 'c'), m(ref('tail'), 't'), m('short', 's')], { packed: true }),
  // #pragma pack
  S('pack1', [m('char', 'c'), m('int', 'i'), m('short', 's')], { pack: 1 }),
  S('pack2', [m('char', 'c'), m('int', 'i'), m('long long', 'l')], { pack: 2 }),
  S('pack2_bf', [m('char', 'a'), bf('int', 'b', 31)], { pack: 2 }),
  S('pack4_aligned_member', [m('char', 'c'), m('long long', 'l', { aligned: 16 })], { pack: 4 }),
  S('pack1_record_aligned', [m('char', 'c'), m('int', 'i')], { pack: 1, aligned: 8 }),
  S('pack2_bf_zero', [m('char', 'a'), bf('int', undefined, 0), m('char', 'b')], { pack: 2 }),
  // flexible and zero-length arrays
  S('flex', [m('int', 'n'), m(arr('char'), 'data')]),
  S('flex_u64', [m('char', 'c'), m(arr('unsigned long long'), 'v')]),
  S('flex_after_short', [m('short', 'a'), m('char', 'b'), m(arr('int'), 'd')]),
  S('zero_len', [m('int', 'a'), m(arr('char', 0), 'z')]),
  S('zero_len_u64', [m('char', 'a'), m(arr('u64', 0), 'z')]),
  // anonymous members
  S('anon_union', [m('int', 'kind'), m(anonU([m('int', 'ai'), m('long', 'al')])), m('char', 'tail')]),
  U('anon_struct_in_union', [m(anonS([m('short', 'lo'), m('short', 'hi')])), m('int', 'whole')]),
  S('anon_deep', [m('char', 'c'), m(anonS([m('char', 'dd'), m(anonU([m('int', 'e'), m(arr('char', 5), 'f')]))]))]),
  S('anon_bitfields', [m(anonS([bf('unsigned', 'ba', 4), bf('unsigned', 'bb', 4)])), m('char', 'bc')]),
  S('named_anon_type', [m(anonS([m('int', 'x'), m('char', 'y')]), 'inner'), m('char', 'z')]),
  S('anon_deeper', [m('long', 'x'), m(anonS([m('char', 'a'), m(anonS([m('short', 'b'), m(anonU([m('int', 'c'), m('char', 'd')]))]))]))]),
  S('anon_packed_inner', [m('char', 'c'), m(anonS([m('char', 'p'), m('int', 'q')], { packed: true })), m('int', 'r')]),
  S('anon_aligned_inner', [m('char', 'c'), m(anonU([m('int', 'ua'), m('char', 'ub')], { aligned: 8 })), m('char', 'r')]),
  // shaped like real tracing tools
  S('data_t', [m('u32', 'pid'), m('u64', 'ts'), m(arr('char', 16), 'comm'), m('u64', 'delta'), m('int', 'ret'), m('u8', 'flag')]),
  S('ipv6_key', [m(arr('u8', 16), 'saddr'), m(arr('u8', 16), 'daddr'), m('u16', 'lport'), m('u16', 'dport'), m('u32', 'pid')]),
  S('sk_flags', [bf('u8', 'sk_padding', 1), bf('u8', 'sk_kern_sock', 1), bf('u8', 'sk_no_check_tx', 1), bf('u8', 'sk_no_check_rx', 1),
    bf('u8', 'sk_userlocks', 4), m('u8', 'sk_pacing_shift'), m('u16', 'sk_type'), m('u16', 'sk_protocol'), m('u16', 'sk_gso_max_segs')]),
  S('req_like', [m({ ptr: 'void' }, 'q'), m('u64', 'start'), bf('unsigned', 'cmd_flags', 24), bf('unsigned', 'op', 8), m('u32', 'len'), m('u16', 'ioprio'), m(arr('u8', 0), 'end')]),
];

const ENUMS_C = 'enum ue { UE_A = 1, UE_B = 200 };\nenum se { SE_M = -1, SE_P = 5 };\nenum __attribute__((packed)) pe { PE_A = 1, PE_B = 3 };\n';
const TYPEDEFS = ['u8', 'u16', 'u32', 'u64'];

// ---- C text from the corpus -------------------------------------------------------------------

function cDeclarator(t: TSpec, inner: string, pack?: number): string {
  if (typeof t === 'string') return `${t} ${inner}`.trim();
  if ('ptr' in t) return cDeclarator(t.ptr, `*${inner}`, pack);
  if ('arr' in t) return cDeclarator(t.arr, `${inner.startsWith('*') ? `(${inner})` : inner}[${t.n ?? ''}]`, pack);
  if ('ref' in t) return `struct ${t.ref} ${inner}`.trim();
  return `${cBody(t.anon, '\t', pack)} ${inner}`.trim();
}

function cBody(d: Decl, indent: string, pack?: number): string {
  const lines = d.members.map((mm) => {
    let s = cDeclarator(mm.t, mm.name ?? '', pack);
    if (mm.alignas) s = `_Alignas(${mm.alignas}) ${s}`;
    if (mm.bits !== undefined) s += ` : ${mm.bits}`;
    const attrs = [mm.aligned ? `aligned(${mm.aligned})` : '', mm.packed ? 'packed' : ''].filter(Boolean);
    if (attrs.length) s += ` __attribute__((${attrs.join(', ')}))`;
    return `${indent}\t${s};`;
  });
  const attrs = [d.packed ? 'packed' : '', d.aligned ? `aligned(${d.aligned})` : ''].filter(Boolean);
  const head = `${d.kind}${attrs.length ? ` __attribute__((${attrs.join(', ')}))` : ''}${d.name ? ` ${d.name}` : ''}`;
  return `${head} {\n${lines.join('\n')}\n${indent}}`;
}

function cDecl(d: Decl): string {
  const body = `${cBody(d, '')};`;
  return d.pack ? `#pragma pack(push, ${d.pack})\n${body}\n#pragma pack(pop)` : body;
}

/** Named members reachable by name (through anonymous members), with whether each is a bitfield and its type. */
function accessible(d: Decl): { name: string; bits: boolean; bool: boolean }[] {
  const out: { name: string; bits: boolean; bool: boolean }[] = [];
  for (const mm of d.members) {
    if (mm.name !== undefined) out.push({ name: mm.name, bits: mm.bits !== undefined, bool: mm.t === '_Bool' });
    else if (mm.bits === undefined && typeof mm.t === 'object' && 'anon' in mm.t) out.push(...accessible(mm.t.anon));
  }
  return out;
}

function cProgram(): string {
  const parts = ['#include <stdio.h>', '#include <stddef.h>', '#include <string.h>',
    'typedef unsigned char u8; typedef unsigned short u16; typedef unsigned int u32; typedef unsigned long long u64;', ENUMS_C];
  for (const d of CORPUS) parts.push(cDecl(d));
  parts.push('static void bits(const char *s, const char *f, const unsigned char *p, size_t n) {',
    '\tint first = -1, count = 0;',
    '\tfor (size_t i = 0; i < n * 8; i++) if ((p[i / 8] >> (i % 8)) & 1) { if (first < 0) first = (int)i; count++; }',
    '\tprintf("B %s %s %d %d\\n", s, f, first, count);', '}', 'int main(void) {');
  for (const d of CORPUS) {
    const T = `struct ${d.name}`.replace('struct', d.kind);
    parts.push(`\tprintf("S ${d.name} %zu %zu\\n", sizeof(${T}), _Alignof(${T}));`);
    for (const a of accessible(d)) {
      if (!a.bits) { parts.push(`\tprintf("O ${d.name} ${a.name} %zu\\n", offsetof(${T}, ${a.name}));`); continue; }
      parts.push(`\t{ ${T} x; memset(&x, 0, sizeof x); x.${a.name} = ${a.bool ? 1 : -1}; bits("${d.name}", "${a.name}", (const unsigned char *)&x, sizeof x); }`);
    }
  }
  parts.push('\treturn 0;', '}');
  return parts.join('\n') + '\n';
}

// ---- the same declarations through layoutRecord -----------------------------------------------

const ENUMS: Record<string, EnumT> = {
  'enum ue': { kind: 'enum', name: 'ue', id: newTypeId(), values: new Map([['UE_A', 1n], ['UE_B', 200n]]), base: UINT },
  'enum se': { kind: 'enum', name: 'se', id: newTypeId(), values: new Map([['SE_M', -1n], ['SE_P', 5n]]), base: INT },
  'enum pe': { kind: 'enum', name: 'pe', id: newTypeId(), values: new Map([['PE_A', 1n], ['PE_B', 3n]]), base: UCHAR },
};

function qtOf(t: TSpec, env: Map<string, RecordT>, pack?: number): QualType {
  if (typeof t === 'string') {
    if (t === 'void') return { type: VOID };
    if (t === 'float') return { type: FLOAT };
    if (t === 'double') return { type: DOUBLE };
    if (t === 'long double') return { type: LDOUBLE };
    if (ENUMS[t]) return { type: ENUMS[t]! };
    if (TYPEDEFS.includes(t)) return KERNEL_TYPEDEFS.get(t)!;
    const i = intByName(t);
    if (!i) throw new Error(`corpus: unknown type ${t}`);
    return { type: i };
  }
  if ('ptr' in t) return { type: ptrTo(qtOf(t.ptr, env, pack)) };
  if ('arr' in t) return { type: arrayOf(qtOf(t.arr, env, pack), t.n) };
  if ('ref' in t) return { type: env.get(t.ref)! };
  return { type: build(t.anon, env, pack) };
}

function build(d: Decl, env: Map<string, RecordT>, pack?: number): RecordT {
  const p = d.pack ?? pack;
  const rec = newRecord(d.kind, d.name);
  const members = d.members.map((mm) => ({
    name: mm.name, type: qtOf(mm.t, env, p), bitWidth: mm.bits,
    aligned: Math.max(mm.aligned ?? 0, mm.alignas ?? 0) || undefined, packed: mm.packed,
  }));
  return completeRecord(rec, members, { packed: d.packed, aligned: d.aligned, pack: p });
}

/** Our numbers, in the C program's output format. */
function ourLines(): string[] {
  const env = new Map<string, RecordT>();
  const out: string[] = [];
  for (const d of CORPUS) {
    const rec = build(d, env);
    env.set(d.name!, rec);
    out.push(`S ${d.name} ${rec.size} ${rec.align}`);
    for (const a of accessible(d)) {
      const f = findField(rec, a.name);
      if (!f) { out.push(`? ${d.name} ${a.name}`); continue; }
      out.push(a.bits ? `B ${d.name} ${a.name} ${f.bitOffset} ${f.field.bitWidth}` : `O ${d.name} ${a.name} ${f.offset}`);
    }
  }
  return out;
}

function compilerLines(cc: string, args: string[], src: string): string[] | string {
  const dir = mkdtempSync(join(tmpdir(), 'tsbcc-layout-'));
  try {
    writeFileSync(join(dir, 'layout.c'), src);
    const comp = spawnSync(cc, [...args, '-std=gnu11', '-w', '-o', join(dir, 'layout'), join(dir, 'layout.c')], { encoding: 'utf8' });
    if (comp.status !== 0) return `${cc} failed:\n${comp.stderr}`;
    const run = spawnSync(join(dir, 'layout'), { encoding: 'utf8' });
    if (run.status !== 0) return `the layout program failed: ${run.stderr}`;
    return run.stdout.trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const have = (cc: string): boolean => spawnSync(cc, ['--version'], { stdio: 'ignore' }).status === 0;

function compare(cc: string, args: string[]): void {
  const theirs = compilerLines(cc, args, cProgram());
  if (typeof theirs === 'string') assert.fail(theirs);
  const ours = ourLines();
  assert.equal(ours.length, theirs.length, 'one line per record and member');
  const bad: string[] = [];
  for (let i = 0; i < ours.length; i++) if (ours[i] !== theirs[i]) bad.push(`${cc}: ${theirs[i]}   ours: ${ours[i]}`);
  assert.deepEqual(bad, [], `${bad.length} of ${ours.length} numbers differ`);
}

test('the corpus is large and covers every kind of member', () => {
  assert.ok(CORPUS.length >= 60, `${CORPUS.length} declarations`);
  const names = CORPUS.map((d) => d.name);
  assert.equal(new Set(names).size, names.length, 'declaration names are unique');
  // every accessible member name is unique within its declaration (C requires it through anonymous members)
  for (const d of CORPUS) {
    const a = accessible(d).map((x) => x.name);
    assert.equal(new Set(a).size, a.length, d.name);
  }
});

test('layoutRecord agrees with gcc (x86-64) on every size, alignment and offset', { skip: !have('gcc') && 'gcc is not installed' }, () => {
  compare('gcc', []);
});

test('layoutRecord agrees with clang (x86-64)', { skip: !have('clang') && 'clang is not installed' }, () => {
  compare('clang', ['-target', 'x86_64-linux-gnu']);
});

test('anonymous records are laid out where their members say', () => {
  const env = new Map<string, RecordT>();
  const rec = build(CORPUS.find((d) => d.name === 'anon_deeper')!, env);
  const c = findField(rec, 'c')!;
  assert.equal(c.path.length, 4);
  assert.ok(c.path.slice(0, 3).every((f) => f.name === undefined && isRecord(f.type.type)));
  assert.equal(c.offset, 16);
});
