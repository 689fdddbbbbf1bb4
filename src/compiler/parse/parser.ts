// Recursive-descent parser: tokens to AST. One function per grammar rule, named for it.
// Typedef names are tracked in scopes (the one context-sensitive part of C). On a syntax error the
// parser reports a located diagnostic and resynchronizes at the next statement or declaration,
// so one run reports several errors.
import { T, type Token } from '../token.js';
import type { Loc } from '../source.js';
import { Diagnostics, TooManyErrors } from '../diagnostics.js';
import type {
  Attribute, Block, Decl, Designator, Expr, FieldDecl, InitItem, InitList, Initializer, LoopHints, ParamDecl,
  Quals, Stmt, Storage, TopLevel, TranslationUnit, TypeExpr, EnumValueDecl, BinaryOp, AssignOp,
} from './ast.js';
import { parseIntLiteral, parseFloatLiteral, parseCharLiteral, parseStringLiteral } from './literals.js';

const PRAGMA = 6 as T;

/** Thrown to unwind to the nearest resynchronization point after a reported error. */
class Sync extends Error {}

const TYPE_KEYWORDS = new Set([
  'void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', '__int128',
  '__signed__', '__signed', '_Complex', '__int128_t', '__uint128_t',
]);
const QUALIFIERS = new Set(['const', '__const', '__const__', 'volatile', '__volatile', '__volatile__', 'restrict',
  '__restrict', '__restrict__']);
const STORAGE = new Set(['typedef', 'extern', 'static', 'auto', 'register', '_Thread_local', '__thread']);
const FUNC_SPECS = new Set(['inline', '__inline', '__inline__', '_Noreturn', '__forceinline']);
const DECL_START = new Set([...TYPE_KEYWORDS, ...QUALIFIERS, ...STORAGE, ...FUNC_SPECS, 'struct', 'union', 'enum',
  'typeof', '__typeof__', '__typeof', '__attribute__', '__attribute', '_Alignas', '_Atomic', '__extension__',
  '__auto_type']);

const BINARY_PREC: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};
const ASSIGN_OPS = new Set(['=', '*=', '/=', '%=', '+=', '-=', '<<=', '>>=', '&=', '^=', '|=']);

export interface ParseOptions {
  /** Names to treat as typedefs from the start (built-in kernel typedefs such as u32). */
  typedefs?: Iterable<string>;
  /** Is this identifier a type name known elsewhere (e.g. in kernel BTF)? Consulted for unknown identifiers in type position. */
  isExternalTypedef?: (name: string) => boolean;
}

export function parse(tokens: Token[], diags: Diagnostics, opts: ParseOptions = {}): TranslationUnit {
  return new Parser(tokens, diags, opts).translationUnit();
}

class Parser {
  private pos = 0;
  /** Scopes of ordinary identifiers: true = typedef name, false = shadowed by an object/function. */
  private scopes: Map<string, boolean>[] = [new Map()];
  private pendingHints: LoopHints | undefined;

  constructor(private toks: Token[], private diags: Diagnostics, private opts: ParseOptions) {
    for (const n of opts.typedefs ?? []) this.scopes[0]!.set(n, true);
    if (!toks.length || toks[toks.length - 1]!.kind !== T.EOF) throw new Error('token stream must end with EOF');
  }

  // ---- token helpers -------------------------------------------------------------

  private peek(n = 0): Token { return this.toks[Math.min(this.pos + n, this.toks.length - 1)]!; }
  private next(): Token { const t = this.toks[this.pos]!; if (t.kind !== T.EOF) this.pos++; return t; }
  private is(text: string, n = 0): boolean {
    const t = this.peek(n);
    return t.text === text && (t.kind === T.Punct || t.kind === T.Ident);
  }
  private isPunct(text: string, n = 0): boolean { const t = this.peek(n); return t.kind === T.Punct && t.text === text; }
  private accept(text: string): boolean {
    if (this.is(text)) { this.pos++; return true; }
    return false;
  }

  private describe(t: Token): string {
    if (t.kind === T.EOF) return 'end of input';
    return `'${t.text}'`;
  }

  private fail(message: string, loc: Loc = this.peek().loc): never {
    this.diags.error('parse-syntax', message, loc);
    throw new Sync();
  }

  private expect(text: string, context?: string): Token {
    if (this.is(text)) return this.next();
    const t = this.peek();
    // A missing ';' belongs right after the previous token (usually on the line before), as clang reports it.
    const at = t.kind === T.EOF || text === ';' ? this.prevEnd() : t.loc;
    this.fail(`expected '${text}'${context ? ` ${context}` : ''}${text === ';' ? '' : `, found ${this.describe(t)}`}`, at);
  }

  /** Location just past the previous token (where a missing ';' belongs). */
  private prevEnd(): Loc {
    const p = this.toks[Math.max(0, this.pos - 1)]!;
    return { ...p.loc, offset: p.loc.offset + (p.loc.expansion ? 0 : p.text.length), length: 1 };
  }

  private ident(context: string): Token {
    const t = this.peek();
    if (t.kind !== T.Ident) this.fail(`expected an identifier ${context}, found ${this.describe(t)}`);
    return this.next();
  }

  // ---- scopes ----------------------------------------------------------------------

  private pushScope(): void { this.scopes.push(new Map()); }
  private popScope(): void { this.scopes.pop(); }
  private declare(name: string, isTypedef: boolean): void { this.scopes[this.scopes.length - 1]!.set(name, isTypedef); }

