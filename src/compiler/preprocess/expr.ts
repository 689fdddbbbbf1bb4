// #if expressions: integer constant expressions in intmax_t/uintmax_t (64-bit) arithmetic
// (C11 6.10.1). The operands are already macro-expanded, with `defined` and `__has_*` replaced
// by 0/1; identifiers left over are 0.
import type { Loc } from '../source.js';
import type { Diagnostics } from '../diagnostics.js';
import { T } from '../token.js';
import type { PPToken } from './lexer.js';

interface Val { v: bigint; u: boolean }

const ZERO: Val = { v: 0n, u: false };
const ONE: Val = { v: 1n, u: false };
const MAX_DEPTH = 256;

class Bail extends Error {}

/** Evaluate a #if / #elif condition; errors are reported and make it false. */
export function evalCondition(toks: PPToken[], diags: Diagnostics, where: Loc, directive: string): boolean {
  const e = new IfExpr(toks, diags, where, directive);
  try {
    const v = e.comma(true);
    if (e.i < toks.length) {
      const t = toks[e.i]!;
      e.fail(t.text === ')' ? "missing '(' in expression" : `missing binary operator before token "${t.text}"`, t.loc);
    }
    return v.v !== 0n;
  } catch (err) {
    if (err instanceof Bail) return false;
    throw err;
  }
}

function norm(v: bigint, u: boolean): Val {
  return { v: u ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v), u };
}

class IfExpr {
  i = 0;
  private depth = 0;
  constructor(private readonly toks: PPToken[], private readonly diags: Diagnostics, private readonly where: Loc, private readonly directive: string) {}

  fail(message: string, loc?: Loc): never {
    this.diags.error('pp-expr', message, loc ?? this.where);
    throw new Bail();
  }

  private peekPunct(): string | null {
    const t = this.toks[this.i];
    return t !== undefined && t.kind === T.Punct ? t.text : null;
  }

  comma(ev: boolean): Val {
    let v = this.cond(ev);
    while (this.peekPunct() === ',') { this.i++; v = this.cond(ev); }
    return v;
  }

  private cond(ev: boolean): Val {
    const c = this.lor(ev);
    if (this.peekPunct() !== '?') return c;
    this.i++;
    const yes = c.v !== 0n;
    const a = this.comma(ev && yes);
    if (this.peekPunct() !== ':') this.fail(`expected ':' in ${this.directive} expression`, this.toks[this.i]?.loc);
    this.i++;
    const b = this.cond(ev && !yes);
    const u = a.u || b.u;
    return norm(yes ? a.v : b.v, u);
  }

  private lor(ev: boolean): Val {
    let a = this.land(ev);
    while (this.peekPunct() === '||') {
      this.i++;
      const t = a.v !== 0n;
      const b = this.land(ev && !t);
      a = t || b.v !== 0n ? ONE : ZERO;
    }
    return a;
  }

  private land(ev: boolean): Val {
    let a = this.binary(ev, 0);
    while (this.peekPunct() === '&&') {
      this.i++;
      const t = a.v !== 0n;
      const b = this.binary(ev && t, 0);
      a = t && b.v !== 0n ? ONE : ZERO;
    }
    return a;
  }

  /** Binary operators from | (level 0) down to * / % (level 7), by precedence climbing. */
  private binary(ev: boolean, level: number): Val {
    if (level > 7) return this.unary(ev);
    let a = this.binary(ev, level + 1);
    for (;;) {
      const op = this.peekPunct();
      if (op === null || OP_LEVEL.get(op) !== level) return a;
      const opTok = this.toks[this.i]!;
      this.i++;
      const b = this.binary(ev, level + 1);
      a = this.apply(op, a, b, ev, opTok.loc);
    }
  }

  private apply(op: string, a: Val, b: Val, ev: boolean, loc: Loc): Val {
    if (op === '<<' || op === '>>') return shift(op === '<<', a, b);
    const u = a.u || b.u;
    const x = u ? BigInt.asUintN(64, a.v) : a.v;
    const y = u ? BigInt.asUintN(64, b.v) : b.v;
    switch (op) {
      case '|': return norm(x | y, u);
      case '^': return norm(x ^ y, u);
      case '&': return norm(x & y, u);
      case '==': return x === y ? ONE : ZERO;
      case '!=': return x !== y ? ONE : ZERO;
      case '<': return x < y ? ONE : ZERO;
      case '>': return x > y ? ONE : ZERO;
      case '<=': return x <= y ? ONE : ZERO;
      case '>=': return x >= y ? ONE : ZERO;
      case '+': return norm(x + y, u);
      case '-': return norm(x - y, u);
      case '*': return norm(x * y, u);
      default: // '/' '%'
        if (y === 0n) {
          if (ev) this.fail(`division by zero in ${this.directive}`, loc);
          return { v: 0n, u };
        }
        return norm(op === '/' ? x / y : x % y, u);
    }
  }

