// The type checker: resolves every name, gives every expression a type, folds integer constant
// expressions, lays out records, and checks declarations, statements and calls. It reports
// located diagnostics and keeps going; types that the source does not declare come from the
// kernel's BTF (struct task_struct, pid_t, enum constants...).
import type { Loc } from '../source.js';
import { Diagnostics, TooManyErrors, type Note } from '../diagnostics.js';
import type {
  Attribute, Block, Decl, Designator, Expr, FieldDecl, InitList, Initializer, Stmt, TopLevel, TranslationUnit, TypeExpr,
} from '../parse/ast.js';
import {
  VOID, BOOL, CHAR, INT, UINT, LONG, ULONG, LLONG, ULLONG, DOUBLE, FLOAT, LDOUBLE, KERNEL_TYPEDEFS,
  intByName, qual, isInteger, isPointer, isScalar, isRecord, isFunction, isArray, isVoid, isComplete,
  isCompleteObject, sizeOf, alignOf, decay, adjustParam, describeType, typeToString, compatible, compatibleTypes, newRecord,
  newTypeId, tagName, intOf,
  type CType, type QualType, type RecordT, type EnumT, type FuncT, type IntT, type Field, type ArrayT,
} from './types.js';
import {
  binaryResult, unaryResult, conditionalResult, checkAssign, foldBinary, foldUnary, convertValue, fitsIn, wrap,
  type Operand, type Verdict,
} from './convert.js';
import { layoutRecord, findField, LayoutError } from './layout.js';
import type { BtfTypeImporter } from './btf_import.js';
import { Scope, type Sym } from './scope.js';
import { nearestNames } from '../../util/names.js';

export interface CheckOptions {
  /** Kernel types, typedefs and enum constants not declared in the source. */
  btf?: BtfTypeImporter;
  /** Names a real kernel header defines as macros: an undeclared one gets a note saying so. */
  kernelMacros?: ReadonlySet<string>;
  /** Functions known without a declaration (BPF helpers declared by the dialect, for instance). */
  implicitFunctions?: (name: string) => FuncT | undefined;
  /**
   * A dialect's say on a call before it is checked (BCC's `counts.increment(key)`): the expression
   * that replaces it — unchecked, possibly holding the call's own arguments after `env.check` — or
   * undefined to check the call as written.
   */
  rewriteCall?: (e: Expr & { kind: 'call' }, env: RewriteEnv) => Expr | undefined;
}

/** What a call rewriter may ask of the checker. */
export interface RewriteEnv {
  /** The symbol a name means at the call. */
  lookup(name: string): Sym | undefined;
  /** Check an expression once (it is not checked again where the rewrite puts it); its value type. */
  check(e: Expr): QualType;
  error(code: string, message: string, loc: Loc, ...notes: Note[]): void;
  warning(code: string, message: string, loc: Loc, ...notes: Note[]): void;
  /** The function whose body holds the call (undefined at file scope). */
  functionName?: string;
}

export interface CheckedUnit {
  tu: TranslationUnit;
  /** File-scope symbols: globals and functions, in declaration order. */
  globals: Sym[];
  /** Functions with bodies. */
  functions: Sym[];
}

const qInt: QualType = { type: INT };
/** The type of an expression already reported as wrong: operations on it stay quiet (no cascades). */
const qErr: QualType = { type: INT };
const qLong: QualType = { type: LONG };
const qULong: QualType = { type: ULONG };
const qVoid: QualType = { type: VOID };
const qVoidPtr: QualType = { type: { kind: 'ptr', to: qVoid } };
const qConstVoidPtr: QualType = { type: { kind: 'ptr', to: { type: VOID, const: true } } };
const qConstCharPtr: QualType = { type: { kind: 'ptr', to: { type: CHAR, const: true } } };

/** __builtin_* functions with ordinary prototypes. */
const BUILTINS: Record<string, FuncT> = (() => {
  const f = (ret: QualType, params: QualType[], variadic = false): FuncT => ({ kind: 'func', ret, params: params.map((type) => ({ type })), variadic });
  const u16 = qual(intByName('unsigned short')!), u32 = qual(UINT), u64 = qual(ULLONG);
  return {
    __builtin_memcpy: f(qVoidPtr, [qVoidPtr, qConstVoidPtr, qULong]),
    __builtin_memmove: f(qVoidPtr, [qVoidPtr, qConstVoidPtr, qULong]),
    __builtin_memset: f(qVoidPtr, [qVoidPtr, qInt, qULong]),
    __builtin_memcmp: f(qInt, [qConstVoidPtr, qConstVoidPtr, qULong]),
    __builtin_strlen: f(qULong, [qConstCharPtr]),
    __builtin_strcmp: f(qInt, [qConstCharPtr, qConstCharPtr]),
    __builtin_strncmp: f(qInt, [qConstCharPtr, qConstCharPtr, qULong]),
    __builtin_expect: f(qLong, [qLong, qLong]),
    __builtin_expect_with_probability: f(qLong, [qLong, qLong, qual(DOUBLE)]),
    __builtin_bswap16: f(u16, [u16]),
    __builtin_bswap32: f(u32, [u32]),
    __builtin_bswap64: f(u64, [u64]),
    __builtin_clz: f(qInt, [qual(UINT)]), __builtin_clzl: f(qInt, [qULong]), __builtin_clzll: f(qInt, [u64]),
    __builtin_ctz: f(qInt, [qual(UINT)]), __builtin_ctzl: f(qInt, [qULong]), __builtin_ctzll: f(qInt, [u64]),
    __builtin_popcount: f(qInt, [qual(UINT)]), __builtin_popcountl: f(qInt, [qULong]), __builtin_popcountll: f(qInt, [u64]),
    __builtin_ffs: f(qInt, [qInt]), __builtin_ffsl: f(qInt, [qLong]), __builtin_ffsll: f(qInt, [qual(LLONG)]),
    __builtin_unreachable: f(qVoid, []),
    __builtin_trap: f(qVoid, []),
    __builtin_abort: f(qVoid, []),
    __builtin_frame_address: f(qVoidPtr, [qual(UINT)]),
    __builtin_return_address: f(qVoidPtr, [qual(UINT)]),
    __builtin_bpf_load_byte: f(qual(ULLONG), [qVoidPtr, qual(ULLONG)]),
    __builtin_bpf_load_half: f(qual(ULLONG), [qVoidPtr, qual(ULLONG)]),
    __builtin_bpf_load_word: f(qual(ULLONG), [qVoidPtr, qual(ULLONG)]),
  };
})();

/** Atomic builtins whose operand and result types follow the pointer's target type. */
const ATOMIC_FETCH = /^__sync_(fetch_and_(add|sub|or|and|xor|nand)|(add|sub|or|and|xor|nand)_and_fetch|lock_test_and_set|lock_release|val_compare_and_swap|bool_compare_and_swap|synchronize)$|^__atomic_(fetch_(add|sub|or|and|xor|nand)|(add|sub|or|and|xor|nand)_fetch|exchange_n|compare_exchange_n|load_n|store_n|thread_fence|signal_fence)$/;

interface FnCtx {
  sym: Sym;
  ret: QualType;
  labels: Map<string, { loc: Loc; defined: boolean }>;
  gotos: { label: string; loc: Loc }[];
  loops: number;
  switches: { cases: Map<bigint, Loc>; hasDefault: boolean; type: QualType }[];
  breakable: number;
}

export function check(tu: TranslationUnit, diags: Diagnostics, opts: CheckOptions = {}): CheckedUnit {
  const c = new Checker(diags, opts);
  return c.unit(tu);
}

class Checker {
  private global = new Scope();
  private scope = this.global;
  private fn?: FnCtx;
  private globals: Sym[] = [];
  private functions: Sym[] = [];

  constructor(private diags: Diagnostics, private opts: CheckOptions) {}

  // ---- diagnostics helpers ---------------------------------------------------------------

  private error(code: string, message: string, loc: Loc, ...notes: Note[]): void { this.diags.error(code, message, loc, ...notes); }
  private warning(code: string, message: string, loc: Loc, ...notes: Note[]): void { this.diags.warning(code, message, loc, ...notes); }

  /** Any operand already wrong? Then its consequences are not reported again. */
  private poisoned(...es: (Expr | undefined)[]): boolean {
    return es.some((e) => e?.ty === qErr);
  }

  private verdict(v: Verdict, loc: Loc): boolean {
    // Conversions spelled inside a built-in header's macro (libbpf's BPF_PROG passes ctx[i] as
    // `void *` to typed parameters, under `#pragma GCC diagnostic ignored "-Wint-conversion"`)
    // are the header's business, as clang treats system headers.
    if (v.flag && v.severity !== 'ok' && loc.file.name.startsWith('<')) return true;
    if (v.severity === 'error') { this.error(v.code ?? 'type-error', v.message ?? 'invalid operands', loc); return false; }
    if (v.severity === 'warning') this.warning(v.code ?? 'type-warning', v.message ?? 'suspicious conversion', loc);
    return true;
  }

  // ---- the unit -------------------------------------------------------------------------------

  unit(tu: TranslationUnit): CheckedUnit {
    try {
      for (const item of tu.items) this.topLevel(item);
      for (const s of this.globals) {
        if (s.kind === 'func' && !s.defined && s.used && s.storage === 'static') {
          this.warning('sema-undefined-static', `function '${s.name}' has internal linkage but is not defined`, s.loc);
        }
      }
    } catch (e) {
      if (!(e instanceof TooManyErrors)) throw e;
    }
    return { tu, globals: this.globals, functions: this.functions };
  }

