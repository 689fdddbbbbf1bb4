// The C type model: what the checker gives every expression and declaration, and what the code
// generator reads sizes, offsets and signedness from. Targets are LP64 (x86-64 and BPF agree on
// every size and alignment here; char is signed on both, as clang has it).
//
// Types are plain objects. Builtin arithmetic types are singletons, so the usual check is identity;
// records and enums are identified by object (one per declaration, one per BTF id). A QualType is
// the type as written: qualifiers, the typedef name it was spelled through, and BTF type tags.
// Treat every type object as immutable once built (records are filled in once, when completed).

export type CType = VoidT | IntT | FloatT | PtrT | ArrayT | RecordT | EnumT | FuncT;

export interface Qual { const?: boolean; volatile?: boolean; restrict?: boolean }

/**
 * A type as written: the type plus qualifiers, the typedef name it came through (for messages), and
 * BTF type tags naming an address space ('user' for __user pointers' targets, 'rcu', 'percpu').
 */
export interface QualType extends Qual { type: CType; typedefName?: string; tags?: string[] }

export interface VoidT { kind: 'void' }
export interface IntT {
  kind: 'int';
  size: 1 | 2 | 4 | 8 | 16;
  signed: boolean;
  /** Canonical C spelling: 'int', 'unsigned long', '_Bool', 'char', 'signed char'. */
  name: string;
  bool?: boolean;
  /** Plain `char` (a type distinct from both signed char and unsigned char). */
  char?: boolean;
}
export interface FloatT { kind: 'float'; size: 4 | 8 | 16; name: string }
export interface PtrT { kind: 'ptr'; to: QualType }
export interface ArrayT { kind: 'array'; of: QualType; /** undefined: incomplete or flexible */ length?: number; vla?: boolean }
export interface Field {
  /** undefined for anonymous struct/union members and unnamed bitfields */
  name?: string;
  type: QualType;
  /** Bytes from the start of the record; for a bitfield, the byte holding its first bit. */
  offset: number;
  /** Bitfields only: absolute bit offset from the start of the record. */
  bitOffset?: number;
  /** Bitfields only (0 for a zero-width bitfield). */
  bitWidth?: number;
}
export interface RecordT {
  kind: 'struct' | 'union';
  name?: string;
  /** Unique per record object. */
  id: number;
  /** undefined while incomplete */
  fields?: Field[];
  size: number;
  align: number;
  packed?: boolean;
  /** Imported from kernel BTF. */
  btfId?: number;
}
export interface EnumT { kind: 'enum'; name?: string; id: number; values?: Map<string, bigint>; base: IntT; btfId?: number }
export interface FuncT {
  kind: 'func';
  ret: QualType;
  params: { name?: string; type: QualType }[];
  variadic: boolean;
  /** Declared without a prototype: `int f()`. */
  noProto?: boolean;
}

// ---- builtin types ---------------------------------------------------------------------------

const int = (name: string, size: IntT['size'], signed: boolean, extra: Partial<IntT> = {}): IntT =>
  Object.freeze({ kind: 'int', size, signed, name, ...extra });

export const VOID: VoidT = Object.freeze({ kind: 'void' });
export const BOOL = int('_Bool', 1, false, { bool: true });
/** Plain char: signed on x86-64 and on the BPF target. */
export const CHAR = int('char', 1, true, { char: true });
export const SCHAR = int('signed char', 1, true);
export const UCHAR = int('unsigned char', 1, false);
export const SHORT = int('short', 2, true);
export const USHORT = int('unsigned short', 2, false);
export const INT = int('int', 4, true);
export const UINT = int('unsigned int', 4, false);
export const LONG = int('long', 8, true);
export const ULONG = int('unsigned long', 8, false);
export const LLONG = int('long long', 8, true);
export const ULLONG = int('unsigned long long', 8, false);
export const INT128 = int('__int128', 16, true);
export const UINT128 = int('unsigned __int128', 16, false);
export const FLOAT: FloatT = Object.freeze({ kind: 'float', size: 4, name: 'float' });
export const DOUBLE: FloatT = Object.freeze({ kind: 'float', size: 8, name: 'double' });
export const LDOUBLE: FloatT = Object.freeze({ kind: 'float', size: 16, name: 'long double' });

export const BUILTIN_INTS: readonly IntT[] = [BOOL, CHAR, SCHAR, UCHAR, SHORT, USHORT, INT, UINT, LONG, ULONG, LLONG, ULLONG, INT128, UINT128];

