// The BCC dialect, compile side: what a BCC user writes (BPF_HASH(counts, u32); counts.increment(pid);
// kprobe__vfs_read(...); TRACEPOINT_PROBE(sched, sched_switch) { args->prev_pid ... }) compiled to
// the same ObjectSpec libbpf-style C compiles to, plus what the BPF class needs on top: each table's
// key and leaf C types and each program's attach point.
//
// It is the ordinary compiler with four hooks: a prelude included before the program (prelude.ts),
// an AST rewrite of kprobe arguments before checking (probes.ts), the checker's call rewrite for
// table methods and bpf_trace_printk (methods.ts), and the object compiler's map and program hooks.
import { compileObject, type ObjectOptions, type ObjectSpec, type MapDef } from '../object.js';
import type { Sym } from '../check/scope.js';
import type { Diagnostics, Diagnostic } from '../diagnostics.js';
import { isPointer, isArray, sizeOf, type CType, type RecordT } from '../check/types.js';
import { MapType, type ProgTypeName } from '../../sys/uapi.js';
import { readTracepointFormat, tracepointStructC, type TracepointFormat } from '../../btf/tracepoint_format.js';
import { sizeOf as btfSizeOf } from '../../btf/query.js';
import { Kind } from '../../btf/types.js';
import type { Btf } from '../../btf/reader.js';
import { bccDialectHeader, BCC_DIALECT_H, BCC_TRACEPOINTS_H } from './prelude.js';
import { rewriteBccCall, tableOf, histogramIsArray, TABLE_KINDS } from './methods.js';
import { checkUserReads } from './user.js';
import { kprobeArguments, programKind, type BccAttach } from './probes.js';
import type { UsdtSpecs } from './usdt.js';
import { fentryFallbacks, type FentryFallback } from './fentry_fallback.js';

export { rewriteBccCall, tableOf, methodsOf } from './methods.js';
export { programKind, progTypeByName, syscallPrefix, type BccAttach } from './probes.js';
export type { FentryFallback } from './fentry_fallback.js';
export { usdtArgCType, type UsdtSpecs, type UsdtContextSpec } from './usdt.js';

export interface BccOptions extends ObjectOptions {
  /** Program types by function name, over what the name or first parameter says: {fn: 'xdp'}. */
  types?: Record<string, string>;
  /** A tracepoint's format (default: read from tracefs), for TRACEPOINT_PROBE's `args`. */
  tracepointFormat?: (category: string, event: string) => TracepointFormat;
  /** Target architecture for argument registers and syscall wrapper names (default: this one). */
  arch?: string;
  /**
   * Functions attached to USDT probes, by C function name: each location's argument specs
   * (usdtSpecsFor gives them), for bpf_usdt_readarg / bpf_usdt_readarg_p in that function.
   */
  usdt?: UsdtSpecs;
  /**
   * kprobe/kretprobe functions to compile as fentry/fexit programs on a kernel function instead
   * (the BPF class's fallback where a kernel has no kprobes): { kprobe__vfs_read: { target:
   * 'vfs_read', ret: false } }. Their extra parameters come from fentry's argument array and
   * PT_REGS_RC(ctx) from fexit's return slot; other register reads are errors.
   */
  asFentry?: Record<string, FentryFallback>;
}

/** A BCC table: what the typed-table layer needs to build codecs. */
export interface BccTable {
  name: string;
  /** BCC's kind ("hash", "array", "histogram", "perf_output", ...) and the macro that declared it. */
  kind: string;
  macro: string;
  /** BPF_MAP_TYPE_* */
  type: number;
  keyType: CType;
  valueType: CType;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /** BPF_TABLE_PINNED: the bpffs path. */
  pinPath?: string;
  /** BPF_TABLE_PUBLIC / BPF_TABLE_SHARED; BPF_TABLE("extern", ...) is a table another program defines. */
  share?: 'public' | 'shared' | 'extern';
  /** BPF_ARRAY_OF_MAPS / BPF_HASH_OF_MAPS: the inner table's name. */
  innerMap?: string;
}

/** A program of a BCC source. */
export interface BccProgram {
  name: string;
  type: ProgTypeName;
  /** Where it attaches by itself (kprobe__, tracepoint__, ...); absent when the user attaches it. */
  attach?: BccAttach;
  /** Instructions (64-bit loads count two). */
  insnCount: number;
}

export interface BccObject extends ObjectSpec {
  tables: BccTable[];
  probes: BccProgram[];
  /** Warnings about a program that compiled (a printk format that does not match its values...). */
  warnings: Diagnostic[];
}