  private topLevel(item: TopLevel): void {
    switch (item.kind) {
      case 'decl': this.declaration(item); break;
      case 'tag': this.resolveType(item.type); break;
      case 'static_assert': this.staticAssert(item.test, item.message, item.loc); break;
      case 'asm': case 'pragma': break;
    }
  }

  private staticAssert(test: Expr, message: string | undefined, loc: Loc): void {
    const v = this.constInt(test, 'a static assertion');
    if (v === 0n) this.error('sema-static-assert', `static assertion failed${message ? `: ${message}` : ''}`, test.loc);
    void loc;
  }

  // ---- types as written -> types --------------------------------------------------------------

  resolveType(te: TypeExpr): QualType {
    const q = te.quals;
    const base = this.resolveBase(te);
    // The common case: nothing written on top of the base type.
    if (!q.const && !q.volatile && !q.restrict && !q.tags && !q.attrs) return base;
    let tags: string[] | undefined = q.tags ? [...q.tags] : undefined;
    for (const a of q.attrs ?? []) {
      if (a.name === 'btf_type_tag' && a.args[0]?.kind === 'string') (tags ??= []).push(Buffer.from(a.args[0].bytes).toString());
    }
    const out: QualType = { type: base.type };
    if (base.typedefName) out.typedefName = base.typedefName;
    if (base.const || q.const) out.const = true;
    if (base.volatile || q.volatile) out.volatile = true;
    if (base.restrict || q.restrict) out.restrict = true;
    if (base.tags || tags) out.tags = [...(base.tags ?? []), ...(tags ?? [])];
    return out;
  }

  private resolveBase(te: TypeExpr): QualType {
    switch (te.kind) {
      case 'builtin': {
        switch (te.name) {
          case 'void': return qVoid;
          case 'float': return qual(FLOAT);
          case 'double': return qual(DOUBLE);
          case 'long double': return qual(LDOUBLE);
        }
        const t = intByName(te.name);
        if (!t) { this.error('type-unknown', `unknown type '${te.name}'`, te.loc); return qInt; }
        return qual(t);
      }
      case 'typedef': {
        const s = this.scope.lookup(te.name);
        if (s?.kind === 'typedef') return { ...s.type, typedefName: te.name };
        const k = KERNEL_TYPEDEFS.get(te.name);
        if (k) return k;
        const b = this.opts.btf?.typedef(te.name);
        if (b) return b;
        this.error('type-unknown', `unknown type name '${te.name}'`, te.loc);
        return qInt;
      }
      case 'record': return qual(this.recordType(te));
      case 'enum': return qual(this.enumType(te));
      case 'ptr': return qual({ kind: 'ptr', to: this.resolveType(te.to) });
      case 'array': {
        const of = this.resolveType(te.of);
        if (isFunction(of.type)) this.error('type-array-of-functions', 'arrays of functions are not allowed', te.loc);
        else if (!isCompleteObject(of.type)) this.error('type-incomplete-element', `array has incomplete element type ${describeType(of)}`, te.loc);
        let length: number | undefined;
        if (te.size) {
          const v = this.constInt(te.size, 'an array size', true);
          if (v === undefined) {
            this.error('type-vla', 'variable-length arrays are not supported in BPF programs (the size must be a constant)', te.size.loc);
            return qual({ kind: 'array', of, length: 1, vla: true });
          } else if (v < 0n) {
            this.error('type-array-size', `array size is negative (${v})`, te.size.loc);
          } else length = Number(v);
        }
        const arr: ArrayT = { kind: 'array', of, length };
        return qual(arr);
      }
      case 'func': {
        const ret = this.resolveType(te.ret);
        if (isArray(ret.type)) this.error('type-func-returns-array', 'a function cannot return an array', te.loc);
        if (isFunction(ret.type)) this.error('type-func-returns-func', 'a function cannot return a function', te.loc);
        const params = te.params.map((p) => {
          const t = adjustParam(this.resolveType(p.type));
          if (isVoid(t.type)) this.error('type-void-param', "'void' must be the only parameter", p.loc);
          return { name: p.name, type: t };
        });
        const f: FuncT = { kind: 'func', ret, params, variadic: te.variadic, ...(te.noProto ? { noProto: true } : {}) };
        return qual(f);
      }
      case 'typeof': {
        if (te.type) return this.resolveType(te.type);
        if (te.expr) {
          const t = this.typeOfUnevaluated(te.expr);
          return t;
        }
        this.error('type-auto', '__auto_type needs an initializer', te.loc);
        return qInt;
      }
    }
  }

  /** struct/union specifier: declares, completes, or refers to a tag; unknown tags come from BTF. */
  private recordType(te: TypeExpr & { kind: 'record' }): RecordT {
    const kind = te.tag;
    if (te.defines) {
      let rec: RecordT | undefined;
      if (te.name) {
        const here = this.scope.tags.get(te.name);
        if (here && here.type.kind === kind && !(here.type as RecordT).fields && (here.type as RecordT).btfId === undefined) rec = here.type as RecordT;
        else if (here && (here.type.kind !== kind || (here.type as RecordT).fields)) {
          this.error('sema-redefinition', `redefinition of '${kind} ${te.name}'`, te.loc, { loc: here.loc, message: 'previous definition is here' });
        }
      }
      rec ??= newRecord(kind, te.name);
      if (te.name) this.scope.tags.set(te.name, { type: rec, loc: te.loc });
      this.completeRecord(rec, te.members ?? [], te.attrs, te.loc);
      for (const a of te.asserts ?? []) this.staticAssert(a.test, a.message, a.loc);
      return rec;
    }
    const name = te.name!;
    const found = this.scope.lookupTag(name);
    if (found) {
      if (found.type.kind !== kind) {
        this.error('sema-tag-mismatch', `use of '${name}' with tag type that does not match previous declaration`, te.loc,
          { loc: found.loc, message: `previous use is here (as ${found.type.kind})` });
      }
      if (found.type.kind === 'struct' || found.type.kind === 'union') return found.type;
    }
    const fromBtf = this.opts.btf?.record(name, kind);
    if (fromBtf) return fromBtf;
    // A forward declaration (or a use before the definition): an incomplete record in this scope.
    const rec = newRecord(kind, name);
    this.scope.tags.set(name, { type: rec, loc: te.loc });
    return rec;
  }

  private completeRecord(rec: RecordT, members: FieldDecl[], attrs: Attribute[], loc: Loc): void {
    const seen = new Map<string, Loc>();
    const specs: { name?: string; type: QualType; bitWidth?: number; aligned?: number; packed?: boolean }[] = [];
    const specLocs: Loc[] = [];
    members.forEach((m, i) => {
      const type = this.resolveType(m.type);
      let bitWidth: number | undefined;
      if (m.bitWidth) {
        const v = this.constInt(m.bitWidth, 'a bit-field width');
        if (!isInteger(type.type)) this.error('type-bitfield-type', `bit-field '${m.name ?? '(anonymous)'}' has non-integral type ${describeType(type)}`, m.loc);
        else if (v !== undefined) {
          const max = BigInt(sizeOf(type.type) * 8);
          if (v < 0n) this.error('type-bitfield-width', `bit-field '${m.name ?? '(anonymous)'}' has negative width (${v})`, m.bitWidth.loc);
          else if (v > max) this.error('type-bitfield-width', `width of bit-field '${m.name ?? '(anonymous)'}' (${v} bits) exceeds the width of its type (${max} bits)`, m.bitWidth.loc);
          else if (v === 0n && m.name) this.error('type-bitfield-width', `named bit-field '${m.name}' has zero width`, m.bitWidth.loc);
          else bitWidth = Number(v);
        }
      } else if (isFunction(type.type)) {
        this.error('type-field-function', `field '${m.name}' declared as a function`, m.loc);
        return;
      } else if (!isComplete(type.type)) {
        const flexible = isArray(type.type) && (type.type as ArrayT).length === undefined && rec.kind === 'struct' && i === members.length - 1 && members.length > 1;
        if (!flexible) {
          this.error('type-incomplete-field', `field ${m.name ? `'${m.name}' ` : ''}has incomplete type ${describeType(type)}`, m.loc);
          return;
        }
      }
      if (m.name) {
        const prev = seen.get(m.name);
        if (prev) this.error('sema-duplicate-member', `duplicate member '${m.name}'`, m.loc, { loc: prev, message: 'previous declaration is here' });
        seen.set(m.name, m.loc);
      } else if (isRecord(type.type) && !m.bitWidth) {
        for (const n of this.memberNames(type.type)) {
          const prev = seen.get(n);
          if (prev) this.error('sema-duplicate-member', `duplicate member '${n}'`, m.loc, { loc: prev, message: 'previous declaration is here' });
          seen.set(n, m.loc);
        }
      }
      const aligned = this.alignedAttr(m.attrs);
      specs.push({ name: m.name, type, bitWidth, aligned, ...(m.attrs.some((a) => a.name === 'packed') ? { packed: true } : {}) });
      specLocs.push(m.loc);
    });
    const packed = attrs.some((a) => a.name === 'packed');
    const aligned = this.alignedAttr(attrs);
    let lay: ReturnType<typeof layoutRecord>;
    try {
      lay = layoutRecord(rec.kind, specs, { packed, aligned });
    } catch (e) {
      if (!(e instanceof LayoutError)) throw e;
      this.error(e.code || 'type-layout', e.message, specLocs[e.member] ?? loc);
      lay = { fields: [], size: 0, align: 1 };
    }
    rec.fields = lay.fields;
    rec.size = lay.size;
    rec.align = lay.align;
    if (packed) rec.packed = true;
    void loc;
  }

  private memberNames(rec: RecordT): string[] {
    return (rec.fields ?? []).flatMap((f) => (f.name ? [f.name] : isRecord(f.type.type) ? this.memberNames(f.type.type) : []));
  }