/** Conversion rank (C11 6.3.1.1): _Bool < char < short < int < long < long long < __int128. */
const RANK = new Map<string, number>([
  ['_Bool', 1], ['char', 2], ['signed char', 2], ['unsigned char', 2], ['short', 3], ['unsigned short', 3],
  ['int', 4], ['unsigned int', 4], ['long', 5], ['unsigned long', 5], ['long long', 6], ['unsigned long long', 6],
  ['__int128', 7], ['unsigned __int128', 7],
]);
const BY_NAME = new Map<string, IntT>(BUILTIN_INTS.map((t) => [t.name, t]));

/**
 * The builtin integer type for a spelling, in any of the orders C and DWARF use:
 * 'long unsigned int', 'unsigned long', 'short int', '__int128 unsigned', 'signed' ...
 */
export function intByName(spelling: string): IntT | undefined {
  const words = spelling.trim().split(/\s+/);
  let signed: boolean | undefined, longs = 0, short = false, char = false, int128 = false, bool = false, other = false;
  for (const w of words) {
    switch (w) {
      case 'signed': case '__signed__': signed = true; break;
      case 'unsigned': signed = false; break;
      case 'long': longs++; break;
      case 'short': short = true; break;
      case 'char': char = true; break;
      case 'int': break;
      case '__int128': int128 = true; break;
      case '_Bool': bool = true; break;
      default: other = true;
    }
  }
  if (other) return undefined;
  if (bool) return words.length === 1 ? BOOL : undefined;
  if (char) return signed === undefined ? CHAR : signed ? SCHAR : UCHAR;
  const u = signed === false;
  if (int128) return u ? UINT128 : INT128;
  if (short) return u ? USHORT : SHORT;
  if (longs === 1) return u ? ULONG : LONG;
  if (longs === 2) return u ? ULLONG : LLONG;
  return u ? UINT : INT;
}

/** The rank of an integer type; integer types not among the builtins rank by size. */
export function intRank(t: IntT): number {
  return RANK.get(t.name) ?? ({ 1: 2, 2: 3, 4: 4, 8: 5, 16: 7 } as const)[t.size];
}

/** The unsigned type of the same rank (C11 6.3.1.8's "unsigned integer type corresponding to"). */
export function toUnsigned(t: IntT): IntT {
  if (!t.signed) return t;
  const b = BY_NAME.get(t.name);
  if (b === CHAR || b === SCHAR) return UCHAR;
  if (b === SHORT) return USHORT;
  if (b === INT) return UINT;
  if (b === LONG) return ULONG;
  if (b === LLONG) return ULLONG;
  if (b === INT128) return UINT128;
  return { 1: UCHAR, 2: USHORT, 4: UINT, 8: ULONG, 16: UINT128 }[t.size];
}

/** The same type with no qualifiers (or the given ones). */
export const qual = (type: CType, q?: Qual & { typedefName?: string; tags?: string[] }): QualType =>
  q ? { type, ...q } : { type };

/** The kernel's integer typedefs and the C library names BPF programs use without declaring them. */
export const KERNEL_TYPEDEFS: ReadonlyMap<string, QualType> = (() => {
  const m = new Map<string, QualType>();
  const def = (name: string, t: CType) => m.set(name, Object.freeze({ type: t, typedefName: name }));
  // include/uapi/asm-generic/int-ll64.h: 64-bit is long long on every architecture.
  const ints: [string, IntT][] = [['8', UCHAR], ['16', USHORT], ['32', UINT], ['64', ULLONG]];
  const sints: [string, IntT][] = [['8', SCHAR], ['16', SHORT], ['32', INT], ['64', LLONG]];
  for (const [n, t] of ints) { def(`u${n}`, t); def(`__u${n}`, t); def(`uint${n}_t`, t); def(`u_int${n}_t`, t); }
  for (const [n, t] of sints) { def(`s${n}`, t); def(`__s${n}`, t); def(`int${n}_t`, t); }
  for (const n of ['16', '32', '64']) {
    const t = ints.find(([w]) => w === n)![1];
    def(`__be${n}`, t); def(`__le${n}`, t);
  }
  def('__sum16', USHORT); def('__wsum', UINT); def('__poll_t', UINT);
  def('size_t', ULONG); def('ssize_t', LONG); def('ptrdiff_t', LONG); def('uintptr_t', ULONG); def('intptr_t', LONG);
  def('__kernel_size_t', ULONG); def('__kernel_ssize_t', LONG); def('__kernel_ulong_t', ULONG); def('__kernel_long_t', LONG);
  def('bool', BOOL);
  def('pid_t', INT); def('__kernel_pid_t', INT); def('uid_t', UINT); def('gid_t', UINT); def('__kernel_uid32_t', UINT);
  def('__kernel_gid32_t', UINT);
  def('dev_t', UINT); def('umode_t', USHORT); def('mode_t', UINT); def('loff_t', LLONG); def('off_t', LONG);
  def('ino_t', ULONG); def('time64_t', LLONG); def('ktime_t', LLONG); def('sector_t', ULLONG); def('blkcnt_t', ULLONG);
  def('gfp_t', UINT); def('fmode_t', UINT); def('clockid_t', INT); def('nlink_t', UINT);
  def('phys_addr_t', ULLONG); def('dma_addr_t', ULLONG); def('resource_size_t', ULLONG);
  def('uchar', UCHAR); def('ushort', USHORT); def('uint', UINT); def('ulong', ULONG);
  return m;
})();

