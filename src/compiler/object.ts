// A whole C translation unit compiled to an object spec: its programs (functions placed in
// SEC("...") sections), its BTF-defined maps, and its license — plain data that load/ turns into
// kernel objects. Nothing here touches the kernel.
import { frontend, type FrontendOptions } from './frontend.js';
import { Diagnostics, CompileError, type Diagnostic } from './diagnostics.js';
import { lowerFunction, isMapSymbol, StringPool, type GlobalLayout } from './ir/lower.js';
import { codegen, CodegenError, reachable, type CodegenResult } from './codegen/codegen.js';
import type { IrFunction } from './ir/ir.js';
import { helperName } from '../isa/helpers.js';
import { findNullDereferences } from './ir/nullcheck.js';
import { findInfiniteLoops } from './ir/loops.js';
import type { Sym } from './check/scope.js';
import type { CheckedUnit } from './check/checker.js';
import { isPointer, isArray, isRecord, isInteger, sizeOf, alignOf, type RecordT, type QualType } from './check/types.js';
import { findField } from './check/layout.js';
import type { Initializer, Expr } from './parse/ast.js';
import type { MapDef, ProgramDef, ObjectSpec, GlobalDef } from '../load/object.js';
import { MapType, type ProgTypeName, type AttachTypeName } from '../sys/uapi.js';
import { BtfBuilder, encodeFuncInfo, encodeLineInfo } from '../btf/writer.js';
import type { Loc } from './source.js';

/** The specs this compiles to are the loader's (load/object.ts): plain data, no kernel state. */
export type { MapDef, ProgramDef, ObjectSpec, GlobalDef } from '../load/object.js';

