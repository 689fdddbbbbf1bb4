// Random records against gcc: generate struct declarations (integers of every width, _Bool,
// floats, pointers, enums, char and byte arrays, 2-D arrays, nested structs, anonymous unions,
// bitfields of several base types with unnamed and zero-width ones) and a random value for each.
// gcc lays out each value from a C initializer; tsbcc's codec, built from the front end's type for
// the same declaration, must encode the JS value to exactly gcc's bytes and decode gcc's bytes to
// something that encodes back to them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSource } from '../../src/compiler/frontend.js';
import { codecFor } from '../../src/tables/codec.js';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
}

const R = rng(20261125);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(R() * xs.length)]!;
const randBig = (bits: number): bigint => { let x = 0n; for (let i = 0; i < bits; i += 16) x = (x << 16n) | BigInt(Math.floor(R() * 65536)); return BigInt.asUintN(bits, x); };

/** A member: its declaration and a fresh random value as [JS value, C initializer]. */
interface Member { decl: (name: string) => string; value: () => [unknown, string] }

const INTS: [string, number, boolean][] = [['char', 1, true], ['signed char', 1, true], ['unsigned char', 1, false], ['short', 2, true],
  ['unsigned short', 2, false], ['int', 4, true], ['unsigned int', 4, false], ['long', 8, true], ['unsigned long', 8, false],
  ['long long', 8, true], ['unsigned long long', 8, false]];

function intValue(size: number, signed: boolean, bits = size * 8): [unknown, string] {
  // Signed: anything but the minimum (whose literal C spells differently); unsigned: anything.
  let v = randBig(bits);
  if (signed) { v = BigInt.asIntN(bits, v); if (v === -(1n << BigInt(bits - 1))) v += 1n; }
  const suffix = size === 8 ? (signed ? 'LL' : 'ULL') : signed ? '' : 'U';
  const lit = v < 0n ? `(-${-v}${suffix})` : `${v}${suffix}`;
  return [size > 4 ? v : Number(v), lit];
}

const prelude: string[] = [];
let typeNo = 0;

function scalar(inUnion: boolean): Member {
  const k = Math.floor(R() * (inUnion ? 3 : 8));
  if (k <= 2) {
    const [name, size, signed] = pick(INTS);
    return { decl: (n) => `${name} ${n}`, value: () => intValue(size, signed) };
  }
  if (k === 3) return { decl: (n) => `_Bool ${n}`, value: () => { const b = R() < 0.5; return [b, b ? '1' : '0']; } };
  if (k === 4) return { decl: (n) => `float ${n}`, value: () => { const v = Math.fround((Math.floor(R() * 20000) - 10000) / 64); return [v, `${Number.isInteger(v) ? `${v}.0` : v}f`]; } };
  if (k === 5) return { decl: (n) => `double ${n}`, value: () => { const v = (R() - 0.5) * 10 ** Math.floor(R() * 40 - 20); return [v, String(v)]; } };
  if (k === 6) return { decl: (n) => `void *${n}`, value: () => { const v = randBig(64); return [v, `(void *)0x${v.toString(16)}ULL`]; } };
  const e = `e${typeNo++}`;
  const vals = Array.from({ length: 1 + Math.floor(R() * 4) }, () => Math.floor(R() * 2000) - 1000);
  prelude.push(`enum ${e} { ${vals.map((v, i) => `${e}_${i} = ${v}`).join(', ')} };`);
  return { decl: (n) => `enum ${e} ${n}`, value: () => { const i = Math.floor(R() * vals.length); return [vals[i], `${e}_${i}`]; } };
}

function charArray(): Member {
  const n = 1 + Math.floor(R() * 20);
  return {
    decl: (name) => `char ${name}[${n}]`,
    value: () => {
      const len = Math.floor(R() * (n + 1));
      const bytes = Array.from({ length: len }, () => 1 + Math.floor(R() * 255));
      return [Buffer.from(bytes).toString('latin1'), `"${bytes.map((b) => '\\' + b.toString(8).padStart(3, '0')).join('')}"`];
    },
  };
}

function intArray(): Member {
  const [name, size, signed] = pick(INTS.filter(([n]) => n !== 'char'));
  const dims = R() < 0.3 ? [1 + Math.floor(R() * 3), 1 + Math.floor(R() * 4)] : [1 + Math.floor(R() * 8)];
  const gen = (d: number[]): [unknown, string] => {
    if (d.length === 0) return intValue(size, signed);
    const items = Array.from({ length: d[0]! }, () => gen(d.slice(1)));
    return [items.map(([j]) => j), `{ ${items.map(([, c]) => c).join(', ')} }`];
  };
  return { decl: (n) => `${name} ${n}${dims.map((d) => `[${d}]`).join('')}`, value: () => gen(dims) };
}

