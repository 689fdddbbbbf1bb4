// Literal spellings to values: integers with suffixes, floats, character constants, strings.

export interface IntLiteral { value: bigint; unsigned: boolean; longs: 0 | 1 | 2; decimal: boolean }

/** Parse an integer constant; undefined if the spelling is not one (then try float). */
export function parseIntLiteral(text: string): IntLiteral | { error: string } | undefined {
  let i = 0, base = 10;
  const t = text;
  if (t.length > 1 && t[0] === '0' && (t[1] === 'x' || t[1] === 'X')) { base = 16; i = 2; }
  else if (t.length > 1 && t[0] === '0' && (t[1] === 'b' || t[1] === 'B')) { base = 2; i = 2; }
  else if (t[0] === '0') base = 8;
  let end = i;
  while (end < t.length && /[0-9a-fA-F]/.test(t[end]!) && !(base !== 16 && /[eE]/.test(t[end]!))) end++;
  const digits = t.slice(i, end);
  const suffix = t.slice(end);
  if (base === 16 && /[.pP]/.test(suffix[0] ?? '')) return undefined; // hex float
  if (base !== 16 && /^[.eE]/.test(suffix)) return undefined; // decimal float
  if (!/^(?:[uU](?:l|L|ll|LL)?|(?:l|L|ll|LL)[uU]?)?$/.test(suffix)) return { error: `invalid suffix '${suffix}' on integer constant` };
  if (digits === '' && base !== 8) return { error: `invalid integer constant '${text}'` };
  const valid = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]*$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return { error: `invalid digit in ${base === 8 ? 'octal' : base === 2 ? 'binary' : base === 16 ? 'hexadecimal' : 'decimal'} constant '${text}'` };
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  const value = BigInt(prefix + (digits || '0'));
  if (value >= 1n << 64n) return { error: `integer constant '${text}' is too large for any integer type` };
  const unsigned = /[uU]/.test(suffix);
  const longs = /ll|LL/.test(suffix) ? 2 : /[lL]/.test(suffix) ? 1 : 0;
  return { value, unsigned, longs, decimal: base === 10 };
}

export function parseFloatLiteral(text: string): number | undefined {
  const t = text.replace(/[fFlL]$/, '');
  const v = /^0[xX]/.test(t) ? hexFloat(t) : Number(t);
  return Number.isNaN(v) ? undefined : v;
}

function hexFloat(t: string): number {
  const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(t);
  if (!m) return NaN;
  const int = m[1] ? parseInt(m[1], 16) : 0;
  const frac = m[2] ? parseInt(m[2], 16) / 16 ** m[2].length : 0;
  return (int + frac) * 2 ** Number(m[3]);
}

const SIMPLE: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, a: 7, b: 8, f: 12, v: 11, e: 27, '\\': 92, "'": 39, '"': 34, '?': 63 };

/** Decode the body of a char/string literal into code units (bytes for narrow, code points for wide). */
export function decodeEscapes(body: string, wide: boolean, onError: (msg: string) => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c !== 92) {
      if (wide || c < 0x80) out.push(c);
      else {
        const cp = body.codePointAt(i)!;
        if (cp > 0xffff) i++;
        out.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
      }
      continue;
    }
    const n = body[++i];
    if (n === undefined) { onError('unterminated escape sequence'); break; }
    if (n === 'x') {
      let j = i + 1, v = 0;
      while (j < body.length && /[0-9a-fA-F]/.test(body[j]!)) v = v * 16 + parseInt(body[j++]!, 16);
      if (j === i + 1) onError('\\x used with no following hex digits');
      out.push(wide ? v : v & 0xff);
      i = j - 1;
    } else if (n >= '0' && n <= '7') {
      let j = i, v = 0;
      while (j < body.length && j < i + 3 && body[j]! >= '0' && body[j]! <= '7') v = v * 8 + Number(body[j++]);
      out.push(wide ? v : v & 0xff);
      i = j - 1;
    } else if (n === 'u' || n === 'U') {
      const len = n === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) onError(`incomplete universal character name \\${n}${hex}`);
      const cp = parseInt(hex, 16) || 0;
      if (wide) out.push(cp); else out.push(...Buffer.from(String.fromCodePoint(Math.min(cp, 0x10ffff)), 'utf8'));
      i += len;
    } else if (n in SIMPLE) {
      out.push(SIMPLE[n]!);
    } else {
      onError(`unknown escape sequence '\\${n}'`);
      out.push(n.charCodeAt(0));
    }
  }
  return out;
}

/** 'a' -> 97; multi-character constants combine as gcc does; wide prefixes L/u/U. */
export function parseCharLiteral(text: string, onError: (msg: string) => void): { value: bigint; wide: boolean } {
  const q = text.indexOf("'");
  const wide = q > 0;
  const units = decodeEscapes(text.slice(q + 1, -1), wide, onError);
  if (units.length === 0) { onError('empty character constant'); return { value: 0n, wide }; }
  if (wide) return { value: BigInt(units[0]!), wide };
  if (units.length === 1) return { value: BigInt((units[0]! << 24) >> 24), wide }; // char is signed
  let v = 0;
  for (const u of units) v = ((v << 8) | u) | 0;
  return { value: BigInt(v), wide };
}

/** The bytes of a string literal (without the terminating NUL). */
export function parseStringLiteral(text: string, onError: (msg: string) => void): { units: number[]; wide: boolean } {
  const q = text.indexOf('"');
  const prefix = text.slice(0, q);
  const wide = prefix === 'L' || prefix === 'u' || prefix === 'U';
  return { units: decodeEscapes(text.slice(q + 1, -1), wide, onError), wide };
}