// ---- questions -----------------------------------------------------------------------------

export const isVoid = (t: CType): t is VoidT => t.kind === 'void';
/** Integer types: the builtins, _Bool, char and enums (C11 6.2.5p17). */
export const isInteger = (t: CType): t is IntT | EnumT => t.kind === 'int' || t.kind === 'enum';
export const isFloat = (t: CType): t is FloatT => t.kind === 'float';
export const isArithmetic = (t: CType): t is IntT | EnumT | FloatT => t.kind === 'int' || t.kind === 'enum' || t.kind === 'float';
export const isPointer = (t: CType): t is PtrT => t.kind === 'ptr';
export const isScalar = (t: CType): t is IntT | EnumT | FloatT | PtrT => isArithmetic(t) || t.kind === 'ptr';
export const isArray = (t: CType): t is ArrayT => t.kind === 'array';
export const isRecord = (t: CType): t is RecordT => t.kind === 'struct' || t.kind === 'union';
export const isStruct = (t: CType): t is RecordT => t.kind === 'struct';
export const isUnion = (t: CType): t is RecordT => t.kind === 'union';
export const isEnum = (t: CType): t is EnumT => t.kind === 'enum';
export const isFunction = (t: CType): t is FuncT => t.kind === 'func';
/** Arrays and structs (C11 6.2.5p21); unions are not aggregates in C but are initialized like one. */
export const isAggregate = (t: CType): boolean => t.kind === 'array' || t.kind === 'struct';
export const isBool = (t: CType): boolean => t.kind === 'int' && t.bool === true;
/** Signedness of an integer type (an enum's is its base's). */
export const isSigned = (t: CType): boolean => (t.kind === 'int' ? t.signed : t.kind === 'enum' ? t.base.signed : t.kind === 'float');
/** The integer type an enum behaves as; other integers as they are. */
export const intOf = (t: IntT | EnumT): IntT => (t.kind === 'enum' ? t.base : t);
/** void, incomplete arrays and records, enums without values are incomplete (functions are not objects). */
export function isComplete(t: CType): boolean {
  switch (t.kind) {
    case 'void': return false;
    case 'array': return t.length !== undefined && isComplete(t.of.type);
    case 'struct': case 'union': return t.fields !== undefined;
    case 'enum': return t.values !== undefined;
    default: return true;
  }
}
/** An object type whose size is known (pointer arithmetic needs one). */
export const isCompleteObject = (t: CType): boolean => t.kind !== 'func' && isComplete(t);

/**
 * sizeof. void and functions are 1 (the GNU extension clang and gcc apply to pointer arithmetic
 * on them; the checker diagnoses `sizeof` on them itself); incomplete types are 0.
 */
export function sizeOf(t: CType): number {
  switch (t.kind) {
    case 'void': case 'func': return 1;
    case 'int': case 'float': return t.size;
    case 'ptr': return 8;
    case 'array': return t.length === undefined ? 0 : t.length * sizeOf(t.of.type);
    case 'struct': case 'union': return t.size;
    case 'enum': return t.base.size;
  }
}

/** _Alignof (x86-64 SysV: __int128 and long double align to 16). */
export function alignOf(t: CType): number {
  switch (t.kind) {
    case 'void': case 'func': return 1;
    case 'int': case 'float': return t.size;
    case 'ptr': return 8;
    case 'array': return alignOf(t.of.type);
    case 'struct': case 'union': return t.align;
    case 'enum': return t.base.size;
  }
}

export const unqualified = (qt: QualType): QualType =>
  qt.const || qt.volatile || qt.restrict ? stripQuals(qt) : qt;

