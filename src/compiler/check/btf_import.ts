// Kernel types from BTF as C types: what the checker gets when a program names a struct, union,
// enum, typedef or function it did not declare.
//
// Import is lazy and memoized: one QualType per BTF id, one RecordT per struct/union id. A record's
// fields (and its alignment, which needs them) are made only when first read, so naming
// `struct task_struct *` costs one object, and reading `task->pid` imports task_struct's members'
// types one level deep (pointer targets become records with their own lazy fields). Offsets are
// BTF's own; alignment, which BTF does not record, is the natural one raised to the least that
// explains BTF's offsets and size (a member placed past its natural offset, tail padding past the
// natural size: __aligned and ____cacheline_aligned in the kernel's source).
import { Btf } from '../../btf/reader.js';
import { Kind, type StructType, type EnumType, type IntType } from '../../btf/types.js';
import {
  VOID, BOOL, CHAR, SCHAR, UCHAR, SHORT, USHORT, INT, UINT, LONG, ULONG, FLOAT, DOUBLE, LDOUBLE,
  type QualType, type CType, type IntT, type RecordT, type EnumT, type FuncT, type Field,
  intByName, alignOf, sizeOf, newTypeId,
} from './types.js';

export class BtfImportError extends Error {
  override readonly name = 'BtfImportError';
}

/** A struct or union from BTF whose fields and alignment are computed on first use. */
export class BtfRecord implements RecordT {
  readonly kind: 'struct' | 'union';
  readonly name?: string;
  readonly id: number;
  readonly size: number;
  readonly btfId: number;
  private fieldList?: Field[];
  private alignment?: number;
  private isPacked?: boolean;

  constructor(private readonly importer: BtfTypeImporter, private readonly st: StructType) {
    this.kind = st.kind === Kind.STRUCT ? 'struct' : 'union';
    if (st.name) this.name = st.name;
    this.id = newTypeId();
    this.size = st.size;
    this.btfId = st.id;
  }

  /** Whether the fields have been made yet (for measuring laziness). */
  get hasFields(): boolean { return this.fieldList !== undefined; }

  get fields(): Field[] {
    return (this.fieldList ??= this.importer.fieldsOf(this.st));
  }
  set fields(v: Field[]) { this.fieldList = v; }

  get align(): number {
    if (this.alignment === undefined) this.computeAlignment();
    return this.alignment!;
  }
  set align(v: number) { this.alignment = v; }

  get packed(): boolean {
    if (this.isPacked === undefined) this.computeAlignment();
    return this.isPacked!;
  }
  set packed(v: boolean) { this.isPacked = v; }

  private computeAlignment(): void {
    this.alignment = 1; // a record cannot contain itself; guards against malformed BTF
    const r = inferAlignment(this.kind, this.fields, this.size);
    this.isPacked ??= r.packed;
    this.alignment = r.align;
  }
}

/**
 * The alignment BTF's layout implies: the natural one (1 when members sit where their natural
 * alignment would not allow, i.e. the record is packed), raised to the least power of two that
 * accounts for each member placed past its natural offset and for tail padding.
 */
export function inferAlignment(kind: 'struct' | 'union', fields: readonly Field[], size: number): { align: number; packed: boolean; memberAlign: (number | undefined)[] } {
  let natural = 1;
  let packed = false;
  for (const f of fields) {
    const a = alignOf(f.type.type);
    if (f.bitWidth === undefined) {
      natural = Math.max(natural, a);
      if (f.offset % a !== 0) packed = true;
    } else if (f.bitWidth > 0) {
      if (f.name !== undefined) natural = Math.max(natural, a);
      const unit = sizeOf(f.type.type) * 8;
      if ((f.bitOffset! % (a * 8)) + f.bitWidth > unit) packed = true;
    }
  }
  if (size % natural !== 0) packed = true;
  let align = packed ? 1 : natural;
  const memberAlign: (number | undefined)[] = new Array(fields.length);
  let end = 0; // bits
  let prevBitfield = false;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.bitWidth !== undefined) {
      end = kind === 'union' ? Math.max(end, f.bitWidth) : f.bitOffset! + f.bitWidth;
      prevBitfield = true;
      continue;
    }
    const own = packed ? 1 : alignOf(f.type.type);
    const cur = kind === 'union' ? 0 : Math.ceil(end / 8);
    // After a bitfield, a gap may be an unnamed bitfield BTF does not record: no inference there.
    if (f.offset > alignTo(cur, own) && !prevBitfield) {
      const a = leastAlign(cur, f.offset, own);
      if (a !== undefined) { memberAlign[i] = a; align = Math.max(align, a); }
    }
    const sz = sizeOf(f.type.type);
    end = kind === 'union' ? Math.max(end, sz * 8) : (f.offset + sz) * 8;
    prevBitfield = false;
  }
  if (size > alignTo(Math.ceil(end / 8), align)) {
    const a = leastAlign(Math.ceil(end / 8), size, align);
    if (a !== undefined) align = a;
  }
  return { align, packed, memberAlign };
}

