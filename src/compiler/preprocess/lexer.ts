// The C lexer: source text to preprocessing tokens with locations. Line splices (backslash-newline)
// are removed up front, with a table mapping offsets back to the original text; the token loop
// itself is charCodeAt and slices only. Errors are diagnostics, never exceptions.
import { SourceFile, type Loc } from '../source.js';
import { Diagnostics } from '../diagnostics.js';
import { T, type Token } from '../token.js';

/** The names of the macros a token must not be expanded by again (C11 6.10.3.4, "painted blue"). */
export interface HideSet { readonly name: string; readonly next: HideSet | null }

/** A token as the preprocessor handles it: a Token plus its hide set. */
export class PPToken implements Token {
  constructor(
    public kind: T,
    public text: string,
    public loc: Loc,
    public space: boolean,
    public bol: boolean,
    public hide: HideSet | null,
  ) {}
}

export interface LexOptions {
  /** Report no unterminated-literal errors (skipped groups, #error text). */
  quiet?: boolean;
  /** Report stray characters (`@`, `` ` ``, a lone `\`). The preprocessor reports them itself, on output. */
  reportStray?: boolean;
  /** The text is a long-lived one (a built-in header): keep its splice table for the next Lexer. */
  shared?: boolean;
}

/** Spliced texts of long-lived sources, by original text. */
const spliceCache = new Map<string, { text: string; spPos: number[] | null; spShift: number[] | null }>();

// Character classes for ASCII; everything >= 0x80 continues (and starts) an identifier.
const ID_START = 1, ID_CONT = 2, DIGIT = 4;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
  const digit = c >= 48 && c <= 57;
  CLASS[c] = (letter ? ID_START | ID_CONT : 0) | (digit ? DIGIT | ID_CONT : 0);
}

/** Is this character code a stray: not part of any C token outside literals? */
export function isStrayChar(c: number): boolean {
  return c === 64 || c === 96 || c === 92 || c < 32 || c === 127;
}

export class Lexer {
  /** The text with line splices removed. */
  readonly text: string;
  pos = 0;
  private atBol = true;
  quiet: boolean;
  private readonly reportStray: boolean;
  /** Splice points in `text` coordinates and the cumulative number of characters removed there. */
  private readonly spPos: number[] | null = null;
  private readonly spShift: number[] | null = null;
  /** Set when the last literal lexed had no closing quote. */
  unterminated = false;

  constructor(readonly file: SourceFile, readonly diags: Diagnostics, opts: LexOptions = {}) {
    this.quiet = opts.quiet ?? false;
    this.reportStray = opts.reportStray ?? false;
    const src = file.text;
    if (opts.shared) {
      const c = spliceCache.get(src);
      if (c !== undefined) {
        this.text = c.text;
        this.spPos = c.spPos;
        this.spShift = c.spShift;
        return;
      }
    }
    let i = src.indexOf('\\');
    if (i < 0) {
      this.text = src;
      if (opts.shared) spliceCache.set(src, { text: src, spPos: null, spShift: null });
      return;
    }
    // Remove backslash-newline pairs, remembering where.
    const parts: string[] = [];
    const spPos: number[] = [], spShift: number[] = [];
    let last = 0, removed = 0, outLen = 0;
    while (i >= 0) {
      const c = src.charCodeAt(i + 1);
      const len = c === 10 ? 2 : c === 13 && src.charCodeAt(i + 2) === 10 ? 3 : 0;
      if (len) {
        parts.push(src.slice(last, i));
        outLen += i - last;
        removed += len;
        spPos.push(outLen);
        spShift.push(removed);
        last = i + len;
        i = src.indexOf('\\', last);
      } else {
        i = src.indexOf('\\', i + 1);
      }
    }
    if (!spPos.length) {
      this.text = src;
    } else {
      parts.push(src.slice(last));
      this.text = parts.join('');
      this.spPos = spPos;
      this.spShift = spShift;
    }
    if (opts.shared) spliceCache.set(src, { text: this.text, spPos: this.spPos, spShift: this.spShift });
  }