  private alignedAttr(attrs: Attribute[]): number | undefined {
    let a: number | undefined;
    for (const at of attrs) {
      if (at.name !== 'aligned') continue;
      if (!at.args.length) { a = Math.max(a ?? 0, 16); continue; }
      const arg = at.args[0]!;
      const v = arg.kind === 'alignof' ? BigInt(this.alignOfExpr(arg)) : this.constInt(arg, 'an alignment');
      if (v === undefined) continue;
      if (v <= 0n || (v & (v - 1n)) !== 0n) { this.error('type-alignment', `requested alignment is not a power of 2 (${v})`, arg.loc); continue; }
      a = Math.max(a ?? 0, Number(v));
    }
    return a;
  }

  private enumType(te: TypeExpr & { kind: 'enum' }): EnumT {
    if (!te.defines) {
      const found = te.name ? this.scope.lookupTag(te.name) : undefined;
      if (found) {
        if (found.type.kind !== 'enum') this.error('sema-tag-mismatch', `use of '${te.name}' with tag type that does not match previous declaration`, te.loc);
        else return found.type;
      }
      const fromBtf = te.name ? this.opts.btf?.enumType(te.name) : undefined;
      if (fromBtf) return fromBtf;
      // Incomplete enum (a GNU extension): int-sized.
      const e: EnumT = { kind: 'enum', name: te.name, id: newTypeId(), base: UINT };
      if (te.name) this.scope.tags.set(te.name, { type: e, loc: te.loc });
      return e;
    }
    if (te.name) {
      const here = this.scope.tags.get(te.name);
      if (here && (here.type.kind !== 'enum' || here.type.values)) {
        this.error('sema-redefinition', `redefinition of 'enum ${te.name}'`, te.loc, { loc: here.loc, message: 'previous definition is here' });
      }
    }
    const e: EnumT = { kind: 'enum', name: te.name, id: newTypeId(), base: UINT, values: new Map() };
    if (te.name) this.scope.tags.set(te.name, { type: e, loc: te.loc });
    let next = 0n;
    let min = 0n, max = 0n;
    const consts: Sym[] = [];
    for (const v of te.values ?? []) {
      let value = next;
      if (v.value) {
        const cv = this.constInt(v.value, 'an enumerator value');
        if (cv !== undefined) value = cv;
      }
      e.values!.set(v.name, value);
      if (value < min) min = value;
      if (value > max) max = value;
      const sym: Sym = { kind: 'enumconst', name: v.name, type: qInt, loc: v.loc, global: this.scope.isGlobal, value };
      this.define(sym);
      consts.push(sym);
      next = value + 1n;
    }
    // The underlying type (GCC/clang): unsigned int if nothing is negative and it fits, int if
    // negatives fit, else a 64-bit type; packed enums take the smallest that holds every value.
    const packed = te.attrs.some((a) => a.name === 'packed');
    const candidates: IntT[] = packed
      ? [intByName('signed char')!, intByName('unsigned char')!, intByName('short')!, intByName('unsigned short')!, INT, UINT, LONG, ULONG]
      : [UINT, INT, LONG, ULONG];
    e.base = (min < 0n ? candidates.filter((t) => t.signed) : candidates).find((t) => fitsIn(min, t) && fitsIn(max, t)) ?? ULONG;
    if (min >= 0n && !packed && fitsIn(max, UINT)) e.base = UINT;
    for (const s of consts) s.type = fitsIn(s.value!, INT) ? qInt : qual(e.base);
    return e;
  }

  private alignOfExpr(e: Expr & { kind: 'alignof' }): number {
    const t = e.type ? this.resolveType(e.type) : this.typeOfUnevaluated(e.operand!);
    if (!isCompleteObject(t.type)) { this.error('type-incomplete', `invalid application of 'alignof' to an incomplete type ${describeType(t)}`, e.loc); return 1; }
    return alignOf(t.type);
  }

  // ---- declarations ---------------------------------------------------------------------------

  private define(sym: Sym): Sym {
    const prev = this.scope.names.get(sym.name);
    if (prev) {
      const bothFuncs = prev.kind === 'func' && sym.kind === 'func';
      const bothExternish = prev.kind === 'var' && sym.kind === 'var' && this.scope.isGlobal;
      const bothTypedefs = prev.kind === 'typedef' && sym.kind === 'typedef';
      if ((bothFuncs || bothExternish || bothTypedefs) && compatibleTypes(prev.type.type, sym.type.type)) {
        if (sym.defined && prev.defined && !bothTypedefs && (bothFuncs || (prev.storage !== 'extern' && sym.storage !== 'extern' && prev.decl?.init && sym.decl?.init))) {
          this.error('sema-redefinition', `redefinition of '${sym.name}'`, sym.loc, { loc: prev.loc, message: 'previous definition is here' });
        }
        // Merge into the first symbol so every use sees one object.
        if (sym.defined) { prev.defined = true; prev.body = sym.body ?? prev.body; prev.decl = sym.decl ?? prev.decl; prev.loc = sym.loc; }
        if (isFunction(sym.type.type) && !(sym.type.type as FuncT).noProto) prev.type = sym.type;
        if (isArray(prev.type.type) && (prev.type.type as ArrayT).length === undefined) prev.type = sym.type;
        if (sym.storage === 'static') prev.storage = 'static';
        return prev;
      }
      const what = prev.kind === sym.kind || (prev.kind !== 'typedef' && sym.kind !== 'typedef') ? 'redefinition' : 'redefinition as a different kind of symbol';
      this.error('sema-redefinition', prev.kind === sym.kind && !compatibleTypes(prev.type.type, sym.type.type)
        ? `conflicting types for '${sym.name}'` : `${what} of '${sym.name}'`, sym.loc,
      { loc: prev.loc, message: prev.kind === 'func' || prev.kind === 'var' ? 'previous declaration is here' : 'previous definition is here' });
      return prev;
    }
    this.scope.names.set(sym.name, sym);
    if (this.scope.isGlobal && (sym.kind === 'var' || sym.kind === 'func')) this.globals.push(sym);
    return sym;
  }

  private attrMap(attrs: Attribute[]): Map<string, unknown[]> | undefined {
    if (!attrs.length) return undefined;
    const m = new Map<string, unknown[]>();
    for (const a of attrs) {
      m.set(a.name, a.args.map((x) => (x.kind === 'string' ? Buffer.from(x.bytes).toString() : x.kind === 'int' ? x.value : x.kind === 'ident' ? x.name : undefined)));
    }
    return m;
  }

  private declaration(d: Decl): void {
    const type = this.resolveType(d.type);
    const global = this.scope.isGlobal;
    if (d.storage === 'typedef') {
      if (d.init) this.error('sema-typedef-init', `typedef '${d.name}' cannot have an initializer`, d.nameLoc);
      d.sym = this.define({ kind: 'typedef', name: d.name, type: { ...type }, loc: d.nameLoc, global });
      return;
    }
    if (isFunction(type.type)) {
      if (d.init) this.error('sema-func-init', `illegal initializer: '${d.name}' is a function`, d.nameLoc);
      if (!global && d.storage === 'static') this.error('sema-storage', `a function declared in block scope cannot be 'static'`, d.nameLoc);
      const sym = this.define({
        kind: 'func', name: d.name, type, loc: d.nameLoc, global: true, storage: d.storage === 'static' ? 'static' : d.storage === 'extern' ? 'extern' : undefined,
        defined: !!d.body, body: d.body, decl: d, inline: d.inline, attrs: this.attrMap(d.attrs),
      });
      d.sym = sym;
      if (!global) this.scope.names.set(d.name, sym);
      if (d.body) this.functionBody(sym, d, type.type as FuncT);
      return;
    }
    // A variable.
    const storage = d.storage;
    if (isVoid(type.type)) { this.error('type-void-var', `variable '${d.name}' has incomplete type 'void'`, d.nameLoc); return; }
    const sym: Sym = {
      kind: 'var', name: d.name, type, loc: d.nameLoc, global: global || storage === 'static' || storage === 'extern',
      storage: storage as Sym['storage'], defined: storage !== 'extern' || !!d.init, decl: d, attrs: this.attrMap(d.attrs),
    };
    d.sym = this.define(sym);
    if (!global && (storage === 'static' || storage === 'extern')) this.globals.push(d.sym);
    if (d.init) {
      if (storage === 'extern' && !global) this.error('sema-extern-init', `'extern' variable '${d.name}' cannot have an initializer`, d.nameLoc);
      const mustBeConst = global || storage === 'static';
      const t = this.initializer(d.sym.type, d.init, mustBeConst);
      if (t !== d.sym.type) d.sym.type = t; // an array completed by its initializer
    }
    const final = d.sym.type;
    if (!isComplete(final.type) && storage !== 'extern' && !(global && isArray(final.type))) {
      this.error('type-incomplete-var', `variable '${d.name}' has incomplete type ${describeType(final)}`, d.nameLoc);
    }
  }