  private unary(ev: boolean): Val {
    const t = this.toks[this.i];
    if (t === undefined) this.fail(`missing expression in ${this.directive}`, this.toks[this.i - 1]?.loc);
    if (t.kind === T.Punct) {
      switch (t.text) {
        case '+': case '-': case '~': case '!': {
          if (++this.depth > MAX_DEPTH) this.fail(`${this.directive} expression too deeply nested`, t.loc);
          this.i++;
          const v = this.unary(ev);
          this.depth--;
          if (t.text === '+') return v;
          if (t.text === '-') return norm(-v.v, v.u);
          if (t.text === '~') return norm(~v.v, v.u);
          return v.v === 0n ? ONE : ZERO;
        }
        case '(': {
          if (++this.depth > MAX_DEPTH) this.fail(`${this.directive} expression too deeply nested`, t.loc);
          this.i++;
          const v = this.comma(ev);
          if (this.peekPunct() !== ')') this.fail("missing ')' in expression", this.toks[this.i]?.loc ?? t.loc);
          this.i++;
          this.depth--;
          return v;
        }
      }
      this.fail(this.i === 0 || this.toks[this.i - 1]!.kind === T.Punct
        ? `token "${t.text}" is not valid in preprocessor expressions`
        : `missing binary operator before token "${t.text}"`, t.loc);
    }
    this.i++;
    switch (t.kind) {
      case T.Number: return this.number(t);
      case T.Char: return this.charConst(t);
      case T.Ident: return ZERO;
      default:
        return this.fail(`token ${t.kind === T.String ? 'string literal' : `"${t.text}"`} is not valid in preprocessor expressions`, t.loc);
    }
  }

  private number(t: PPToken): Val {
    const r = parseIntegerConstant(t.text);
    if (typeof r === 'string') this.fail(r, t.loc);
    if (r.tooLarge) this.diags.warning('pp-int-too-large', 'integer constant is too large for its type', t.loc);
    else if (r.madeUnsigned) this.diags.warning('pp-int-unsigned', 'integer constant is so large that it is unsigned', t.loc);
    return { v: r.v, u: r.u };
  }

  private charConst(t: PPToken): Val {
    const r = parseCharConstant(t.text);
    if (typeof r === 'string') this.fail(r, t.loc);
    if (r.multi) this.diags.warning('pp-multichar', 'multi-character character constant', t.loc);
    return { v: r.v, u: r.u };
  }
}

const OP_LEVEL = new Map<string, number>([
  ['|', 0], ['^', 1], ['&', 2], ['==', 3], ['!=', 3], ['<', 4], ['>', 4], ['<=', 4], ['>=', 4],
  ['<<', 5], ['>>', 5], ['+', 6], ['-', 6], ['*', 7], ['/', 7], ['%', 7],
]);

function shift(left: boolean, a: Val, b: Val): Val {
  let n = b.u ? BigInt.asUintN(64, b.v) : b.v;
  if (n < 0n) { left = !left; n = -n; }
  if (left) return n >= 64n ? { v: 0n, u: a.u } : norm(a.v << n, a.u);
  const x = a.u ? BigInt.asUintN(64, a.v) : a.v;
  if (n >= 64n) return { v: x < 0n ? -1n : 0n, u: a.u };
  return norm(x >> n, a.u);
}