  /** Offset in the original file text of an offset in the spliced text. */
  origin(p: number): number {
    const sp = this.spPos;
    if (sp === null) return p;
    let lo = 0, hi = sp.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sp[mid]! <= p) lo = mid + 1; else hi = mid;
    }
    return lo === 0 ? p : p + this.spShift![lo - 1]!;
  }

  loc(start: number, end: number): Loc {
    if (this.spPos === null) return { file: this.file, offset: start, length: end - start, expansion: undefined, macro: undefined };
    const o = this.origin(start);
    return { file: this.file, offset: o, length: this.origin(end) - o, expansion: undefined, macro: undefined };
  }

  private error(code: string, message: string, start: number, end: number): void {
    if (!this.quiet) this.diags.error(code, message, this.loc(start, end));
  }

  /** The next token; EOF (bol set) at the end, again on every later call. */
  next(): PPToken {
    const s = this.text, n = s.length;
    let p = this.pos, space = false, bol = this.atBol;
    for (;;) {
      if (p >= n) {
        this.pos = n;
        this.atBol = true;
        return new PPToken(T.EOF, '', this.loc(n, n), space, true, null);
      }
      const c = s.charCodeAt(p);
      if (c === 10) { p++; bol = true; space = true; continue; }
      if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12 || c === 0xfeff) { p++; space = true; continue; }
      if (c === 47) {
        const d = s.charCodeAt(p + 1);
        if (d === 47) {
          const e = s.indexOf('\n', p + 2);
          p = e < 0 ? n : e;
          space = true;
          continue;
        }
        if (d === 42) {
          const e = s.indexOf('*/', p + 2);
          if (e < 0) {
            this.error('pp-unterminated-comment', 'unterminated /* comment', p, p + 2);
            p = n;
          } else {
            p = e + 2;
          }
          space = true;
          continue;
        }
      }
      break;
    }
    this.atBol = false;
    const start = p;
    const c = s.charCodeAt(p);
    let kind: T;
    let text: string;
    if (c >= 128 || (CLASS[c]! & ID_START) !== 0) {
      p++;
      while (p < n) {
        const d = s.charCodeAt(p);
        if (d < 128 && (CLASS[d]! & ID_CONT) === 0) break;
        p++;
      }
      // L"x", u"x", U"x", u8"x" and the character constant forms.
      if (p - start <= 2 && p < n) {
        const q = s.charCodeAt(p);
        if ((q === 34 || q === 39) && isLiteralPrefix(s, start, p - start)) {
          return this.literal(start, p, q, space, bol);
        }
      }
      kind = T.Ident;
      text = s.slice(start, p);
    } else if ((CLASS[c]! & DIGIT) !== 0 || (c === 46 && (CLASS[s.charCodeAt(p + 1)]! & DIGIT) !== 0)) {
      p++;
      while (p < n) {
        const d = s.charCodeAt(p);
        if (d === 46 || (d < 128 && (CLASS[d]! & ID_CONT) !== 0)) {
          // e+ e- E+ E- p+ p- P+ P- continue a pp-number.
          if ((d | 32) === 101 || (d | 32) === 112) {
            const e = s.charCodeAt(p + 1);
            if (e === 43 || e === 45) { p += 2; continue; }
          }
          p++;
          continue;
        }
        break;
      }
      kind = T.Number;
      text = s.slice(start, p);
    } else if (c === 34 || c === 39) {
      return this.literal(start, start, c, space, bol);
    } else {
      kind = T.Punct;
      text = this.punct(c, p);
      p += this.punctLen;
      if (this.punctLen === 1 && text.length === 1 && isStrayChar(c) && this.reportStray) {
        this.error('pp-stray', `stray '${strayName(c)}' in program`, start, p);
      }
    }
    this.pos = p;
    return new PPToken(kind, text, this.loc(start, p), space, bol, null);
  }

  /** A string or character literal; `q` is the offset of the opening quote. */
  private literal(start: number, q: number, quote: number, space: boolean, bol: boolean): PPToken {
    const s = this.text, n = s.length;
    let p = q + 1;
    this.unterminated = false;
    for (;;) {
      if (p >= n) { p = n; this.unterminated = true; break; }
      const d = s.charCodeAt(p);
      if (d === quote) { p++; break; }
      if (d === 10) { this.unterminated = true; break; }
      p += d === 92 && p + 1 < n && s.charCodeAt(p + 1) !== 10 ? 2 : 1;
    }
    const kind = quote === 34 ? T.String : T.Char;
    if (this.unterminated) {
      this.error(quote === 34 ? 'pp-unterminated-string' : 'pp-unterminated-char',
        `missing terminating ${quote === 34 ? '"' : "'"} character`, q, p);
    }
    this.pos = p;
    this.atBol = false;
    return new PPToken(kind, s.slice(start, p), this.loc(start, p), space, bol, null);
  }

  private punctLen = 1;

  /** The punctuator at p (normalized: digraphs give their usual spelling); sets punctLen. */
  private punct(c: number, p: number): string {
    const s = this.text;
    const d = s.charCodeAt(p + 1);
    this.punctLen = 2;
    switch (c) {
      case 40: this.punctLen = 1; return '(';
      case 41: this.punctLen = 1; return ')';
      case 91: this.punctLen = 1; return '[';
      case 93: this.punctLen = 1; return ']';
      case 123: this.punctLen = 1; return '{';
      case 125: this.punctLen = 1; return '}';
      case 59: this.punctLen = 1; return ';';
      case 44: this.punctLen = 1; return ',';
      case 126: this.punctLen = 1; return '~';
      case 63: this.punctLen = 1; return '?';
      case 46:
        if (d === 46 && s.charCodeAt(p + 2) === 46) { this.punctLen = 3; return '...'; }
        this.punctLen = 1; return '.';
      case 45:
        if (d === 62) return '->';
        if (d === 45) return '--';
        if (d === 61) return '-=';
        this.punctLen = 1; return '-';
      case 43:
        if (d === 43) return '++';
        if (d === 61) return '+=';
        this.punctLen = 1; return '+';
      case 38:
        if (d === 38) return '&&';
        if (d === 61) return '&=';
        this.punctLen = 1; return '&';
      case 124:
        if (d === 124) return '||';
        if (d === 61) return '|=';
        this.punctLen = 1; return '|';
      case 42:
        if (d === 61) return '*=';
        this.punctLen = 1; return '*';
      case 47:
        if (d === 61) return '/=';
        this.punctLen = 1; return '/';
      case 37:
        if (d === 61) return '%=';
        if (d === 62) return '}';
        if (d === 58) {
          if (s.charCodeAt(p + 2) === 37 && s.charCodeAt(p + 3) === 58) { this.punctLen = 4; return '##'; }
          return '#';
        }
        this.punctLen = 1; return '%';
      case 60:
        if (d === 60) {
          if (s.charCodeAt(p + 2) === 61) { this.punctLen = 3; return '<<='; }
          return '<<';
        }
        if (d === 61) return '<=';
        if (d === 58) return '[';
        if (d === 37) return '{';
        this.punctLen = 1; return '<';
      case 62:
        if (d === 62) {
          if (s.charCodeAt(p + 2) === 61) { this.punctLen = 3; return '>>='; }
          return '>>';
        }
        if (d === 61) return '>=';
        this.punctLen = 1; return '>';
      case 61:
        if (d === 61) return '==';
        this.punctLen = 1; return '=';
      case 33:
        if (d === 61) return '!=';
        this.punctLen = 1; return '!';
      case 94:
        if (d === 61) return '^=';
        this.punctLen = 1; return '^';
      case 58:
        if (d === 62) return ']';
        this.punctLen = 1; return ':';
      case 35:
        if (d === 35) return '##';
        this.punctLen = 1; return '#';
      default:
        this.punctLen = 1;
        return s[p]!;
    }
  }

  /** Only white space and comments are left on the current line. */
  atLineEnd(): boolean {
    const s = this.text, n = s.length;
    let p = this.pos;
    for (;;) {
      if (p >= n) return true;
      const c = s.charCodeAt(p);
      if (c === 10) return true;
      if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) { p++; continue; }
      if (c === 47) {
        const d = s.charCodeAt(p + 1);
        if (d === 47) return true;
        if (d === 42) { const e = s.indexOf('*/', p + 2); if (e < 0) return true; p = e + 2; continue; }
      }
      return false;
    }
  }

  /** Continue from offset p (in the spliced text), as if in the middle of a line. */
  seekInLine(p: number): void {
    this.pos = p;
    this.atBol = false;
  }

  /** Continue from offset p, the start of a line. */
  seekLineStart(p: number): void {
    this.pos = p;
    this.atBol = true;
  }

  /** At the start of a line: the last thing consumed was a newline (or nothing yet). */
  get atLineStart(): boolean { return this.atBol; }

  /** Skip the rest of the current line (quietly: literals and comments are only skipped over). */
  skipLine(): void {
    const s = this.text, n = s.length;
    let p = this.pos;
    while (p < n) {
      const c = s.charCodeAt(p);
      if (c === 10) { p++; break; }
      if (c === 47) {
        const d = s.charCodeAt(p + 1);
        if (d === 47) { const e = s.indexOf('\n', p + 2); p = e < 0 ? n : e; continue; }
        if (d === 42) { const e = s.indexOf('*/', p + 2); p = e < 0 ? n : e + 2; continue; }
      } else if (c === 34 || c === 39) {
        p++;
        while (p < n) {
          const d = s.charCodeAt(p);
          if (d === c) { p++; break; }
          if (d === 10) break;
          p += d === 92 ? 2 : 1;
        }
        continue;
      }
      p++;
    }
    this.pos = p > n ? n : p;
    this.atBol = true;
  }

  /**
   * Skip lines (of a group a conditional left out) until one whose first token is `#`; leave the
   * position at it. False at the end of the text.
   */
  skipToDirective(): boolean {
    const s = this.text, n = s.length;
    for (;;) {
      let p = this.pos;
      for (;;) {
        const c = s.charCodeAt(p);
        if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) { p++; continue; }
        if (c === 47 && s.charCodeAt(p + 1) === 42) { const e = s.indexOf('*/', p + 2); p = e < 0 ? n : e + 2; continue; }
        break;
      }
      if (p >= n) { this.pos = n; this.atBol = true; return false; }
      const c = s.charCodeAt(p);
      this.pos = p;
      if (c === 35 || (c === 37 && s.charCodeAt(p + 1) === 58)) { this.atBol = true; return true; }
      if (c === 10) { this.pos = p + 1; continue; }
      this.skipLine();
    }
  }

  /** If the rest of the line starts with `<name>`, consume and return it (for #include). */
  headerName(): { name: string; loc: Loc } | null {
    const s = this.text, n = s.length;
    let p = this.pos;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) { p++; continue; }
      if (c === 47 && s.charCodeAt(p + 1) === 42) { const e = s.indexOf('*/', p + 2); if (e < 0) return null; p = e + 2; continue; }
      break;
    }
    if (p >= n || s.charCodeAt(p) !== 60) return null;
    let e = p + 1;
    while (e < n) {
      const c = s.charCodeAt(e);
      if (c === 62 || c === 10) break;
      e++;
    }
    if (e >= n || s.charCodeAt(e) !== 62) return null;
    this.pos = e + 1;
    this.atBol = false;
    return { name: s.slice(p + 1, e), loc: this.loc(p, e + 1) };
  }
}

