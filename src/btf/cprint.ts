// Print BTF types back as C, like `bpftool btf dump ... format c`, with optional offset comments.
import { Btf } from './reader.js';
import { Kind, type BtfType, type StructType } from './types.js';
import { alignOf, resolve, sizeOf } from './query.js';

export interface CPrintOptions {
  /** Annotate members with their byte offset and size (as pahole does). */
  offsets?: boolean;
}

const TAGS: Record<string, string> = { user: '__user', rcu: '__rcu', percpu: '__percpu' };

/** The name a type is referred to by: "struct sock", "pid_t", "unsigned int". */
function baseName(t: BtfType): string | undefined {
  switch (t.kind) {
    case Kind.UNKN: return 'void';
    case Kind.INT: case Kind.FLOAT: case Kind.TYPEDEF: return t.name;
    case Kind.STRUCT: return t.name ? `struct ${t.name}` : undefined;
    case Kind.UNION: return t.name ? `union ${t.name}` : undefined;
    case Kind.ENUM: case Kind.ENUM64: return t.name ? `enum ${t.name}` : undefined;
    case Kind.FWD: return `${t.union ? 'union' : 'struct'} ${t.name}`;
    default: return undefined;
  }
}

const join = (base: string, inner: string): string =>
  !inner ? base : inner.startsWith('*') || inner.startsWith('(') || base.endsWith('*') ? `${base} ${inner}`.replace(/\* \*/g, '**') : `${base} ${inner}`;

/** A declaration of `name` with type `id`: "char comm[16]", "int (*fn)(void *)", "const char *s". */
export function declaration(btf: Btf, id: number, name = '', indent = '', opts: CPrintOptions = {}): string {
  const t = btf.type(id);
  const wrap = (inner: string) => (inner.startsWith('*') ? `(${inner})` : inner);
  switch (t.kind) {
    case Kind.PTR: return declaration(btf, t.type, `*${name}`, indent, opts);
    case Kind.ARRAY: return declaration(btf, t.type, `${wrap(name)}[${t.nelems}]`, indent, opts);
    case Kind.FUNC_PROTO: {
      const params = t.params.map((p) => declaration(btf, p.type, p.name, indent, opts));
      if (t.variadic) params.push('...');
      return declaration(btf, t.returnType, `${wrap(name)}(${params.length ? params.join(', ') : 'void'})`, indent, opts);
    }
    case Kind.CONST: case Kind.VOLATILE: case Kind.RESTRICT: {
      const q = t.kind === Kind.CONST ? 'const' : t.kind === Kind.VOLATILE ? 'volatile' : 'restrict';
      if (btf.kindOf(t.type) === Kind.PTR || name.startsWith('*')) {
        // Qualifies the pointer itself when directly over one: "char * const p".
        if (btf.kindOf(t.type) === Kind.PTR) return declaration(btf, t.type, `${q} ${name}`.trim(), indent, opts);
      }
      return `${q} ${declaration(btf, t.type, name, indent, opts)}`;
    }
    case Kind.TYPE_TAG: {
      const tag = TAGS[t.name] ?? `__attribute__((btf_type_tag("${t.name}")))`;
      return declaration(btf, t.type, name.startsWith('*') ? `${tag} ${name}` : name, indent, opts).replace(/\s+$/, '');
    }
    case Kind.STRUCT: case Kind.UNION: case Kind.ENUM: case Kind.ENUM64: {
      const base = baseName(t) ?? body(btf, t, indent, opts);
      return join(base, name);
    }
    default: return join(baseName(t) ?? `/* ${t.kind} */ void`, name);
  }
}