const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** An integer constant as #if sees it, or an error message. */
export function parseIntegerConstant(text: string):
  { v: bigint; u: boolean; tooLarge: boolean; madeUnsigned: boolean } | string {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1) | 32;
    if (c === 117 || c === 108) end--; else break; // u l
  }
  const body = text.slice(0, end);
  const suffix = text.slice(end);
  const lower = body.toLowerCase();
  const hex = lower.startsWith('0x');
  const bin = lower.startsWith('0b');
  if (body.includes('.') || (hex ? lower.includes('p') : !bin && lower.includes('e'))) return 'floating constant in preprocessor expression';
  if (!/^(|[uU]|[lL]|ll|LL|[uU](l|L|ll|LL)|(l|L|ll|LL)[uU])$/.test(suffix)) return `invalid suffix "${suffix}" on integer constant`;
  let digits: string;
  let prefix: string;
  let valid: RegExp;
  if (hex) { digits = body.slice(2); prefix = '0x'; valid = /^[0-9a-fA-F]+$/; }
  else if (bin) { digits = body.slice(2); prefix = '0b'; valid = /^[01]+$/; }
  else if (body.length > 1 && body[0] === '0') { digits = body.slice(1); prefix = '0o'; valid = /^[0-7]+$/; }
  else { digits = body; prefix = ''; valid = /^[0-9]+$/; }
  if (!valid.test(digits)) {
    const m = /^[0-9]*/.exec(digits)![0];
    if (prefix === '0o' && /^[0-9]+$/.test(digits)) return `invalid digit "${digits.replace(/[0-7]/g, '')[0]}" in octal constant`;
    return `invalid suffix "${digits.slice(m.length) + suffix}" on integer constant`;
  }
  let v = BigInt(prefix + digits);
  let u = /[uU]/.test(suffix);
  let tooLarge = false, madeUnsigned = false;
  if (v > UINT64_MAX) { tooLarge = true; v = BigInt.asUintN(64, v); u = true; }
  if (!u && v > INT64_MAX) { u = true; madeUnsigned = prefix === ''; }
  return { v, u, tooLarge, madeUnsigned };
}

/** A character constant's value ('a', '\n', L'x', 'ab'), or an error message. */
export function parseCharConstant(text: string): { v: bigint; u: boolean; multi: boolean } | string {
  let q = text.indexOf("'");
  const prefix = text.slice(0, q);
  const end = text.length - 1;
  if (q < 0 || end <= q || text.charCodeAt(end) !== 39) return 'missing terminating \' character';
  const units: number[] = [];
  const plain = prefix === '' || prefix === 'u8';
  for (let p = q + 1; p < end;) {
    const c = text.charCodeAt(p);
    if (c !== 92) {
      const cp = text.codePointAt(p)!;
      p += cp > 0xffff ? 2 : 1;
      if (plain && cp >= 0x80) units.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
      else units.push(cp);
      continue;
    }
    p++;
    const e = text[p++];
    let v: number;
    switch (e) {
      case 'n': v = 10; break;
      case 't': v = 9; break;
      case 'r': v = 13; break;
      case 'a': v = 7; break;
      case 'b': v = 8; break;
      case 'f': v = 12; break;
      case 'v': v = 11; break;
      case 'e': case 'E': v = 27; break;
      case '\\': case "'": case '"': case '?': v = e.charCodeAt(0); break;
      case 'x': {
        let s = p;
        while (s < end && /[0-9a-fA-F]/.test(text[s]!)) s++;
        if (s === p) return '\\x used with no following hex digits';
        v = Number(BigInt.asUintN(32, BigInt('0x' + text.slice(p, s))));
        p = s;
        break;
      }
      case 'u': case 'U': {
        const n = e === 'u' ? 4 : 8;
        const h = text.slice(p, p + n);
        if (!/^[0-9a-fA-F]+$/.test(h) || h.length !== n) return `incomplete universal character name \\${e}${h}`;
        p += n;
        const cp = parseInt(h, 16);
        if (plain && cp >= 0x80 && cp <= 0x10ffff) { units.push(...Buffer.from(String.fromCodePoint(cp), 'utf8')); continue; }
        v = cp;
        break;
      }
      default:
        if (e !== undefined && e >= '0' && e <= '7') {
          let s = p - 1;
          let k = 0;
          v = 0;
          while (k < 3 && s < end && text[s]! >= '0' && text[s]! <= '7') { v = v * 8 + (text.charCodeAt(s) - 48); s++; k++; }
          p = s;
        } else {
          v = e === undefined ? 92 : e.charCodeAt(0);
        }
    }
    units.push(v);
  }
  if (!units.length) return 'empty character constant';
  if (plain) {
    if (units.length === 1) {
      // Plain char is signed on x86-64 and BPF; u8'' is unsigned char.
      const b = units[0]! & 0xff;
      return { v: BigInt(prefix === 'u8' ? b : (b << 24) >> 24), u: false, multi: false };
    }
    let v = 0;
    for (const b of units) v = ((v << 8) | (b & 0xff)) | 0;
    return { v: BigInt(v), u: false, multi: true };
  }
  // L'x' is wchar_t (int); u'x' and U'x' are unsigned. Several characters: the last one counts.
  const last = units[units.length - 1]!;
  if (prefix === 'L') return { v: BigInt(last | 0), u: false, multi: units.length > 1 };
  return { v: BigInt(prefix === 'u' ? last & 0xffff : last >>> 0), u: true, multi: units.length > 1 };
}