function isLiteralPrefix(s: string, start: number, len: number): boolean {
  const a = s.charCodeAt(start);
  if (len === 1) return a === 76 || a === 117 || a === 85; // L u U
  return a === 117 && s.charCodeAt(start + 1) === 56; // u8
}

function strayName(c: number): string {
  return c < 32 || c === 127 ? `\\${c.toString(8).padStart(3, '0')}` : String.fromCharCode(c);
}

/** All tokens of a file, ending with EOF. */
export function tokenize(file: SourceFile, diags: Diagnostics, opts: LexOptions = { reportStray: true }): PPToken[] {
  const lx = new Lexer(file, diags, opts);
  const out: PPToken[] = [];
  for (;;) {
    const t = lx.next();
    out.push(t);
    if (t.kind === T.EOF) return out;
  }
}

const scratchDiags = new Diagnostics(1 << 30);

/** The kind of the single token `text` spells, or -1 if it is not exactly one token (for `##`). */
export function singleTokenKind(text: string): T | -1 {
  const lx = new Lexer(new SourceFile(-1, '', text), scratchDiags, { quiet: true });
  const t = lx.next();
  if (t.kind === T.EOF || t.loc.offset !== 0 || t.text.length !== text.length || lx.unterminated) return -1;
  if (t.kind === T.Punct && t.text !== text) return -1; // a digraph pasted together stays two tokens' worth
  return t.kind;
}
