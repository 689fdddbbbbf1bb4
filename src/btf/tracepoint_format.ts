// Tracepoint record layouts from tracefs: events/<category>/<event>/format.
//
// A format file reads
//
//   name: sched_process_exec
//   ID: 365
//   format:
//   	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
//   	...                                   (the common_* fields, then a blank line)
//   	field:__data_loc char[] filename;	offset:8;	size:4;	signed:0;
//   	field:pid_t pid;	offset:12;	size:4;	signed:1;
//
//   print fmt: "filename=%s pid=%d", __get_str(filename), REC->pid
//
// and describes the raw record a tracepoint program sees as its context (BCC's `args`), and
// that perf delivers as PERF_SAMPLE_RAW. Offsets and sizes in the file are the truth; the
// declared C types are only names (syscall tracepoints, for one, store every argument in 8 bytes
// whatever its declared type: `field:int dfd; offset:16; size:8;`).
import { readFileSync } from 'node:fs';
import { isErrno, explain } from '../sys/errors.js';
import { TracepointNotFoundError, tracefsPath, listTracepoints, nearest } from '../sys/tracefs.js';

export interface TracepointField {
  /** 'prev_comm' */
  name: string;
  /**
   * The declared C type without the name: 'char[16]', 'pid_t', 'const char *', 'unsigned long[6]',
   * '__data_loc char[]'. Array lengths given as macros are replaced by the resolved length when
   * it can be worked out ('char[TASK_COMM_LEN]' becomes 'char[16]').
   */
  cType: string;
  /** Element type for arrays and __data_loc/__rel_loc fields ('char'), the type otherwise. */
  baseType: string;
  /** Element count of a fixed array (0 for a flexible array member `buf[]`); undefined if not an array or unknown. */
  arrayLen?: number;
  offset: number;
  size: number;
  signed: boolean;
  /** One of the common_* fields every record starts with. */
  common: boolean;
  /** __data_loc: the field is a u32, (length << 16) | offset-in-record, of variable data. */
  dataLoc?: boolean;
  /** __rel_loc: like __data_loc, but the offset counts from the end of this field. */
  relLoc?: boolean;
}

export interface TracepointFormat {
  category: string;
  event: string;
  /** The perf id (the 'ID:' line). */
  id: number;
  /** Sorted by offset. */
  fields: TracepointField[];
  /** Everything after 'print fmt: '. */
  printFmt: string;
  /** End of the last field: the fixed part of the record, before any __data_loc data. */
  size: number;
}

/** A format file that does not read as one. */
export class TracepointFormatError extends Error {
  override readonly name = 'TracepointFormatError';
}

// ---------------------------------------------------------------------------------------------
// Types we know the size and signedness of (x86-64/arm64: LP64). Unknown ones (kernel typedefs,
// enums, structs) are taken at the size the format gives.

const SIZES = new Map<string, number>();
const SIGNED = new Set<string>();
function known(size: number, signed: boolean, ...names: string[]): void {
  for (const n of names) {
    SIZES.set(n, size);
    if (signed) SIGNED.add(n);
  }
}
known(1, false, 'char', 'unsigned char', 'bool', '_Bool', 'u8', '__u8', 'uint8_t', 'u_int8_t', 'xfs_dqtype_t');
known(1, true, 'signed char', 's8', '__s8', 'int8_t');
known(2, false, 'unsigned short', 'u16', '__u16', '__le16', '__be16', 'uint16_t', 'umode_t', 'ushort');
known(2, true, 'short', 's16', '__s16', 'int16_t');
known(4, false, 'unsigned int', 'uint', 'u32', '__u32', '__le32', '__be32', 'uint32_t', 'uid_t', 'gid_t', 'qid_t', 'dev_t',
  'gfp_t', 'blk_opf_t', 'tid_t', 'errseq_t', 'fmode_t', 'slab_flags_t', '__poll_t', 'xfs_agnumber_t', 'xfs_agblock_t',
  'xfs_agino_t', 'xfs_extlen_t', 'xfs_dahash_t', 'xfs_nlink_t', 'ext4_lblk_t', 'prid_t', 'xlog_tid_t');
