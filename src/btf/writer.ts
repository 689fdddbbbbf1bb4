// Emit BTF for the programs tsbcc loads: map key/value types, global variables (VAR + DATASEC),
// FUNC/FUNC_PROTO for each program and sub-program, and the func_info / line_info records
// BPF_PROG_LOAD takes alongside. Layout as in linux/btf.h and Documentation/bpf/btf.rst.
//
// BtfBuilder is a plain builder: each add* appends one type and returns its id (ids start at 1;
// 0 is void). Types may refer to ids not added yet (the kernel resolves references after reading
// the whole section), so a self-referential struct can point at `typeCount + 1` before it exists,
// or be added with no members and completed with setMembers().

export const BTF_MAGIC = 0xeb9f;
export const BTF_VERSION = 1;
export const BTF_HEADER_LEN = 24;
/** The kernel's limits (linux/btf.h). */
export const BTF_MAX_TYPE = 0x000fffff;
export const BTF_MAX_NAME_OFFSET = 0x00ffffff;
export const BTF_MAX_VLEN = 0xffff;

const K = {
  INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9, CONST: 10,
  RESTRICT: 11, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16, DECL_TAG: 17, TYPE_TAG: 18,
  ENUM64: 19,
} as const;

export const BTF_INT_SIGNED = 1 << 0;
export const BTF_INT_CHAR = 1 << 1;
export const BTF_INT_BOOL = 1 << 2;

export type BtfLinkage = 'static' | 'global' | 'extern';
const LINKAGE: Record<BtfLinkage, number> = { static: 0, global: 1, extern: 2 };

/** At most one of these: the kernel refuses combinations (a signed `char` is just `signed`). */
export interface IntEncoding { signed?: boolean; char?: boolean; bool?: boolean }
export interface MemberSpec {
  name: string;
  type: number;
  /** Offset of the member from the start of the struct, in bits. */
  bitOffset: number;
  /** Width in bits for a bitfield; absent or 0 for an ordinary member. */
  bitfieldSize?: number;
}
export interface EnumValueSpec { name: string; value: number | bigint }
export interface ParamSpec { name: string; type: number }
export interface VarSecInfoSpec { type: number; offset: number; size: number }

/** One type as it will be written: the 12-byte btf_type and the u32 words that follow it. */
interface Entry {
  kind: number;
  nameOff: number;
  kflag: boolean;
  vlen: number;
  sizeOrType: number;
  extra: number[];
}

const u32 = (v: number, what: string): number => {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`BTF: ${what} ${v} is not a u32`);
  return v;
};
const typeId = (v: number, what: string): number => {
  if (!Number.isInteger(v) || v < 0 || v > BTF_MAX_TYPE) throw new RangeError(`BTF: ${what}: type id ${v} is out of range`);
  return v;
};
const vlen = (n: number, what: string): number => {
  if (n > BTF_MAX_VLEN) throw new RangeError(`BTF: ${what} has ${n} entries, more than ${BTF_MAX_VLEN}`);
  return n;
};

export class BtfBuilder {
  private readonly types: Entry[] = [];
  private readonly strings = new Map<string, number>([['', 0]]);
  private readonly stringChunks: Buffer[] = [Buffer.alloc(1)];
  private stringLen = 1;

  /** Number of types added so far; the next type gets id `typeCount + 1`. */
  get typeCount(): number { return this.types.length; }

  /** Offset of `s` in the string section, adding it once. The empty string is offset 0. */
  addString(s: string): number {
    const have = this.strings.get(s);
    if (have !== undefined) return have;
    if (s.includes('\0')) throw new Error(`BTF: string ${JSON.stringify(s)} contains a NUL byte`);
    const bytes = Buffer.from(s + '\0', 'utf8');
    const off = this.stringLen;
    this.strings.set(s, off);
    this.stringChunks.push(bytes);
    this.stringLen += bytes.length;
    return off;
  }

