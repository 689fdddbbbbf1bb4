// Questions asked of BTF: what a type really is, its size and alignment, where a member lives,
// what a function or tracepoint takes.
import { Btf } from './reader.js';
import { Kind, kindName, type BtfType, type StructType, type FuncProtoType, type Param } from './types.js';
import { nearestNames } from '../util/names.js';

export { nearestNames };

export class BtfQueryError extends Error {
  override readonly name = 'BtfQueryError';
}

const MODIFIERS = new Set<number>([Kind.VOLATILE, Kind.CONST, Kind.RESTRICT, Kind.TYPE_TAG]);

/** Skip const/volatile/restrict/type tags (typedefs stay). */
export function skipModifiers(btf: Btf, id: number): number {
  while (MODIFIERS.has(btf.kindOf(id))) id = (btf.type(id) as { type: number }).type;
  return id;
}

/** Skip typedefs and modifiers down to the type underneath. */
export function resolve(btf: Btf, id: number): number {
  for (;;) {
    const k = btf.kindOf(id);
    if (k !== Kind.TYPEDEF && !MODIFIERS.has(k)) return id;
    id = (btf.type(id) as { type: number }).type;
  }
}

/** Size in bytes, as sizeof() would say. */
export function sizeOf(btf: Btf, id: number): number {
  const t = btf.type(resolve(btf, id));
  switch (t.kind) {
    case Kind.INT: case Kind.STRUCT: case Kind.UNION: case Kind.ENUM: case Kind.ENUM64: case Kind.FLOAT: case Kind.DATASEC:
      return t.size;
    case Kind.PTR: return 8;
    case Kind.ARRAY: return t.nelems * sizeOf(btf, t.type);
    case Kind.VAR: return sizeOf(btf, t.type);
    default: throw new BtfQueryError(`${describe(btf, id)} has no size`);
  }
}

/** Alignment in bytes, as _Alignof would say (packed structs get what their layout allows). */
export function alignOf(btf: Btf, id: number): number {
  const t = btf.type(resolve(btf, id));
  switch (t.kind) {
    case Kind.INT: case Kind.ENUM: case Kind.ENUM64: case Kind.FLOAT: return Math.min(t.size, 8) || 1;
    case Kind.PTR: return 8;
    case Kind.ARRAY: return alignOf(btf, t.type);
    case Kind.STRUCT: case Kind.UNION: {
      let a = 1;
      for (const m of t.members) a = Math.max(a, alignOf(btf, m.type));
      // A member at an offset its natural alignment forbids means the struct is packed.
      for (const m of t.members) {
        if (m.bitfieldSize === 0 && (m.bitOffset / 8) % alignOf(btf, m.type) !== 0) return 1;
      }
      return t.size % a === 0 ? a : 1;
    }
    default: throw new BtfQueryError(`${describe(btf, id)} has no alignment`);
  }
}

export interface MemberInfo {
  name: string;
  /** The member's type id. */
  type: number;
  /** From the start of the outermost struct, in bits. */
  bitOffset: number;
  /** 0 unless a bitfield. */
  bitfieldSize: number;
  /** Struct/union ids passed through, outermost first (anonymous members included). */
  path: number[];
}

/** Find a member by name, looking into anonymous structs and unions as C does. */
export function findMember(btf: Btf, structId: number, name: string): MemberInfo | undefined {
  const sid = resolve(btf, structId);
  const t = btf.type(sid);
  if (t.kind !== Kind.STRUCT && t.kind !== Kind.UNION) {
    throw new BtfQueryError(`${describe(btf, structId)} is not a struct or union`);
  }
  for (const m of t.members) {
    if (m.name === name) return { name, type: m.type, bitOffset: m.bitOffset, bitfieldSize: m.bitfieldSize, path: [sid] };
    if (m.name === '') {
      const inner = resolve(btf, m.type);
      const k = btf.kindOf(inner);
      if (k !== Kind.STRUCT && k !== Kind.UNION) continue;
      const found = findMember(btf, inner, name);
      if (found) return { ...found, bitOffset: found.bitOffset + m.bitOffset, path: [sid, ...found.path] };
    }
  }
  return undefined;
}