known(4, true, 'int', 's32', '__s32', 'int32_t', 'pid_t', 'key_t', 'mqd_t', 'timer_t', 'clockid_t', 'rwf_t',
  'key_serial_t', 'xfs_exntst_t');
known(8, false, 'unsigned long', 'ulong', 'unsigned long long', 'u64', '__u64', '__le64', '__be64', 'uint64_t', 'size_t',
  'sector_t', 'ino_t', 'blkcnt_t', 'aio_context_t', 'dma_addr_t', 'resource_size_t', 'phys_addr_t', 'gpa_t', 'gva_t',
  'gfn_t', 'hva_t', 'hpa_t', 'hfn_t', 'pfn_t', 'vm_flags_t', 'pgoff_t', 'cap_user_header_t', 'cap_user_data_t',
  'fl_owner_t', 'initcall_t', 'xfs_ino_t', 'xfs_fsblock_t', 'xfs_rfsblock_t', 'xfs_rtblock_t', 'xfs_fileoff_t',
  'xfs_filblks_t', 'xfs_extnum_t', 'xfs_failaddr_t', 'ext4_fsblk_t', 'erofs_blk_t', 'erofs_nid_t', 'erofs_off_t');
known(8, true, 'long', 'long long', 's64', '__s64', 'int64_t', 'ssize_t', 'loff_t', 'off_t', 'time64_t', 'time_t',
  '__kernel_old_time_t', 'ktime_t', 'xfs_off_t', 'xfs_daddr_t', 'xfs_fsize_t', 'xfs_lsn_t');

// Annotations that are attributes for sparse or address spaces, not part of the type.
const ANNOTATIONS = /\b(?:__user|__kernel|__iomem|__percpu|__rcu|__force|__seg_gs|__seg_fs|__bitwise|__private)\b/g;

/** 'const  unsigned   int' -> 'unsigned int'; 'long unsigned int' -> 'unsigned long'. */
function canonical(type: string): string {
  let t = type.replace(ANNOTATIONS, ' ').replace(/\b(?:const|volatile|restrict|__restrict)\b/g, ' ')
    .replace(/\s+/g, ' ').trim();
  if (t.includes('*') || /^(?:struct|union|enum) /.test(t)) return t;
  const words = t.split(' ');
  // Integer type specifiers in any order: normalise.
  if (words.every((w) => ['unsigned', 'signed', 'short', 'long', 'int', 'char'].includes(w))) {
    const unsigned = words.includes('unsigned'), signed = words.includes('signed');
    const longs = words.filter((w) => w === 'long').length;
    const base = words.includes('char') ? 'char' : words.includes('short') ? 'short'
      : longs >= 2 ? 'long long' : longs === 1 ? 'long' : 'int';
    if (base === 'char') return unsigned ? 'unsigned char' : signed ? 'signed char' : 'char';
    return unsigned ? `unsigned ${base}` : base;
  }
  return t;
}

/** Size in bytes of a type name we know (pointers: 8), or undefined. */
function typeSize(type: string): number | undefined {
  const t = canonical(type);
  if (t.includes('*')) return 8;
  // An enum is an int unless packed (xfs_group_type is 1 byte): one of another size is declared
  // by its size, since a compiler may not know the enum is packed.
  if (/^enum /.test(t)) return 4;
  return SIZES.get(t);
}