  private functionBody(sym: Sym, d: Decl, f: FuncT): void {
    if (!isVoid(f.ret.type) && !isCompleteObject(f.ret.type)) this.error('type-incomplete-return', `incomplete result type ${describeType(f.ret)} in function definition`, d.nameLoc);
    const ctx: FnCtx = { sym, ret: f.ret, labels: new Map(), gotos: [], loops: 0, switches: [], breakable: 0 };
    const saved = this.fn;
    this.fn = ctx;
    this.scope = new Scope(this.scope);
    const fte = d.type.kind === 'func' ? d.type : undefined;
    sym.params = [];
    f.params.forEach((p, i) => {
      if (!p.name) {
        if (!f.noProto) this.error('sema-param-name', `parameter ${i + 1} of '${d.name}' needs a name in a function definition`, fte?.params[i]?.loc ?? d.nameLoc);
        return;
      }
      if (!isCompleteObject(p.type.type)) this.error('type-incomplete-param', `parameter '${p.name}' has incomplete type ${describeType(p.type)}`, fte?.params[i]?.loc ?? d.nameLoc);
      sym.params!.push(this.define({ kind: 'param', name: p.name, type: p.type, loc: fte?.params[i]?.loc ?? d.nameLoc, global: false }));
    });
    this.scope.names.set('__func__', { kind: 'var', name: '__func__', type: qual({ kind: 'array', of: { type: CHAR, const: true }, length: d.name.length + 1 }), loc: d.nameLoc, global: true, defined: true });
    try {
      this.blockBody(d.body!);
    } finally {
      this.scope = this.scope.parent!;
      this.fn = saved;
    }
    for (const g of ctx.gotos) {
      if (!ctx.labels.has(g.label)) this.error('sema-undefined-label', `use of undeclared label '${g.label}'`, g.loc);
    }
    this.functions.push(sym);
  }

  // ---- initializers -----------------------------------------------------------------------------

  /** Check an initializer against `target`; returns the type (arrays of unknown size get one). */
  private initializer(target: QualType, init: Initializer, mustBeConst: boolean): QualType {
    const t = target.type;
    if (init.kind === 'initlist') {
      if (isArray(t) || isRecord(t)) {
        const n = this.initAggregate(target, init, mustBeConst);
        if (isArray(t) && t.length === undefined) return { ...target, type: { ...t, length: n } };
        return target;
      }
      // Scalar in braces: { x }
      if (init.items.length === 0) return target;
      if (init.items.length > 1) this.warning('sema-excess-init', 'excess elements in scalar initializer', init.items[1]!.loc);
      const first = init.items[0]!;
      if (first.designators.length) this.error('sema-designator', 'designator in initializer for scalar type', first.loc);
      return this.initializer(target, first.value, mustBeConst);
    }
    // A string literal initializing a char array.
    if (isArray(t) && init.kind === 'string' && isInteger(t.of.type) && sizeOf(t.of.type) === (init.wide ? 4 : 1)) {
      this.expr(init);
      const len = init.bytes.length / (init.wide ? 4 : 1);
      if (t.length !== undefined && len > t.length) this.warning('sema-string-too-long', `initializer-string for char array is too long (${len} > ${t.length})`, init.loc);
      if (t.length === undefined) return { ...target, type: { ...t, length: len + 1 } };
      return target;
    }
    if (isArray(t) || isRecord(t)) {
      const v = this.rvalue(init);
      if (isRecord(t) && v.type === t) return target;
      this.error('sema-init-aggregate', `initializing ${describeType(target)} requires an initializer list`, init.loc);
      return target;
    }
    const v = this.rvalue(init);
    if (!this.poisoned(init)) this.verdict(checkAssign(target, this.operand(init), 'init'), init.loc);
    if (mustBeConst && !this.poisoned(init) && !this.isConstantInitializer(init)) {
      this.error('sema-init-not-constant', 'initializer element is not a compile-time constant', init.loc);
    }
    void v;
    return target;
  }

  /** Brace-enclosed initializer for an array or record; returns the number of array elements initialized. */
  private initAggregate(target: QualType, list: InitList, mustBeConst: boolean): number {
    const t = target.type;
    let index = 0;
    let maxIndex = 0;
    const fields = isRecord(t) ? (t.fields ?? []).filter((f) => f.name !== undefined || isRecord(f.type.type)) : [];
    if (isRecord(t) && !t.fields) { this.error('type-incomplete', `initializing incomplete ${tagName(t)}`, list.loc); return 0; }
    for (const item of list.items) {
      let slot: QualType | undefined;
      if (item.designators.length) {
        slot = this.designate(target, item.designators, mustBeConst, (i) => { index = i; });
        if (isArray(t)) { index++; maxIndex = Math.max(maxIndex, index); }
        else if (isRecord(t)) {
          const first = item.designators[0]!;
          if (first.kind === 'field') {
            const fi = fields.findIndex((f) => f.name === first.name || (!f.name && isRecord(f.type.type) && findField(f.type.type as RecordT, first.name)));
            index = fi + 1;
          }
        }
      } else if (isArray(t)) {
        if (t.length !== undefined && index >= t.length) { this.warning('sema-excess-init', 'excess elements in array initializer', item.loc); this.rvalueOrList(item.value); continue; }
        slot = t.of;
        index++;
        maxIndex = Math.max(maxIndex, index);
      } else if (isRecord(t)) {
        if (t.kind === 'union' && index >= 1) { this.warning('sema-excess-init', 'excess elements in union initializer', item.loc); this.rvalueOrList(item.value); continue; }
        const f = fields[index++];
        if (!f) { this.warning('sema-excess-init', 'excess elements in struct initializer', item.loc); this.rvalueOrList(item.value); continue; }
        slot = f.type;
      }
      if (!slot) { this.rvalueOrList(item.value); continue; }
      // Brace elision: an aggregate slot given a scalar takes it for its first member.
      if (item.value.kind !== 'initlist' && (isArray(slot.type) || isRecord(slot.type)) && !(item.value.kind === 'string' && isArray(slot.type))) {
        const v = this.rvalue(item.value);
        if (isRecord(slot.type) && v.type === slot.type) continue;
        let inner = slot;
        while (isArray(inner.type) || (isRecord(inner.type) && inner.type.fields?.length)) {
          inner = isArray(inner.type) ? inner.type.of : inner.type.fields![0]!.type;
        }
        this.verdict(checkAssign(inner, this.operand(item.value), 'init'), item.value.loc);
        continue;
      }
      this.initializer(slot, item.value, mustBeConst);
    }
    return isArray(t) ? Math.max(maxIndex, index) : 0;
  }

  private rvalueOrList(v: Initializer): void {
    if (v.kind === 'initlist') for (const i of v.items) this.rvalueOrList(i.value);
    else this.rvalue(v);
  }

  private designate(target: QualType, ds: Designator[], mustBeConst: boolean, setIndex: (i: number) => void): QualType | undefined {
    let cur = target;
    ds.forEach((d, i) => {
      const t = cur.type;
      if (d.kind === 'index') {
        if (!isArray(t)) { this.error('sema-designator', `array designator cannot initialize non-array type ${describeType(cur)}`, d.loc); return; }
        const v = this.constInt(d.index, 'an array designator');
        const end = d.end ? this.constInt(d.end, 'an array designator') : v;
        if (v !== undefined && (v < 0n || (t.length !== undefined && (end ?? v) >= BigInt(t.length)))) {
          this.error('sema-designator', `array designator index (${end ?? v}) exceeds array bounds (${t.length})`, d.loc);
        }
        if (i === 0 && end !== undefined) setIndex(Number(end));
        cur = t.of;
      } else {
        if (!isRecord(t)) { this.error('sema-designator', `field designator '${d.name}' does not refer to a member of ${describeType(cur)}`, d.loc); return; }
        const f = t.fields ? findField(t, d.name) : undefined;
        if (!f) { this.error('sema-no-member', this.noMemberMessage(t, d.name), d.loc); return; }
        cur = f.field.type;
      }
    });
    void mustBeConst;
    return cur;
  }

  /** Constant initializers: integer constants, addresses of globals/functions/strings (+/- constants). */
  private isConstantInitializer(e: Expr): boolean {
    if (e.cv !== undefined) return true;
    switch (e.kind) {
      case 'string': case 'float': return true;
      case 'ident': return e.sym?.kind === 'func' || (e.sym?.global === true && (isArray(e.sym.type.type) || isFunction(e.sym.type.type)));
      case 'unary': return e.op === '&' && this.isAddressConstant(e.operand);
      case 'cast': return this.isConstantInitializer(e.operand);
      case 'binary': return (e.op === '+' || e.op === '-') && ((this.isConstantInitializer(e.left) && e.right.cv !== undefined) || (e.left.cv !== undefined && this.isConstantInitializer(e.right)));
      case 'compound': return true;
      default: return false;
    }
  }

  private isAddressConstant(e: Expr): boolean {
    switch (e.kind) {
      case 'ident': return e.sym?.global === true || e.sym?.kind === 'func';
      case 'member': return e.arrow ? this.isConstantInitializer(e.object) : this.isAddressConstant(e.object);
      case 'index': return this.isAddressConstant(e.object) && e.index.cv !== undefined;
      case 'string': case 'compound': return true;
      case 'unary': return e.op === '*' && this.isConstantInitializer(e.operand);
      default: return false;
    }
  }

  // ---- statements ---------------------------------------------------------------------------------

  private blockBody(b: Block): void {
    for (const s of b.body) this.stmt(s);
  }

  private withScope<T>(f: () => T): T {
    this.scope = new Scope(this.scope);
    try { return f(); } finally { this.scope = this.scope.parent!; }
  }

  private condition(e: Expr, what: string): void {
    const t = this.rvalue(e);
    if (!isScalar(t.type)) this.error('type-condition', `${what} must have scalar type, not ${describeType(t)}`, e.loc);
    if (e.kind === 'assign' && e.op === '=') {
      this.warning('sema-assign-in-condition', 'using the result of an assignment as a condition without parentheses', e.loc);
    }
  }