/** The least power of two A ≥ min with alignTo(from, A) === to, if there is one. */
function leastAlign(from: number, to: number, min: number): number | undefined {
  for (let a = Math.max(1, min); a <= to; a *= 2) if (alignTo(from, a) === to) return a;
  return undefined;
}

const alignTo = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Imports BTF types as C types, lazily, one object per BTF id. */
export class BtfTypeImporter {
  private readonly types = new Map<number, QualType>();
  private readonly records = new Map<number, BtfRecord>();
  private readonly forwards = new Map<string, RecordT>();
  private readonly enums = new Map<number, EnumT>();

  constructor(readonly btf: Btf) {}

  /** The C type of BTF type `id` (a typedef's name kept as typedefName, qualifiers and type tags as written). */
  import(id: number): QualType {
    let qt = this.types.get(id);
    if (!qt) {
      qt = this.make(id);
      this.types.set(id, qt);
    }
    return qt;
  }

  private make(id: number): QualType {
    const btf = this.btf;
    if (id === 0) return { type: VOID };
    const t = btf.type(id);
    switch (t.kind) {
      case Kind.INT: return { type: intType(t) };
      case Kind.PTR: return { type: { kind: 'ptr', to: this.import(t.type) } };
      case Kind.ARRAY: return { type: { kind: 'array', of: this.import(t.type), length: t.nelems } };
      case Kind.STRUCT: case Kind.UNION: return { type: this.recordById(id) };
      case Kind.ENUM: case Kind.ENUM64: return { type: this.enumById(id) };
      case Kind.FWD: {
        // Tags share one namespace: a forward declaration means the definition wherever BTF has one.
        const full = btf.find(t.name, t.union ? Kind.UNION : Kind.STRUCT);
        return { type: full !== undefined ? this.recordById(full) : this.forward(t.union ? 'union' : 'struct', t.name) };
      }
      case Kind.TYPEDEF: return { ...this.import(t.type), typedefName: t.name };
      case Kind.CONST: return { ...this.import(t.type), const: true };
      case Kind.VOLATILE: return { ...this.import(t.type), volatile: true };
      case Kind.RESTRICT: return { ...this.import(t.type), restrict: true };
      case Kind.TYPE_TAG: {
        const inner = this.import(t.type);
        return { ...inner, tags: [...(inner.tags ?? []), t.name] };
      }
      case Kind.FUNC_PROTO: {
        const fn: FuncT = {
          kind: 'func', ret: this.import(t.returnType), variadic: t.variadic,
          params: t.params.map((p) => (p.name ? { name: p.name, type: this.import(p.type) } : { type: this.import(p.type) })),
        };
        return { type: fn };
      }
      case Kind.FUNC: case Kind.VAR: return this.import(t.type);
      case Kind.FLOAT: return { type: t.size === 4 ? FLOAT : t.size === 8 ? DOUBLE : t.size === 16 ? LDOUBLE : floatOf(t.name, t.size) };
      default: throw new BtfImportError(`BTF type [${id}] (${t.name || 'anonymous'}) of this kind is not a C type`);
    }
  }

  private recordById(id: number): BtfRecord {
    let r = this.records.get(id);
    if (!r) {
      r = new BtfRecord(this, this.btf.type(id) as StructType);
      this.records.set(id, r);
    }
    return r;
  }

  private forward(kind: 'struct' | 'union', name: string): RecordT {
    const key = `${kind} ${name}`;
    let r = this.forwards.get(key);
    if (!r) {
      r = { kind, name, id: newTypeId(), fields: undefined, size: 0, align: 1 };
      this.forwards.set(key, r);
    }
    return r;
  }