/** Section name prefixes, as libbpf reads them. */
const SECTIONS: [RegExp, ProgTypeName, AttachTypeName?][] = [
  [/^tracepoint\/|^tp\//, 'TRACEPOINT'],
  [/^raw_tracepoint\/|^raw_tp\//, 'RAW_TRACEPOINT'],
  [/^tp_btf\//, 'TRACING', 'TRACE_RAW_TP'],
  [/^kprobe\/|^kretprobe\/|^uprobe|^uretprobe|^ksyscall\/|^kretsyscall\//, 'KPROBE'],
  [/^fentry(\.s)?\//, 'TRACING', 'TRACE_FENTRY'],
  [/^fexit(\.s)?\//, 'TRACING', 'TRACE_FEXIT'],
  [/^fmod_ret(\.s)?\//, 'TRACING', 'MODIFY_RETURN'],
  [/^perf_event$/, 'PERF_EVENT'],
  [/^xdp/, 'XDP'],
  [/^tc$|^tc\/|^classifier|^tcx\//, 'SCHED_CLS'],
  [/^action/, 'SCHED_ACT'],
  [/^socket/, 'SOCKET_FILTER'],
  [/^cgroup_skb\/ingress/, 'CGROUP_SKB', 'CGROUP_INET_INGRESS'],
  [/^cgroup_skb\/egress/, 'CGROUP_SKB', 'CGROUP_INET_EGRESS'],
  [/^lsm(\.s)?\//, 'LSM', 'LSM_MAC'],
];

/**
 * The program type, expected attach type and target a section names. `sleepable` is the ".s"
 * suffix of fentry.s/, fexit.s/, fmod_ret.s/ and lsm.s/: the program may sleep (BPF_F_SLEEPABLE).
 */
export function programTypeOfSection(section: string): { type: ProgTypeName; attach?: AttachTypeName; target?: string; sleepable?: boolean } | undefined {
  for (const [re, type, attach] of SECTIONS) {
    const m = re.exec(section);
    if (!m) continue;
    const rest = section.slice(m[0].length);
    const target = type === 'TRACEPOINT' ? rest.replace('/', ':') : rest || undefined;
    return { type, attach, target, ...(m[0].includes('.s/') ? { sleepable: true } : {}) };
  }
  return undefined;
}

export interface ObjectOptions extends FrontendOptions {
  /** The target kernel runs BPF ISA v4 (Linux 6.6+; see features.haveIsaV4()): sign-extending loads, signed division. */
  isaV4?: boolean;
  /** The target kernel has BPF_JMP32 (Linux 5.1+; features.haveJmp32()): 32-bit compares. */
  jmp32?: boolean;
  /**
   * Whether the target kernel lets programs of a type call a helper (features.haveHelper): a call
   * it would refuse becomes a located compile-time error instead of a verifier rejection.
   */
  helperAvailable?: (progType: ProgTypeName, helper: number) => boolean;
  /** A dialect's own programs and maps (BCC's: see compiler/dialect). */
  dialect?: ObjectDialect;
}

/** What a dialect decides beyond libbpf's conventions. */
export interface ObjectDialect {
  /** The program a function without SEC() is (BCC: every non-static function), or undefined if none. */
  program?(fn: Sym, diags: Diagnostics): { section: string; type: ProgTypeName; attach?: AttachTypeName; target?: string } | undefined;
  /** The definition of a map the dialect declared, or undefined to read it as a BTF-defined map. */
  mapDef?(s: Sym, diags: Diagnostics): MapDef | undefined;
  /** Checks of the whole checked unit before any code is generated; `frontend` holds the front end's warnings. */
  checkUnit?(unit: CheckedUnit, diags: Diagnostics, frontend: readonly Diagnostic[]): void;
}

/** Compile every SEC() function and BTF-defined map in `text`. */
export function compileObject(text: string, opts: ObjectOptions = {}): ObjectSpec {
  const r = frontend(text, opts);
  if (!r.ok) throw new CompileError(r.diagnostics);
  const diags = new Diagnostics();
  const unit = r.unit!;
  opts.dialect?.checkUnit?.(unit, diags, r.diagnostics);
  const maps: MapDef[] = [];
  let license = '';
  for (const g of unit.globals) {
    if (isMapSymbol(g)) {
      const m = opts.dialect?.mapDef?.(g, diags) ?? mapDef(g, diags);
      if (m) maps.push(m);
      continue;
    }
    const section = g.attrs?.get('section')?.[0];
    if (section === 'license' && g.decl?.init && g.decl.init.kind === 'string') {
      license = Buffer.from(g.decl.init.bytes).toString('latin1');
    }
  }
  // Global variables: .rodata (const), .data (initialized), .bss (zero), each an array map of one value.
  const layout: GlobalLayout = new Map();
  const sections = new Map<string, { size: number; align: number; vars: { sym: Sym; offset: number }[] }>();
  for (const g of unit.globals) {
    if (g.kind !== 'var' || isMapSymbol(g) || isHelperDecl(g) || g.storage === 'extern' || g.attrs?.get('section')?.[0] === 'license') continue;
    if (!g.used && !g.decl?.init) continue;
    const explicit = g.attrs?.get('section')?.[0];
    const name = typeof explicit === 'string' ? explicit : g.type.const ? '.rodata' : g.decl?.init && !isZeroInit(g.decl.init) ? '.data' : '.bss';
    const sec = sections.get(name) ?? { size: 0, align: 1, vars: [] };
    sections.set(name, sec);
    const a = alignOf(g.type.type), size = sizeOf(g.type.type);
    const offset = Math.ceil(sec.size / a) * a;
    sec.size = offset + size;
    sec.align = Math.max(sec.align, a);
    sec.vars.push({ sym: g, offset });
    layout.set(g, { section: name, offset });
  }
  const globals: GlobalDef[] = [];
  for (const [name, sec] of sections) {
    const size = Math.max(8, Math.ceil(sec.size / 8) * 8);
    const data = Buffer.alloc(size);
    for (const v of sec.vars) {
      if (v.sym.decl?.init) writeInit(data, v.offset, v.sym.type, v.sym.decl.init, diags);
      globals.push({ name: v.sym.name, section: name, offset: v.offset, size: sizeOf(v.sym.type.type) });
    }
    maps.push({ name, type: MapType.ARRAY, keySize: 4, valueSize: size, maxEntries: 1, flags: name === '.rodata' ? 1 << 7 /* BPF_F_RDONLY_PROG */ : 0, initial: data, freeze: name === '.rodata' });
  }
  // String literals used as values: one read-only section map, filled once every program is lowered.
  const strings = new StringPool();
  const stringMap: MapDef = { name: StringPool.SECTION, type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, flags: 1 << 7 /* BPF_F_RDONLY_PROG */, freeze: true };
  maps.push(stringMap);
  // BTF for the programs: a FUNC per program and line_info, so the verifier's log shows C lines.
  const btf = new BtfBuilder();
  const intT = btf.addInt('int', 4, { signed: true });
  const voidPtr = btf.addPtr(0);
  const proto = btf.addFuncProto(intT, [{ name: 'ctx', type: voidPtr }]);
  const programs: ProgramDef[] = [];
  const subprograms = new Map<string, { ir: IrFunction; out: CodegenResult } | undefined>();
  for (const fn of unit.functions) {
    const explicit = fn.attrs?.get('section')?.[0];
    const implicit = typeof explicit === 'string' ? undefined : opts.dialect?.program?.(fn, diags);
    const section = typeof explicit === 'string' ? explicit : implicit?.section;
    if (typeof section !== 'string') continue;
    const kind = implicit ?? programTypeOfSection(section);
    if (!kind) {
      diags.error('object-section', `unknown program section "${section}" (expected tracepoint/..., kprobe/..., xdp, tc, socket, raw_tp/..., tp_btf/..., fentry/..., fexit/..., fmod_ret/..., lsm/..., perf_event...)`, fn.loc);
      continue;
    }
    const tracing = kind.type === 'KPROBE' || kind.type === 'TRACEPOINT' || kind.type === 'RAW_TRACEPOINT' || kind.type === 'PERF_EVENT' || (implicit !== undefined && (kind.type === 'TRACING' || kind.type === 'LSM'));
    const main = compileFn(fn, kind.type, tracing, false);
    if (!main) continue;
    // BPF-to-BPF calls: append every subprogram the program reaches, once, and patch the calls. A
    // subprogram reads a pointer parameter directly when every call passes a directly readable
    // pointer (stack, map value, context); otherwise through bpf_probe_read_kernel. That is settled
    // over all call sites, recompiling while it changes (it only ever turns pointers unsafe).
    type Part = { sym: Sym; ir: IrFunction; out: CodegenResult; start: number };
    const safety = new Map<string, boolean[]>();
    let parts: Part[] = [];
    const starts = new Map<string, number>();
    let ok = true;
    for (let round = 0; round < 8; round++) {
      parts = [{ sym: fn, ...main, start: 0 }];
      starts.clear();
      starts.set(fn.name, 0);
      let total = main.out.insns.length;
      ok = true;
      for (let k = 0; k < parts.length; k++) {
        for (const c of parts[k]!.out.calls) {
          if (starts.has(c.callee)) continue;
          const { sym } = parts[k]!.ir.callees.get(c.callee)! as { sym: Sym };
          const flags = safety.get(c.callee) ?? parts[k]!.ir.callees.get(c.callee)!.safeArgs;
          safety.set(c.callee, flags);
          const key = `${tracing}:${c.callee}:${flags.map(Number).join('')}`;
          const sub = subprograms.has(key) ? subprograms.get(key) : compileFn(sym, kind.type, tracing, true, flags);
          subprograms.set(key, sub);
          if (!sub) { ok = false; continue; }
          starts.set(c.callee, total);
          parts.push({ sym, ...sub, start: total });
          total += sub.out.insns.length;
        }
      }
      // Every call site's view, and-ed.
      let changed = false;
      for (const p of parts) for (const [name, { safeArgs }] of p.ir.callees) {
        const cur = safety.get(name);
        if (!cur) continue;
        const next = cur.map((x, k) => x && (safeArgs[k] ?? true));
        if (next.some((x, k) => x !== cur[k])) { safety.set(name, next); changed = true; }
      }
      if (!changed || !ok) break;
    }
    if (!ok) continue;
    const cycle = callCycle(parts.map((p) => [p.sym.name, p.out.calls.map((c) => c.callee)]));
    if (cycle) { diags.error('verifier-recursion', `recursion is not allowed in BPF: ${cycle.map((n) => `'${n}'`).join(' calls ')}`, fn.loc); continue; }
    const insns = parts.flatMap((p) => p.out.insns.map((i) => ({ ...i })));
    for (const p of parts) for (const c of p.out.calls) insns[p.start + c.insn]!.imm = starts.get(c.callee)! - (p.start + c.insn + 1);
    const relocs = parts.flatMap((p) => p.out.relocs.map((r) => ({ ...r, insn: r.insn + p.start })));
    for (const rl of relocs) {
      if (!maps.some((m) => m.name === rl.map)) diags.error('object-map', `map '${rl.map}' is not a BTF-defined map`, fn.loc);
    }
    const locs: (Loc | undefined)[] = [];
    for (const p of parts) locs.push(...Array.from({ length: p.out.insns.length }, (_, n) => p.out.locs[n]));
    const funcs = parts.map((p, k) => ({ insnOff: p.start, typeId: k === 0 ? btf.addFunc(fn.name, proto, 'static') : subprogramBtf(btf, p.sym) }));
    programs.push({ name: fn.name, section, type: kind.type, expectedAttachType: kind.attach, attachTo: kind.target,
      ...('sleepable' in kind && kind.sleepable ? { sleepable: true } : {}),
      insns, relocs, funcInfo: encodeFuncInfo(funcs), lineInfo: lineInfo(btf, locs, parts.map((p) => p.start)) });
  }

  /** Lower, check and generate code for one function (a program, or a subprogram it calls). */
  function compileFn(sym: Sym, type: ProgTypeName, tracing: boolean, subprogram: boolean, safeParams?: boolean[]): { ir: IrFunction; out: CodegenResult } | undefined {
    const ir = lowerFunction(sym, diags, layout, { implicitReads: tracing, isaV4: opts.isaV4, strings, subprogram, safeParams });
    if (!ir) return undefined;
    if (opts.helperAvailable) {
      let bad = false;
      for (const b of reachable(ir)) b.insts.forEach((i, n) => {
        if (i.op !== 'call' || i.callee !== undefined || opts.helperAvailable!(type, i.helper)) return;
        const h = helperName(i.helper);
        const name = h ? (h.startsWith("bpf_") ? h : `bpf_${h}`) : `helper #${i.helper}`;
        diags.error('verifier-helper', `${name}() is not available to ${type.toLowerCase().replace(/_/g, ' ')} programs on this kernel; the verifier would refuse the call`, b.locs[n] ?? sym.loc);
        bad = true;
      });
      if (bad) return undefined;
    }
    const loops = findInfiniteLoops(ir.blocks[0]!);
    for (const p of loops) diags.error('verifier-loop', p.message, p.loc);
    if (loops.length) return undefined;
    const nulls = findNullDereferences(reachable(ir));
    for (const p of nulls) diags.error('verifier-null', p.message, p.loc, ...(p.origin ? [{ loc: p.origin, message: 'the pointer comes from here' }] : []));
    if (nulls.length) return undefined;
    try {
      return { ir, out: codegen(ir, { jmp32: opts.jmp32 }) };
    } catch (e) {
      if (!(e instanceof CodegenError)) throw e;
      diags.error('codegen-stack', e.message, sym.loc);
      return undefined;
    }
  }
  if (strings.size) {
    stringMap.valueSize = Math.max(8, Math.ceil(strings.size / 8) * 8);
    stringMap.initial = Buffer.concat([strings.data(), Buffer.alloc(stringMap.valueSize - strings.size)]);
  } else maps.splice(maps.indexOf(stringMap), 1);
  if (!license) diags.warning('object-license', 'no license: declare `char LICENSE[] SEC("license") = "GPL";` (GPL-only helpers need it)');
  // Code inlined into several programs is checked once per program: report each complaint once.
  if (diags.hasErrors) throw new CompileError(diags.list.filter((d, k, all) => all.findIndex((x) => x.code === d.code &&
    x.message === d.message && x.loc?.file === d.loc?.file && x.loc?.offset === d.loc?.offset) === k));
  return { programs, maps, globals, license: license || 'GPL', btf: btf.build() };
}

/** A FUNC (static) for a subprogram, with a prototype of its parameter names (types as 64-bit ints:
 * the verifier checks static subprograms by their code, not their BTF). */
function subprogramBtf(btf: BtfBuilder, sym: Sym): number {
  const long = btf.addInt('long', 8, { signed: true });
  const params = (sym.params ?? []).map((p, k) => ({ name: p.name || `arg${k}`, type: long }));
  return btf.addFunc(sym.name, btf.addFuncProto(long, params), 'static');
}

/** A cycle in the call graph (names along it), if there is one. */
function callCycle(edges: [string, string[]][]): string[] | undefined {
  const graph = new Map(edges);
  const state = new Map<string, 1 | 2>();
  const path: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 2) return undefined;
    if (state.get(n) === 1) return [...path.slice(path.indexOf(n)), n];
    state.set(n, 1);
    path.push(n);
    for (const m of graph.get(n) ?? []) { const c = visit(m); if (c) return c; }
    path.pop();
    state.set(n, 2);
    return undefined;
  };
  for (const [n] of edges) { const c = visit(n); if (c) return c; }
  return undefined;
}

/** line_info: one record wherever the source line changes (the first instruction always has one). */
function lineInfo(btf: BtfBuilder, locs: (Loc | undefined)[], funcStarts: number[] = [0]): Buffer {
  const records: { insnOff: number; fileNameOff: number; lineOff: number; line: number; col: number }[] = [];
  const starts = new Set(funcStarts);
  let last = '';
  for (let pc = 0; pc < locs.length; pc++) {
    // Every function's first instruction needs a record (the kernel insists): use the function's
    // first located instruction for it.
    let loc = locs[pc];
    if (!loc && starts.has(pc)) for (let q = pc + 1; q < locs.length && !loc && !starts.has(q); q++) loc = locs[q];
    if (!loc) continue;
    const { line, col } = loc.file.position(loc.offset);
    const key = `${loc.file.name}:${line}`;
    if (key === last && !starts.has(pc)) continue;
    last = key;
    records.push({ insnOff: pc, fileNameOff: btf.addString(loc.file.name), lineOff: btf.addString(loc.file.lineText(line).trim()), line, col });
  }
  return encodeLineInfo(records);
}

/**
 * A BTF-defined map: `struct { __uint(type, X); __uint(max_entries, N); __type(key, K); __type(value, V); } name SEC(".maps");`
 * __uint(name, val) is `int (*name)[val]` and __type(name, T) is `T *name`: sizes and numbers are read off the member types.
 */
function mapDef(s: Sym, diags: Diagnostics): MapDef | undefined {
  const t = s.type.type;
  if (!isRecord(t) || !t.fields) {
    diags.error('object-map', `map '${s.name}' must be a struct of __uint/__type members`, s.loc);
    return undefined;
  }
  const get = (name: string) => (t as RecordT).fields!.find((f) => f.name === name);
  const num = (name: string): number | undefined => {
    const f = get(name);
    if (!f) return undefined;
    const p = f.type.type;
    if (!isPointer(p) || !isArray(p.to.type)) {
      diags.error('object-map', `map '${s.name}': '${name}' must be declared with __uint(${name}, value)`, s.loc);
      return undefined;
    }
    return p.to.type.length ?? 0;
  };
  const typeSize = (name: string): number | undefined => {
    const f = get(name);
    if (!f) return undefined;
    const p = f.type.type;
    if (!isPointer(p)) return undefined;
    return sizeOf(p.to.type);
  };
  const type = num('type');
  if (type === undefined) {
    diags.error('object-map', `map '${s.name}' has no __uint(type, BPF_MAP_TYPE_...)`, s.loc);
    return undefined;
  }
  const keySize = typeSize('key') ?? num('key_size') ?? 0;
  const valueSize = typeSize('value') ?? num('value_size') ?? 0;
  // A PERF_EVENT_ARRAY may leave max_entries out: the loader sizes it to the CPU count.
  const maxEntries = num('max_entries') ?? 0;
  return { name: s.name, type, keySize, valueSize, maxEntries, flags: num('map_flags') ?? 0 };
}

/** `static long (* const bpf_x)(...) = (void *) ID;` — a helper, not data. */
function isHelperDecl(g: Sym): boolean {
  const t = g.type.type;
  return !!g.type.const && isPointer(t) && t.to.type.kind === 'func' && g.decl?.init !== undefined && (g.decl.init as Expr).cv !== undefined;
}

function isZeroInit(init: Initializer): boolean {
  if (init.kind === 'initlist') return init.items.every((i) => isZeroInit(i.value));
  return init.cv === 0n;
}

/** Write a constant initializer's bytes (little-endian) at `off`. */
function writeInit(buf: Buffer, off: number, qt: QualType, init: Initializer, diags: Diagnostics): void {
  const t = qt.type;
  if (init.kind !== 'initlist') {
    if (init.kind === 'string' && isArray(t)) {
      Buffer.from(init.bytes).copy(buf, off, 0, Math.min(init.bytes.length, sizeOf(t)));
      return;
    }
    if ((isInteger(t) || isPointer(t)) && init.cv !== undefined) {
      const size = sizeOf(t);
      let v = BigInt.asUintN(size * 8, init.cv);
      for (let i = 0; i < size; i++) { buf[off + i] = Number(v & 0xffn); v >>= 8n; }
      return;
    }
    diags.error('object-global-init', 'this global initializer is not supported yet (integer constants, strings and braces of them are)', (init as Expr).loc);
    return;
  }
  let index = 0;
  const fields = isRecord(t) ? (t.fields ?? []).filter((f) => f.name !== undefined) : [];
  for (const item of init.items) {
    let at = off, sub: QualType | undefined;
    if (item.designators.length) {
      let cur: QualType = qt;
      at = off;
      for (const [di, d] of item.designators.entries()) {
        const ct = cur.type;
        if (d.kind === 'index' && isArray(ct)) {
          const i = Number(d.index.cv ?? 0n);
          at += i * sizeOf(ct.of.type);
          cur = ct.of;
          if (di === 0) index = i + 1;
        } else if (d.kind === 'field' && isRecord(ct)) {
          const f = findField(ct, d.name);
          if (!f) return;
          at += f.offset;
          cur = f.field.type;
          if (di === 0) index = fields.findIndex((x) => x.name === d.name) + 1;
        }
      }
      sub = cur;
    } else if (isArray(t)) {
      sub = t.of;
      at = off + index * sizeOf(t.of.type);
      index++;
    } else if (isRecord(t)) {
      const f = fields[index++];
      if (!f) continue;
      if (f.bitWidth !== undefined) { diags.error('object-global-init', 'initializing a bit-field of a global is not supported yet', item.loc); continue; }
      sub = f.type;
      at = off + f.offset;
    } else sub = qt;
    writeInit(buf, at, sub, item.value, diags);
  }
}
