// Struct and union layout by the SysV x86-64 rules as clang implements them (the BPF target lays
// records out the same way): natural alignment; a bitfield shares storage with its neighbours but
// never straddles a boundary of its declared type's alignment unless packed; zero-width bitfields
// round up to the next boundary of their type; unnamed bitfields don't raise the record's
// alignment; flexible array members; packed, aligned(n), _Alignas and #pragma pack.
// The rules follow clang's ItaniumRecordLayoutBuilder (LayoutField / LayoutBitField); gcc agrees on
// x86-64, and test/unit/layout_oracle.test.ts checks a corpus against it.
import {
  type CType, type Field, type QualType, type RecordT,
  sizeOf, alignOf, isInteger, intOf, isComplete, isRecord, typeToString,
} from './types.js';

export interface MemberDecl {
  /** undefined for anonymous struct/union members and unnamed bitfields */
  name?: string;
  type: QualType;
  bitWidth?: number;
  /** `__attribute__((aligned(n)))` or `_Alignas(n)` on the member (the largest when several). */
  aligned?: number;
  /** `__attribute__((packed))` on the member itself. */
  packed?: boolean;
}

export interface RecordAttrs {
  /** `__attribute__((packed))` on the record. */
  packed?: boolean;
  /** `__attribute__((aligned(n)))` on the record. */
  aligned?: number;
  /** `#pragma pack(n)` in effect at the record's definition (caps member alignment, and bitfields pack tightly). */
  pack?: number;
}

export interface Layout { fields: Field[]; size: number; align: number }

/** A member the C rules do not allow; `member` is its index in the list given. */
export class LayoutError extends Error {
  override readonly name = 'LayoutError';
  constructor(message: string, readonly member: number, readonly code: string) { super(message); }
}

const memberName = (m: MemberDecl): string => (m.name ? `'${m.name}'` : '(anonymous)');

/** Lay out a struct or union's members (in declaration order; fields[i] is members[i]). */
export function layoutRecord(kind: 'struct' | 'union', members: readonly MemberDecl[], attrs: RecordAttrs = {}): Layout {
  const union = kind === 'union';
  const pack = attrs.pack ? attrs.pack * 8 : 0; // bits; 0: no #pragma pack
  let dataBits = 0; // struct: first free bit (after a bitfield, possibly mid-byte); union: the largest member
  let align = 1; // bytes
  const fields: Field[] = new Array(members.length);

  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    const t = m.type.type;
    const packed = !!(attrs.packed || m.packed);
    const explicit = m.aligned ? m.aligned * 8 : 0;

    if (m.bitWidth !== undefined) {
      const width = m.bitWidth;
      checkBitfield(t, m, i, width);
      const unitBits = sizeOf(t) * 8;
      let fieldAlign = alignOf(t) * 8;
      let unpackedAlign = fieldAlign;
      if (packed && width !== 0) fieldAlign = 1;
      if (explicit) { fieldAlign = Math.max(fieldAlign, explicit); unpackedAlign = Math.max(unpackedAlign, explicit); }
      if (pack && width !== 0) {
        unpackedAlign = Math.min(unpackedAlign, pack);
        fieldAlign = packed ? unpackedAlign : Math.min(fieldAlign, pack);
      }
      let off = union ? 0 : dataBits;
      if (width === 0 || (!pack && (off % fieldAlign) + width > unitBits)) off = alignTo(off, fieldAlign);
      else if (explicit && (!pack || explicit <= pack)) off = alignTo(off, explicit);
      fields[i] = bitfield(m, off, width);
      // Unnamed bitfields (zero-width ones included) leave the record's alignment alone.
      if (m.name === undefined) fieldAlign = 1;
      if (union) dataBits = Math.max(dataBits, alignTo(width, 8));
      else dataBits = off + width;
      align = Math.max(align, Math.floor(fieldAlign / 8));
      continue;
    }

    const flexible = t.kind === 'array' && t.length === undefined && !t.vla;
    if (flexible) {
      if (union) throw new LayoutError(`flexible array member ${memberName(m)} in a union is not allowed`, i, 'layout-flexible-union');
      if (i !== members.length - 1) throw new LayoutError(`flexible array member ${memberName(m)} not at end of struct`, i, 'layout-flexible-not-last');
      if (!isComplete(t.of.type)) throw new LayoutError(`array has incomplete element type ${describe(t.of)}`, i, 'layout-incomplete');
    } else if (t.kind === 'func') {
      throw new LayoutError(`field ${memberName(m)} declared as a function`, i, 'layout-function-member');
    } else if (!isComplete(t)) {
      throw new LayoutError(`field ${memberName(m)} has incomplete type ${describe(m.type)}`, i, 'layout-incomplete');
    }
    const sizeBits = flexible ? 0 : sizeOf(t) * 8;
    let fieldAlign = packed ? 1 : alignOf(t);
    if (m.aligned) fieldAlign = Math.max(fieldAlign, m.aligned);
    if (pack) fieldAlign = Math.min(fieldAlign, pack / 8);
    const off = union ? 0 : alignTo(bytesOf(dataBits), fieldAlign);
    fields[i] = m.name === undefined ? { type: m.type, offset: off } : { name: m.name, type: m.type, offset: off };
    dataBits = union ? Math.max(dataBits, sizeBits) : off * 8 + sizeBits;
    align = Math.max(align, fieldAlign);
  }

  if (attrs.aligned) align = Math.max(align, attrs.aligned);
  return { fields, size: alignTo(bytesOf(dataBits), align), align };
}