  private stmt(s: Stmt): void {
    const fn = this.fn!;
    switch (s.kind) {
      case 'block': this.withScope(() => this.blockBody(s)); break;
      case 'expr': this.expr(s.expr); break;
      case 'decl': for (const d of s.decls) this.declaration(d); break;
      case 'tag': this.resolveType(s.type); break;
      case 'static_assert': this.staticAssert(s.test, s.message, s.loc); break;
      case 'if':
        this.condition(s.test, "the 'if' condition");
        this.stmt(s.then);
        if (s.else) this.stmt(s.else);
        break;
      case 'while':
        this.condition(s.test, "the 'while' condition");
        fn.loops++; fn.breakable++;
        this.stmt(s.body);
        fn.loops--; fn.breakable--;
        break;
      case 'dowhile':
        fn.loops++; fn.breakable++;
        this.stmt(s.body);
        fn.loops--; fn.breakable--;
        this.condition(s.test, "the 'do ... while' condition");
        break;
      case 'for':
        this.withScope(() => {
          if (s.init) {
            if (s.init.kind === 'decl') {
              for (const d of s.init.decls) {
                if (d.storage === 'static' || d.storage === 'extern' || d.storage === 'typedef') this.error('sema-for-decl', `declaration of '${d.name}' in a 'for' loop must be an object with automatic storage`, d.nameLoc);
              }
            }
            // A for-init of several statements (a struct definition and a declaration) shares the loop's scope.
            if (s.init.kind === 'block') for (const x of s.init.body) this.stmt(x);
            else this.stmt(s.init);
          }
          if (s.test) this.condition(s.test, "the 'for' condition");
          if (s.update) this.expr(s.update);
          fn.loops++; fn.breakable++;
          this.stmt(s.body);
          fn.loops--; fn.breakable--;
        });
        break;
      case 'switch': {
        const t = this.rvalue(s.test);
        if (!isInteger(t.type)) this.error('type-switch', `the 'switch' value must be an integer, not ${describeType(t)}`, s.test.loc);
        const promoted = isInteger(t.type) ? binaryResult('+', { type: t }, { type: qInt }).left ?? t : t;
        fn.switches.push({ cases: new Map(), hasDefault: false, type: promoted });
        fn.breakable++;
        this.stmt(s.body);
        fn.breakable--;
        fn.switches.pop();
        break;
      }
      case 'case': {
        const sw = fn.switches[fn.switches.length - 1];
        const v = this.constInt(s.value, "a 'case' label");
        const end = s.end ? this.constInt(s.end, "a 'case' range") : v;
        if (!sw) this.error('sema-case', "'case' label not within a switch statement", s.loc);
        else if (v !== undefined && end !== undefined) {
          const it = isInteger(sw.type.type) ? sw.type.type : INT;
          if (end < v) this.warning('sema-case-range', 'empty case range specified', s.loc);
          for (let x = v; x <= end && x - v < 4096n; x++) {
            const key = convertValue(x, it);
            const prev = sw.cases.get(key);
            if (prev) { this.error('sema-duplicate-case', `duplicate case value '${key}'`, s.value.loc, { loc: prev, message: 'previous case defined here' }); break; }
            sw.cases.set(key, s.value.loc);
          }
        }
        this.stmt(s.body);
        break;
      }
      case 'default': {
        const sw = fn.switches[fn.switches.length - 1];
        if (!sw) this.error('sema-default', "'default' label not within a switch statement", s.loc);
        else if (sw.hasDefault) this.error('sema-duplicate-default', "multiple default labels in one switch", s.loc);
        else sw.hasDefault = true;
        this.stmt(s.body);
        break;
      }
      case 'break':
        if (!fn.breakable) this.error('sema-break', "'break' statement not in loop or switch statement", s.loc);
        break;
      case 'continue':
        if (!fn.loops) this.error('sema-continue', "'continue' statement not in loop statement", s.loc);
        break;
      case 'return': {
        const retVoid = isVoid(fn.ret.type);
        if (!s.value) {
          if (!retVoid) this.error('sema-return', `non-void function '${fn.sym.name}' should return a value`, s.loc);
          break;
        }
        const t = this.rvalue(s.value);
        if (retVoid) {
          if (!isVoid(t.type)) this.error('sema-return', `void function '${fn.sym.name}' should not return a value`, s.value.loc);
          break;
        }
        if (!this.poisoned(s.value)) this.verdict(checkAssign(fn.ret, this.operand(s.value), 'return'), s.value.loc);
        break;
      }
      case 'goto': fn.gotos.push({ label: s.label, loc: s.loc }); break;
      case 'label': {
        const prev = fn.labels.get(s.label);
        if (prev) this.error('sema-duplicate-label', `redefinition of label '${s.label}'`, s.loc, { loc: prev.loc, message: 'previous definition is here' });
        else fn.labels.set(s.label, { loc: s.loc, defined: true });
        this.stmt(s.body);
        break;
      }
      case 'asm': case 'empty': break;
    }
  }

  // ---- expressions -------------------------------------------------------------------------------

  /** The type of an expression that is not evaluated (sizeof, typeof): checked, but not counted as a use. */
  private typeOfUnevaluated(e: Expr): QualType {
    return this.expr(e);
  }

  /** An operand for convert.ts after lvalue conversion. */
  private operand(e: Expr): Operand {
    return { type: e.ty ?? qInt, bitWidth: e.bitWidth, value: e.cv };
  }

  /** Check and give the value type: lvalue conversion, array and function decay, qualifiers dropped. */
  private rvalue(e: Expr): QualType {
    const t = this.expr(e);
    if (t === qErr) return qErr;
    const d = decay(t);
    if (d === t) return { type: t.type, ...(t.typedefName ? { typedefName: t.typedefName } : {}) };
    return d;
  }

  /** Evaluate an integer constant expression; reports when it is not one (unless quiet). */
  constInt(e: Expr, what: string, quiet = false): bigint | undefined {
    const t = this.rvalue(e);
    if (!isInteger(t.type)) {
      if (!quiet) this.error('sema-not-integer-constant', `${what} must be an integer constant expression, not ${describeType(t)}`, e.loc);
      return undefined;
    }
    if (e.cv === undefined) {
      if (!quiet) this.error('sema-not-constant', `${what} is not an integer constant expression`, e.loc);
      return undefined;
    }
    return e.cv;
  }

  private set(e: Expr, ty: QualType, extra: { lvalue?: boolean; cv?: bigint } = {}): QualType {
    e.ty = ty;
    if (extra.lvalue) e.lvalue = true;
    if (extra.cv !== undefined) e.cv = isInteger(ty.type) ? wrap(extra.cv, ty.type) : extra.cv;
    return ty;
  }

  expr(e: Expr): QualType {
    if (e.checked && e.ty) return e.ty;
    switch (e.kind) {
      case 'int': return this.set(e, qual(this.intLiteralType(e)), { cv: e.value });
      case 'char': return this.set(e, qInt, { cv: e.value });
      case 'float': return this.set(e, qual(/[fF]$/.test(e.text) ? FLOAT : DOUBLE));
      case 'string': {
        const unit = e.wide ? 4 : 1;
        const of: QualType = e.wide ? { type: INT } : { type: CHAR };
        return this.set(e, qual({ kind: 'array', of, length: e.bytes.length / unit + 1 }), { lvalue: true });
      }
      case 'ident': return this.identifier(e);
      case 'binary': return this.binary(e);
      case 'assign': return this.assign(e);
      case 'unary': return this.unary(e);
      case 'postfix': {
        const t = this.expr(e.operand);
        this.checkModifiable(e.operand, e.op === '++' ? 'increment' : 'decrement');
        if (!isScalar(t.type)) this.error('type-invalid-operand', `cannot ${e.op === '++' ? 'increment' : 'decrement'} a value of type ${describeType(t)}`, e.loc);
        return this.set(e, { type: t.type });
      }
      case 'cond': {
        this.condition(e.test, 'the condition of ?:');
        const a = e.then ? (this.rvalue(e.then), e.then) : e.test;
        this.rvalue(e.else);
        const r = conditionalResult(this.operand(a), this.operand(e.else));
        if (!this.verdict(r, e.loc)) return this.set(e, qErr);
        const cv = e.test.cv !== undefined && a.cv !== undefined && e.else.cv !== undefined ? (e.test.cv !== 0n ? a.cv : e.else.cv) : undefined;
        return this.set(e, r.type!, { cv });
      }
      case 'call': return this.call(e);
      case 'member': return this.member(e);
      case 'index': {
        const a = this.rvalue(e.object), b = this.rvalue(e.index);
        if (a === qErr || b === qErr) return this.set(e, qErr, { lvalue: true }); // reported already
        let base: QualType | undefined, idx: QualType | undefined;
        if (isPointer(a.type)) { base = a; idx = b; } else if (isPointer(b.type)) { base = b; idx = a; }
        if (!base || !isInteger(idx!.type)) {
          this.error('type-subscript', isPointer(a.type) || isPointer(b.type) ? 'array subscript is not an integer' : `subscripted value is not an array or pointer (it is ${describeType(e.object.ty ?? a)})`, e.loc);
          return this.set(e, qErr, { lvalue: true });
        }
        const to = (base.type as { to: QualType }).to;
        if (isVoid(to.type)) this.error('type-subscript-void', "subscript of a 'void *' pointer", e.loc);
        else if (!isCompleteObject(to.type)) this.error('type-incomplete', `subscript of pointer to incomplete type ${describeType(to)}`, e.loc);
        // Constant out-of-bounds index into a real array.
        const arr = e.object.ty?.type;
        if (arr && isArray(arr) && arr.length !== undefined && e.index.cv !== undefined && (e.index.cv < 0n || e.index.cv >= BigInt(arr.length)) && arr.length > 0) {
          this.warning('sema-array-bounds', `array index ${e.index.cv} is past the end of the array (which contains ${arr.length} elements)`, e.index.loc);
        }
        return this.set(e, to, { lvalue: true });
      }
      case 'cast': return this.cast(e);
      case 'sizeof': {
        const t = e.type ? this.resolveType(e.type) : this.typeOfUnevaluated(e.operand!);
        if (isFunction(t.type)) { this.error('type-sizeof-function', "invalid application of 'sizeof' to a function type", e.loc); return this.set(e, qULong, { cv: 1n }); }
        if (isVoid(t.type)) { this.warning('type-sizeof-void', "invalid application of 'sizeof' to a void type", e.loc); return this.set(e, qULong, { cv: 1n }); }
        if (!isComplete(t.type)) { this.error('type-incomplete', `invalid application of 'sizeof' to an incomplete type ${describeType(t)}`, e.loc); return this.set(e, qULong, { cv: 0n }); }
        if (e.operand?.bitWidth !== undefined) { this.error('type-sizeof-bitfield', "invalid application of 'sizeof' to a bit-field", e.loc); }
        return this.set(e, qULong, { cv: BigInt(sizeOf(t.type)) });
      }
      case 'alignof': return this.set(e, qULong, { cv: BigInt(this.alignOfExpr(e)) });
      case 'comma': {
        this.rvalue(e.left);
        const t = this.rvalue(e.right);
        return this.set(e, t);
      }
      case 'compound': {
        const t = this.resolveType(e.type);
        const final = this.initializer(t, e.init, this.scope.isGlobal);
        return this.set(e, final, { lvalue: true });
      }
      case 'stmtexpr': {
        let last: QualType = qVoid;
        this.withScope(() => {
          const body = e.body.body;
          body.forEach((s, i) => {
            if (i === body.length - 1 && s.kind === 'expr') last = this.rvalue(s.expr);
            else this.stmt(s);
          });
        });
        if (!this.fn) this.error('sema-stmtexpr', 'statement expressions are only allowed inside functions', e.loc);
        return this.set(e, last);
      }
      case 'offsetof': {
        const t = this.resolveType(e.type);
        const off = this.offsetOf(t, e.path, e.loc);
        return this.set(e, qULong, off === undefined ? {} : { cv: BigInt(off) });
      }
      case 'types_compatible': {
        const a = this.resolveType(e.a), b = this.resolveType(e.b);
        return this.set(e, qInt, { cv: compatibleTypes(a.type, b.type) ? 1n : 0n });
      }
      case 'va_arg':
        this.error('sema-va-arg', 'variadic functions are not supported in BPF programs', e.loc);
        return this.set(e, this.resolveType(e.type));
      case 'generic': {
        const ct = this.rvalue(e.control);
        let chosen: Expr | undefined, dflt: Expr | undefined;
        for (const a of e.assocs) {
          if (!a.type) { dflt = a.value; continue; }
          if (compatibleTypes(this.resolveType(a.type).type, ct.type)) chosen = a.value;
        }
        const pick = chosen ?? dflt;
        if (!pick) { this.error('sema-generic', `controlling expression type ${describeType(ct)} not compatible with any generic association type`, e.loc); return this.set(e, qInt); }
        const t = this.expr(pick);
        return this.set(e, t, { lvalue: pick.lvalue, cv: pick.cv });
      }
    }
  }