/** A run of bitfields (as members of their own: each has its own name and value). */
function bitfields(): Member[] {
  const types: [string, number, boolean][] = [['int', 32, true], ['unsigned int', 32, false], ['unsigned char', 8, false],
    ['long long', 64, true], ['unsigned long long', 64, false], ['short', 16, true]];
  return Array.from({ length: 1 + Math.floor(R() * 5) }, (): Member => {
    const [name, bits, signed] = pick(types);
    const w = 1 + Math.floor(R() * bits);
    const r = R();
    if (r < 0.1) return { decl: () => `${name} : 0`, value: () => [undefined, ''] };
    if (r < 0.2) return { decl: () => `${name} : ${w}`, value: () => [undefined, ''] };
    return {
      decl: (n) => `${name} ${n} : ${w}`,
      value: () => {
        let v = randBig(w);
        if (signed) { v = BigInt.asIntN(w, v); if (w > 1 && v === -(1n << BigInt(w - 1))) v += 1n; if (w === 1) v = 0n; }
        return [w > 32 ? v : Number(v), v < 0n ? `(${v})` : String(v)];
      },
    };
  });
}

/** A struct type; returns its name. Members get names m0, m1, ...; anonymous unions' members u<k>_<i>. */
function struct(depth: number): { name: string; members: { name?: string; m: Member; union?: { name: string; m: Member }[] }[] } {
  const name = `r${typeNo++}`;
  const members: { name?: string; m: Member; union?: { name: string; m: Member }[] }[] = [];
  const count = 2 + Math.floor(R() * 6);
  let i = 0;
  for (let k = 0; k < count; k++) {
    const r = R();
    if (r < 0.35) members.push({ name: `m${i++}`, m: scalar(false) });
    else if (r < 0.5) members.push({ name: `m${i++}`, m: charArray() });
    else if (r < 0.6) members.push({ name: `m${i++}`, m: intArray() });
    else if (r < 0.75) for (const m of bitfields()) members.push({ name: `m${i++}`, m });
    else if (r < 0.87 && depth < 2) {
      const inner = struct(depth + 1);
      members.push({ name: `m${i++}`, m: { decl: (n) => `struct ${inner.name} ${n}`, value: () => valueOf(inner) } });
    } else {
      // An anonymous union of integers and byte arrays (members that read back the same bytes they were given).
      const uno = typeNo++;
      const u = Array.from({ length: 2 + Math.floor(R() * 2) }, (_, j) => ({ name: `u${uno}_${j}`, m: R() < 0.7 ? scalar(true) : intArray() }));
      members.push({ m: { decl: () => '', value: () => [undefined, ''] }, union: u });
    }
  }
  prelude.push(`struct ${name} {\n${members.map(({ name: n, m, union }) => union
    ? `  union { ${union.map((x) => `${x.m.decl(x.name)};`).join(' ')} };`
    : `  ${m.decl(n!)};`).join('\n')}\n};`);
  return { name, members };
}

function valueOf(s: ReturnType<typeof struct>): [unknown, string] {
  const js: Record<string, unknown> = {};
  const c: string[] = [];
  for (const { name, m, union } of s.members) {
    if (union) {
      const one = pick(union);
      const [jv, cv] = one.m.value();
      js[one.name] = jv;
      c.push(`.${one.name} = ${cv}`);
      continue;
    }
    const [jv, cv] = m.value();
    if (jv === undefined) continue; // unnamed bitfields
    js[name!] = jv;
    c.push(`.${name} = ${cv}`);
  }
  return [js, `{ ${c.join(', ')} }`];
}

const CASES = Array.from({ length: 60 }, () => {
  const s = struct(0);
  const [js, c] = valueOf(s);
  return { type: s.name, js, c };
});

test('random records: the codec encodes to gcc\'s bytes and decodes them back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbcc-codec-rand-'));
  try {
    const decls = prelude.join('\n');
    const src = `#include <stdio.h>\n${decls}\n${CASES.map((k, i) => `static struct ${k.type} i${i} = ${k.c};`).join('\n')}
static void dump(const void *p, unsigned long size) {
  printf("%lu ", size);
  for (unsigned long i = 0; i < size; i++) printf("%02x", ((const unsigned char *)p)[i]);
  printf("\\n");
}
int main(void) {
${CASES.map((_, i) => `  dump(&i${i}, sizeof i${i});`).join('\n')}
  return 0;
}
`;
    writeFileSync(join(dir, 'r.c'), src);
    execFileSync('gcc', ['-std=gnu11', '-w', '-o', join(dir, 'r'), join(dir, 'r.c')]);
    const lines = execFileSync(join(dir, 'r'), { encoding: 'utf8' }).trim().split('\n');
    const unit = checkSource(`${decls}\n${CASES.map((k, i) => `struct ${k.type} g${i};`).join('\n')}`, { filename: 'random.c' });
    const types = new Map(unit.globals.map((g) => [g.name, g.type]));
    let bitfieldCases = 0;
    CASES.forEach((k, i) => {
      const [size, hex] = lines[i]!.split(' ');
      const codec = codecFor<unknown>(types.get(`g${i}`)!, { charEncoding: 'latin1' });
      const where = `case ${i} (struct ${k.type} = ${k.c})`;
      assert.equal(codec.size, Number(size), `sizeof, ${where}`);
      assert.equal(codec.encode(k.js).toString('hex'), hex, `encode, ${where}`);
      const bytes = Buffer.from(hex!, 'hex');
      assert.equal(codec.encode(codec.decode(bytes)).toString('hex'), hex, `decode+encode, ${where}`);
      if (/ : \d/.test(prelude.find((p) => p.startsWith(`struct ${k.type} {`)) ?? '')) bitfieldCases++;
    });
    assert.ok(bitfieldCases > 5, `only ${bitfieldCases} cases have bitfields`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