  private name(s: string | undefined): number {
    const off = this.addString(s ?? '');
    if (off > BTF_MAX_NAME_OFFSET) throw new RangeError(`BTF: string section is past ${BTF_MAX_NAME_OFFSET} bytes`);
    return off;
  }

  private push(kind: number, name: string | undefined, sizeOrType: number, extra: number[] = [],
    count = 0, kflag = false): number {
    if (this.types.length >= BTF_MAX_TYPE) throw new RangeError(`BTF: more than ${BTF_MAX_TYPE} types`);
    this.types.push({ kind, nameOff: this.name(name), kflag, vlen: count, sizeOrType: u32(sizeOrType, 'size/type'), extra });
    return this.types.length;
  }

  addInt(name: string, size: number, encoding: IntEncoding = {}, bits = size * 8, bitOffset = 0): number {
    if (![1, 2, 4, 8, 16].includes(size)) throw new RangeError(`BTF: int ${name} has size ${size}`);
    if (bits < 1 || bits > 128 || bitOffset < 0 || bitOffset + bits > size * 8) {
      throw new RangeError(`BTF: int ${name}: ${bits} bits at offset ${bitOffset} do not fit in ${size} bytes`);
    }
    const enc = (encoding.signed ? BTF_INT_SIGNED : 0) | (encoding.char ? BTF_INT_CHAR : 0) | (encoding.bool ? BTF_INT_BOOL : 0);
    // The kernel takes at most one encoding bit ("Unsupported encoding" otherwise).
    if (enc & (enc - 1)) throw new RangeError(`BTF: int ${name}: signed, char and bool are exclusive`);
    return this.push(K.INT, name, size, [((enc << 24) | (bitOffset << 16) | bits) >>> 0]);
  }

  addPtr(type: number): number {
    return this.push(K.PTR, '', typeId(type, 'pointer target'));
  }

  addArray(elemType: number, indexType: number, nelems: number): number {
    return this.push(K.ARRAY, '', 0, [typeId(elemType, 'array element'), typeId(indexType, 'array index'), u32(nelems, 'array length')]);
  }

  addStruct(name: string, size: number, members: readonly MemberSpec[]): number {
    return this.composite(K.STRUCT, name, size, members);
  }

  addUnion(name: string, size: number, members: readonly MemberSpec[]): number {
    return this.composite(K.UNION, name, size, members);
  }

  private composite(kind: number, name: string, size: number, members: readonly MemberSpec[]): number {
    const id = this.push(kind, name, size);
    this.setMembers(id, members);
    return id;
  }

  /** Replace the members of a struct or union already added (for types that refer to themselves). */
  setMembers(id: number, members: readonly MemberSpec[]): void {
    const t = this.types[id - 1];
    if (!t || (t.kind !== K.STRUCT && t.kind !== K.UNION)) throw new Error(`BTF: type ${id} is not a struct or union`);
    const kflag = members.some((m) => (m.bitfieldSize ?? 0) > 0);
    const extra: number[] = [];
    for (const m of members) {
      const bf = m.bitfieldSize ?? 0;
      if (kflag) {
        if (bf < 0 || bf > 255) throw new RangeError(`BTF: member ${m.name}: bitfield size ${bf} is not 0..255`);
        if (m.bitOffset < 0 || m.bitOffset > 0xffffff) throw new RangeError(`BTF: member ${m.name}: bit offset ${m.bitOffset} does not fit in 24 bits`);
      }
      extra.push(this.name(m.name), typeId(m.type, `member ${m.name}`),
        kflag ? ((bf << 24) | m.bitOffset) >>> 0 : u32(m.bitOffset, `member ${m.name} bit offset`));
    }
    t.extra = extra;
    t.vlen = vlen(members.length, 'struct/union');
    t.kflag = kflag;
  }