  private intLiteralType(e: Expr & { kind: 'int' }): IntT {
    // C11 6.4.4.1: the first type in the list that can represent the value.
    const v = e.value;
    let list: IntT[];
    if (e.unsigned) list = e.longs === 2 ? [ULLONG] : e.longs === 1 ? [ULONG, ULLONG] : [UINT, ULONG, ULLONG];
    else if (e.decimal) list = e.longs === 2 ? [LLONG] : e.longs === 1 ? [LONG, LLONG] : [INT, LONG, LLONG];
    else list = e.longs === 2 ? [LLONG, ULLONG] : e.longs === 1 ? [LONG, ULONG, LLONG, ULLONG] : [INT, UINT, LONG, ULONG, LLONG, ULLONG];
    const t = list.find((x) => fitsIn(v, x));
    if (t) return t;
    this.warning('sema-literal-unsigned', `integer literal is too large to be represented in a signed integer type, interpreting as unsigned`, e.loc);
    return ULLONG;
  }

  private identifier(e: Expr & { kind: 'ident' }): QualType {
    const s = this.scope.lookup(e.name);
    if (s) {
      e.sym = s;
      s.used = true;
      switch (s.kind) {
        case 'enumconst': return this.set(e, s.type, { cv: s.value });
        case 'typedef':
          this.error('sema-typedef-as-value', `unexpected type name '${e.name}': expected an expression`, e.loc);
          return this.set(e, qErr);
        case 'func': return this.set(e, s.type);
        default: return this.set(e, s.type, { lvalue: true });
      }
    }
    const en = this.opts.btf?.enumerator(e.name);
    if (en) {
      const type = fitsIn(en.value, INT) ? qInt : qual(en.type.base);
      const sym: Sym = { kind: 'enumconst', name: e.name, type, loc: e.loc, global: true, value: en.value };
      this.global.names.set(e.name, sym);
      e.sym = sym;
      return this.set(e, type, { cv: en.value });
    }
    const builtin = BUILTINS[e.name] ?? this.opts.implicitFunctions?.(e.name);
    if (builtin) {
      const sym: Sym = { kind: 'func', name: e.name, type: qual(builtin), loc: e.loc, global: true, storage: 'extern' };
      this.global.names.set(e.name, sym);
      e.sym = sym;
      return this.set(e, sym.type);
    }
    this.undeclared(e.name, e.loc);
    return this.set(e, qErr, { lvalue: true });
  }

  private undeclared(name: string, loc: Loc, call = false): void {
    const notes: Note[] = [];
    if (this.opts.kernelMacros?.has(name)) {
      notes.push({ message: `'${name}' is a macro in the kernel's headers that tsbcc's built-in headers do not define; #define it, or include the header that BCC programs use for it` });
    }
    const near = this.nearNames(name);
    const hint = near.length ? `; did you mean '${near[0]}'?` : '';
    if (call) this.error('sema-implicit-function', `call to undeclared function '${name}'${hint} (implicit declarations are not allowed)`, loc, ...notes);
    else this.error('sema-undeclared', `use of undeclared identifier '${name}'${hint}`, loc, ...notes);
  }

  private nearNames(name: string): string[] {
    const names = new Set<string>();
    for (let s: Scope | undefined = this.scope; s; s = s.parent) for (const n of s.names.keys()) names.add(n);
    for (const n of Object.keys(BUILTINS)) names.add(n);
    return nearest(name, names);
  }

  private binary(e: Expr & { kind: 'binary' }): QualType {
    this.rvalue(e.left);
    this.rvalue(e.right);
    if (this.poisoned(e.left, e.right)) return this.set(e, qErr);
    const l = this.operand(e.left), r = this.operand(e.right);
    const res = binaryResult(e.op, l, r);
    if (!this.verdict(res, e.loc)) return this.set(e, qErr);
    const type = res.type!;
    // Fold integer constant expressions (and && / || with a deciding left side).
    let cv: bigint | undefined;
    if (isInteger(type.type)) {
      if ((e.op === '&&' || e.op === '||') && l.value !== undefined) {
        if (e.op === '&&' && l.value === 0n) cv = 0n;
        else if (e.op === '||' && l.value !== 0n) cv = 1n;
        else if (r.value !== undefined) cv = r.value !== 0n ? 1n : 0n;
      } else if (l.value !== undefined && r.value !== undefined && isInteger(decay(l.type).type) && isInteger(decay(r.type).type)) {
        const opType = (e.op === '<<' || e.op === '>>') ? res.left!.type : res.left?.type ?? type.type;
        if (isInteger(opType)) {
          const f = foldBinary(e.op, convertValue(l.value, opType), e.op === '<<' || e.op === '>>' ? r.value : convertValue(r.value, opType), opType);
          if (f.error) this.warning(f.code ?? 'const-error', f.error, e.loc);
          else { if (f.warning) this.warning(f.code ?? 'const-warning', f.warning, e.loc); cv = f.value; }
        }
      }
    }
    if ((e.op === '<<' || e.op === '>>') && r.value !== undefined && isInteger(type.type) && (r.value < 0n || r.value >= BigInt(sizeOf(type.type) * 8)) && cv === undefined) {
      this.warning('sema-shift-count', `shift count ${r.value < 0n ? 'is negative' : '>= width of type'}`, e.right.loc);
    }
    if ((e.op === '/' || e.op === '%') && r.value === 0n && isInteger(type.type) && cv === undefined) {
      this.warning('sema-division-by-zero', `${e.op === '/' ? 'division' : 'remainder'} by zero is undefined`, e.right.loc);
    }
    return this.set(e, type, { cv });
  }

  private checkModifiable(target: Expr, what: string): boolean {
    const t = target.ty!;
    if (!target.lvalue) { this.error('sema-not-lvalue', `expression is not assignable (cannot ${what} it)`, target.loc); return false; }
    if (isArray(t.type)) { this.error('sema-array-assign', `array type ${describeType(t)} is not assignable`, target.loc); return false; }
    if (t.const) {
      const name = target.kind === 'ident' ? ` '${target.name}'` : '';
      this.error('sema-const-assign', `cannot ${what} variable${name} with const-qualified type ${describeType(t)}`, target.loc,
        ...(target.kind === 'ident' && target.sym ? [{ loc: target.sym.loc, message: `variable '${target.name}' declared const here` }] : []));
      return false;
    }
    if (isRecord(t.type) && this.hasConstMember(t.type)) {
      this.error('sema-const-assign', `cannot assign to a value of ${describeType(t)} with a const-qualified member`, target.loc);
      return false;
    }
    return true;
  }

  private hasConstMember(r: RecordT): boolean {
    return (r.fields ?? []).some((f) => f.type.const || (isRecord(f.type.type) && this.hasConstMember(f.type.type)));
  }