function typeSigned(type: string): boolean | undefined {
  const t = canonical(type);
  if (t.includes('*') || t === 'char') return undefined; // char's signedness is the architecture's
  if (SIGNED.has(t)) return true;
  if (SIZES.has(t)) return false;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Parsing.

/** A tiny integer expression evaluator for array lengths like `16`, `0x10`, `(8 * 2) + 1`. */
function evalLength(text: string): number | undefined {
  const toks = text.match(/0[xX][0-9a-fA-F]+|\d+|[-+*/()]|\S/g);
  if (!toks) return undefined;
  let i = 0;
  const peek = () => toks[i];
  const primary = (): number | undefined => {
    const t = toks[i++];
    if (t === undefined) return undefined;
    if (t === '(') {
      const v = sum();
      return toks[i++] === ')' ? v : undefined;
    }
    if (t === '-') { const v = primary(); return v === undefined ? undefined : -v; }
    if (/^0[xX]/.test(t)) return parseInt(t, 16);
    if (/^\d+$/.test(t)) return parseInt(t, 10);
    return undefined;
  };
  const product = (): number | undefined => {
    let v = primary();
    while (v !== undefined && (peek() === '*' || peek() === '/')) {
      const op = toks[i++], r = primary();
      if (r === undefined || (op === '/' && r === 0)) return undefined;
      v = op === '*' ? v * r : Math.trunc(v / r);
    }
    return v;
  };
  const sum = (): number | undefined => {
    let v = product();
    while (v !== undefined && (peek() === '+' || peek() === '-')) {
      const op = toks[i++], r = product();
      if (r === undefined) return undefined;
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const v = sum();
  return i === toks.length && v !== undefined && Number.isInteger(v) && v >= 0 ? v : undefined;
}

const DECL = /^(.*?)\s*([A-Za-z_]\w*)\s*((?:\[[^\]]*\]\s*)*)$/;

/** Split 'char prev_comm[16]' / '__data_loc char[] filename' / 'const char *const * argv' into a field. */
function parseDecl(decl: string, offset: number, size: number, signedFlag: boolean | undefined): TracepointField {
  const m = DECL.exec(decl.replace(/\s+/g, ' ').trim());
  if (!m || !m[1]) throw new TracepointFormatError(`cannot split "${decl}" into a type and a name`);
  const type = m[1].trim();
  const name = m[2]!;
  const dims = [...(m[3] ?? '').matchAll(/\[([^\]]*)\]/g)].map((d) => d[1]!.trim());
  const field: TracepointField = { name, cType: type, baseType: type, offset, size, signed: false, common: name.startsWith('common_') };

  const loc = /^__(data|rel)_loc\b\s*(.*)$/.exec(type);
  if (loc) {
    // '__data_loc char[]', '__data_loc u64[]', '__data_loc cpumask_t'
    if (loc[1] === 'data') field.dataLoc = true;
    else field.relLoc = true;
    field.baseType = loc[2]!.replace(/\s*\[[^\]]*\]\s*$/, '').trim() || 'char';
    field.cType = `__${loc[1]}_loc ${loc[2]!.replace(/\s+\[/, '[')}`;
  } else if (dims.length) {
    const elemSize = typeSize(type);
    const lens = dims.map((d) => (d === '' ? undefined : evalLength(d)));
    let total: number | undefined;
    if (dims.length === 1 && dims[0] === '') {
      // A flexible array member (ftrace's `char buf[]`, size 0), or a length the kernel left out.
      total = elemSize ? size / elemSize : size === 0 ? 0 : undefined;
      if (total !== undefined && !Number.isInteger(total)) total = undefined;
    } else if (lens.every((l) => l !== undefined)) {
      total = lens.reduce<number>((a, b) => a * b!, 1);
    } else if (elemSize) {
      // A macro (TASK_COMM_LEN) or an expression we cannot evaluate: the size tells.
      total = Number.isInteger(size / elemSize) ? size / elemSize : undefined;
      const unknown = lens.filter((l) => l === undefined).length;
      if (total !== undefined && unknown === 1) {
        const rest = lens.reduce<number>((a, b) => a * (b ?? 1), 1);
        const missing = total / rest;
        if (Number.isInteger(missing)) for (let k = 0; k < lens.length; k++) if (lens[k] === undefined) lens[k] = missing;
      }
    }
    if (total !== undefined) field.arrayLen = total;
    field.baseType = type;
    field.cType = type + dims.map((d, k) => `[${lens[k] ?? d}]`).join('');
  }
  field.signed = signedFlag ?? typeSigned(field.baseType) ?? false;
  return field;
}

function parseNumber(text: string | undefined, what: string): number {
  const v = text === undefined || text.trim() === '' ? NaN : Number(text.trim());
  if (!Number.isInteger(v) || v < 0) throw new TracepointFormatError(`bad ${what} "${text ?? ''}"`);
  return v;
}

/**
 * Parse the text of a tracepoint format file. `category` is not in the file; `event` is (the
 * 'name:' line) and defaults to it.
 */