  /**
   * An enum of `size` bytes. Signed when asked, or else when a value is negative. Written as ENUM
   * when every value fits in 32 bits (of that signedness), else as ENUM64.
   */
  addEnum(name: string, size: number, values: readonly EnumValueSpec[], signed?: boolean): number {
    if (![1, 2, 4, 8].includes(size)) throw new RangeError(`BTF: enum ${name} has size ${size}`);
    const vals = values.map((v) => ({ name: v.name, value: BigInt(v.value) }));
    const isSigned = signed ?? vals.some((v) => v.value < 0n);
    const fits32 = vals.every((v) => (isSigned ? v.value >= -(1n << 31n) && v.value < 1n << 31n : v.value >= 0n && v.value < 1n << 32n));
    const extra: number[] = [];
    for (const v of vals) {
      if (v.value < -(1n << 63n) || v.value >= 1n << 64n) throw new RangeError(`BTF: enum value ${v.name} does not fit in 64 bits`);
      const raw = BigInt.asUintN(64, v.value);
      if (fits32) extra.push(this.name(v.name), Number(raw & 0xffffffffn));
      else extra.push(this.name(v.name), Number(raw & 0xffffffffn), Number(raw >> 32n));
    }
    return this.push(fits32 ? K.ENUM : K.ENUM64, name, size, extra, vlen(vals.length, `enum ${name}`), isSigned);
  }

  addFwd(name: string, union = false): number {
    return this.push(K.FWD, name, 0, [], 0, union);
  }

  addTypedef(name: string, type: number): number {
    return this.push(K.TYPEDEF, name, typeId(type, `typedef ${name}`));
  }

  addVolatile(type: number): number { return this.push(K.VOLATILE, '', typeId(type, 'volatile')); }
  addConst(type: number): number { return this.push(K.CONST, '', typeId(type, 'const')); }
  addRestrict(type: number): number { return this.push(K.RESTRICT, '', typeId(type, 'restrict')); }
  /** `__attribute__((btf_type_tag(name)))` over `type`. */
  addTypeTag(type: number, name: string): number { return this.push(K.TYPE_TAG, name, typeId(type, `type tag ${name}`)); }

  /** A function signature. `variadic` appends the (name 0, type 0) parameter that marks `...`. */
  addFuncProto(returnType: number, params: readonly ParamSpec[], variadic = false): number {
    const extra: number[] = [];
    for (const p of params) extra.push(this.name(p.name), typeId(p.type, `parameter ${p.name}`));
    if (variadic) extra.push(0, 0);
    return this.push(K.FUNC_PROTO, '', typeId(returnType, 'return type'), extra,
      vlen(params.length + (variadic ? 1 : 0), 'function prototype'));
  }

  /** A function: its name, its FUNC_PROTO, and linkage (kept in vlen). */
  addFunc(name: string, protoType: number, linkage: BtfLinkage = 'global'): number {
    return this.push(K.FUNC, name, typeId(protoType, `function ${name}`), [], LINKAGE[linkage]);
  }

  addVar(name: string, type: number, linkage: BtfLinkage): number {
    return this.push(K.VAR, name, typeId(type, `variable ${name}`), [LINKAGE[linkage]]);
  }

  /** A data section (".bss", ".data", ".rodata", ...). The kernel wants vars by ascending offset: sorted here. */
  addDatasec(name: string, size: number, vars: readonly VarSecInfoSpec[]): number {
    const sorted = [...vars].sort((a, b) => a.offset - b.offset);
    const extra: number[] = [];
    for (const v of sorted) extra.push(typeId(v.type, `section ${name} variable`), u32(v.offset, 'offset'), u32(v.size, 'size'));
    return this.push(K.DATASEC, name, size, extra, vlen(sorted.length, `section ${name}`));
  }

  addFloat(name: string, size: number): number {
    if (![2, 4, 8, 12, 16].includes(size)) throw new RangeError(`BTF: float ${name} has size ${size}`);
    return this.push(K.FLOAT, name, size);
  }