  private assign(e: Expr & { kind: 'assign' }): QualType {
    const t = this.expr(e.target);
    this.rvalue(e.value);
    if (!this.poisoned(e.target)) this.checkModifiable(e.target, 'assign to');
    if (this.poisoned(e.target, e.value)) {
      // already reported
    } else if (e.op === '=') {
      this.verdict(checkAssign(t, this.operand(e.value), 'assign'), e.loc);
    } else {
      const op = e.op.slice(0, -1) as '+';
      const res = binaryResult(op, { type: { type: t.type }, bitWidth: e.target.bitWidth }, this.operand(e.value));
      if (this.verdict(res, e.loc) && res.type) this.verdict(checkAssign(t, { type: res.type }, 'assign'), e.loc);
    }
    return this.set(e, { type: t.type });
  }

  private unary(e: Expr & { kind: 'unary' }): QualType {
    switch (e.op) {
      case '&': {
        const t = this.expr(e.operand);
        const o = e.operand;
        if (o.bitWidth !== undefined) { this.error('sema-address-bitfield', 'address of bit-field requested', e.loc); return this.set(e, qVoidPtr); }
        if (!o.lvalue && !isFunction(t.type)) { this.error('sema-address-rvalue', 'cannot take the address of an rvalue', e.loc); return this.set(e, qVoidPtr); }
        if (o.kind === 'ident' && o.sym?.storage === 'register') this.error('sema-address-register', `address of register variable '${o.name}' requested`, e.loc);
        if (o.kind === 'ident' && o.sym) o.sym.used = true;
        // &*p and &a[i] are address constants when p / a are.
        const cv = o.kind === 'unary' && o.op === '*' ? o.operand.cv : undefined;
        return this.set(e, qual({ kind: 'ptr', to: t }), cv !== undefined ? { cv } : {});
      }
      case '*': {
        const t = this.rvalue(e.operand);
        if (this.poisoned(e.operand)) return this.set(e, qErr, { lvalue: true });
        if (!isPointer(t.type)) { this.error('type-deref', `indirection requires pointer operand (${describeType(t)} invalid)`, e.loc); return this.set(e, qErr, { lvalue: true }); }
        const to = t.type.to;
        if (isVoid(to.type)) this.warning('type-deref-void', `dereferencing a ${describeType(t)} pointer`, e.loc);
        else if (!isComplete(to.type) && !isFunction(to.type)) this.error('type-incomplete', `dereferencing a pointer to incomplete type ${describeType(to)}`, e.loc);
        return this.set(e, to, { lvalue: !isFunction(to.type) });
      }
      case '++': case '--': {
        const t = this.expr(e.operand);
        this.checkModifiable(e.operand, e.op === '++' ? 'increment' : 'decrement');
        if (!isScalar(t.type)) this.error('type-invalid-operand', `cannot ${e.op === '++' ? 'increment' : 'decrement'} a value of type ${describeType(t)}`, e.loc);
        return this.set(e, { type: t.type });
      }
      case '&&label': return this.set(e, qVoidPtr);
      default: {
        this.rvalue(e.operand);
        const x = this.operand(e.operand);
        const res = unaryResult(e.op, x);
        if (!this.verdict(res, e.loc)) return this.set(e, qErr);
        let cv: bigint | undefined;
        if (x.value !== undefined && isInteger(res.type!.type)) {
          const t = e.op === '!' ? INT : res.type!.type as IntT;
          const f = foldUnary(e.op, convertValue(x.value, e.op === '!' ? decay(x.type).type : t), e.op === '!' ? (isInteger(decay(x.type).type) ? intOf(decay(x.type).type as IntT) : INT) : t);
          if (f.warning) this.warning(f.code ?? 'const-warning', f.warning, e.loc);
          cv = f.value;
        }
        return this.set(e, res.type!, { cv });
      }
    }
  }

  private cast(e: Expr & { kind: 'cast' }): QualType {
    const to = this.resolveType(e.type);
    const from = this.rvalue(e.operand);
    const tt = to.type, ft = from.type;
    const res: QualType = { type: tt, ...(to.typedefName ? { typedefName: to.typedefName } : {}), ...(to.tags ? { tags: to.tags } : {}) };
    if (isVoid(tt)) return this.set(e, res);
    if (!isScalar(tt)) {
      if (isRecord(tt) && ft === tt) return this.set(e, res);
      this.error('type-cast', `used type ${describeType(to)} where arithmetic or pointer type is required`, e.loc);
      return this.set(e, res);
    }
    if (!isScalar(ft)) { this.error('type-cast', `operand of type ${describeType(from)} where arithmetic or pointer type is required`, e.operand.loc); return this.set(e, res); }
    if (isPointer(tt) && e.operand.ty?.type.kind === 'float') this.error('type-cast', 'pointer cannot be cast from a floating-point type', e.loc);
    if (isPointer(ft) && tt.kind === 'float') this.error('type-cast', 'pointer cannot be cast to a floating-point type', e.loc);
    if (isPointer(ft) && isInteger(tt) && sizeOf(tt) < 8) this.warning('type-pointer-to-int-cast', `cast to smaller integer type ${describeType(to)} from ${describeType(from)}`, e.loc);
    let cv: bigint | undefined;
    if (e.operand.cv !== undefined && (isInteger(tt) || isPointer(tt))) cv = isInteger(tt) ? convertValue(e.operand.cv, tt) : e.operand.cv;
    return this.set(e, res, cv !== undefined ? { cv } : {});
  }

  private noMemberMessage(rec: RecordT, name: string): string {
    const near = nearest(name, this.memberNames(rec));
    return `no member named '${name}' in '${tagName(rec)}'${near.length ? `; did you mean '${near[0]}'?` : ''}`;
  }

  private member(e: Expr & { kind: 'member' }): QualType {
    const ot = e.arrow ? this.rvalue(e.object) : this.expr(e.object);
    if (this.poisoned(e.object)) return this.set(e, qErr, { lvalue: true });
    let rt: CType;
    let quals: QualType;
    if (e.arrow) {
      if (!isPointer(ot.type)) {
        const hint = isRecord(ot.type) ? "; did you mean to use '.'?" : '';
        this.error('type-member-arrow', `member reference type ${describeType(ot)} is not a pointer${hint}`, e.loc);
        return this.set(e, qErr, { lvalue: true });
      }
      quals = ot.type.to;
      rt = quals.type;
    } else {
      quals = ot;
      rt = ot.type;
      if (isPointer(rt) && isRecord(rt.to.type)) {
        this.error('type-member-dot', `member reference type ${describeType(ot)} is a pointer; did you mean to use '->'?`, e.loc);
        quals = rt.to;
        rt = rt.to.type;
      }
    }
    if (!isRecord(rt)) {
      this.error('type-member-base', `member reference base type ${describeType(quals)} is not a structure or union`, e.loc);
      return this.set(e, qErr, { lvalue: true });
    }
    if (!rt.fields) {
      this.error('type-incomplete', `incomplete definition of type '${tagName(rt)}'`, e.loc,
        { message: rt.name ? `struct ${rt.name} is not declared in this program nor in the kernel's BTF` : 'forward declaration without a definition' });
      return this.set(e, qErr, { lvalue: true });
    }
    const f = findField(rt, e.name);
    if (!f) {
      this.error('sema-no-member', this.noMemberMessage(rt, e.name), e.nameLoc);
      return this.set(e, qErr, { lvalue: true });
    }
    e.field = f.field;
    e.offset = f.offset;
    if (f.field.bitWidth !== undefined) { e.bitWidth = f.field.bitWidth; e.bitOffset = f.bitOffset ?? f.field.bitOffset; }
    const t: QualType = { ...f.field.type };
    if (quals.const) t.const = true;
    if (quals.volatile) t.volatile = true;
    // A member of an rvalue struct (f().x) is not an lvalue.
    return this.set(e, t, { lvalue: e.arrow || !!e.object.lvalue });
  }

  private offsetOf(t: QualType, path: Designator[], loc: Loc): number | undefined {
    let cur = t;
    let off = 0;
    for (const d of path) {
      if (d.kind === 'field') {
        if (!isRecord(cur.type)) { this.error('sema-offsetof', `offsetof requires a struct or union type, not ${describeType(cur)}`, d.loc); return undefined; }
        if (!cur.type.fields) { this.error('type-incomplete', `offsetof of incomplete ${tagName(cur.type)}`, d.loc); return undefined; }
        const f = findField(cur.type, d.name);
        if (!f) { this.error('sema-no-member', this.noMemberMessage(cur.type, d.name), d.loc); return undefined; }
        if (f.field.bitWidth !== undefined) { this.error('sema-offsetof-bitfield', `cannot compute offset of bit-field '${d.name}'`, d.loc); return undefined; }
        off += f.offset;
        cur = f.field.type;
      } else {
        if (!isArray(cur.type)) { this.error('sema-offsetof', `subscript in offsetof of non-array type ${describeType(cur)}`, d.loc); return undefined; }
        const i = this.constInt(d.index, 'an offsetof subscript');
        if (i === undefined) return undefined;
        off += Number(i) * sizeOf(cur.type.of.type);
        cur = cur.type.of;
      }
    }
    void loc;
    return off;
  }