function stripQuals(qt: QualType): QualType {
  const out: QualType = { type: qt.type };
  if (qt.typedefName !== undefined) out.typedefName = qt.typedefName;
  if (qt.tags) out.tags = qt.tags;
  return out;
}

const sameQuals = (a: Qual, b: Qual): boolean => !!a.const === !!b.const && !!a.volatile === !!b.volatile && !!a.restrict === !!b.restrict;
/** b has every qualifier a has (a ⊆ b). */
export const qualsIncluded = (a: Qual, b: Qual): boolean => (!a.const || !!b.const) && (!a.volatile || !!b.volatile) && (!a.restrict || !!b.restrict);

/** The same type, exactly: identical spelling-independent structure, qualifiers included below the top. */
export function sameType(a: CType, b: CType): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'void': return true;
    case 'int': { const y = b as IntT; return a.name === y.name && a.size === y.size && a.signed === y.signed; }
    case 'float': return a.size === (b as FloatT).size;
    case 'ptr': return sameQualType(a.to, (b as PtrT).to);
    case 'array': { const y = b as ArrayT; return a.length === y.length && !!a.vla === !!y.vla && sameQualType(a.of, y.of); }
    case 'struct': case 'union': case 'enum': return false; // identity
    case 'func': {
      const y = b as FuncT;
      return a.variadic === y.variadic && !!a.noProto === !!y.noProto && a.params.length === y.params.length &&
        sameQualType(a.ret, y.ret) && a.params.every((p, i) => sameType(p.type.type, y.params[i]!.type.type));
    }
  }
}

export const sameQualType = (a: QualType, b: QualType): boolean => sameQuals(a, b) && sameType(a.type, b.type);

/** Compatible types (C11 6.2.7), qualifiers included: identically qualified and compatible. */
export const compatible = (a: QualType, b: QualType): boolean => sameQuals(a, b) && compatibleTypes(a.type, b.type);

/**
 * Compatible unqualified types (C11 6.2.7, 6.7.2.2p4, 6.7.6.1-3): an enum is compatible with its
 * underlying integer type, arrays with an unknown length with any length, a function without a
 * prototype with a prototype whose parameters survive default promotion. Records by identity.
 */
export function compatibleTypes(a: CType, b: CType): boolean {
  if (a === b) return true;
  if (a.kind === 'enum' && b.kind === 'int') return sameType(a.base, b);
  if (a.kind === 'int' && b.kind === 'enum') return sameType(a, b.base);
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'ptr': return compatible(a.to, (b as PtrT).to);
    case 'array': {
      const y = b as ArrayT;
      return compatible(a.of, y.of) && (a.length === undefined || y.length === undefined || a.vla || y.vla || a.length === y.length);
    }
    case 'func': {
      const y = b as FuncT;
      if (!compatible(unqualified(a.ret), unqualified(y.ret))) return false;
      if (a.noProto || y.noProto) {
        if (a.noProto && y.noProto) return true;
        const p = a.noProto ? y : a;
        return !p.variadic && p.params.every((x) => {
          const t = adjustParam(x.type).type;
          return !(t.kind === 'float' && t.size === 4) && !(isInteger(t) && intRank(intOf(t)) < intRank(INT));
        });
      }
      return a.variadic === y.variadic && a.params.length === y.params.length &&
        a.params.every((p, i) => compatibleTypes(adjustParam(p.type).type, adjustParam(y.params[i]!.type).type));
    }
    default: return sameType(a, b);
  }
}

/** A parameter's declared type as the function sees it: arrays and functions become pointers (6.7.6.3p7-8). */
export function adjustParam(qt: QualType): QualType {
  if (qt.type.kind === 'array') return { type: { kind: 'ptr', to: qt.type.of }, const: qt.const, volatile: qt.volatile, restrict: qt.restrict };
  if (qt.type.kind === 'func') return { type: { kind: 'ptr', to: qt } };
  return qt;
}

/** Array-to-pointer and function-to-pointer conversion of an rvalue (6.3.2.1p3-4); qualifiers dropped. */
export function decay(qt: QualType): QualType {
  if (qt.type.kind === 'array') return { type: { kind: 'ptr', to: qt.type.of } };
  if (qt.type.kind === 'func') return { type: { kind: 'ptr', to: qt } };
  return unqualified(qt);
}

/** A pointer to `to`. */
export const ptrTo = (to: QualType | CType): PtrT => ({ kind: 'ptr', to: 'type' in to ? to : { type: to } });
/** An array of `of`. */
export const arrayOf = (of: QualType | CType, length?: number): ArrayT => ({ kind: 'array', of: 'type' in of ? of : { type: of }, length });