/** struct/union/enum body, "struct {...}", with members indented one level deeper than `indent`. */
function body(btf: Btf, t: BtfType, indent: string, opts: CPrintOptions, baseBits = 0): string {
  const inner = indent + '\t';
  if (t.kind === Kind.ENUM || t.kind === Kind.ENUM64) {
    const head = t.name ? `enum ${t.name}` : 'enum';
    const lines = t.values.map((v) => `${inner}${v.name} = ${v.value},`);
    return `${head} {\n${lines.join('\n')}\n${indent}}`;
  }
  const s = t as StructType;
  const kw = s.kind === Kind.STRUCT ? 'struct' : 'union';
  const head = s.name ? `${kw} ${s.name}` : kw;
  const lines: string[] = [];
  const packed = s.kind === Kind.STRUCT && isPacked(btf, s);
  // Where a C compiler would put the next member: padding is made explicit wherever BTF's offsets
  // go further (alignment attributes and holes BTF does not record), so the C has the kernel's layout.
  let cur = 0;
  const pad = (from: number, to: number) => {
    // Unnamed bitfields take space without names, as bpftool writes padding.
    const head = Math.min(Math.ceil(from / 8) * 8, to) - from;
    if (head > 0) { lines.push(`${inner}char: ${head};`); from += head; }
    for (; to - from >= 64 && from % 64 === 0; from += 64) lines.push(`${inner}long: 64;`);
    for (; to - from >= 8; from += 8) lines.push(`${inner}char: 8;`);
    if (to > from) lines.push(`${inner}char: ${to - from};`);
  };
  for (const m of s.members) {
    const mt = btf.type(m.type);
    if (s.kind === Kind.STRUCT) {
      const natural = naturalOffset(btf, cur, m, packed);
      if (natural !== undefined && m.bitOffset > natural) pad(cur, m.bitOffset);
    }
    let decl: string;
    if (!m.name && (mt.kind === Kind.STRUCT || mt.kind === Kind.UNION) && !mt.name) {
      decl = body(btf, mt, inner, opts, baseBits + m.bitOffset);
    } else {
      decl = declaration(btf, m.type, m.name, inner, opts);
    }
    if (m.bitfieldSize) decl += `: ${m.bitfieldSize}`;
    let line = `${inner}${decl};`;
    const size = safeSize(btf, m.type);
    if (opts.offsets) {
      const bits = baseBits + m.bitOffset;
      const where = m.bitfieldSize ? `${Math.floor(bits / 8)}:${bits % 8}` : `${bits / 8}`;
      const what = m.bitfieldSize ? `${m.bitfieldSize} bits` : size === undefined ? '' : String(size);
      line += `${' '.repeat(Math.max(1, 48 - line.replace(/\t/g, '        ').length))}/* ${where.padStart(5)} ${what.padStart(5)} */`;
    }
    lines.push(line);
    cur = Math.max(cur, m.bitOffset + (m.bitfieldSize || (size ?? 0) * 8));
  }
  if (s.kind === Kind.STRUCT && s.members.length) {
    const align = packed ? 1 : safeAlign(btf, s.id);
    const naturalEnd = Math.ceil(Math.ceil(cur / 8) / align) * align;
    if (s.size > naturalEnd) pad(cur, s.size * 8);
  }
  const sizeNote = opts.offsets ? ` /* size: ${s.size} */` : '';
  return `${head} {\n${lines.join('\n')}\n${indent}}${packed ? ' __attribute__((packed))' : ''}${sizeNote}`;
}

function safeSize(btf: Btf, id: number): number | undefined {
  try { return sizeOf(btf, id); } catch { return undefined; }
}

function safeAlign(btf: Btf, id: number): number {
  try { return alignOf(btf, id); } catch { return 1; }
}

/** A struct whose members sit where their natural alignment would not put them, or whose size is not a multiple of it. */
function isPacked(btf: Btf, s: StructType): boolean {
  return safeAlign(btf, s.id) === 1 && s.members.some((m) => safeAlign(btf, m.type) > 1);
}

/** Where a C compiler would place member m after `cur` bits (undefined when it cannot tell). */
function naturalOffset(btf: Btf, cur: number, m: { type: number; bitfieldSize: number }, packed: boolean): number | undefined {
  const size = safeSize(btf, m.type);
  if (size === undefined) return undefined;
  if (m.bitfieldSize) {
    if (packed) return cur;
    const unit = size * 8;
    // A bitfield that would straddle a storage unit of its type starts the next one.
    return Math.floor(cur / unit) !== Math.floor((cur + m.bitfieldSize - 1) / unit) ? Math.ceil(cur / unit) * unit : cur;
  }
  const align = (packed ? 1 : safeAlign(btf, m.type)) * 8;
  return Math.ceil(cur / align) * align;
}

/** A full definition: "struct task_struct {...};", "typedef int pid_t;", "long vfs_read(...);". */
export function definition(btf: Btf, id: number, opts: CPrintOptions = {}): string {
  const t = btf.type(id);
  switch (t.kind) {
    case Kind.STRUCT: case Kind.UNION: case Kind.ENUM: case Kind.ENUM64:
      return `${body(btf, t, '', opts)};`;
    case Kind.TYPEDEF: return `typedef ${declaration(btf, t.type, t.name, '', opts)};`;
    case Kind.FUNC: {
      const linkage = t.linkage === 'static' ? 'static ' : t.linkage === 'extern' ? 'extern ' : '';
      return `${linkage}${declaration(btf, t.type, t.name, '', opts)};`;
    }
    case Kind.VAR: return `${t.linkage === 'static' ? 'static ' : ''}${declaration(btf, t.type, t.name, '', opts)};`;
    case Kind.FWD: return `${t.union ? 'union' : 'struct'} ${t.name};`;
    case Kind.DATASEC: return `/* section ${t.name}, ${t.size} bytes, ${t.vars.length} variables */`;
    default: return `${declaration(btf, id, '', '', opts)};`;
  }
}

/** For messages: "struct task_struct *", "u32". */
export const typeName = (btf: Btf, id: number): string => declaration(btf, id, '').trim();

export { resolve };