export function parseTracepointFormat(text: string, category = '', event?: string): TracepointFormat {
  let name: string | undefined, id: number | undefined, printFmt = '';
  const fields: TracepointField[] = [];
  const lines = text.split('\n');
  const where = () => `${category || '?'}:${event ?? name ?? '?'}`;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, '');
    const t = line.trim();
    if (t === '' || t === 'format:') continue;
    try {
      if (t.startsWith('field:') || t.startsWith('field ')) {
        // field:<decl>;	offset:N;	size:N;	signed:N;   (signed: is absent on very old kernels)
        const parts = t.slice(t.indexOf(':') + 1).split(';');
        const decl = parts[0]!;
        const attrs = new Map<string, string>();
        for (const p of parts.slice(1)) {
          const i = p.indexOf(':');
          if (i > 0) attrs.set(p.slice(0, i).trim(), p.slice(i + 1).trim());
        }
        const offset = parseNumber(attrs.get('offset'), 'offset');
        const size = parseNumber(attrs.get('size'), 'size');
        const s = attrs.get('signed');
        fields.push(parseDecl(decl, offset, size, s === undefined ? undefined : s.trim() !== '0'));
      } else if (t.startsWith('name:')) {
        name = t.slice(5).trim();
      } else if (t.startsWith('ID:')) {
        id = parseNumber(t.slice(3), 'ID');
      } else if (t.startsWith('print fmt:')) {
        // The print format runs to the end of the file (it is one line in practice).
        printFmt = [line.slice(line.indexOf('print fmt:') + 10).trimStart(), ...lines.slice(n + 1)].join('\n').trimEnd();
        break;
      }
      // Anything else is a line some future kernel added: ignore it.
    } catch (e) {
      if (e instanceof TracepointFormatError) {
        throw new TracepointFormatError(`format of tracepoint ${where()}, line ${n + 1}: ${e.message}`);
      }
      throw e;
    }
  }
  if (fields.length === 0 && name === undefined) {
    throw new TracepointFormatError(`format of tracepoint ${where()}: no name and no fields: not a format file`);
  }
  fields.sort((a, b) => a.offset - b.offset); // stable: equal offsets (size-0 members) keep their order
  const size = fields.reduce((m, f) => Math.max(m, f.offset + f.size), 0);
  return { category, event: event ?? name ?? '', id: id ?? -1, fields, printFmt, size };
}

// ---------------------------------------------------------------------------------------------
// Reading from tracefs.

const cache = new Map<string, TracepointFormat>();

function freeze(fmt: TracepointFormat): TracepointFormat {
  for (const f of fmt.fields) Object.freeze(f);
  Object.freeze(fmt.fields);
  return Object.freeze(fmt);
}

/**
 * The format of a tracepoint on this machine, read once per process (the result is frozen).
 * Throws TracepointNotFoundError, with near names, if there is no such tracepoint.
 */
