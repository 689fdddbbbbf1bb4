// BTF reader: the kernel's own types, parsed lazily.
//
// Opening does two passes over raw words and nothing else: one to find where each type record
// starts (a Uint32Array of offsets), one to hash every type's name bytes into an open-addressing
// index. No strings are decoded and no objects made until a type is asked for; decoded types are
// cached. Split BTF (kernel modules) sits on a base: its ids and string offsets continue the base's.
import { readFileSync } from 'node:fs';
import { Kind, LINKAGE, kindName, type BtfType, type Member, type EnumValue, type Param, type VarSecInfo } from './types.js';

const MAGIC = 0xeb9f;

export class BtfParseError extends Error {
  override readonly name = 'BtfParseError';
}

/** FNV-1a over bytes [start, end). */
function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

export class Btf {
  /** The first type id this object holds (1 for vmlinux; base.nextId for split BTF). */
  readonly startId: number;
  /** One past the last type id. */
  readonly nextId: number;
  private readonly strStart: number; // first string offset this object holds
  private readonly words: Uint32Array; // the type section, as u32
  private readonly offsets: Uint32Array; // word index of each local type
  private readonly strs: Uint8Array; // the string section
  private readonly hashSlots: Int32Array; // open addressing: local index + 1, 0 = empty
  private readonly cache: (BtfType | undefined)[];

  private constructor(buf: Uint8Array, readonly base?: Btf, readonly label = 'btf') {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (buf.byteLength < 24 || dv.getUint16(0, true) !== MAGIC) {
      throw new BtfParseError(`${label}: not BTF (bad magic${buf.byteLength >= 2 ? ` 0x${dv.getUint16(0, true).toString(16)}` : ''})`);
    }
    const hdrLen = dv.getUint32(4, true);
    const typeOff = dv.getUint32(8, true), typeLen = dv.getUint32(12, true);
    const strOff = dv.getUint32(16, true), strLen = dv.getUint32(20, true);
    const typeStart = hdrLen + typeOff, strStartByte = hdrLen + strOff;
    if (typeStart + typeLen > buf.byteLength || strStartByte + strLen > buf.byteLength || typeLen % 4) {
      throw new BtfParseError(`${label}: sections run past the end of the data`);
    }
    // The type section is u32-aligned within the blob; copy only if the blob itself is not.
    const abs = buf.byteOffset + typeStart;
    this.words = abs % 4 === 0
      ? new Uint32Array(buf.buffer, abs, typeLen / 4)
      : new Uint32Array(buf.slice(typeStart, typeStart + typeLen).buffer);
    this.strs = buf.subarray(strStartByte, strStartByte + strLen);
    this.startId = base ? base.nextId : 1;
    this.strStart = base ? base.strStart + base.strs.length : 0;

    // Pass 1: record offsets.
    const w = this.words;
    let offsets = new Uint32Array(Math.max(16, w.length >>> 3));
    let n = 0;
    for (let i = 0; i < w.length;) {
      if (n === offsets.length) {
        const grown = new Uint32Array(n * 2);
        grown.set(offsets);
        offsets = grown;
      }
      offsets[n++] = i;
      const info = w[i + 1]!;
      const vlen = info & 0xffff;
      i += 3;
      switch ((info >>> 24) & 0x1f) {
        case Kind.INT: case Kind.VAR: case Kind.DECL_TAG: i += 1; break;
        case Kind.ARRAY: i += 3; break;
        case Kind.STRUCT: case Kind.UNION: case Kind.DATASEC: case Kind.ENUM64: i += 3 * vlen; break;
        case Kind.ENUM: case Kind.FUNC_PROTO: i += 2 * vlen; break;
        case Kind.PTR: case Kind.FWD: case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT:
        case Kind.FUNC: case Kind.FLOAT: case Kind.TYPE_TAG: break;
        default: throw new BtfParseError(`${label}: type ${this.startId + n - 1} has unknown kind ${(info >>> 24) & 0x1f}`);
      }
      if (i > w.length) throw new BtfParseError(`${label}: type ${this.startId + n - 1} runs past the type section`);
    }
    this.offsets = offsets.subarray(0, n);
    this.nextId = this.startId + n;
    this.cache = new Array(n);

    // Pass 2: hash names (only names that live in this object's string section are local).
    let size = 1;
    while (size < n * 2) size <<= 1;
    const slots = new Int32Array(size);
    const mask = size - 1;
    const s = this.strs;
    for (let t = 0; t < n; t++) {
      const nameOff = w[this.offsets[t]!]!;
      if (nameOff === 0) continue;
      const start = nameOff - this.strStart;
      if (start < 0) {
        // Split BTF naming a base string: hash the base's bytes.
        slots[this.probeFree(slots, mask, base!.hashOfOffset(nameOff))] = t + 1;
        continue;
      }
      let end = start;
      while (s[end] !== 0 && end < s.length) end++;
      slots[this.probeFree(slots, mask, hashBytes(s, start, end))] = t + 1;
    }
    this.hashSlots = slots;
  }