function bitfield(m: MemberDecl, bitOffset: number, bitWidth: number): Field {
  const f: Field = { type: m.type, offset: Math.floor(bitOffset / 8), bitOffset, bitWidth };
  if (m.name !== undefined) f.name = m.name;
  return f;
}

function checkBitfield(t: CType, m: MemberDecl, i: number, width: number): void {
  if (!isInteger(t)) throw new LayoutError(`bit-field ${memberName(m)} has non-integral type ${describe(m.type)}`, i, 'layout-bitfield-type');
  if (!Number.isInteger(width) || width < 0) throw new LayoutError(`bit-field ${memberName(m)} has negative width (${width})`, i, 'layout-bitfield-width');
  if (width === 0 && m.name !== undefined) throw new LayoutError(`named bit-field ${memberName(m)} has zero width`, i, 'layout-bitfield-width');
  const it = intOf(t);
  const max = it.bool ? 1 : it.size * 8;
  if (width > max) {
    throw new LayoutError(`width of bit-field ${memberName(m)} (${width} bits) exceeds the width of its type (${max} bit${max === 1 ? '' : 's'})`,
      i, 'layout-bitfield-width');
  }
}

const describe = (qt: QualType): string => `'${typeToString(qt)}'`;
const alignTo = (n: number, a: number): number => Math.ceil(n / a) * a;
const bytesOf = (bits: number): number => Math.ceil(bits / 8);

/** Lay out and complete a record created by newRecord() (sets fields, size, align, packed). */
export function completeRecord(rec: RecordT, members: readonly MemberDecl[], attrs: RecordAttrs = {}): RecordT {
  const l = layoutRecord(rec.kind, members, attrs);
  rec.fields = l.fields;
  rec.size = l.size;
  rec.align = l.align;
  if (attrs.packed) rec.packed = true;
  return rec;
}

export interface FieldPath {
  field: Field;
  /** Bytes from the start of the outer record (anonymous members' offsets added). */
  offset: number;
  /** Bitfields: bits from the start of the outer record. */
  bitOffset?: number;
  /** The anonymous members passed through, outermost first, then the field itself. */
  path: Field[];
}

const fieldIndex = new WeakMap<RecordT, Map<string, FieldPath>>();

/**
 * A member by name, looking through anonymous struct and union members as C does (6.7.2.1p13).
 * Indexed on first use per complete record (kernel records have hundreds of members).
 */
export function findField(rec: RecordT, name: string): FieldPath | undefined {
  const fields = rec.fields;
  if (!fields) return undefined;
  let index = fieldIndex.get(rec);
  if (!index) {
    index = new Map();
    indexFields(fields, 0, [], index);
    fieldIndex.set(rec, index);
  }
  return index.get(name);
}

function indexFields(fields: readonly Field[], base: number, through: Field[], index: Map<string, FieldPath>): void {
  for (const f of fields) {
    if (f.name !== undefined) {
      if (index.has(f.name)) continue; // a duplicate is the checker's error; the first one wins
      const p: FieldPath = { field: f, offset: base + f.offset, path: [...through, f] };
      if (f.bitOffset !== undefined) p.bitOffset = base * 8 + f.bitOffset;
      index.set(f.name, p);
    } else if (f.bitWidth === undefined && isRecord(f.type.type) && f.type.type.fields) {
      indexFields(f.type.type.fields, base + f.offset, [...through, f], index);
    }
  }
}

/** Every member name reachable from a record (anonymous members flattened), for suggestions. */
export function fieldNames(rec: RecordT): string[] {
  const out: string[] = [];
  for (const f of rec.fields ?? []) {
    if (f.name !== undefined) out.push(f.name);
    else if (f.bitWidth === undefined && isRecord(f.type.type)) out.push(...fieldNames(f.type.type));
  }
  return out;
}