export function readTracepointFormat(category: string, event: string): TracepointFormat {
  const key = `${category}:${event}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (!/^[\w.-]+$/.test(category) || !/^[\w.-]+$/.test(event) || category === '..' || event === '..') {
    throw new TracepointNotFoundError(category, event, suggestions(category, event));
  }
  let text: string;
  try {
    text = readFileSync(tracefsPath('events', category, event, 'format'), 'latin1');
  } catch (e) {
    if (isErrno(e, 'ENOENT', 'ENOTDIR')) throw new TracepointNotFoundError(category, event, suggestions(category, event));
    throw explain(e, `reading the format of tracepoint ${key}`);
  }
  const fmt = freeze(parseTracepointFormat(text, category, event));
  cache.set(key, fmt);
  return fmt;
}

function suggestions(category: string, event: string): string[] {
  try {
    const all = listTracepoints();
    const near = nearest(`${category}:${event}`, all);
    if (near.length) return near;
    // A right event name in the wrong category ("sched_switch" under "syscalls") is worth naming too.
    return all.filter((n) => n.endsWith(`:${event}`)).slice(0, 3);
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------------------------
// The C struct BCC gives TRACEPOINT_PROBE as `args`.

export interface TracepointStructOptions {
  /** Sizes of types this module does not know (kernel typedefs, structs), e.g. from BTF. */
  typeSize?: (type: string) => number | undefined;
}

const SIZED_INT: Record<number, [string, string]> = { 1: ['s8', 'u8'], 2: ['s16', 'u16'], 4: ['s32', 'u32'], 8: ['s64', 'u64'] };

/**
 * The C declaration of the args struct for TRACEPOINT_PROBE(category, event), as BCC generates it
 * (tp_frontend_action.cc): named `tracepoint__<category>__<event>`, the common_* fields collapsed
 * into `u64 __do_not_use__`, each __data_loc field as `int data_loc_<name>` (what BCC's
 * TP_DATA_LOC_READ uses), and a scalar whose declared type is narrower or wider than its field
 * (syscalls' `int dfd` in 8 bytes) declared by its size instead (s64/u64...). Unlike BCC, gaps
 * between fields are explicit `char __pad_<offset>[n]` members, so the layout does not depend on
 * the alignment of typedefs the compiler may size differently.
 */
export function tracepointStructC(fmt: TracepointFormat, opts: TracepointStructOptions = {}): string {
  const sizeOf = (t: string) => typeSize(t) ?? opts.typeSize?.(canonical(t));
  const clean = (t: string) => t.replace(ANNOTATIONS, ' ').replace(/\s+/g, ' ').replace(/\s+\*/g, ' *').trim();
  const lines = [`struct tracepoint__${fmt.category}__${fmt.event} {`, '\tu64 __do_not_use__;'];
  let end = 8;
  const regular = fmt.fields.filter((f) => !f.common);
  for (const f of fmt.fields) if (f.common) end = Math.max(end, f.offset + f.size);
  if (end > 8) lines.push(`\tchar __do_not_use_${8}__[${end - 8}];`);
  regular.forEach((f, k) => {
    if (f.offset > end) lines.push(`\tchar __pad_${end}[${f.offset - end}];`);
    let decl: string;
    if (f.dataLoc || f.relLoc) {
      decl = `int ${f.dataLoc ? 'data' : 'rel'}_loc_${f.name}`;
    } else if (f.arrayLen !== undefined) {
      const elem = clean(f.baseType);
      const es = sizeOf(f.baseType);
      if (f.arrayLen === 0 && f.size === 0) {
        decl = `${elem} ${f.name}[${k === regular.length - 1 ? '' : '0'}]`;
      } else if (es !== undefined && es * f.arrayLen !== f.size) {
        decl = `u8 ${f.name}[${f.size}]`; // the element type is not what the size says: keep the bytes
      } else {
        const dims = f.cType.slice(f.baseType.length);
        decl = `${elem} ${f.name}${/^(\[\d+\])+$/.test(dims) ? dims : `[${f.arrayLen}]`}`;
      }
    } else if (f.cType.endsWith(']')) {
      decl = `u8 ${f.name}[${f.size}]`; // an array whose length could not be worked out
    } else {
      let ts = sizeOf(f.cType);
      // Syscall tracepoints store each argument in an unsigned long, whatever its declared type:
      // a type we cannot size (an enum, a typedef) is not to be trusted there.
      if (ts === undefined && fmt.category === 'syscalls' && !/^(?:struct|union) /.test(canonical(f.cType))) ts = -1;
      if (ts === undefined || ts === f.size) {
        const t = clean(f.cType);
        decl = t.endsWith('*') ? `${t}${f.name}` : `${t} ${f.name}`;
      } else if (SIZED_INT[f.size]) {
        const signed = typeSigned(f.cType) ?? f.signed;
        decl = `${SIZED_INT[f.size]![signed ? 0 : 1]} ${f.name}`;
      } else {
        decl = `u8 ${f.name}[${f.size}]`;
      }
    }
    lines.push(`\t${decl};`);
    end = Math.max(end, f.offset + f.size);
  });
  lines.push('};');
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Decoding raw records.

export type TracepointValue = number | bigint | string | number[] | bigint[];

function readInt(data: Buffer, off: number, size: number, signed: boolean): number | bigint {
  switch (size) {
    case 1: return signed ? data.readInt8(off) : data.readUInt8(off);
    case 2: return signed ? data.readInt16LE(off) : data.readUInt16LE(off);
    case 4: return signed ? data.readInt32LE(off) : data.readUInt32LE(off);
    case 8: return signed ? data.readBigInt64LE(off) : data.readBigUInt64LE(off);
  }
  throw new RangeError(`no integer of ${size} bytes`);
}

function readArray(data: Buffer, off: number, bytes: number, elemSize: number | undefined, signed: boolean): number[] | bigint[] {
  if (elemSize === undefined || ![1, 2, 4, 8].includes(elemSize) || bytes % elemSize !== 0) elemSize = 1, signed = false;
  const n = Math.floor(bytes / elemSize);
  if (elemSize === 8) return Array.from({ length: n }, (_, i) => readInt(data, off + 8 * i, 8, signed) as bigint);
  return Array.from({ length: n }, (_, i) => readInt(data, off + elemSize! * i, elemSize!, signed) as number);
}

function cString(data: Buffer, start: number, end: number): string {
  const nul = data.indexOf(0, start);
  return data.toString('utf8', start, nul >= 0 && nul < end ? nul : end);
}

/** Strings are made of `char` only: u8/unsigned char arrays (addresses, hashes) stay bytes. */
const isPlainChar = (t: string) => canonical(t) === 'char';

/**
 * Decode one raw record (a perf sample's raw data, or the bytes a program copied from its
 * context) by its format. Integers of up to 4 bytes are numbers, 8-byte ones bigints; char
 * arrays and __data_loc/__rel_loc char[] are strings (to the first NUL); other arrays are
 * number[] or bigint[] by element size; anything else is its bytes as number[].
 * Scalars are signed if the format says so or their declared type is signed (syscalls' `int dfd`
 * in 8 bytes, signed:0, decodes as -100 for AT_FDCWD).
 *
 * A record a BPF program copied from its tracepoint context has no common fields: by the time the
 * program runs the kernel has put a pt_regs pointer in those 8 bytes (BCC's `__do_not_use__`).
 * Decode such records with `{ common: false }`.
 */
export function decodeTracepointRecord(fmt: TracepointFormat, data: Buffer, opts: { common?: boolean } = {}): Record<string, TracepointValue> {
  const out: Record<string, TracepointValue> = {};
  for (const f of fmt.fields) {
    if (f.common && opts.common === false) continue;
    if (f.offset + f.size > data.length) {
      throw new RangeError(`record of tracepoint ${fmt.category}:${fmt.event} is ${data.length} bytes: ` +
        `field ${f.name} at ${f.offset} (${f.size} bytes) does not fit`);
    }
    const signed = f.signed || (typeSigned(f.baseType) ?? false);
    if (f.dataLoc || f.relLoc) {
      const v = data.readUInt32LE(f.offset);
      const len = v >>> 16;
      let start = (v & 0xffff) + (f.relLoc ? f.offset + f.size : 0);
      start = Math.min(start, data.length);
      const end = Math.min(start + len, data.length);
      const bt = canonical(f.baseType);
      if (isPlainChar(bt)) out[f.name] = cString(data, start, end);
      else {
        const es = /cpumask|bitmap/.test(bt) ? 8 : typeSize(bt);
        out[f.name] = readArray(data, start, end - start, es, signed);
      }
    } else if (f.arrayLen !== undefined || f.cType.endsWith(']')) {
      // Flexible array members (size 0) run to the end of the record.
      const bytes = f.size === 0 ? data.length - f.offset : f.size;
      if (isPlainChar(f.baseType)) out[f.name] = cString(data, f.offset, f.offset + bytes);
      else {
        const es = f.arrayLen ? f.size / f.arrayLen : typeSize(f.baseType);
        out[f.name] = readArray(data, f.offset, bytes, es, signed);
      }
    } else if ([1, 2, 4, 8].includes(f.size)) {
      out[f.name] = readInt(data, f.offset, f.size, signed);
    } else {
      out[f.name] = readArray(data, f.offset, f.size, 1, false);
    }
  }
  return out;
}