  private probeFree(slots: Int32Array, mask: number, h: number): number {
    let i = h & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    return i;
  }

  private hashOfOffset(off: number): number {
    if (off < this.strStart) return this.base!.hashOfOffset(off);
    const start = off - this.strStart;
    let end = start;
    while (this.strs[end] !== 0 && end < this.strs.length) end++;
    return hashBytes(this.strs, start, end);
  }

  /** Parse BTF bytes; give `base` (vmlinux) for a module's split BTF. */
  static parse(buf: Uint8Array, base?: Btf, label?: string): Btf {
    return new Btf(buf, base, label);
  }

  private static vmlinuxCache?: Btf;
  /** The running kernel's BTF (/sys/kernel/btf/vmlinux), read once per process. */
  static vmlinux(): Btf {
    if (!Btf.vmlinuxCache) {
      let data: Buffer;
      try {
        data = readFileSync('/sys/kernel/btf/vmlinux');
      } catch (e) {
        throw new BtfParseError(`this kernel exposes no BTF at /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF is off?): ${(e as Error).message}`);
      }
      Btf.vmlinuxCache = new Btf(data, undefined, 'vmlinux');
    }
    return Btf.vmlinuxCache;
  }

  /** A kernel module's BTF (/sys/kernel/btf/<module>), split on vmlinux. */
  static module(name: string): Btf {
    let data: Buffer;
    try {
      data = readFileSync(`/sys/kernel/btf/${name}`);
    } catch {
      throw new BtfParseError(`no BTF for kernel module ${name} (is it loaded? see /sys/kernel/btf)`);
    }
    return new Btf(data, Btf.vmlinux(), name);
  }

  /** Every type id, base included: 0 (void) .. nextId - 1. */
  get typeCount(): number { return this.nextId; }

  // ---- strings ----------------------------------------------------------------

  /** The string at a BTF string offset. */
  str(off: number): string {
    if (off < this.strStart) return this.base!.str(off);
    const s = this.strs;
    const start = off - this.strStart;
    let end = start;
    while (s[end] !== 0 && end < s.length) end++;
    return Buffer.from(s.buffer, s.byteOffset + start, end - start).toString('latin1');
  }

  // ---- raw access ---------------------------------------------------------------

  private owner(id: number): Btf {
    if (id >= this.startId) {
      if (id >= this.nextId) throw new RangeError(`${this.label}: no type with id ${id} (last is ${this.nextId - 1})`);
      return this;
    }
    if (!this.base) throw new RangeError(`${this.label}: no type with id ${id}`);
    return this.base;
  }

  kindOf(id: number): number {
    if (id === 0) return Kind.UNKN;
    const o = this.owner(id);
    return (o.words[o.offsets[id - o.startId]! + 1]! >>> 24) & 0x1f;
  }

  nameOf(id: number): string {
    if (id === 0) return 'void';
    const o = this.owner(id);
    return o.str(o.words[o.offsets[id - o.startId]!]!);
  }

  // ---- decoding -------------------------------------------------------------------

  /** The decoded type (cached). Id 0 is void. */
  type(id: number): BtfType {
    if (id === 0) return { id: 0, kind: 0, name: 'void' };
    const o = this.owner(id);
    const local = id - o.startId;
    return (o.cache[local] ??= o.decode(id, o.offsets[local]!));
  }