const MAP_TYPES: Record<string, number> = {
  hash: MapType.HASH, array: MapType.ARRAY, histogram: MapType.ARRAY, percpu_hash: MapType.PERCPU_HASH,
  percpu_array: MapType.PERCPU_ARRAY, lru_hash: MapType.LRU_HASH, lru_percpu_hash: MapType.LRU_PERCPU_HASH,
  lpm_trie: MapType.LPM_TRIE, stacktrace: MapType.STACK_TRACE, prog: MapType.PROG_ARRAY, perf_output: MapType.PERF_EVENT_ARRAY,
  perf_array: MapType.PERF_EVENT_ARRAY, ringbuf: MapType.RINGBUF, queue: MapType.QUEUE, stack: MapType.STACK,
  cgroup_array: MapType.CGROUP_ARRAY, devmap: MapType.DEVMAP, cpumap: MapType.CPUMAP, xskmap: MapType.XSKMAP,
  sockmap: MapType.SOCKMAP, sockhash: MapType.SOCKHASH, array_of_maps: MapType.ARRAY_OF_MAPS, hash_of_maps: MapType.HASH_OF_MAPS,
  sk_storage: MapType.SK_STORAGE, task_storage: MapType.TASK_STORAGE, inode_storage: MapType.INODE_STORAGE,
  cgroup_storage: MapType.CGROUP_STORAGE, percpu_cgroup_storage: MapType.PERCPU_CGROUP_STORAGE, extern: MapType.HASH,
};
/** Kinds whose key is not stored (key_size 0). */
const NO_KEY = new Set(['ringbuf', 'queue', 'stack']);

/** TRACEPOINT_PROBE(cat, ev) and tracepoint__cat__ev in the text: the tracepoints whose args structs the prelude declares. */
function tracepointsIn(text: string): [string, string][] {
  const seen = new Map<string, [string, string]>();
  for (const m of text.matchAll(/\bTRACEPOINT_PROBE\s*\(\s*(\w+)\s*,\s*(\w+)\s*\)/g)) seen.set(`${m[1]}:${m[2]}`, [m[1]!, m[2]!]);
  for (const m of text.matchAll(/\btracepoint__([A-Za-z0-9]+(?:_[A-Za-z0-9]+)*)__(\w+)/g)) seen.set(`${m[1]}:${m[2]}`, [m[1]!, m[2]!]);
  return [...seen.values()];
}

/** Formats read from tracefs, per process: they do not change while the kernel runs. */
const formats = new Map<string, TracepointFormat>();
function cachedFormat(category: string, event: string): TracepointFormat {
  const key = `${category}:${event}`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = readTracepointFormat(category, event)));
  return f;
}

function tracepointHeader(text: string, opts: BccOptions): { header: string; failures: Map<string, string> } {
  const failures = new Map<string, string>();
  const parts: string[] = [];
  const btf = opts.btf;
  const typeSize = (name: string): number | undefined => btfTypeSize(btf, name);
  for (const [cat, ev] of tracepointsIn(text)) {
    try {
      const fmt = (opts.tracepointFormat ?? cachedFormat)(cat, ev);
      let c = tracepointStructC(fmt, { typeSize });
      // A syscall's pointer arguments point into the calling process: tag them __user, so reading
      // through one directly is an error that names bpf_probe_read_user.
      if (cat === 'syscalls') c = c.replace(/^\t([^\n]*?) \*(\w+);$/gm, '\t$1 __user *$2;');
      parts.push(c);
    } catch (e) {
      failures.set(`tracepoint__${cat}__${ev}`, (e as Error).message);
    }
  }
  return { header: parts.join('\n'), failures };
}

function btfTypeSize(btf: Btf | undefined, name: string): number | undefined {
  if (!btf) return undefined;
  const m = /^(struct|union|enum)\s+(\w+)$/.exec(name);
  const kind = m ? (m[1] === 'struct' ? Kind.STRUCT : m[1] === 'union' ? Kind.UNION : Kind.ENUM) : Kind.TYPEDEF;
  const id = btf.find(m ? m[2]! : name, kind);
  return id === undefined ? undefined : btfSizeOf(btf, id);
}

/** The map a BCC table declares. */
function tableDef(s: Sym, diags: Diagnostics, tables: BccTable[]): MapDef | undefined {
  const t = tableOf(s);
  if (!t) return undefined;
  const attr = s.attrs!.get('bcc_table')!;
  const type = t.kind === 'histogram' && !histogramIsArray(t.key) ? MapType.HASH : MAP_TYPES[t.kind];
  if (type === undefined || !TABLE_KINDS.has(t.kind)) {
    diags.error('bcc-table-type', `unknown table type "${t.kind}" for '${s.name}' (expected one of ${Object.keys(MAP_TYPES).map((k) => `"${k}"`).join(', ')})`, s.loc);
    return { name: s.name, type: MapType.HASH, keySize: 0, valueSize: 0, maxEntries: 0, flags: 0 };
  }
  const rec = s.type.type as RecordT;
  const dim = (field: string): number => {
    const f = rec.fields!.find((x) => x.name === field)?.type.type;
    return f && isPointer(f) && isArray(f.to.type) ? f.to.type.length ?? 0 : 0;
  };
  const keySize = NO_KEY.has(t.kind) ? 0 : t.kind.endsWith('storage') && !t.kind.startsWith('cgroup') && !t.kind.startsWith('percpu_cgroup') ? 4 : sizeOf(t.key.type);
  const valueSize = t.kind === 'ringbuf' ? 0 : sizeOf(t.value.type);
  const def: MapDef = { name: s.name, type, keySize, valueSize, maxEntries: dim('max_entries'), flags: dim('map_flags') };
  const table: BccTable = { name: s.name, kind: t.kind, macro: t.macro, type, keyType: t.key.type, valueType: t.value.type,
    keySize: def.keySize, valueSize: def.valueSize, maxEntries: def.maxEntries, flags: def.flags };
  const [what, arg] = [attr[2], attr[3]];
  if (what === 'pin' && typeof arg === 'string') { table.pinPath = arg; def.pinPath = arg; }
  if (what === 'share' && (arg === 'public' || arg === 'shared')) table.share = arg;
  if (what === 'inner' && typeof arg === 'string') table.innerMap = arg;
  if (t.kind === 'extern') table.share = 'extern';
  tables.push(table);
  return def;
}