/** A dotted member path ("__sk_common.skc_dport") from a struct; array indexes as "x[3]" too. */
export function memberPath(btf: Btf, structId: number, path: string): MemberInfo {
  let cur: MemberInfo | undefined;
  let type = structId;
  let base = 0;
  const seen: number[] = [];
  for (const part of path.split('.')) {
    const m = /^(\w+)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new BtfQueryError(`bad member path element "${part}"`);
    const found = findMember(btf, type, m[1]!);
    if (!found) {
      throw new BtfQueryError(`${describe(btf, type)} has no member ${m[1]}` + suggestMember(btf, type, m[1]!));
    }
    let off = base + found.bitOffset;
    let t = found.type;
    for (const idx of m[2]!.match(/\d+/g) ?? []) {
      const arr = btf.type(resolve(btf, t));
      if (arr.kind !== Kind.ARRAY) throw new BtfQueryError(`${m[1]} is not an array`);
      off += Number(idx) * sizeOf(btf, arr.type) * 8;
      t = arr.type;
    }
    seen.push(...found.path);
    cur = { name: m[1]!, type: t, bitOffset: off, bitfieldSize: found.bitfieldSize, path: [...seen] };
    type = t;
    base = off;
  }
  if (!cur) throw new BtfQueryError('empty member path');
  return cur;
}

/** Every member name reachable from a struct (anonymous members flattened), for suggestions. */
export function memberNames(btf: Btf, structId: number): string[] {
  const t = btf.type(resolve(btf, structId));
  if (t.kind !== Kind.STRUCT && t.kind !== Kind.UNION) return [];
  return t.members.flatMap((m) => (m.name ? [m.name] : memberNames(btf, m.type)));
}

function suggestMember(btf: Btf, structId: number, name: string): string {
  const near = nearestNames(name, memberNames(btf, structId));
  return near.length ? ` (did you mean ${near.join(', ')}?)` : '';
}

/** "struct task_struct", "typedef pid_t", "func vfs_read" — for messages. */
export function describe(btf: Btf, id: number): string {
  const t = btf.type(id);
  const kind = kindName(t.kind).toLowerCase();
  return t.name ? `${kind} ${t.name}` : `anonymous ${kind} [${id}]`;
}

export interface FunctionSignature { name: string; id: number; returnType: number; params: Param[]; variadic: boolean }

/** A kernel function's prototype (FUNC -> FUNC_PROTO), e.g. vfs_read. */
export function funcSignature(btf: Btf, name: string): FunctionSignature {
  const id = btf.find(name, Kind.FUNC);
  if (id === undefined) {
    throw new BtfQueryError(`kernel function ${name} is not in BTF` + suggestKind(btf, name, Kind.FUNC));
  }
  const proto = btf.type((btf.type(id) as { type: number }).type) as FuncProtoType;
  return { name, id, returnType: proto.returnType, params: proto.params, variadic: proto.variadic };
}

/**
 * Arguments of a raw/BTF tracepoint from its btf_trace_<name> typedef (a pointer to
 * `void (void *__data, args...)`); the leading __data is dropped.
 */
export function tracepointArgs(btf: Btf, name: string): { typedefId: number; params: Param[] } {
  const id = btf.find(`btf_trace_${name}`, Kind.TYPEDEF);
  if (id === undefined) {
    throw new BtfQueryError(`no BTF for tracepoint ${name} (no typedef btf_trace_${name})` +
      suggestKind(btf, `btf_trace_${name}`, Kind.TYPEDEF).replace(/btf_trace_/g, ''));
  }
  const ptr = btf.type(resolve(btf, (btf.type(id) as { type: number }).type));
  const proto = ptr.kind === Kind.PTR ? btf.type(ptr.type) : ptr;
  if (proto.kind !== Kind.FUNC_PROTO) throw new BtfQueryError(`btf_trace_${name} is not a function pointer`);
  return { typedefId: id, params: proto.params.slice(1) };
}

/**
 * The context type a program of this type receives, from the kernel's `struct bpf_ctx_convert`
 * (member BPF_PROG_TYPE_<T>_prog is the UAPI context: __sk_buff, xdp_md, bpf_perf_event_data...).
 */
export function contextType(btf: Btf, progType: string): number | undefined {
  const conv = btf.find('bpf_ctx_convert', Kind.STRUCT);
  if (conv === undefined) return undefined;
  const m = findMember(btf, conv, `BPF_PROG_TYPE_${progType.toUpperCase()}_prog`);
  return m?.type;
}

function suggestKind(btf: Btf, name: string, kind: number): string {
  const near = nearestNames(name, (function* () { for (const [n] of btf.names(kind)) yield n; })());
  return near.length ? ` (did you mean ${near.join(', ')}?)` : '';
}

/** Struct or union by name, with the error users need when it is missing. */
export function structByName(btf: Btf, name: string, kind: 'struct' | 'union' = 'struct'): StructType {
  const k = kind === 'struct' ? Kind.STRUCT : Kind.UNION;
  const id = btf.find(name, k);
  if (id === undefined) throw new BtfQueryError(`${kind} ${name} is not in the kernel's BTF` + suggestKind(btf, name, k));
  return btf.type(id) as StructType;
}

export type { BtfType };