  private enumById(id: number): EnumT {
    let e = this.enums.get(id);
    if (!e) {
      const t = this.btf.type(id) as EnumType;
      const values = new Map<string, bigint>();
      for (const v of t.values) values.set(v.name, v.value);
      e = { kind: 'enum', id: newTypeId(), values, base: enumBase(t), btfId: id };
      if (t.name) e.name = t.name;
      this.enums.set(id, e);
    }
    return e;
  }

  /** A record's fields at BTF's offsets (used by BtfRecord on first access). */
  fieldsOf(st: StructType): Field[] {
    const out: Field[] = new Array(st.members.length);
    for (let i = 0; i < st.members.length; i++) {
      const m = st.members[i]!;
      const type = this.import(m.type);
      const f: Field = m.bitfieldSize
        ? { type, offset: Math.floor(m.bitOffset / 8), bitOffset: m.bitOffset, bitWidth: m.bitfieldSize }
        : { type, offset: m.bitOffset / 8 };
      if (m.name) f.name = m.name;
      out[i] = f;
    }
    return out;
  }

  /** How much has been imported so far: BTF ids given a C type, records made, records whose fields were read. */
  stats(): { types: number; records: number; recordsWithFields: number } {
    let withFields = 0;
    for (const r of this.records.values()) if (r.hasFields) withFields++;
    return { types: this.types.size, records: this.records.size + this.forwards.size, recordsWithFields: withFields };
  }

  // ---- by name ------------------------------------------------------------------------------

  /** `struct name` / `union name`: the definition, else an incomplete record if BTF only forward-declares it. */
  record(name: string, kind: 'struct' | 'union' = 'struct'): RecordT | undefined {
    const id = this.btf.find(name, kind === 'struct' ? Kind.STRUCT : Kind.UNION);
    if (id !== undefined) return this.recordById(id);
    for (const f of this.btf.findAll(name, Kind.FWD)) {
      if ((this.btf.type(f) as { union: boolean }).union === (kind === 'union')) return this.forward(kind, name);
    }
    return undefined;
  }

  /** A kernel typedef (u32, pid_t, sk_buff_data_t, ...). */
  typedef(name: string): QualType | undefined {
    const id = this.btf.find(name, Kind.TYPEDEF);
    return id === undefined ? undefined : this.import(id);
  }

  /** `enum name`. */
  enumType(name: string): EnumT | undefined {
    const id = this.btf.find(name, Kind.ENUM) ?? this.btf.find(name, Kind.ENUM64);
    return id === undefined ? undefined : this.enumById(id);
  }

  /** An enumeration constant from any kernel enum (TASK_RUNNING is a macro, but BPF_MAP_TYPE_HASH, TCP_ESTABLISHED ... live here). */
  enumerator(name: string): { value: bigint; type: EnumT } | undefined {
    const e = this.btf.enumerator(name);
    return e && { value: e.value, type: this.enumById(e.id) };
  }

  /** A kernel function's type (FUNC → FUNC_PROTO). */
  func(name: string): FuncT | undefined {
    const id = this.btf.find(name, Kind.FUNC);
    if (id === undefined) return undefined;
    const t = this.import(id).type;
    return t.kind === 'func' ? t : undefined;
  }
}

/** The builtin type a BTF integer is, when it is one; otherwise an integer type of its own name. */
function intType(t: IntType): IntT {
  if (t.bool) return BOOL;
  if (t.name === 'char') return CHAR; // the program's char: signed, as clang -target bpf has it
  const b = intByName(t.name);
  if (b && b.size === t.size && (b.signed === t.signed || b.char)) return b;
  const size = ([1, 2, 4, 8, 16] as const).find((s) => s === t.size) ?? 8;
  return { kind: 'int', size, signed: t.signed, name: t.name };
}

/** An enum's underlying integer type, by its size and signedness as BTF records them. */
function enumBase(t: EnumType): IntT {
  switch (t.size) {
    case 1: return t.signed ? SCHAR : UCHAR;
    case 2: return t.signed ? SHORT : USHORT;
    case 8: return t.signed ? LONG : ULONG;
    default: return t.signed ? INT : UINT;
  }
}

function floatOf(name: string, size: number): CType {
  return { kind: 'float', size: size === 4 || size === 8 || size === 16 ? size : 8, name };
}