/**
 * Compile a BCC-dialect program. Throws CompileError (every diagnostic, located) on bad input.
 * The result loads with loadObject like any ObjectSpec.
 */
export function compileBcc(text: string, opts: BccOptions = {}): BccObject {
  // A function attached to a USDT probe is a uprobe program, whatever its context parameter says.
  if (opts.usdt) opts = { ...opts, types: { ...Object.fromEntries(Object.keys(opts.usdt).map((f) => [f, 'uprobe'])), ...opts.types } };
  const { header, failures } = tracepointHeader(text, opts);
  const tables: BccTable[] = [];
  const warnings: Diagnostic[] = [];
  const kinds = new Map<string, ReturnType<typeof programKind>>();
  const spec = compileObject(text, {
    ...opts,
    includes: [BCC_DIALECT_H, ...(opts.includes ?? [])],
    extraHeaders: { ...opts.extraHeaders, [BCC_DIALECT_H]: bccDialectHeader(), [BCC_TRACEPOINTS_H]: header },
    transformUnit: (tu, diags) => {
      for (const item of tu.items) {
        if (item.kind === 'decl' && item.body && failures.has(item.name)) {
          const tp = item.name.slice('tracepoint__'.length).replace('__', ':');
          const why = failures.get(item.name)!;
          let at = item.nameLoc;
          while (at.expansion) at = at.expansion;
          diags.error('bcc-tracepoint', why.includes(tp) ? why : `no tracepoint ${tp}: ${why}`, at);
        }
      }
      for (const item of tu.items) {
        // BPF_ARRAY() and friends without a name: the declaration declares nothing.
        const table = item.kind === 'tag' && item.type.kind === 'record' ? item.type.attrs.find((a) => a.name === 'bcc_table') : undefined;
        const macro = table?.args[1];
        if (!table) continue;
        let at = table.loc;
        while (at.expansion) at = at.expansion;
        diags.error('bcc-table-name', `${macro?.kind === 'string' ? Buffer.from(macro.bytes).toString() : 'a table macro'} needs a table name as its first argument`, at);
      }
      if (opts.asFentry) fentryFallbacks(tu, diags, opts.asFentry, opts.btf, opts.arch);
      kprobeArguments(tu, diags, opts);
      opts.transformUnit?.(tu, diags);
    },
    rewriteCall: (e, env) => rewriteBccCall(e, env, opts.usdt),
    dialect: {
      checkUnit: (unit, diags, frontend) => {
        warnings.push(...frontend.filter((d) => d.severity === 'warning'));
        checkUserReads(unit, diags);
      },
      mapDef: (s, diags) => tableDef(s, diags, tables),
      program: (fn, diags) => {
        const k = programKind(fn, opts, diags);
        kinds.set(fn.name, k);
        return k;
      },
    },
  });
  const probes: BccProgram[] = spec.programs.map((p) => ({ name: p.name, type: p.type, insnCount: p.insns.length,
    // A USDT probe's function is attached by whoever gave its specs, not by its name.
    attach: opts.usdt?.[p.name] ? undefined : kinds.get(p.name)?.auto ?? autoFromSection(p.section, p.type) }));
  return { ...spec, tables, probes, warnings };
}

/** A SEC("...")-placed program in a BCC source attaches as its section says. */
function autoFromSection(section: string, type: ProgTypeName): BccAttach | undefined {
  const m = /^(kprobe|kretprobe|tracepoint|raw_tracepoint|raw_tp|tp|fentry|fexit|lsm)\/(.+)$/.exec(section);
  if (!m) return undefined;
  const kind = m[1] === 'tp' ? 'tracepoint' : m[1] === 'raw_tp' ? 'raw_tracepoint' : m[1] as BccAttach['kind'];
  void type;
  return { kind, target: kind === 'tracepoint' ? m[2]!.replace('/', ':') : m[2]! };
}