  private call(e: Expr & { kind: 'call' }): QualType {
    if (this.opts.rewriteCall) {
      const env: RewriteEnv = {
        lookup: (name) => this.scope.lookup(name),
        check: (x) => { const t = this.rvalue(x); x.checked = true; return t; },
        error: (code, message, loc, ...notes) => this.error(code, message, loc, ...notes),
        warning: (code, message, loc, ...notes) => this.warning(code, message, loc, ...notes),
        functionName: this.fn?.sym.name,
      };
      const r = this.opts.rewriteCall(e, env);
      if (r) {
        const node = e as unknown as Record<string, unknown>;
        for (const k of Object.keys(node)) delete node[k];
        Object.assign(node, r);
        return this.expr(node as unknown as Expr);
      }
    }
    const callee = e.callee;
    if (callee.kind === 'ident') {
      const special = this.specialCall(e, callee.name);
      if (special) return special;
      if (!this.scope.lookup(callee.name) && !BUILTINS[callee.name] && !this.opts.implicitFunctions?.(callee.name) && !this.opts.btf?.enumerator(callee.name)) {
        this.undeclared(callee.name, callee.loc, true);
        for (const a of e.args) this.rvalue(a);
        return this.set(e, qErr);
      }
    }
    const ct = this.rvalue(callee);
    let f: FuncT | undefined;
    if (isFunction(ct.type)) f = ct.type;
    else if (isPointer(ct.type) && isFunction(ct.type.to.type)) f = ct.type.to.type;
    if (!f) {
      for (const a of e.args) this.rvalue(a);
      if (ct !== qErr && callee.ty !== qErr) this.error('type-not-callable', `called object type ${describeType(ct)} is not a function or function pointer`, e.loc);
      return this.set(e, qErr);
    }
    const name = callee.kind === 'ident' ? ` '${callee.name}'` : '';
    const n = f.params.length;
    if (!f.noProto) {
      if (e.args.length < n) {
        this.error('sema-call-args', `too few arguments to function call${name}, expected ${n}, have ${e.args.length}`, e.loc, ...this.declaredHere(callee));
      } else if (e.args.length > n && !f.variadic) {
        this.error('sema-call-args', `too many arguments to function call${name}, expected ${n}, have ${e.args.length}`, e.args[n]!.loc, ...this.declaredHere(callee));
      }
    }
    e.args.forEach((a, i) => {
      this.rvalue(a);
      const p = f!.params[i];
      if (p && !f!.noProto && !this.poisoned(a)) this.verdict(checkAssign(p.type, this.operand(a), 'pass'), a.loc);
      else if (isRecord(decay(a.ty!).type)) { /* by-value struct through varargs: the dialect decides */ }
    });
    if (!isVoid(f.ret.type) && !isCompleteObject(f.ret.type)) this.error('type-incomplete', `calling a function with incomplete return type ${describeType(f.ret)}`, e.loc);
    return this.set(e, { type: f.ret.type, ...(f.ret.typedefName ? { typedefName: f.ret.typedefName } : {}) });
  }

  private declaredHere(callee: Expr): Note[] {
    if (callee.kind === 'ident' && callee.sym && callee.sym.decl) return [{ loc: callee.sym.loc, message: `'${callee.name}' declared here` }];
    return [];
  }

  /** Builtins whose types follow their arguments. */
  private specialCall(e: Expr & { kind: 'call' }, name: string): QualType | undefined {
    if (this.scope.lookup(name)) return undefined;
    const args = e.args;
    const need = (n: number): boolean => {
      if (args.length === n) return true;
      this.error('sema-call-args', `'${name}' takes ${n} argument${n === 1 ? '' : 's'}, not ${args.length}`, e.loc);
      for (const a of args) this.rvalue(a);
      return false;
    };
    switch (name) {
      case '__builtin_constant_p': {
        if (!need(1)) return this.set(e, qInt, { cv: 0n });
        this.rvalue(args[0]!);
        return this.set(e, qInt, { cv: args[0]!.cv !== undefined ? 1n : 0n });
      }
      case '__builtin_choose_expr': {
        if (!need(3)) return this.set(e, qInt);
        const c = this.constInt(args[0]!, "__builtin_choose_expr's condition");
        const pick = c === 0n ? args[2]! : args[1]!;
        const t = this.expr(pick);
        this.expr(c === 0n ? args[1]! : args[2]!);
        return this.set(e, t, { lvalue: pick.lvalue, cv: pick.cv });
      }
      case '__builtin_preserve_access_index': {
        if (!need(1)) return this.set(e, qInt);
        const t = this.expr(args[0]!);
        return this.set(e, t, { lvalue: args[0]!.lvalue });
      }
      case '__builtin_assume_aligned': {
        if (args.length < 2) { need(2); return this.set(e, qVoidPtr); }
        for (const a of args) this.rvalue(a);
        return this.set(e, qVoidPtr);
      }
      case '__builtin_object_size': case '__builtin_dynamic_object_size':
        if (!need(2)) return this.set(e, qULong);
        for (const a of args) this.rvalue(a);
        return this.set(e, qULong);
      case '__builtin_classify_type':
        if (!need(1)) return this.set(e, qInt);
        this.rvalue(args[0]!);
        return this.set(e, qInt);
      case '__builtin_offsetof': return undefined;
      case '__builtin_bswap16': case '__builtin_bswap32': case '__builtin_bswap64': {
        // Folded when constant, so `case bpf_htons(ETH_P_IP):` is a constant expression.
        const bits = Number(name.slice(-2));
        const it = bits === 16 ? intByName('unsigned short')! : bits === 32 ? UINT : ULLONG;
        if (!need(1)) return this.set(e, qual(it));
        this.rvalue(args[0]!);
        if (!this.poisoned(args[0])) this.verdict(checkAssign(qual(it), this.operand(args[0]!), 'pass'), args[0]!.loc);
        const v = args[0]!.cv;
        if (v === undefined) return this.set(e, qual(it));
        let x = BigInt.asUintN(bits, v), r = 0n;
        for (let i = 0; i < bits / 8; i++) { r = (r << 8n) | (x & 0xffn); x >>= 8n; }
        return this.set(e, qual(it), { cv: r });
      }
      case '__builtin_preserve_field_info': {
        // CO-RE relocations: tsbcc compiles against the running kernel's BTF, so most answers are
        // known now: 0 byte offset, 1 byte size, 2 exists, 3 signed.
        if (!need(2)) return this.set(e, qual(UINT));
        const f = args[0]!;
        this.expr(f);
        const kind = this.constInt(args[1]!, 'the field-info kind');
        if (f.kind !== 'member' && !this.poisoned(f)) this.error('sema-core-field', '__builtin_preserve_field_info needs a member access (s->field or s.field)', f.loc);
        let cv: bigint | undefined;
        const t = f.ty;
        if (kind === 2n) cv = 1n;
        else if (kind === 1n && t && isCompleteObject(t.type)) cv = BigInt(sizeOf(t.type));
        else if (kind === 0n && f.kind === 'member' && f.offset !== undefined) cv = BigInt(f.offset);
        else if (kind === 3n && t) cv = isInteger(t.type) && intOf(t.type as IntT).signed ? 1n : 0n;
        return this.set(e, qual(UINT), cv !== undefined ? { cv } : {});
      }
      case '__builtin_preserve_type_info': case '__builtin_btf_type_id': {
        if (!need(2)) return this.set(e, qual(UINT));
        const t = this.typeOfUnevaluated(args[0]!);
        const kind = this.constInt(args[1]!, 'the type-info kind');
        let cv: bigint | undefined;
        if (name === '__builtin_preserve_type_info') {
          if (kind === 0n) cv = 1n; // exists
          else if (kind === 1n && isCompleteObject(t.type)) cv = BigInt(sizeOf(t.type));
          else if (kind === 2n) cv = 1n; // matches
        }
        return this.set(e, qual(name === '__builtin_btf_type_id' ? ULLONG : UINT), cv !== undefined ? { cv } : {});
      }
      case '__builtin_preserve_enum_value': {
        if (!need(2)) return this.set(e, qual(LLONG));
        this.typeOfUnevaluated(args[0]!);
        const kind = this.constInt(args[1]!, 'the enum-value kind');
        // *(typeof(enum x) *)ENUMERATOR: the enumerator is the cast's operand.
        let v: bigint | undefined;
        let a: Expr = args[0]!;
        if (a.kind === 'unary' && a.op === '*') a = a.operand;
        if (a.kind === 'cast') v = a.operand.cv;
        const cv = kind === 0n ? 1n : kind === 1n ? v : undefined;
        return this.set(e, qual(LLONG), cv !== undefined ? { cv } : {});
      }
    }
    if (ATOMIC_FETCH.test(name)) {
      const types = args.map((a) => this.rvalue(a));
      if (/synchronize|thread_fence|signal_fence/.test(name)) return this.set(e, qVoid);
      const p = types[0];
      if (!p || !isPointer(p.type) || !(isInteger(p.type.to.type) || isPointer(p.type.to.type))) {
        this.error('sema-atomic', `the first argument to '${name}' must be a pointer to an integer or pointer, not ${p ? describeType(p) : 'nothing'}`, args[0]?.loc ?? e.loc);
        return this.set(e, qInt);
      }
      const val = p.type.to;
      const min = /compare_and_swap|compare_exchange/.test(name) ? 3 : /load_n|lock_release/.test(name) ? 1 : 2;
      if (args.length < min) this.error('sema-call-args', `too few arguments to '${name}' (needs ${min})`, e.loc);
      for (let i = 1; i < Math.min(args.length, min); i++) {
        if (/compare_exchange_n/.test(name) && i === 1) continue;
        this.verdict(checkAssign({ type: val.type }, this.operand(args[i]!), 'pass'), args[i]!.loc);
      }
      if (/bool_compare_and_swap|compare_exchange_n/.test(name)) return this.set(e, qual(BOOL));
      if (/store_n|lock_release/.test(name)) return this.set(e, qVoid);
      return this.set(e, { type: val.type });
    }
    return undefined;
  }
}

/** Identifiers: a third of the length, at least one edit. */
const nearest = (want: string, names: Iterable<string>): string[] => nearestNames(want, names, 3, 1);

export type { Sym, QualType, Field };
export { typeToString, compatible };