let nextRecordId = 1;
/** A fresh, incomplete struct or union (complete it by setting fields, size and align). */
export function newRecord(kind: 'struct' | 'union', name?: string): RecordT {
  return { kind, name, id: nextRecordId++, fields: undefined, size: 0, align: 1 };
}
/** A unique id for a record or enum object. */
export const newTypeId = (): number => nextRecordId++;

// ---- printing ----------------------------------------------------------------------------------

const TAG_SPELLING: Record<string, string> = { user: '__user', rcu: '__rcu', percpu: '__percpu', iomem: '__iomem' };

function qualWords(q: QualType, tags = true): string {
  const w: string[] = [];
  if (q.const) w.push('const');
  if (q.volatile) w.push('volatile');
  if (q.restrict) w.push('restrict');
  if (tags && q.tags) for (const t of q.tags) w.push(TAG_SPELLING[t] ?? `__attribute__((btf_type_tag("${t}")))`);
  return w.join(' ');
}

/** The name a record or enum is called by: 'struct task_struct', 'union (anonymous)'. */
export function tagName(t: RecordT | EnumT): string {
  return `${t.kind} ${t.name ?? '(anonymous)'}`;
}

/**
 * A type in C declarator syntax for diagnostics: "struct task_struct *", "char [16]",
 * "int (*)(void *)", "const char *const"; with a name, a declaration: "char comm[16]".
 * Typedef names are kept as written ("u32").
 */
export function typeToString(qt: QualType, name = ''): string {
  return declarator(qt, name);
}

function declarator(qt: QualType, inner: string): string {
  const t = qt.type;
  if (qt.typedefName === undefined) {
    switch (t.kind) {
      case 'ptr': {
        const q = qualWords(qt);
        return declarator(t.to, `*${q}${q && inner ? ' ' : ''}${inner}`);
      }
      case 'array': {
        const inside = inner.startsWith('*') ? `(${inner})` : inner;
        const len = t.vla ? '*' : t.length === undefined ? '' : String(t.length);
        // Qualifiers on an array type belong to its elements.
        const of = qt.const || qt.volatile || qt.restrict
          ? { ...t.of, const: t.of.const || qt.const, volatile: t.of.volatile || qt.volatile, restrict: t.of.restrict || qt.restrict }
          : t.of;
        return declarator(of, `${inside}[${len}]`);
      }
      case 'func': {
        const inside = inner.startsWith('*') ? `(${inner})` : inner;
        const ps = t.params.map((p) => declarator(p.type, ''));
        if (t.variadic) ps.push('...');
        const list = ps.length ? ps.join(', ') : t.noProto ? '' : 'void';
        return declarator(t.ret, `${inside}(${list})`);
      }
    }
  }
  const base = qt.typedefName ?? baseName(t);
  const q = qualWords(qt, false);
  // Address-space tags read after the type they qualify, as the kernel writes them: "char __user *".
  const tags = qt.tags ? qualWords({ type: t, tags: qt.tags }) : '';
  const head = (q ? `${q} ${base}` : base) + (tags ? ` ${tags}` : '');
  return inner ? `${head} ${inner}` : head;
}

function baseName(t: CType): string {
  switch (t.kind) {
    case 'void': return 'void';
    case 'int': case 'float': return t.name;
    case 'struct': case 'union': case 'enum': return tagName(t);
    default: return typeToString({ type: t });
  }
}

/** For messages, clang style: "'u32' (aka 'unsigned int')" or "'struct sock *'". */
export function describeType(qt: QualType): string {
  const written = typeToString(qt);
  const canonical = typeToString(canonicalize(qt));
  return written === canonical ? `'${written}'` : `'${written}' (aka '${canonical}')`;
}

/** The type with every typedef name dropped, all the way down. */
export function canonicalize(qt: QualType): QualType {
  const t = qt.type;
  let type: CType = t;
  if (t.kind === 'ptr') type = { kind: 'ptr', to: canonicalize(t.to) };
  else if (t.kind === 'array') type = { ...t, of: canonicalize(t.of) };
  else if (t.kind === 'func') type = { ...t, ret: canonicalize(t.ret), params: t.params.map((p) => ({ name: p.name, type: canonicalize(p.type) })) };
  const out: QualType = { type };
  if (qt.const) out.const = true;
  if (qt.volatile) out.volatile = true;
  if (qt.restrict) out.restrict = true;
  if (qt.tags) out.tags = qt.tags;
  return out;
}