  private decode(id: number, at: number): BtfType {
    const w = this.words;
    const name = this.str(w[at]!);
    const info = w[at + 1]!;
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const kflag = info >>> 31 === 1;
    const sizeOrType = w[at + 2]!;
    const x = at + 3;
    switch (kind) {
      case Kind.INT: {
        const e = w[x]!;
        const enc = (e >>> 24) & 0xf;
        return { id, kind, name, size: sizeOrType, bits: e & 0xff, bitOffset: (e >>> 16) & 0xff,
          signed: (enc & 1) !== 0, char: (enc & 2) !== 0, bool: (enc & 4) !== 0 };
      }
      case Kind.PTR: return { id, kind, name, type: sizeOrType };
      case Kind.ARRAY: return { id, kind, name, type: w[x]!, indexType: w[x + 1]!, nelems: w[x + 2]! };
      case Kind.STRUCT: case Kind.UNION: {
        const members: Member[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const m = x + i * 3;
          const off = w[m + 2]!;
          members[i] = { name: this.str(w[m]!), type: w[m + 1]!,
            bitOffset: kflag ? off & 0xffffff : off, bitfieldSize: kflag ? off >>> 24 : 0 };
        }
        return { id, kind, name, size: sizeOrType, members };
      }
      case Kind.ENUM: {
        const values: EnumValue[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const raw = w[x + i * 2 + 1]!;
          values[i] = { name: this.str(w[x + i * 2]!), value: kflag ? BigInt(raw | 0) : BigInt(raw) };
        }
        return { id, kind, name, size: sizeOrType, signed: kflag, values };
      }
      case Kind.ENUM64: {
        const values: EnumValue[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const v = (BigInt(w[x + i * 3 + 2]!) << 32n) | BigInt(w[x + i * 3 + 1]!);
          values[i] = { name: this.str(w[x + i * 3]!), value: kflag ? BigInt.asIntN(64, v) : v };
        }
        return { id, kind, name, size: sizeOrType, signed: kflag, values };
      }
      case Kind.FWD: return { id, kind, name, union: kflag };
      case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.TYPE_TAG:
        return { id, kind, name, type: sizeOrType };
      case Kind.FUNC: return { id, kind, name, type: sizeOrType, linkage: LINKAGE[vlen] ?? 'static' };
      case Kind.FUNC_PROTO: {
        const params: Param[] = [];
        let variadic = false;
        for (let i = 0; i < vlen; i++) {
          const pName = w[x + i * 2]!, pType = w[x + i * 2 + 1]!;
          if (i === vlen - 1 && pName === 0 && pType === 0) variadic = true;
          else params.push({ name: this.str(pName), type: pType });
        }
        return { id, kind, name, returnType: sizeOrType, params, variadic };
      }
      case Kind.VAR: return { id, kind, name, type: sizeOrType, linkage: LINKAGE[w[x]!] ?? 'static' };
      case Kind.DATASEC: {
        const vars: VarSecInfo[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) vars[i] = { type: w[x + i * 3]!, offset: w[x + i * 3 + 1]!, size: w[x + i * 3 + 2]! };
        return { id, kind, name, size: sizeOrType, vars };
      }
      case Kind.FLOAT: return { id, kind, name, size: sizeOrType };
      case Kind.DECL_TAG: return { id, kind, name, type: sizeOrType, componentIdx: w[x]! | 0 };
      default: throw new BtfParseError(`${this.label}: type ${id} has unknown kind ${kindName(kind)}`);
    }
  }

  // ---- names ----------------------------------------------------------------------

  /** Every type id with this name (any kind), base first. */
  findAll(name: string, kind?: number): number[] {
    const out = this.base ? this.base.findAll(name, kind) : [];
    if (!name) return out;
    const want = Buffer.from(name, 'latin1');
    const slots = this.hashSlots, mask = slots.length - 1;
    for (let i = hashBytes(want, 0, want.length) & mask; slots[i] !== 0; i = (i + 1) & mask) {
      const t = slots[i]! - 1;
      const id = this.startId + t;
      if ((kind === undefined || this.kindOf(id) === kind) && this.nameIs(this.words[this.offsets[t]!]!, want)) out.push(id);
    }
    return out.sort((a, b) => a - b);
  }