  /** `__attribute__((btf_decl_tag(name)))` on `type`, or on its member/parameter `componentIdx`. */
  addDeclTag(name: string, type: number, componentIdx = -1): number {
    if (!Number.isInteger(componentIdx) || componentIdx < -1 || componentIdx > BTF_MAX_VLEN) {
      throw new RangeError(`BTF: decl tag ${name}: component index ${componentIdx}`);
    }
    return this.push(K.DECL_TAG, name, typeId(type, `decl tag ${name}`), [componentIdx >>> 0]);
  }

  /** The BTF blob: header, type section, string section. */
  build(): Buffer {
    let typeLen = 0;
    for (const t of this.types) typeLen += 12 + 4 * t.extra.length;
    const strLen = this.stringLen;
    const out = Buffer.alloc(BTF_HEADER_LEN + typeLen + strLen);
    out.writeUInt16LE(BTF_MAGIC, 0);
    out.writeUInt8(BTF_VERSION, 2);
    out.writeUInt8(0, 3);
    out.writeUInt32LE(BTF_HEADER_LEN, 4);
    out.writeUInt32LE(0, 8); // type_off
    out.writeUInt32LE(typeLen, 12);
    out.writeUInt32LE(typeLen, 16); // str_off
    out.writeUInt32LE(strLen, 20);
    let o = BTF_HEADER_LEN;
    for (const t of this.types) {
      out.writeUInt32LE(t.nameOff, o);
      out.writeUInt32LE(((t.kflag ? 1 << 31 : 0) | (t.kind << 24) | t.vlen) >>> 0, o + 4);
      out.writeUInt32LE(t.sizeOrType, o + 8);
      o += 12;
      for (const w of t.extra) { out.writeUInt32LE(w >>> 0, o); o += 4; }
    }
    for (const c of this.stringChunks) { c.copy(out, o); o += c.length; }
    return out;
  }
}

export const FUNC_INFO_REC_SIZE = 8;
export const LINE_INFO_REC_SIZE = 16;
const MAX_LINE = (1 << 22) - 1;
const MAX_COL = 0x3ff;

export interface FuncInfoRecord {
  /** First instruction of the function, in instructions (8-byte slots) from the program start. */
  insnOff: number;
  /** The FUNC type id. */
  typeId: number;
}

export interface LineInfoRecord {
  /** First instruction the line covers, in instructions from the program start. */
  insnOff: number;
  /** String offsets (from addString) of the file name and of the source line's text. */
  fileNameOff: number;
  lineOff: number;
  line: number;
  /** Column; values past 1023 are clamped (the kernel keeps 10 bits). */
  col: number;
}

/** struct bpf_func_info records for BPF_PROG_LOAD. */
export function encodeFuncInfo(records: readonly FuncInfoRecord[]): Buffer {
  const b = Buffer.alloc(records.length * FUNC_INFO_REC_SIZE);
  records.forEach((r, i) => {
    b.writeUInt32LE(u32(r.insnOff, 'func_info insn_off'), i * 8);
    b.writeUInt32LE(typeId(r.typeId, 'func_info'), i * 8 + 4);
  });
  return b;
}

/** struct bpf_line_info records for BPF_PROG_LOAD (line_col = line << 10 | col). */
export function encodeLineInfo(records: readonly LineInfoRecord[]): Buffer {
  const b = Buffer.alloc(records.length * LINE_INFO_REC_SIZE);
  records.forEach((r, i) => {
    if (!Number.isInteger(r.line) || r.line < 0 || r.line > MAX_LINE) throw new RangeError(`line_info: line ${r.line} is out of range`);
    const col = Math.min(Math.max(0, r.col | 0), MAX_COL);
    const o = i * LINE_INFO_REC_SIZE;
    b.writeUInt32LE(u32(r.insnOff, 'line_info insn_off'), o);
    b.writeUInt32LE(u32(r.fileNameOff, 'line_info file_name_off'), o + 4);
    b.writeUInt32LE(u32(r.lineOff, 'line_info line_off'), o + 8);
    b.writeUInt32LE(((r.line << 10) | col) >>> 0, o + 12);
  });
  return b;
}