  private isTypedefName(name: string): boolean {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = this.scopes[i]!.get(name);
      if (v !== undefined) return v;
    }
    return this.opts.isExternalTypedef?.(name) ?? false;
  }

  /** Does the token at n begin a declaration / type name? */
  private isTypeStart(n = 0): boolean {
    const t = this.peek(n);
    if (t.kind !== T.Ident) return false;
    if (DECL_START.has(t.text)) return true;
    return this.isTypedefName(t.text) && !this.isPunct(':', n + 1);
  }

  // ---- top level ---------------------------------------------------------------------

  translationUnit(): TranslationUnit {
    const items: TopLevel[] = [];
    try {
      while (this.peek().kind !== T.EOF) {
        const start = this.pos;
        try {
          this.externalDeclaration(items);
        } catch (e) {
          if (!(e instanceof Sync)) throw e;
          this.syncTopLevel(start);
        }
      }
    } catch (e) {
      if (!(e instanceof TooManyErrors)) throw e;
    }
    return { items };
  }

  /** Skip to just after the next ';' or '}' at nesting depth 0. */
  private syncTopLevel(start: number): void {
    if (this.pos === start) this.next();
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === T.EOF) return;
      if (t.kind === T.Punct) {
        if (t.text === '{' || t.text === '(' || t.text === '[') depth++;
        else if (t.text === '}' || t.text === ')' || t.text === ']') {
          depth--;
          if (depth <= 0 && t.text === '}') { this.next(); this.accept(';'); return; }
          if (depth < 0) depth = 0;
        } else if (t.text === ';' && depth === 0) { this.next(); return; }
      }
      this.next();
    }
  }

  private externalDeclaration(items: TopLevel[]): void {
    const t = this.peek();
    if (t.kind === PRAGMA) { this.next(); items.push({ kind: 'pragma', text: t.text, loc: t.loc }); return; }
    if (this.accept(';')) return;
    if (this.is('_Static_assert') || this.is('static_assert')) { items.push(this.staticAssert()); return; }
    if ((this.is('asm') || this.is('__asm__') || this.is('__asm')) && this.isPunct('(', 1)) {
      const loc = this.next().loc;
      items.push({ kind: 'asm', text: this.balancedText(), loc });
      this.expect(';', 'after top-level asm');
      return;
    }
    this.declaration(items, true);
  }

  private staticAssert(): TopLevel & { kind: 'static_assert' } {
    const loc = this.next().loc;
    this.expect('(', 'after _Static_assert');
    const test = this.conditional();
    let message: string | undefined;
    if (this.accept(',')) {
      const s = this.stringLiteral();
      message = s.kind === 'string' ? Buffer.from(s.bytes).toString('utf8') : undefined;
    }
    this.expect(')', 'to close _Static_assert');
    this.expect(';', 'after _Static_assert');
    return { kind: 'static_assert', test, message, loc };
  }

  /**
   * declaration-specifiers init-declarator-list ';' — or a function definition at top level.
   * Appends Decl/TagDecl items to `out`.
   */
  private declaration(out: (TopLevel | Decl)[], topLevel: boolean): void {
    const startLoc = this.peek().loc;
    const specs = this.declSpecs(true);
    if (this.accept(';')) {
      const b = specs.type;
      if ((b.kind === 'record' || b.kind === 'enum')) out.push({ kind: 'tag', type: b, loc: startLoc });
      else this.diags.warning('parse-empty-decl', 'declaration does not declare anything', startLoc);
      return;
    }
    for (let first = true; ; first = false) {
      const attrsBefore = this.attributes();
      const d = this.declarator(specs.type, 'named');
      if (!d.name) this.fail('expected a name in this declaration', d.loc);
      const attrs = [...specs.attrs, ...attrsBefore];
      let asmLabel: string | undefined;
      if ((this.is('asm') || this.is('__asm__') || this.is('__asm')) && this.isPunct('(', 1)) {
        this.next();
        asmLabel = this.balancedText();
      }
      attrs.push(...this.attributes());
      const decl: Decl = {
        kind: 'decl', name: d.name, nameLoc: d.nameLoc!, type: d.type, storage: specs.storage, inline: specs.inline,
        attrs, asmLabel, loc: startLoc,
      };
      this.declare(d.name, specs.storage === 'typedef');
      if (d.type.kind === 'func' && this.isPunct('{')) {
        if (!topLevel) this.diags.error('parse-nested-function', `function definition is not allowed here (nested functions are not supported)`, d.nameLoc);
        if (!first) this.fail('a function definition must be the only declarator in its declaration', d.nameLoc);
        decl.body = this.functionBody(d.type);
        out.push(decl);
        return;
      }
      if (this.accept('=')) decl.init = this.initializer();
      out.push(decl);
      if (this.accept(',')) continue;
      this.expect(';', `after the declaration of '${d.name}'`);
      return;
    }
  }

  private functionBody(type: TypeExpr & { kind: 'func' }): Block {
    this.pushScope();
    for (const p of type.params) if (p.name) this.declare(p.name, false);
    try {
      return this.block(false);
    } finally {
      this.popScope();
    }
  }

  // ---- declaration specifiers ----------------------------------------------------------

  private declSpecs(allowStorage: boolean): { type: TypeExpr; storage?: Storage; inline: boolean; attrs: Attribute[] } {
    const loc = this.peek().loc;
    let storage: Storage | undefined;
    let inline = false;
    const quals: Quals = {};
    const attrs: Attribute[] = [];
    let base: TypeExpr | undefined;
    // counts of builtin type words
    let nSigned = 0, nUnsigned = 0, nChar = 0, nShort = 0, nInt = 0, nLong = 0, nVoid = 0, nBool = 0, nFloat = 0, nDouble = 0, nInt128 = 0, nComplex = 0;
    let sawBuiltin = false;
    for (;;) {
      const t = this.peek();
      if (t.kind !== T.Ident) break;
      const w = t.text;
      if (STORAGE.has(w)) {
        if (!allowStorage) this.diags.error('parse-storage', `storage class '${w}' is not allowed here`, t.loc);
        else if (storage && !(w === '_Thread_local' || w === '__thread')) this.diags.error('parse-storage', `more than one storage class ('${storage}' and '${w}')`, t.loc);
        if (w !== '_Thread_local' && w !== '__thread') storage = w as Storage;
        this.next();
        continue;
      }
      if (FUNC_SPECS.has(w)) { inline = inline || w.includes('inline'); this.next(); continue; }
      if (QUALIFIERS.has(w)) { this.qualifier(w, quals); this.next(); continue; }
      if (w === '__extension__') { this.next(); continue; }
      if (w === '__attribute__' || w === '__attribute') {
        // A type tag (`char __user *p`) qualifies the type; other attributes belong to the declaration.
        for (const a of this.attributes()) (a.name === 'btf_type_tag' ? (quals.attrs ??= []) : attrs).push(a);
        continue;
      }
      if (w === '_Alignas') {
        const aloc = this.next().loc;
        this.expect('(', 'after _Alignas');
        const arg: Expr = this.isTypeStart() ? { kind: 'alignof', type: this.typeName(), loc: aloc } : this.conditional();
        this.expect(')', 'to close _Alignas');
        attrs.push({ name: 'aligned', args: [arg], loc: aloc });
        continue;
      }
      if (w === '_Atomic') {
        this.next();
        if (this.isPunct('(')) { this.next(); base = this.typeName(); this.expect(')'); }
        continue;
      }
      if (TYPE_KEYWORDS.has(w)) {
        if (base) break; // a typedef'd name followed by a type word: let the declarator complain
        sawBuiltin = true;
        this.next();
        switch (w) {
          case 'signed': case '__signed__': case '__signed': nSigned++; break;
          case 'unsigned': nUnsigned++; break;
          case 'char': nChar++; break;
          case 'short': nShort++; break;
          case 'int': nInt++; break;
          case 'long': nLong++; break;
          case 'void': nVoid++; break;
          case '_Bool': nBool++; break;
          case 'float': nFloat++; break;
          case 'double': nDouble++; break;
          case '__int128': nInt128++; break;
          case '__int128_t': nInt128++; nSigned++; break;
          case '__uint128_t': nInt128++; nUnsigned++; break;
          case '_Complex': nComplex++; break;
        }
        continue;
      }
      if (base || sawBuiltin) break;
      if (w === 'struct' || w === 'union') { base = this.recordSpec(); continue; }
      if (w === 'enum') { base = this.enumSpec(); continue; }
      if (w === 'typeof' || w === '__typeof__' || w === '__typeof') {
        const tloc = this.next().loc;
        this.expect('(', `after ${w}`);
        base = this.isTypeStart()
          ? { kind: 'typeof', type: this.typeName(), quals: {}, loc: tloc }
          : { kind: 'typeof', expr: this.expression(), quals: {}, loc: tloc };
        this.expect(')', `to close ${w}`);
        continue;
      }
      if (w === '__auto_type') { this.next(); base = { kind: 'typeof', quals: {}, loc: t.loc }; continue; }
      if (this.isTypedefName(w)) {
        // `T x` where T names a type; `T` alone after a type is a declarator name instead.
        this.next();
        base = { kind: 'typedef', name: w, quals: {}, loc: t.loc };
        continue;
      }
      break;
    }
    if (sawBuiltin) {
      base = { kind: 'builtin', name: this.builtinName(loc, { nSigned, nUnsigned, nChar, nShort, nInt, nLong, nVoid, nBool, nFloat, nDouble, nInt128, nComplex }), quals: {}, loc };
    }
    if (!base) {
      const t = this.peek();
      if (t.kind === T.Ident && !storage && !inline && !attrs.length && !hasQuals(quals)) {
        this.fail(`unknown type name '${t.text}'`, t.loc);
      }
      if (storage || inline || hasQuals(quals)) {
        this.diags.error('parse-implicit-int', 'a type is required here (implicit int is not allowed)', t.loc);
        base = { kind: 'builtin', name: 'int', quals: {}, loc };
      } else {
        this.fail(`expected a type, found ${this.describe(t)}`, t.loc);
      }
    }
    base.quals = mergeQuals(base.quals, quals);
    return { type: base, storage, inline, attrs };
  }

  private qualifier(w: string, q: Quals): void {
    if (w.includes('const')) q.const = true;
    else if (w.includes('volatile')) q.volatile = true;
    else q.restrict = true;
  }

  private builtinName(loc: Loc, c: Record<string, number>): string {
    const bad = (why: string): string => { this.diags.error('parse-type-spec', why, loc); return 'int'; };
    if (c.nSigned! && c.nUnsigned!) return bad("'signed' and 'unsigned' together");
    if (c.nComplex) return bad('_Complex types are not supported in BPF programs');
    const sign = c.nUnsigned ? 'unsigned ' : '';
    const others = c.nVoid! + c.nBool! + c.nFloat! + c.nDouble! + c.nChar! + c.nInt128!;
    if (others > 1 || c.nShort! > 1 || c.nLong! > 2 || c.nInt! > 1) return bad('invalid combination of type specifiers');
    if (c.nVoid) return c.nSigned! + c.nUnsigned! + c.nShort! + c.nLong! + c.nInt! ? bad("'void' cannot be signed, short or long") : 'void';
    if (c.nBool) return c.nSigned! + c.nUnsigned! + c.nShort! + c.nLong! + c.nInt! ? bad("'_Bool' cannot be combined with other specifiers") : '_Bool';
    if (c.nFloat) return c.nSigned! + c.nUnsigned! + c.nShort! + c.nLong! + c.nInt! ? bad("'float' cannot be combined with other specifiers") : 'float';
    if (c.nDouble) return c.nSigned! + c.nUnsigned! + c.nShort! + c.nInt! || c.nLong! > 1 ? bad("invalid 'double' specifiers") : c.nLong ? 'long double' : 'double';
    if (c.nChar) return c.nShort! + c.nLong! + c.nInt! ? bad("'char' cannot be short, long or int") : c.nSigned ? 'signed char' : c.nUnsigned ? 'unsigned char' : 'char';
    if (c.nInt128) return c.nShort! + c.nLong! + c.nInt! ? bad("invalid '__int128' specifiers") : `${sign}__int128`;
    if (c.nShort) return c.nLong ? bad("'short' and 'long' together") : `${sign}short`;
    if (c.nLong === 2) return `${sign}long long`;
    if (c.nLong === 1) return `${sign}long`;
    return `${sign}int`;
  }

  private recordSpec(): TypeExpr {
    const kw = this.next();
    const tag = kw.text as 'struct' | 'union';
    const attrs = this.attributes();
    let name: string | undefined;
    if (this.peek().kind === T.Ident && !this.is('__attribute__')) name = this.next().text;
    attrs.push(...this.attributes());
    if (!this.isPunct('{')) {
      if (!name) this.fail(`expected a name or '{' after '${tag}'`);
      return { kind: 'record', tag, name, attrs, quals: {}, loc: kw.loc, defines: false };
    }
    this.next();
    const members: FieldDecl[] = [];
    const asserts: { test: Expr; message?: string; loc: Loc }[] = [];
    while (!this.isPunct('}')) {
      if (this.peek().kind === T.EOF) this.fail(`expected '}' to close ${tag}${name ? ` ${name}` : ''}`, kw.loc);
      try {
        if (this.is('_Static_assert') || this.is('static_assert')) { const a = this.staticAssert(); asserts.push({ test: a.test, message: a.message, loc: a.loc }); continue; }
        this.fieldDeclaration(members);
      } catch (e) {
        if (!(e instanceof Sync)) throw e;
        this.syncMember();
      }
    }
    this.next();
    attrs.push(...this.attributes());
    return { kind: 'record', tag, name, members, attrs, quals: {}, loc: kw.loc, defines: true, ...(asserts.length ? { asserts } : {}) };
  }

  private syncMember(): void {
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === T.EOF) return;
      if (t.kind === T.Punct) {
        if (t.text === '{' || t.text === '(') depth++;
        else if (t.text === ')') depth = Math.max(0, depth - 1);
        else if (t.text === '}') { if (depth === 0) return; depth--; }
        else if (t.text === ';' && depth === 0) { this.next(); return; }
      }
      this.next();
    }
  }

  private fieldDeclaration(out: FieldDecl[]): void {
    if (this.accept(';')) return;
    if (this.is('_Static_assert') || this.is('static_assert')) { this.staticAssert(); return; }
    const specs = this.declSpecs(false);
    if (this.accept(';')) {
      // An anonymous struct/union member (C11), or a plain tag declaration inside a struct.
      const b = specs.type;
      if (b.kind === 'record' && !b.name) out.push({ type: b, attrs: specs.attrs, loc: b.loc });
      else if (b.kind === 'record' || b.kind === 'enum') { /* nested tag declaration */ }
      else this.diags.warning('parse-empty-decl', 'declaration does not declare anything', b.loc);
      return;
    }
    for (;;) {
      const loc = this.peek().loc;
      let name: string | undefined;
      let type = specs.type;
      if (!this.isPunct(':')) {
        const d = this.declarator(specs.type, 'named');
        name = d.name;
        type = d.type;
      }
      let bitWidth: Expr | undefined;
      if (this.accept(':')) bitWidth = this.conditional();
      const attrs = [...specs.attrs, ...this.attributes()];
      out.push({ name, type, bitWidth, attrs, loc });
      if (this.accept(',')) continue;
      this.expect(';', 'after a struct member');
      return;
    }
  }

  private enumSpec(): TypeExpr {
    const kw = this.next();
    const attrs = this.attributes();
    let name: string | undefined;
    if (this.peek().kind === T.Ident && !this.is('__attribute__')) name = this.next().text;
    if (this.accept(':')) this.typeName(); // C23 fixed underlying type: accepted, ignored
    if (!this.isPunct('{')) {
      if (!name) this.fail("expected a name or '{' after 'enum'");
      return { kind: 'enum', name, attrs, quals: {}, loc: kw.loc, defines: false };
    }
    this.next();
    const values: EnumValueDecl[] = [];
    while (!this.isPunct('}')) {
      const id = this.ident('in enum');
      this.attributes();
      let value: Expr | undefined;
      if (this.accept('=')) value = this.conditional();
      values.push({ name: id.text, value, loc: id.loc });
      this.declare(id.text, false);
      if (!this.accept(',')) break;
    }
    this.expect('}', 'to close the enum');
    attrs.push(...this.attributes());
    return { kind: 'enum', name, values, attrs, quals: {}, loc: kw.loc, defines: true };
  }

  // ---- attributes --------------------------------------------------------------------

  private attributes(): Attribute[] {
    const out: Attribute[] = [];
    while (this.is('__attribute__') || this.is('__attribute')) {
      this.next();
      this.expect('(', 'after __attribute__');
      this.expect('(', 'after __attribute__(');
      while (!this.isPunct(')')) {
        const t = this.peek();
        if (t.kind !== T.Ident) this.fail(`expected an attribute name, found ${this.describe(t)}`);
        this.next();
        const name = t.text.replace(/^__(.*)__$/, '$1');
        const args: Expr[] = [];
        if (this.accept('(')) {
          while (!this.isPunct(')')) {
            args.push(this.assignment());
            if (!this.accept(',')) break;
          }
          this.expect(')', 'to close the attribute arguments');
        }
        out.push({ name, args, loc: t.loc });
        if (!this.accept(',')) break;
      }
      this.expect(')', 'to close __attribute__((');
      this.expect(')', 'to close __attribute__(');
    }
    return out;
  }

  // ---- declarators -------------------------------------------------------------------

  /**
   * A declarator over `base`. mode 'named' requires a name (except struct bitfields), 'abstract'
   * forbids one, 'either' allows both (parameters).
   */
  private declarator(base: TypeExpr, mode: 'named' | 'abstract' | 'either'): { name?: string; nameLoc?: Loc; type: TypeExpr; loc: Loc } {
    const loc = this.peek().loc;
    let type = base;
    while (this.isPunct('*') || this.is('^')) {
      const star = this.next();
      const q: Quals = {};
      for (;;) {
        const w = this.peek();
        if (w.kind === T.Ident && QUALIFIERS.has(w.text)) { this.qualifier(w.text, q); this.next(); continue; }
        if (this.is('__attribute__') || this.is('__attribute')) { q.attrs = [...(q.attrs ?? []), ...this.attributes()]; continue; }
        if (w.kind === T.Ident && (w.text === '_Nonnull' || w.text === '_Nullable' || w.text === '__ptr64')) { this.next(); continue; }
        break;
      }
      type = { kind: 'ptr', to: type, quals: q, loc: star.loc };
    }
    this.attributes();
    if (this.isPunct('(') && this.isNestedDeclarator()) {
      // Parse the inner declarator against a placeholder, then re-parse it over the suffixed type.
      this.next();
      const innerStart = this.pos;
      this.declarator(base, mode);
      this.expect(')', 'to close the declarator');
      const outer = this.declSuffixes(type);
      const end = this.pos;
      this.pos = innerStart;
      const inner = this.declarator(outer, mode);
      this.expect(')');
      this.pos = end;
      return { ...inner, loc };
    }
    let name: string | undefined, nameLoc: Loc | undefined;
    const t = this.peek();
    if (t.kind === T.Ident && mode !== 'abstract' && !DECL_START.has(t.text)) {
      name = t.text;
      nameLoc = t.loc;
      this.next();
    } else if (mode === 'named' && !this.isPunct(':')) {
      this.fail(`expected a name in this declaration, found ${this.describe(t)}`);
    }
    type = this.declSuffixes(type);
    return { name, nameLoc, type, loc };
  }

  /** At '(' in declarator position: a parenthesized declarator, not a parameter list? */
  private isNestedDeclarator(): boolean {
    const t = this.peek(1);
    if (t.kind === T.Punct) return t.text === '*' || t.text === '(' || t.text === '^' || t.text === '[';
    if (t.kind !== T.Ident) return false;
    if (t.text === '__attribute__' || t.text === '__attribute') return true;
    return !this.isTypeStart(1);
  }

  private declSuffixes(type: TypeExpr): TypeExpr {
    if (this.isPunct('[')) {
      const open = this.next();
      const q: Quals = {};
      for (;;) {
        const w = this.peek();
        if (w.kind === T.Ident && (QUALIFIERS.has(w.text) || w.text === 'static')) { if (w.text !== 'static') this.qualifier(w.text, q); this.next(); continue; }
        break;
      }
      let size: Expr | undefined;
      if (this.isPunct('*') && this.isPunct(']', 1)) this.next();
      else if (!this.isPunct(']')) size = this.assignment();
      this.expect(']', 'to close the array size');
      const of = this.declSuffixes(type);
      return { kind: 'array', of, size, quals: q, loc: open.loc };
    }
    if (this.isPunct('(')) {
      const open = this.next();
      const params: ParamDecl[] = [];
      let variadic = false, noProto = false;
      if (this.isPunct(')')) noProto = true;
      else if (this.is('void') && this.isPunct(')', 1)) this.next();
      else {
        this.pushScope();
        try {
          for (;;) {
            if (this.accept('...')) { variadic = true; break; }
            const ploc = this.peek().loc;
            if (this.peek().kind === T.Ident && !this.isTypeStart()) {
              // K&R identifier list, or an unknown type name.
              const n = this.peek();
              if (this.isPunct(',', 1) || this.isPunct(')', 1)) this.fail(`unknown type name '${n.text}' (parameters need types)`, n.loc);
              this.fail(`unknown type name '${n.text}'`, n.loc);
            }
            const specs = this.declSpecs(true);
            if (specs.storage && specs.storage !== 'register') this.diags.error('parse-storage', `storage class '${specs.storage}' is not allowed on a parameter`, ploc);
            const d = this.declarator(specs.type, 'either');
            this.attributes();
            params.push({ name: d.name, type: d.type, loc: d.nameLoc ?? ploc });
            if (!this.accept(',')) break;
          }
        } finally {
          this.popScope();
        }
      }
      this.expect(')', 'to close the parameter list');
      return { kind: 'func', ret: type, params, variadic, noProto, quals: {}, loc: open.loc };
    }
    return type;
  }

  /** type-name: specifier-qualifier-list abstract-declarator? (in casts, sizeof, offsetof...). */
  private typeName(): TypeExpr {
    const specs = this.declSpecs(false);
    return this.declarator(specs.type, 'abstract').type;
  }

  // ---- initializers ----------------------------------------------------------------

  private initializer(): Initializer {
    if (this.isPunct('{')) return this.initList();
    return this.assignment();
  }

  private initList(): InitList {
    const open = this.expect('{');
    const items: InitItem[] = [];
    while (!this.isPunct('}')) {
      const loc = this.peek().loc;
      const designators: Designator[] = [];
      let oldStyle = false;
      for (;;) {
        if (this.isPunct('.')) {
          this.next();
          const n = this.ident("after '.' in a designator");
          designators.push({ kind: 'field', name: n.text, loc: n.loc });
        } else if (this.isPunct('[')) {
          const l = this.next().loc;
          const index = this.conditional();
          let end: Expr | undefined;
          if (this.accept('...')) end = this.conditional();
          this.expect(']', 'to close the array designator');
          designators.push({ kind: 'index', index, end, loc: l });
        } else if (this.peek().kind === T.Ident && this.isPunct(':', 1) && designators.length === 0) {
          // GNU old-style `field: value`
          const n = this.next();
          this.next();
          designators.push({ kind: 'field', name: n.text, loc: n.loc });
          oldStyle = true;
          break;
        } else break;
      }
      if (designators.length && !oldStyle) this.expect('=', 'after a designator');
      items.push({ designators, value: this.initializer(), loc });
      if (!this.accept(',')) break;
    }
    this.expect('}', 'to close the initializer list');
    return { kind: 'initlist', items, loc: open.loc };
  }

  // ---- statements ------------------------------------------------------------------

  private block(newScope = true): Block {
    const open = this.expect('{');
    if (newScope) this.pushScope();
    const body: Stmt[] = [];
    try {
      while (!this.isPunct('}')) {
        if (this.peek().kind === T.EOF) {
          this.diags.error('parse-syntax', "expected '}' at end of input", this.prevEnd(), { loc: open.loc, message: "to match this '{'" });
          throw new Sync();
        }
        const start = this.pos;
        try {
          this.blockItem(body);
        } catch (e) {
          if (!(e instanceof Sync)) throw e;
          this.syncStatement(start);
        }
      }
    } finally {
      if (newScope) this.popScope();
    }
    const end = this.next().loc;
    return { kind: 'block', body, loc: open.loc, end };
  }

  /** Skip to after the next ';' at depth 0, or stop before a '}' that closes the block. */
  private syncStatement(start: number): void {
    if (this.pos === start) this.next();
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === T.EOF) return;
      if (t.kind === T.Punct) {
        if (t.text === '{' || t.text === '(' || t.text === '[') depth++;
        else if (t.text === ')' || t.text === ']') depth = Math.max(0, depth - 1);
        else if (t.text === '}') {
          if (depth === 0) return;
          depth--;
          if (depth === 0) { this.next(); return; }
        } else if (t.text === ';' && depth === 0) { this.next(); return; }
      }
      this.next();
    }
  }

  private blockItem(out: Stmt[]): void {
    const t = this.peek();
    if (t.kind === PRAGMA) { this.next(); this.pragmaHint(t); return; }
    if (this.is('_Static_assert') || this.is('static_assert')) {
      const a = this.staticAssert();
      out.push({ kind: 'static_assert', test: a.test, message: a.message, loc: a.loc });
      return;
    }
    if (this.is('__label__')) { this.next(); while (this.peek().kind === T.Ident) { this.next(); if (!this.accept(',')) break; } this.expect(';'); return; }
    if (this.isTypeStart() && !(t.kind === T.Ident && this.isPunct(':', 1))) {
      const decls: (TopLevel | Decl)[] = [];
      this.declaration(decls, false);
      out.push(...this.declStmts(decls, t.loc));
      return;
    }
    out.push(this.statement());
  }

  /** Declarations in a block: objects as one 'decl' statement, struct/enum definitions as 'tag' statements. */
  private declStmts(items: (TopLevel | Decl)[], loc: Loc): Stmt[] {
    const out: Stmt[] = [];
    for (const it of items) if (it.kind === 'tag') out.push({ kind: 'tag', type: it.type, loc: it.loc });
    const ds = items.filter((d): d is Decl => d.kind === 'decl');
    if (ds.length) out.push({ kind: 'decl', decls: ds, loc });
    return out;
  }

  private pragmaHint(t: Token): void {
    const text = t.text;
    let m: RegExpExecArray | null;
    if ((m = /^(?:GCC\s+)?unroll(?:\s*\(?\s*(\d+)\s*\)?)?$/.exec(text))) this.pendingHints = { unroll: m[1] ? Number(m[1]) : 'full' };
    else if (/^clang\s+loop\s+unroll\s*\(\s*(full|enable)\s*\)/.test(text)) this.pendingHints = { unroll: 'full' };
    else if ((m = /^clang\s+loop\s+unroll_count\s*\(\s*(\d+)\s*\)/.exec(text))) this.pendingHints = { unroll: Number(m[1]) };
    else if (/^(nounroll|clang\s+loop\s+unroll\s*\(\s*disable\s*\))$/.test(text)) this.pendingHints = { unroll: 'none' };
    // other pragmas inside functions are ignored
  }

  private takeHints(): LoopHints {
    const h = this.pendingHints ?? {};
    this.pendingHints = undefined;
    return h;
  }

  private statement(): Stmt {
    const t = this.peek();
    const loc = t.loc;
    if (t.kind === PRAGMA) { this.next(); this.pragmaHint(t); return this.statement(); }
    if (t.kind === T.Punct) {
      if (t.text === '{') return this.block();
      if (t.text === ';') { this.next(); return { kind: 'empty', loc }; }
    }
    if (t.kind === T.Ident) {
      switch (t.text) {
        case 'if': {
          this.next();
          this.expect('(', "after 'if'");
          const test = this.expression();
          this.expect(')', "to close the 'if' condition");
          const then = this.statement();
          const els = this.accept('else') ? this.statement() : undefined;
          return { kind: 'if', test, then, else: els, loc };
        }
        case 'while': {
          const hints = this.takeHints();
          this.next();
          this.expect('(', "after 'while'");
          const test = this.expression();
          this.expect(')', "to close the 'while' condition");
          return { kind: 'while', test, body: this.statement(), hints, loc };
        }
        case 'do': {
          const hints = this.takeHints();
          this.next();
          const body = this.statement();
          this.expect('while', "after the body of 'do'");
          this.expect('(', "after 'while'");
          const test = this.expression();
          this.expect(')', "to close the 'while' condition");
          this.expect(';', "after 'do ... while (...)'");
          return { kind: 'dowhile', body, test, hints, loc };
        }
        case 'for': {
          const hints = this.takeHints();
          this.next();
          this.expect('(', "after 'for'");
          this.pushScope();
          try {
            let init: Stmt | undefined;
            if (this.accept(';')) init = undefined;
            else if (this.isTypeStart()) {
              const decls: (TopLevel | Decl)[] = [];
              const dloc = this.peek().loc;
              this.declaration(decls, false);
              const st = this.declStmts(decls, dloc);
              init = st.length === 1 ? st[0] : { kind: 'block', body: st, loc: dloc, end: dloc };
            } else {
              const e = this.expression();
              this.expect(';', "after the 'for' initializer");
              init = { kind: 'expr', expr: e, loc: e.loc };
            }
            const test = this.isPunct(';') ? undefined : this.expression();
            this.expect(';', "after the 'for' condition");
            const update = this.isPunct(')') ? undefined : this.expression();
            this.expect(')', "to close 'for (...)'");
            const body = this.statement();
            return { kind: 'for', init, test, update, body, hints, loc };
          } finally {
            this.popScope();
          }
        }
        case 'switch': {
          this.next();
          this.expect('(', "after 'switch'");
          const test = this.expression();
          this.expect(')', "to close the 'switch' value");
          return { kind: 'switch', test, body: this.statement(), loc };
        }
        case 'case': {
          this.next();
          const value = this.conditional();
          let end: Expr | undefined;
          if (this.accept('...')) end = this.conditional();
          this.expect(':', "after the 'case' value");
          return { kind: 'case', value, end, body: this.caseBody(), loc };
        }
        case 'default':
          this.next();
          this.expect(':', "after 'default'");
          return { kind: 'default', body: this.caseBody(), loc };
        case 'break': this.next(); this.expect(';', "after 'break'"); return { kind: 'break', loc };
        case 'continue': this.next(); this.expect(';', "after 'continue'"); return { kind: 'continue', loc };
        case 'return': {
          this.next();
          const value = this.isPunct(';') ? undefined : this.expression();
          this.expect(';', "after 'return'");
          return { kind: 'return', value, loc };
        }
        case 'goto': {
          this.next();
          if (this.isPunct('*')) this.fail('computed goto is not supported in BPF programs');
          const label = this.ident("after 'goto'").text;
          this.expect(';', "after 'goto'");
          return { kind: 'goto', label, loc };
        }
        case 'asm': case '__asm__': case '__asm': {
          this.next();
          let vol = false;
          while (this.is('volatile') || this.is('__volatile__') || this.is('goto') || this.is('inline')) { if (this.next().text !== 'goto') vol = true; }
          const text = this.balancedText();
          this.expect(';', 'after asm');
          return { kind: 'asm', text, volatile: vol, loc };
        }
        default:
          if (this.isPunct(':', 1) && !this.isTypedefName(t.text)) {
            this.next();
            this.next();
            this.attributes();
            // A label at the end of a block (C23) is allowed: give it an empty statement.
            const body = this.isPunct('}') ? { kind: 'empty' as const, loc } : this.statement();
            return { kind: 'label', label: t.text, body, loc };
          }
      }
    }
    const expr = this.expression();
    this.expect(';', 'after the expression');
    return { kind: 'expr', expr, loc };
  }

  /** The statement after a case label; several labels in a row nest. */
  private caseBody(): Stmt {
    if (this.isPunct('}')) return { kind: 'empty', loc: this.peek().loc };
    if (this.isTypeStart() && !this.isPunct(':', 1)) {
      // C23 allows declarations after labels; so does clang with a warning.
      const loc = this.peek().loc;
      const decls: (TopLevel | Decl)[] = [];
      this.declaration(decls, false);
      const st = this.declStmts(decls, loc);
      return st.length === 1 ? st[0]! : { kind: 'block', body: st, loc, end: loc };
    }
    return this.statement();
  }

  /** The text of a balanced parenthesized group starting at '(' (asm bodies). */
  private balancedText(): string {
    this.expect('(');
    let depth = 1;
    const parts: string[] = [];
    while (depth > 0) {
      const t = this.next();
      if (t.kind === T.EOF) this.fail("expected ')' to close asm");
      if (t.kind === T.Punct && t.text === '(') depth++;
      if (t.kind === T.Punct && t.text === ')') { depth--; if (depth === 0) break; }
      parts.push(t.text);
    }
    return parts.join(' ');
  }

  // ---- expressions -------------------------------------------------------------------

  expression(): Expr {
    let e = this.assignment();
    while (this.isPunct(',')) {
      const loc = this.next().loc;
      const right = this.assignment();
      e = { kind: 'comma', left: e, right, loc };
    }
    return e;
  }

  private assignment(): Expr {
    const left = this.conditional();
    const t = this.peek();
    if (t.kind === T.Punct && ASSIGN_OPS.has(t.text)) {
      this.next();
      const value = this.assignment();
      return { kind: 'assign', op: t.text as AssignOp, target: left, value, loc: t.loc };
    }
    return left;
  }

  private conditional(): Expr {
    const test = this.binary(1);
    if (!this.isPunct('?')) return test;
    const q = this.next();
    let then: Expr | undefined;
    if (!this.isPunct(':')) then = this.expression();
    this.expect(':', "in the conditional expression '? :'");
    const els = this.conditional();
    return { kind: 'cond', test, then, else: els, loc: q.loc };
  }

  private binary(minPrec: number): Expr {
    let left = this.cast();
    for (;;) {
      const t = this.peek();
      if (t.kind !== T.Punct) return left;
      const prec = BINARY_PREC[t.text];
      if (prec === undefined || prec < minPrec) return left;
      this.next();
      const right = this.binary(prec + 1);
      left = { kind: 'binary', op: t.text as BinaryOp, left, right, loc: t.loc };
    }
  }

  private cast(): Expr {
    if (this.isPunct('(') && this.isTypeStart(1)) {
      const open = this.next();
      const type = this.typeName();
      this.expect(')', 'to close the cast');
      if (this.isPunct('{')) {
        const init = this.initList();
        return this.postfix({ kind: 'compound', type, init, loc: open.loc });
      }
      return { kind: 'cast', type, operand: this.cast(), loc: open.loc };
    }
    return this.unary();
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.kind === T.Punct) {
      switch (t.text) {
        case '++': case '--': this.next(); return { kind: 'unary', op: t.text, operand: this.unary(), loc: t.loc };
        case '-': case '+': case '!': case '~': case '*': case '&':
          this.next();
          return { kind: 'unary', op: t.text, operand: this.cast(), loc: t.loc };
        case '&&': {
          this.next();
          const l = this.ident("after '&&' (address of label)");
          this.diags.error('parse-label-address', 'taking the address of a label is not supported in BPF programs', t.loc);
          return { kind: 'ident', name: l.text, loc: t.loc };
        }
      }
    }
    if (t.kind === T.Ident) {
      switch (t.text) {
        case 'sizeof': case 'alignof': case '_Alignof': case '__alignof__': case '__alignof': {
          this.next();
          const kind = t.text === 'sizeof' ? 'sizeof' : 'alignof';
          if (this.isPunct('(') && this.isTypeStart(1)) {
            this.next();
            const type = this.typeName();
            this.expect(')', `to close ${t.text}(`);
            if (this.isPunct('{')) {
              // sizeof (T){...} — a compound literal operand
              const init = this.initList();
              return { kind, operand: this.postfix({ kind: 'compound', type, init, loc: t.loc }), loc: t.loc };
            }
            return { kind, type, loc: t.loc };
          }
          return { kind, operand: this.unary(), loc: t.loc };
        }
        case '__extension__': this.next(); return this.cast();
        case '__real__': case '__imag__': this.fail('complex numbers are not supported in BPF programs');
      }
    }
    return this.postfix(this.primary());
  }

  private postfix(e: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (t.kind !== T.Punct) return e;
      switch (t.text) {
        case '[': {
          this.next();
          const index = this.expression();
          this.expect(']', 'to close the subscript');
          e = { kind: 'index', object: e, index, loc: t.loc };
          break;
        }
        case '(': {
          this.next();
          const args: Expr[] = [];
          if (!this.isPunct(')')) {
            for (;;) {
              args.push(this.assignment());
              if (!this.accept(',')) break;
            }
          }
          this.expect(')', 'to close the argument list');
          e = { kind: 'call', callee: e, args, loc: t.loc };
          break;
        }
        case '.': case '->': {
          this.next();
          const n = this.ident(`after '${t.text}'`);
          e = { kind: 'member', object: e, name: n.text, arrow: t.text === '->', nameLoc: n.loc, loc: t.loc };
          break;
        }
        case '++': case '--':
          this.next();
          e = { kind: 'postfix', op: t.text, operand: e, loc: t.loc };
          break;
        default:
          return e;
      }
    }
  }

  private primary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case T.Number: {
        this.next();
        const int = parseIntLiteral(t.text);
        if (int && !('error' in int)) return { kind: 'int', value: int.value, unsigned: int.unsigned, longs: int.longs, decimal: int.decimal, text: t.text, loc: t.loc };
        if (int && 'error' in int) {
          this.diags.error('parse-number', int.error, t.loc);
          return { kind: 'int', value: 0n, unsigned: false, longs: 0, decimal: true, text: t.text, loc: t.loc };
        }
        const f = parseFloatLiteral(t.text);
        if (f === undefined) {
          this.diags.error('parse-number', `invalid number '${t.text}'`, t.loc);
          return { kind: 'int', value: 0n, unsigned: false, longs: 0, decimal: true, text: t.text, loc: t.loc };
        }
        return { kind: 'float', value: f, text: t.text, loc: t.loc };
      }
      case T.Char: {
        this.next();
        const c = parseCharLiteral(t.text, (m) => this.diags.error('parse-char', m, t.loc));
        return { kind: 'char', value: c.value, wide: c.wide, loc: t.loc };
      }
      case T.String: return this.stringLiteral();
      case T.Ident: {
        switch (t.text) {
          case '__builtin_offsetof': if (this.isPunct('(', 1)) return this.offsetofExpr(); break;
          case '__builtin_types_compatible_p': {
            this.next();
            this.expect('(');
            const a = this.typeName();
            this.expect(',');
            const b = this.typeName();
            this.expect(')');
            return { kind: 'types_compatible', a, b, loc: t.loc };
          }
          case '__builtin_va_arg': {
            this.next();
            this.expect('(');
            const operand = this.assignment();
            this.expect(',');
            const type = this.typeName();
            this.expect(')');
            return { kind: 'va_arg', operand, type, loc: t.loc };
          }
          case '_Generic': {
            this.next();
            this.expect('(', 'after _Generic');
            const control = this.assignment();
            const assocs: { type?: TypeExpr; value: Expr }[] = [];
            while (this.accept(',')) {
              const type = this.accept('default') ? undefined : this.typeName();
              this.expect(':', 'in a _Generic association');
              assocs.push({ type, value: this.assignment() });
            }
            this.expect(')', 'to close _Generic');
            return { kind: 'generic', control, assocs, loc: t.loc };
          }
        }
        if (DECL_START.has(t.text) || this.isTypedefName(t.text)) {
          this.fail(`expected an expression, found the type name '${t.text}'`);
        }
        if (KEYWORDS.has(t.text)) this.fail(`expected an expression, found the keyword '${t.text}'`);
        this.next();
        return { kind: 'ident', name: t.text, loc: t.loc };
      }
      case T.Punct:
        if (t.text === '(') {
          this.next();
          if (this.isPunct('{')) {
            this.pushScope();
            try {
              const body = this.block(false);
              this.expect(')', 'to close the statement expression');
              return { kind: 'stmtexpr', body, loc: t.loc };
            } finally {
              this.popScope();
            }
          }
          const e = this.expression();
          this.expect(')', "to match this '('");
          return e;
        }
    }
    this.fail(`expected an expression, found ${this.describe(t)}`, t.kind === T.EOF ? this.prevEnd() : t.loc);
  }

  private stringLiteral(): Expr {
    const first = this.peek();
    if (first.kind !== T.String) this.fail(`expected a string literal, found ${this.describe(first)}`);
    const units: number[] = [];
    let wide = false;
    while (this.peek().kind === T.String) {
      const t = this.next();
      const s = parseStringLiteral(t.text, (m) => this.diags.error('parse-string', m, t.loc));
      wide ||= s.wide;
      units.push(...s.units);
    }
    return { kind: 'string', bytes: wide ? new Uint8Array(new Uint32Array(units).buffer) : Uint8Array.from(units), wide, loc: first.loc };
  }

  private offsetofExpr(): Expr {
    const t = this.next();
    this.expect('(', `after ${t.text}`);
    const type = this.typeName();
    this.expect(',', `in ${t.text}(type, member)`);
    const path: Designator[] = [];
    const first = this.ident(`as the member in ${t.text}`);
    path.push({ kind: 'field', name: first.text, loc: first.loc });
    for (;;) {
      if (this.accept('.')) {
        const n = this.ident("after '.'");
        path.push({ kind: 'field', name: n.text, loc: n.loc });
      } else if (this.isPunct('[')) {
        const l = this.next().loc;
        const index = this.expression();
        this.expect(']');
        path.push({ kind: 'index', index, loc: l });
      } else break;
    }
    this.expect(')', `to close ${t.text}`);
    return { kind: 'offsetof', type, path, loc: t.loc };
  }
}

const KEYWORDS = new Set(['if', 'else', 'while', 'do', 'for', 'switch', 'case', 'default', 'break', 'continue', 'return', 'goto',
  'sizeof', 'typedef', 'struct', 'union', 'enum']);

function hasQuals(q: Quals): boolean { return !!(q.const || q.volatile || q.restrict); }

function mergeQuals(a: Quals, b: Quals): Quals {
  const attrs = a.attrs || b.attrs ? [...(a.attrs ?? []), ...(b.attrs ?? [])] : undefined;
  return { ...a, const: a.const || b.const || undefined, volatile: a.volatile || b.volatile || undefined, restrict: a.restrict || b.restrict || undefined, ...(attrs ? { attrs } : {}) };
}