  private nameIs(off: number, want: Uint8Array): boolean {
    if (off < this.strStart) return this.base!.nameIs(off, want);
    const s = this.strs;
    const start = off - this.strStart;
    for (let i = 0; i < want.length; i++) if (s[start + i] !== want[i]) return false;
    return s[start + want.length] === 0;
  }

  /** The first type with this name (and kind). Structs and unions are preferred over forward declarations. */
  find(name: string, kind?: number): number | undefined {
    const ids = this.findAll(name, kind);
    if (kind === undefined && ids.length > 1) {
      const full = ids.find((id) => this.kindOf(id) !== Kind.FWD);
      if (full !== undefined) return full;
    }
    return ids[0];
  }

  /** Every named type's name (for suggestions); decodes strings, so keep it off hot paths. */
  *names(kind?: number): IterableIterator<[string, number]> {
    if (this.base) yield* this.base.names(kind);
    for (let t = 0; t < this.offsets.length; t++) {
      const at = this.offsets[t]!;
      if (this.words[at] === 0) continue;
      if (kind !== undefined && ((this.words[at + 1]! >>> 24) & 0x1f) !== kind) continue;
      yield [this.str(this.words[at]!), this.startId + t];
    }
  }

  /** An enumerator by name across every enum (kernel constants live there), e.g. TASK_RUNNING... */
  enumerator(name: string): { id: number; value: bigint } | undefined {
    const fromBase = this.base?.enumerator(name);
    if (fromBase) return fromBase;
    const slots = this.enumSlots ??= this.hashEnumerators();
    const want = Buffer.from(name, 'latin1');
    const mask = slots.length - 1;
    // Entries of one name lie along its probe chain in id order: the first match is the lowest id.
    for (let i = hashBytes(want, 0, want.length) & mask; slots[i] !== 0; i = (i + 1) & mask) {
      const e = slots[i]! - 1;
      const t = this.enumOwner![e]!, k = this.enumIndexOf![e]!;
      const off = this.offsets[t]!;
      const kind = (this.words[off + 1]! >>> 24) & 0x1f;
      const nameOff = this.words[off + 3 + k * (kind === Kind.ENUM64 ? 3 : 2)]!;
      if (!this.nameIs(nameOff, want)) continue;
      const id = this.startId + t;
      const ty = this.type(id) as Extract<BtfType, { kind: 6 | 19 }>;
      return { id, value: ty.values[k]!.value };
    }
    return undefined;
  }

  private enumSlots?: Int32Array;
  private enumOwner?: Int32Array;
  private enumIndexOf?: Int32Array;

  /** An open-addressing hash over every enumerator's name bytes, read straight from the type
   *  section (no type objects are built: vmlinux has tens of thousands of enumerators). */
  private hashEnumerators(): Int32Array {
    const w = this.words;
    const owner: number[] = [], index: number[] = [];
    for (let t = 0; t < this.offsets.length; t++) {
      const off = this.offsets[t]!;
      const kind = (w[off + 1]! >>> 24) & 0x1f;
      if (kind !== Kind.ENUM && kind !== Kind.ENUM64) continue;
      const vlen = w[off + 1]! & 0xffff;
      for (let k = 0; k < vlen; k++) { owner.push(t); index.push(k); }
    }
    this.enumOwner = Int32Array.from(owner);
    this.enumIndexOf = Int32Array.from(index);
    let size = 1;
    while (size < owner.length * 2) size <<= 1;
    const slots = new Int32Array(Math.max(size, 2));
    const mask = slots.length - 1;
    for (let e = 0; e < owner.length; e++) {
      const off = this.offsets[owner[e]!]!;
      const kind = (w[off + 1]! >>> 24) & 0x1f;
      const nameOff = w[off + 3 + index[e]! * (kind === Kind.ENUM64 ? 3 : 2)]!;
      slots[this.probeFree(slots, mask, this.hashOfOffset(nameOff))] = e + 1;
    }
    return slots;
  }

}
