// The BPF class: BCC's Python `BPF` object in TypeScript. It compiles a BCC-dialect C program in
// process, creates its tables, loads the functions that have probe prefixes and attaches them as
// BCC does, and gives the tables back as typed JavaScript views. Everything it attaches is
// detached by close() (and, being fd-based or registered for cleanup, when the process exits).
//
//   using b = new BPF({ text: 'int kprobe__vfs_read(void *ctx) { ... }' });
//   b.attachTracepoint({ tp: 'syscalls:sys_enter_getppid', fnName: 'count' });
//   for (const [pid, n] of b.get<TypedTable<number, bigint>>('counts')) ...
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { compileBcc, progTypeByName, type BccObject, type BccTable, type UsdtSpecs, type FentryFallback } from './compiler/dialect/index.js';
import { formatDiagnostic, CompileError } from './compiler/diagnostics.js';
import { readKernelConfig } from './compiler/preprocess/kconfig.js';
import type { CType } from './compiler/check/types.js';
import { Btf } from './btf/reader.js';
import { loadBtf, type BtfObject } from './btf/load.js';
import { loadObject, attachBtfId, type LoadedObject, type ProgramDef } from './load/object.js';
import { loadProgram, Program, BPF_F_SLEEPABLE } from './load/program.js';
import { features, NotSupportedError, tracepointExists, listTracepoints, type ProgTypeName } from './sys/index.js';
import { kallsyms } from './sys/kallsyms.js';
import { nearestNames } from './util/names.js';
import {
  Link, attachTracepoint as tpAttach, attachRawTracepoint as rawTpAttach, attachTracing, haveTrampolines,
  attachXdp as xdpAttach, attachSocketFilter, SocketFilter, attachKprobe as kprobeAttach, attachKretprobe as kretprobeAttach,
  attachUprobe as uprobeAttach, attachUsdt, usdtContextFor, attachPerfEvent as perfEventAttach, getSyscallFnname as syscallFnname,
  numOpenKprobes as globalKprobes, numOpenUprobes as globalUprobes, matchKernelFunctions, kprobeUnavailable, type XdpMode,
} from './attach/index.js';
import { BpfMap, PerfEventArray, RingBufMap, QueueStack } from './maps/index.js';
import type { PerfBuffer, RingBuffer } from './events/index.js';
import {
  typedTable, codecFor, sym as symbolize, type TypedTable, type PerCpuTypedTable, type StackTraces,
} from './tables/index.js';
import { UserSymbolizer, findLibrary, which } from './elf/index.js';
import { EventTypeFinder } from './bpf/event_types.js';
import { BccEventTable, type ReaderRegistry } from './bpf/event_table.js';
import { parseCflags } from './bpf/cflags.js';
import { programListing } from './bpf/debug.js';
import { TypedQueueStack } from './bpf/queue_stack.js';
import { TraceReader, traceFieldsOf, type TraceFields, type TraceReadOptions } from './bpf/trace_reader.js';
import { USDT } from './bpf/usdt.js';

export { USDT } from './bpf/usdt.js';
export type { TraceFields, TraceReadOptions } from './bpf/trace_reader.js';
export { BccEventTable } from './bpf/event_table.js';
export { TypedQueueStack } from './bpf/queue_stack.js';

/** BCC's debug flags (the `debug` option). */
export const DEBUG_LLVM_IR = 0x1;
/** Print each program's instructions when it is loaded. */
export const DEBUG_BPF = 0x2;
export const DEBUG_PREPROCESSOR = 0x4;
/** Print the instructions interleaved with the C lines they came from. */
export const DEBUG_SOURCE = 0x8;
/** Accepted for BCC compatibility; a refused program's error always carries the verifier's log. */
export const DEBUG_BPF_REGISTER_STATE = 0x10;
export const DEBUG_BTF = 0x20;

export interface BPFOptions {
  /** The program's C text (BCC dialect). Give this or srcFile. */
  text?: string;
  /** A file holding the program; `#include "..."` also looks in its directory. */
  srcFile?: string;
  /** clang-style flags: -DNAME[=VALUE], -UNAME, -IDIR, -include FILE (others: see parseCflags). */
  cflags?: string[];
  /** DEBUG_BPF (instructions), DEBUG_SOURCE (instructions under their C lines); the others are accepted and ignored. */
  debug?: number;
  /** Where debug output goes (default process.stderr). */
  debugOut?: { write(s: string): unknown };
  /** USDT probes to enable: each context's probes are attached to their functions after loading. */
  usdtContexts?: USDT[];
  /** Program types by function name, over what the name or first parameter says: { my_filter: 'xdp' }. */
  types?: Record<string, string>;
  /** Attach prefixed functions (kprobe__, tracepoint__, ...) as BCC does (default true). */
  autoAttach?: boolean;
  /** Where compiler warnings go (default process.stderr; null: nowhere). */
  warnings?: { write(s: string): unknown } | null;
  /**
   * kprobes and kretprobes on a kernel that cannot make them: 'auto' (default) compiles the
   * function again as fentry (fexit) on the same kernel function and attaches that; 'force' does
   * so always (to test it on a kernel that has kprobes); 'never' reports the kprobe failure. The
   * environment variable TSBCC_KPROBE_FALLBACK sets the default.
   */
  kprobeFallback?: KprobeFallback;
}

/** See BPFOptions.kprobeFallback. */
export type KprobeFallback = 'auto' | 'force' | 'never';

/** A loaded function: a Program (fd, name, info(), testRun()) from loadFunc. */
export type BpfFunction = Program;
type FnRef = string | Program;

/** Any of the views getTable gives: typed tables, event tables, stack traces, or the map itself. */
// Any key/value shapes: callers name theirs (an interface Key { pid: number } has no index
// signature, so it would not fit a constraint written with CValue).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type BccTableView = TypedTable<any, any> | PerCpuTypedTable<any, any> | BccEventTable<any> | StackTraces | TypedQueueStack<any> | BpfMap;

/** One attachment the object made. */
export interface Attachment {
  kind: 'kprobe' | 'kretprobe' | 'tracepoint' | 'raw_tracepoint' | 'uprobe' | 'uretprobe' | 'usdt' | 'perf_event'
    | 'kfunc' | 'kretfunc' | 'kmod_ret' | 'lsm' | 'xdp' | 'raw_socket';
  /** What it is attached to: the event, tracepoint, device, "binary:symbol". */
  key: string;
  fnName: string;
  link: Link;
  /** Kernel probes it holds (a regex attaches many). */
  probes: number;
  /** A kprobe (kretprobe) made as fentry (fexit) where the kernel has no kprobes (or kprobeFallback: 'force'). */
  via?: 'fentry' | 'fexit';
}

export interface KprobeAttachOptions {
  /** Kernel function (event). */
  event?: string;
  fnName: string;
  /** Every traceable kernel function matching this (instead of `event`). */
  eventRe?: RegExp | string;
  /** Bytes into the function (BCC's event_off). */
  eventOff?: number;
  /** kretprobe: concurrent calls the probe can follow. */
  maxactive?: number;
}

export interface UprobeAttachOptions {
  /** Binary or library: a path, a library name ("c") or a command on $PATH. */
  name: string;
  sym?: string;
  symRe?: RegExp | string;
  /** A virtual address in the binary (as nm prints it). */
  addr?: bigint | number;
  /** Added to sym's address. */
  symOff?: number;
  fnName: string;
  /** Only this process (default, -1: all). */
  pid?: number;
}

export interface PerfEventAttachOptions {
  /** PerfType.SOFTWARE, HARDWARE, ... */
  evType: number;
  /** PerfCountSw.CPU_CLOCK, ... */
  evConfig: number | bigint;
  fnName: string;
  samplePeriod?: number | bigint;
  sampleFreq?: number;
  /** -1 (default): all processes. */
  pid?: number;
  /** -1 (default): every CPU. */
  cpu?: number;
}

const SYSCALL_PREFIXES = ['__x64_sys_', '__arm64_sys_', '__s390x_sys_', '__riscv_sys_', '__se_sys_', '__ia32_sys_', 'sys_'];

/** The prefixes BCC's _trace_autoload attaches by (not syscall__, not kmod_ret__: those wait for an explicit attach). */
const AUTO_PREFIXES = ['kprobe__', 'kretprobe__', 'tracepoint__', 'raw_tracepoint__', 'kfunc__', 'kretfunc__', 'lsm__'];

export class BPF implements ReaderRegistry {
  /** The compiled object: programs, tables with their C types, warnings. */
  readonly object: BccObject;
  /** Compiler warnings (also written to `warnings`, stderr by default). */
  readonly warnings: string[];
  private readonly text: string;
  private readonly opts: BPFOptions;
  private loaded: LoadedObject;
  /** Each compilation's BTF (func_info and line_info point into it), loaded once. */
  private btfObjs = new Map<Buffer, BtfObject>();
  private funcs = new Map<string, Program>();
  private attached: Attachment[] = [];
  private views = new Map<string, BccTableView>();
  private eventTypes: Map<string, CType>;
  private records: Map<string, CType>;
  private perfReaders: PerfBuffer[] = [];
  private ringReaders: RingBuffer[] = [];
  private pollWaiters: (() => void)[] = [];
  private deliveredCount = { perf: 0, ring: 0 };
  private trace?: TraceReader;
  private userSyms?: UserSymbolizer;
  private _closed = false;
  private usdt?: UsdtSpecs;

  /**
   * Compile and load `text` (or `srcFile`), then attach its prefixed functions. Bad input throws:
   * compile errors with their locations, anything else as one line naming what failed.
   */
  constructor(opts: BPFOptions) {
    if ((opts.text === undefined) === (opts.srcFile === undefined)) throw new Error('BPF: give exactly one of text and srcFile');
    this.opts = opts;
    this.fallbackMode(); // a bad kprobeFallback (or TSBCC_KPROBE_FALLBACK) now, not at the first kprobe
    if (opts.srcFile !== undefined) {
      try {
        this.text = readFileSync(opts.srcFile, 'utf8');
      } catch (e) {
        throw new Error(`BPF: cannot read ${opts.srcFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    } else {
      this.text = opts.text!;
    }
    const finder = new EventTypeFinder();
    this.object = this.compile(opts.types, finder.collect);
    this.eventTypes = finder.types();
    this.records = finder.records();
    this.warnings = this.object.warnings.map((d) => formatDiagnostic(d));
    const out = opts.warnings === undefined ? process.stderr : opts.warnings;
    if (out) for (const w of this.warnings) out.write(w + '\n');
    // The tables now; programs when loadFunc (or the auto-attach) asks, as BCC loads them.
    this.loaded = loadObject({ ...this.object, programs: [], btf: undefined });
    try {
      if (opts.autoAttach !== false) this.autoAttach();
      for (const ctx of opts.usdtContexts ?? []) {
        for (const p of ctx.probes) this.attachUsdtProbe(ctx, p.probe, p.fnName);
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /**
   * What bpf_usdt_readarg compiles from: for each function enabled on a USDT probe, the argument
   * specs of the probe's locations (and their addresses in the process, when known). A probe the
   * binary lacks is the one-line error attaching would give.
   */
  private usdtSpecs(): UsdtSpecs | undefined {
    const ctxs = this.opts.usdtContexts ?? [];
    if (!ctxs.length) return undefined;
    const specs: UsdtSpecs = {};
    for (const ctx of ctxs) {
      for (const p of ctx.probes) {
        const [provider, name] = splitProbe(p.probe);
        specs[p.fnName] = usdtContextFor(ctx.path, provider, name, ctx.pid);
      }
    }
    return specs;
  }

  private compile(types: Record<string, string> | undefined, collect?: EventTypeFinder['collect'], asFentry?: Record<string, FentryFallback>): BccObject {
    const cf = parseCflags(this.opts.cflags);
    this.usdt ??= this.usdtSpecs();
    const includeDirs = [...(this.opts.srcFile ? [dirname(this.opts.srcFile)] : []), ...cf.includeDirs];
    const btf = Btf.vmlinux();
    return compileBcc(this.text, {
      filename: this.opts.srcFile ?? '<text>', defines: cf.defines, includeDirs, includes: cf.includes, btf,
      kernelConfig: readKernelConfig(), types,
      isaV4: features.haveIsaV4(), jmp32: features.haveJmp32(), helperAvailable: features.haveHelper,
      ...(collect ? { transformUnit: collect } : {}), ...(this.usdt ? { usdt: this.usdt } : {}), ...(asFentry ? { asFentry } : {}),
    });
  }

  /** BCC's _trace_autoload: attach every function whose name says where. */
  private autoAttach(): void {
    for (const p of this.object.probes) {
      if (!p.attach || !AUTO_PREFIXES.some((x) => p.name.startsWith(x))) continue;
      try {
        this.autoAttachOne(p.name, p.attach.kind, p.attach.target);
      } catch (e) {
        // One line that starts with the function, whatever layer refused.
        if (e instanceof Error && !e.message.startsWith(`${p.name}:`)) e.message = `${p.name}: ${e.message}`;
        throw e;
      }
    }
  }

  private autoAttachOne(fnName: string, kind: string, target: string): void {
    switch (kind) {
      case 'kprobe': this.attachKprobe({ event: fixSyscallFnname(target), fnName }); break;
      case 'kretprobe': this.attachKretprobe({ event: fixSyscallFnname(target), fnName }); break;
      case 'tracepoint': this.attachTracepoint({ tp: target, fnName }); break;
      case 'raw_tracepoint': this.attachRawTracepoint({ tp: target, fnName }); break;
      case 'fentry': this.attachKfunc({ fnName }); break;
      case 'fexit': this.attachKretfunc({ fnName }); break;
      case 'lsm': this.attachLsm({ fnName }); break;
    }
  }

  // ---- programs -------------------------------------------------------------------------------

  /** Names of the functions the program defines (each is a loadable program). */
  get functions(): string[] { return this.object.programs.map((p) => p.name); }

  /**
   * Load a function as a program (BCC's load_func); loaded once, later calls return the same.
   * `type` ('kprobe', 'xdp', 'SCHED_CLS', ...) compiles it as that type when its name or first
   * parameter says otherwise.
   */
  loadFunc(name: string, type?: ProgTypeName | string): BpfFunction {
    this.checkOpen();
    const have = this.funcs.get(name);
    if (have) return have;
    let def = this.object.programs.find((p) => p.name === name);
    const want = type === undefined ? undefined : progTypeByName(String(type));
    if (type !== undefined && !want) {
      throw new Error(`loadFunc(${name}): unknown program type '${type}' (kprobe, tracepoint, raw_tracepoint, perf_event, xdp, socket_filter, sched_cls, ...)`);
    }
    // A function whose name and first parameter say nothing is a program once a type is given
    // (as BCC's load_func(name, BPF.TRACEPOINT)); one of another type is compiled again as this one.
    let btf = this.object.btf;
    if (want && def?.type !== want) {
      const again = this.compile({ ...this.opts.types, [name]: String(type) });
      const d = again.programs.find((p) => p.name === name);
      if (d) [def, btf] = [d, again.btf]; // its func_info refers to that compilation's BTF
    }
    if (!def) {
      const near = nearestNames(name, this.functions);
      throw new Error(`no function '${name}' in the BPF program` +
        (near.length ? `; did you mean ${near.join(', ')}?` : this.functions.length ? ` (its programs: ${this.functions.join(', ')})` : '') +
        (type === undefined ? ' (a function whose name and first parameter do not say its program type needs loadFunc(name, type))' : ''));
    }
    const prog = this.loadDef(def, btf);
    this.funcs.set(name, prog);
    return prog;
  }

  private loadDef(p: ProgramDef, btf: Buffer | undefined): Program {
    const insns = p.insns.map((i) => ({ ...i }));
    for (const r of p.relocs) insns[r.insn]!.imm = this.loaded.map(r.map).fd;
    let btfObj = btf && p.funcInfo ? this.btfObjs.get(btf) : undefined;
    if (btf && p.funcInfo && !btfObj) this.btfObjs.set(btf, (btfObj = loadBtf(btf)));
    const withBtf = btfObj ? { btfFd: btfObj.fd, funcInfo: p.funcInfo, lineInfo: p.lineInfo } : {};
    const debug = this.opts.debug ?? 0;
    if (debug & (DEBUG_BPF | DEBUG_SOURCE)) (this.opts.debugOut ?? process.stderr).write(programListing(p, btf, !!(debug & DEBUG_SOURCE)));
    const prog = loadProgram({
      type: p.type, insns, license: this.object.license || 'GPL', name: p.name, expectedAttachType: p.expectedAttachType,
      attachBtfId: attachBtfId(p), ...(p.sleepable ? { flags: BPF_F_SLEEPABLE } : {}), ...withBtf,
    });
    return prog;
  }

  private fn(ref: FnRef, type?: ProgTypeName): Program {
    return typeof ref === 'string' ? this.loadFunc(ref, type) : ref;
  }

  // ---- kernel probes --------------------------------------------------------------------------

  /**
   * Attach a function at a kernel function's entry. Where this kernel has no kprobes, the error
   * (a NotSupportedError) says what was tried: the kprobe PMU, tracefs kprobe_events, and whether
   * fentry could stand in.
   */
  attachKprobe(o: KprobeAttachOptions): Attachment {
    return this.kprobe(o, false);
  }

  /** Attach a function at a kernel function's return (PT_REGS_RC(ctx) is the return value). */
  attachKretprobe(o: KprobeAttachOptions): Attachment {
    return this.kprobe(o, true);
  }

  private kprobe(o: KprobeAttachOptions, ret: boolean): Attachment {
    const kind = ret ? 'kretprobe' : 'kprobe';
    if ((o.event === undefined || o.event === '') === (o.eventRe === undefined)) throw new Error(`attach${ret ? 'Kretprobe' : 'Kprobe'}: give one of event and eventRe`);
    const key = o.eventRe !== undefined ? `/${typeof o.eventRe === 'string' ? o.eventRe : o.eventRe.source}/` : o.event!;
    const mode = this.fallbackMode();
    if (mode === 'force') {
      const why = this.noFentryFor(o);
      if (why) throw new Error(`${o.fnName}: cannot attach ${kind} to ${key} as ${ret ? 'fexit' : 'fentry'}: ${why}`);
      try {
        return this.kprobeAsFentry(o.fnName, key, ret);
      } catch (e) {
        throw new Error(`${o.fnName}: cannot attach ${kind} to ${key} as ${ret ? 'fexit' : 'fentry'} (kprobeFallback 'force'): ${fentryFailure(e, ret)}`, { cause: e });
      }
    }
    const prog = this.fn(o.fnName, 'KPROBE');
    const before = globalKprobes();
    let link: Link;
    try {
      const opts = { eventRe: o.eventRe, maxactive: o.maxactive, ...(ret ? {} : { offset: o.eventOff }) };
      link = ret ? kretprobeAttach(prog, o.event ?? '', opts) : kprobeAttach(prog, o.event ?? '', opts);
    } catch (e) {
      if (!(e instanceof NotSupportedError)) throw e;
      // No kprobes here: the same function as fentry/fexit on the same kernel function, if it can be.
      let fentryWhy = mode === 'never' ? `${ret ? 'fexit' : 'fentry'} not tried (kprobeFallback 'never')` : this.noFentryFor(o);
      if (!fentryWhy) {
        try {
          return this.kprobeAsFentry(prog.name, key, ret);
        } catch (fe) {
          fentryWhy = fentryFailure(fe, ret);
        }
      }
      throw new NotSupportedError(noKprobes(prog.name, kind, key, fentryWhy), e);
    }
    return this.record({ kind, key, fnName: prog.name, link, probes: globalKprobes() - before });
  }

  private fallbackMode(): KprobeFallback {
    const m = this.opts.kprobeFallback ?? process.env.TSBCC_KPROBE_FALLBACK ?? 'auto';
    if (m !== 'auto' && m !== 'force' && m !== 'never') throw new Error(`kprobeFallback (or TSBCC_KPROBE_FALLBACK) is '${m}': expected auto, force or never`);
    return m;
  }

  /** Why an attachKprobe cannot be made as fentry whatever the kernel says (undefined: it can be tried). */
  private noFentryFor(o: KprobeAttachOptions): string | undefined {
    const how = o.eventRe !== undefined ? 'a regex of functions' : o.eventOff ? 'an offset into the function' : undefined;
    return how && `fentry cannot attach to ${how}`;
  }

  /**
   * The kprobe function compiled again as fentry (kretprobe: fexit) on `target`, loaded (once)
   * and attached; recorded as the kprobe it stands for. Throws CompileError when the function uses
   * what an fentry context cannot give, the loader's error when the kernel refuses it.
   */
  private kprobeAsFentry(fnName: string, target: string, ret: boolean): Attachment {
    this.checkOpen();
    const via = ret ? 'fexit' : 'fentry';
    const cacheKey = `${fnName}@${via}:${target}`;
    let prog = this.funcs.get(cacheKey);
    if (!prog) {
      const again = this.compile(this.opts.types, undefined, { [fnName]: { target, ret } });
      const def = again.programs.find((p) => p.name === fnName);
      if (!def) throw new Error(`no function '${fnName}' in the BPF program`);
      prog = this.loadDef(def, again.btf);
      this.funcs.set(cacheKey, prog);
    }
    const link = attachTracing(prog);
    return this.record({ kind: ret ? 'kretprobe' : 'kprobe', key: target, fnName, link, probes: 1, via });
  }

  detachKprobe(event: string | { event?: string; eventRe?: RegExp | string; fnName?: string }): void {
    this.detach('kprobe', event);
  }

  detachKretprobe(event: string | { event?: string; eventRe?: RegExp | string; fnName?: string }): void {
    this.detach('kretprobe', event);
  }

  // ---- tracepoints ----------------------------------------------------------------------------

  /** Attach to a tracepoint, "category:event" (or every tracepoint matching tpRe). */
  attachTracepoint(o: { tp?: string; tpRe?: RegExp | string; fnName: string }): Attachment[] {
    if ((o.tp === undefined) === (o.tpRe === undefined)) throw new Error('attachTracepoint: give one of tp and tpRe');
    const tps = o.tp !== undefined ? [o.tp] : listTracepoints().filter((t) => new RegExp(o.tpRe!).test(t));
    if (!tps.length) throw new Error(`no tracepoint matches /${String(o.tpRe)}/`);
    const prog = this.fn(o.fnName, 'TRACEPOINT');
    return tps.map((tp) => this.record({ kind: 'tracepoint', key: tp, fnName: prog.name, link: tpAttach(prog, tp), probes: 1 }));
  }

  detachTracepoint(tp: string): void { this.detach('tracepoint', tp); }

  /** Attach to a raw tracepoint by its bare name ("sched_switch"). */
  attachRawTracepoint(o: { tp: string; fnName: string }): Attachment {
    const prog = this.fn(o.fnName, 'RAW_TRACEPOINT');
    return this.record({ kind: 'raw_tracepoint', key: o.tp, fnName: prog.name, link: rawTpAttach(prog, o.tp), probes: 1 });
  }

  detachRawTracepoint(tp: string): void { this.detach('raw_tracepoint', tp); }

  // ---- BTF-typed tracing (KFUNC_PROBE, KRETFUNC_PROBE, LSM_PROBE) ------------------------------

  /** Attach a KFUNC_PROBE (fentry) function to the kernel function it names. */
  attachKfunc(o: { fnName: string }): Attachment { return this.attachBtfTraced('kfunc', o.fnName); }
  /** Attach a KRETFUNC_PROBE (fexit) function. */
  attachKretfunc(o: { fnName: string }): Attachment { return this.attachBtfTraced('kretfunc', o.fnName); }
  /** Attach an LSM_PROBE function to its security hook. */
  attachLsm(o: { fnName: string }): Attachment { return this.attachBtfTraced('lsm', o.fnName); }
  /** Attach a KMOD_RET (fmod_ret) function: its non-zero return replaces the kernel function's result. */
  attachFmodRet(o: { fnName: string }): Attachment { return this.attachBtfTraced('kmod_ret', o.fnName); }
  detachKfunc(fnName: string): void { this.detach('kfunc', { fnName }); }
  detachFmodRet(fnName: string): void { this.detach('kmod_ret', { fnName }); }
  detachKretfunc(fnName: string): void { this.detach('kretfunc', { fnName }); }
  detachLsm(fnName: string): void { this.detach('lsm', { fnName }); }

  private attachBtfTraced(kind: 'kfunc' | 'kretfunc' | 'kmod_ret' | 'lsm', fnName: string): Attachment {
    const prog = this.loadFunc(fnName);
    const target = this.object.programs.find((p) => p.name === fnName)?.attachTo ?? fnName;
    return this.record({ kind, key: target, fnName, link: attachTracing(prog), probes: 1 });
  }

  // ---- user probes ----------------------------------------------------------------------------

  /** Attach at a function (or address) of a binary or library, in every process or one pid. */
  attachUprobe(o: UprobeAttachOptions): Attachment { return this.uprobe(o, false); }
  /** Attach at a user function's return. */
  attachUretprobe(o: UprobeAttachOptions): Attachment { return this.uprobe(o, true); }

  private uprobe(o: UprobeAttachOptions, ret: boolean): Attachment {
    const prog = this.fn(o.fnName, 'KPROBE');
    const pid = o.pid === undefined || o.pid < 0 ? undefined : o.pid;
    const before = globalUprobes();
    const link = uprobeAttach(prog, { binary: o.name, symbol: o.sym, symRe: o.symRe, address: o.addr, symOffset: o.symOff, pid, retprobe: ret });
    return this.record({ kind: ret ? 'uretprobe' : 'uprobe', key: uprobeKey(o), fnName: prog.name, link, probes: globalUprobes() - before });
  }

  detachUprobe(o: Omit<UprobeAttachOptions, 'fnName'> & { fnName?: string }): void { this.detach('uprobe', { key: uprobeKey(o), fnName: o.fnName }); }
  detachUretprobe(o: Omit<UprobeAttachOptions, 'fnName'> & { fnName?: string }): void { this.detach('uretprobe', { key: uprobeKey(o), fnName: o.fnName }); }

  private attachUsdtProbe(ctx: USDT, probe: string, fnName: string): Attachment {
    const prog = this.fn(fnName, 'KPROBE');
    const [provider, name] = splitProbe(probe);
    const before = globalUprobes();
    const link = attachUsdt(prog, { binary: ctx.path, pid: ctx.pid, provider, name });
    return this.record({ kind: 'usdt', key: `${ctx.path ?? `pid ${ctx.pid}`}:${probe}`, fnName, link, probes: globalUprobes() - before });
  }

  // ---- perf events, XDP, sockets --------------------------------------------------------------

  /** Run a PERF_EVENT function on a sampling event (every CPU, one CPU, or one process). */
  attachPerfEvent(o: PerfEventAttachOptions): Attachment {
    const prog = this.fn(o.fnName, 'PERF_EVENT');
    const link = perfEventAttach(prog, {
      type: o.evType, config: o.evConfig, samplePeriod: o.samplePeriod || undefined, sampleFreq: o.sampleFreq || undefined,
      pid: o.pid === undefined || o.pid < 0 ? undefined : o.pid, cpu: o.cpu === undefined || o.cpu < 0 ? undefined : o.cpu,
    });
    return this.record({ kind: 'perf_event', key: `${o.evType}:${o.evConfig}`, fnName: prog.name, link, probes: 1 });
  }

  detachPerfEvent(o: { evType: number; evConfig: number | bigint }): void { this.detach('perf_event', `${o.evType}:${o.evConfig}`); }

  /**
   * Attach an XDP function to a network device. `flags` takes BCC's XDP_FLAGS_SKB_MODE (2),
   * XDP_FLAGS_DRV_MODE (4) or XDP_FLAGS_HW_MODE (8); or give `mode`.
   */
  attachXdp(o: { dev: string; fn: FnRef; flags?: number; mode?: XdpMode }): Attachment {
    const prog = this.fn(o.fn, 'XDP');
    const f = o.flags ?? 0;
    const mode: XdpMode = o.mode ?? (f & 8 ? 'hw' : f & 4 ? 'drv' : f & 2 ? 'skb' : 'auto');
    return this.record({ kind: 'xdp', key: o.dev, fnName: prog.name, link: xdpAttach(prog, o.dev, { mode }), probes: 0 });
  }

  /** Remove the XDP program this object attached to `dev`. */
  removeXdp(dev: string): void { this.detach('xdp', dev); }

  /** A raw packet socket on `dev` (every device when omitted) filtered by a SOCKET_FILTER function (BCC's attach_raw_socket). */
  attachRawSocket(o: { fn: FnRef; dev?: string }): SocketFilter {
    const prog = this.fn(o.fn, 'SOCKET_FILTER');
    const link = attachSocketFilter(prog, { ifname: o.dev });
    this.record({ kind: 'raw_socket', key: o.dev ?? '*', fnName: prog.name, link, probes: 0 });
    return link;
  }

  // ---- attachments ----------------------------------------------------------------------------

  private record(a: Attachment): Attachment {
    this.attached.push(a);
    return a;
  }

  /** Everything this object has attached and not detached. */
  attachments(): readonly Attachment[] { return this.attached; }

  private detach(kind: Attachment['kind'], what: string | { event?: string; eventRe?: RegExp | string; key?: string; fnName?: string }): void {
    const q = typeof what === 'string' ? { key: what } : {
      key: what.key ?? (what.eventRe !== undefined ? `/${typeof what.eventRe === 'string' ? what.eventRe : what.eventRe.source}/` : what.event),
      fnName: what.fnName,
    };
    const hits = this.attached.filter((a) => a.kind === kind && (q.key === undefined || a.key === q.key) && (q.fnName === undefined || a.fnName === q.fnName));
    if (!hits.length) throw new Error(`no ${kind} attached to ${q.key ?? q.fnName ?? '(anything)'} by this BPF object`);
    for (const a of hits) {
      this.attached.splice(this.attached.indexOf(a), 1);
      a.link.close();
    }
  }

  private count(kinds: Attachment['kind'][]): number {
    return this.attached.filter((a) => kinds.includes(a.kind)).reduce((n, a) => n + a.probes, 0);
  }

  /** Kernel probes (kprobes and kretprobes, one per function) this object holds. */
  numOpenKprobes(): number { return this.count(['kprobe', 'kretprobe']); }
  /** User probes (uprobes, uretprobes, USDT locations) this object holds. */
  numOpenUprobes(): number { return this.count(['uprobe', 'uretprobe', 'usdt']); }
  /** Tracepoints and raw tracepoints this object is attached to. */
  numOpenTracepoints(): number { return this.count(['tracepoint', 'raw_tracepoint']); }

  // ---- tables ---------------------------------------------------------------------------------

  /** Names of the program's tables. */
  get tableNames(): string[] { return [...this.loaded.maps.keys()]; }

  /**
   * A table by name, decoded through its C types: hash/array/histogram tables as TypedTable
   * (keys and values as numbers, bigints, strings and objects), per-CPU tables as
   * PerCpuTypedTable, BPF_PERF_OUTPUT/BPF_RINGBUF_OUTPUT as BccEventTable (records typed from
   * what the program submits), BPF_STACK_TRACE as StackTraces, BPF_QUEUE/BPF_STACK as
   * TypedQueueStack; others (BPF_PROG_ARRAY, map-in-map, devmap...) as the map itself.
   * The type parameter only narrows the static type: `b.get<TypedTable<number, bigint>>('counts')`.
   */
  getTable<T extends BccTableView = BccTableView>(name: string): T {
    this.checkOpen();
    const have = this.views.get(name);
    if (have) return have as T;
    const map = this.loaded.maps.get(name);
    if (!map) {
      const near = nearestNames(name, this.tableNames);
      throw new Error(`no table '${name}' in the BPF program` + (near.length ? `; did you mean ${near.join(', ')}?` : this.tableNames.length ? ` (it has ${this.tableNames.join(', ')})` : ' (it declares none)'));
    }
    const view = this.makeView(map, this.object.tables.find((t) => t.name === name));
    this.views.set(name, view);
    return view as T;
  }

  /** getTable, as BCC's b["name"]. */
  get<T extends BccTableView = BccTableView>(name: string): T { return this.getTable<T>(name); }
  /** getTable. */
  table<T extends BccTableView = BccTableView>(name: string): T { return this.getTable<T>(name); }

  private makeView(map: BpfMap, t: BccTable | undefined): BccTableView {
    if (map instanceof PerfEventArray || map instanceof RingBufMap) {
      const ev = this.eventTypes.get(map.name) ?? (t && t.kind !== 'perf_output' && t.kind !== 'ringbuf' && t.valueType.kind !== 'void' ? t.valueType : undefined);
      const view = new BccEventTable(map, ev ? codecFor(ev) : undefined);
      view.registry = this;
      return view;
    }
    if (!t) return map;
    if (map instanceof QueueStack) return new TypedQueueStack(map, codecFor(t.valueType));
    try {
      return typedTable(map, { key: t.keyType, value: t.valueType }) as BccTableView;
    } catch (e) {
      if (e instanceof TypeError && /has no typed view/.test(e.message)) return map;
      throw e;
    }
  }

  /**
   * The record type of an output table, set by hand where the program does not show it (it never
   * calls perf_submit/ringbuf_output itself): a C type, or the name of a struct the program uses
   * ("struct data_t").
   */
  setEventType(name: string, type: CType | string): void {
    const v = this.getTable(name);
    if (!(v instanceof BccEventTable)) throw new TypeError(`table ${name} is not an output table (BPF_PERF_OUTPUT or BPF_RINGBUF_OUTPUT)`);
    let t: CType | undefined;
    if (typeof type === 'string') {
      const want = type.trim().replace(/\s+/g, ' ');
      t = this.records.get(want) ?? this.records.get(`struct ${want}`);
      if (!t) {
        const near = nearestNames(want, this.records.keys());
        throw new Error(`setEventType(${name}): the program uses no type '${type}'` + (near.length ? `; did you mean ${near.join(', ')}?` : ''));
      }
    } else {
      t = type;
    }
    v.eventCodec = codecFor(t);
  }

  /** @internal ReaderRegistry: a table opened a reader. */
  opened(r: PerfBuffer | RingBuffer, kind: 'perf' | 'ring'): void {
    if (kind === 'perf') this.perfReaders.push(r as PerfBuffer);
    else this.ringReaders.push(r as RingBuffer);
  }

  /** @internal ReaderRegistry: a record was delivered. */
  delivered(kind: 'perf' | 'ring'): void {
    this.deliveredCount[kind]++;
    for (const w of this.pollWaiters.splice(0)) w();
  }

  /**
   * Deliver the records waiting in every perf buffer opened through this object's tables
   * (BCC's perf_buffer_poll): drain them now; if none were waiting, wait up to `timeoutMs`
   * (-1: until one comes) for the next. Resolves to the number of records delivered meanwhile.
   */
  perfBufferPoll(timeoutMs = -1): Promise<number> {
    if (!this.perfReaders.length) return Promise.reject(new Error('perfBufferPoll: no perf buffer is open (call openPerfBuffer on a BPF_PERF_OUTPUT table first)'));
    return this.pollReaders('perf', () => { for (const r of this.perfReaders) r.poll(); }, timeoutMs);
  }

  /** Deliver what the perf buffers hold now, without waiting (BCC's perf_buffer_consume); returns how many. */
  perfBufferConsume(): number {
    return this.perfReaders.reduce((n, r) => n + r.poll(), 0);
  }

  /** ringBufferPoll: the same for ring buffers opened with openRingBuffer. */
  ringBufferPoll(timeoutMs = -1): Promise<number> {
    if (!this.ringReaders.length) return Promise.reject(new Error('ringBufferPoll: no ring buffer is open (call openRingBuffer on a BPF_RINGBUF_OUTPUT table first)'));
    return this.pollReaders('ring', () => { for (const r of this.ringReaders) r.poll(); }, timeoutMs);
  }

  /** Deliver what the ring buffers hold now, without waiting (BCC's ring_buffer_consume); returns how many. */
  ringBufferConsume(): number {
    return this.ringReaders.reduce((n, r) => n + r.poll(), 0);
  }

  private async pollReaders(kind: 'perf' | 'ring', drain: () => void, timeoutMs: number): Promise<number> {
    const start = this.deliveredCount[kind];
    const got = (): number => this.deliveredCount[kind] - start;
    drain();
    if (got() > 0 || timeoutMs === 0) return got();
    const deadline = timeoutMs < 0 ? Infinity : Date.now() + timeoutMs;
    // The event loop drains the readers too (on wakeups and their flush timers); between those,
    // short polls of our own keep the wait close to the records' arrival.
    while (!this._closed && got() === 0) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(t);
          const i = this.pollWaiters.indexOf(done);
          if (i >= 0) this.pollWaiters.splice(i, 1);
          resolve();
        };
        const t = setTimeout(done, Math.min(10, left));
        this.pollWaiters.push(done);
      });
      if (!this._closed) drain();
    }
    return got();
  }

  // ---- trace_pipe -----------------------------------------------------------------------------

  private tracePipe(): TraceReader {
    this.checkOpen();
    return (this.trace ??= new TraceReader());
  }

  /**
   * The next trace_pipe line as BCC's trace_fields splits it: task, pid, cpu, flags, ts, msg.
   * trace_pipe is shared by the whole machine and reading consumes: filter on your message.
   */
  async traceFields(o: TraceReadOptions = {}): Promise<TraceFields | undefined> {
    const l = await this.tracePipe().next(o);
    return l && traceFieldsOf(l);
  }

  /** The next trace_pipe line, whole (BCC's trace_readline). */
  async traceReadline(o: TraceReadOptions = {}): Promise<string | undefined> {
    return (await this.tracePipe().next(o))?.raw;
  }

  /**
   * Print trace_pipe lines until close() or `signal` (BCC's trace_print). `fmt` picks fields by
   * index as BCC's does: "{1} {5}" is pid and message (0 task, 1 pid, 2 cpu, 3 flags, 4 ts, 5 msg).
   */
  async tracePrint(o: { fmt?: string; signal?: AbortSignal; out?: { write(s: string): unknown } } = {}): Promise<void> {
    const out = o.out ?? process.stdout;
    const pipe = this.tracePipe();
    while (!this._closed && !o.signal?.aborted) {
      const l = await pipe.next({ timeoutMs: 100 });
      if (!l) continue;
      if (!o.fmt) { out.write(l.raw + '\n'); continue; }
      const f = [l.task, l.pid, l.cpu, l.flags, l.ts.toFixed(6), l.msg];
      out.write(o.fmt.replace(/\{(\d)\}/g, (m, i: string) => (Number(i) < f.length ? String(f[Number(i)]) : m)) + '\n');
    }
  }

  // ---- symbols --------------------------------------------------------------------------------

  /** A kernel address as a symbol: "vfs_read", "vfs_read+0x1f", "vfs_read [kernel]" (BCC's ksym). */
  static ksym(addr: bigint | number, showModule = false, showOffset = false): string {
    return kallsyms().ksym(addr, { showModule, showOffset });
  }
  ksym(addr: bigint | number, showModule = false, showOffset = false): string { return BPF.ksym(addr, showModule, showOffset); }

  /** A kernel symbol's address; -1n when there is none (BCC's ksymname). */
  static ksymname(name: string): bigint { return kallsyms().ksymname(name); }
  ksymname(name: string): bigint { return BPF.ksymname(name); }

  /**
   * An address in process `pid` as "function", "function+0x1a", "function [libc.so.6]" (BCC's
   * sym); a negative pid means the kernel. "[unknown]" when nothing is known.
   */
  sym(addr: bigint | number, pid: number, showModule = false, showOffset = false): string {
    this.userSyms ??= new UserSymbolizer();
    return symbolize(addr, pid, { showModule, showOffset, userSymbolizer: this.userSyms });
  }

  /** The kernel function behind a system call, as kprobes name it ("__x64_sys_clone"). */
  static getSyscallFnname(name: string): string { return syscallFnname(name); }
  getSyscallFnname(name: string): string { return syscallFnname(name); }

  /** Traceable kernel functions matching a regex (BCC's get_kprobe_functions). */
  static getKprobeFunctions(re: RegExp | string): string[] { return matchKernelFunctions(re); }

  static tracepointExists(category: string, event: string): boolean { return tracepointExists(category, event); }
  /** A library's path ("c" -> /lib/x86_64-linux-gnu/libc.so.6), as the loader would find it; undefined if none. */
  static findLibrary(name: string, pid?: number): string | undefined { return findLibrary(name, pid); }
  /** A command's path on $PATH (BCC's find_exe); undefined if none. */
  static findExe(name: string): string | undefined { return which(name); }
  static supportRawTracepoint(): boolean { return features.haveProgType('RAW_TRACEPOINT'); }
  /** Whether KFUNC_PROBE/KRETFUNC_PROBE programs can run here (BPF trampolines). */
  static supportKfunc(): boolean { return haveTrampolines(); }

  // ---- lifetime -------------------------------------------------------------------------------

  get closed(): boolean { return this._closed; }

  private checkOpen(): void {
    if (this._closed) throw new Error('this BPF object is closed');
  }

  /** Detach everything, stop the readers, close programs and tables. Safe to call twice. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    let failed: unknown;
    const attempt = (f: () => void): void => { try { f(); } catch (e) { failed ??= e; } };
    for (const a of this.attached.splice(0).reverse()) attempt(() => a.link.close());
    for (const r of [...this.perfReaders.splice(0), ...this.ringReaders.splice(0)]) attempt(() => r.close());
    for (const w of this.pollWaiters.splice(0)) w();
    attempt(() => this.trace?.close());
    for (const p of this.funcs.values()) attempt(() => p.close());
    this.funcs.clear();
    this.views.clear();
    attempt(() => this.loaded.close());
    for (const o of this.btfObjs.values()) attempt(() => o.close());
    this.btfObjs.clear();
    if (failed) throw failed;
  }

  /** BCC's cleanup(): close(). */
  cleanup(): void { this.close(); }

  [Symbol.dispose](): void { this.close(); }
}

/** BCC's fix_syscall_fnname: kprobe__sys_clone probes this kernel's wrapper, __x64_sys_clone. */
export function fixSyscallFnname(name: string): string {
  for (const p of SYSCALL_PREFIXES) if (name.startsWith(p)) return syscallFnname(name.slice(p.length));
  return name;
}

/** "provider:name" or "name". */
function splitProbe(probe: string): [string | undefined, string] {
  const i = probe.indexOf(':');
  return i >= 0 ? [probe.slice(0, i), probe.slice(i + 1)] : [undefined, probe];
}

function uprobeKey(o: { name: string; sym?: string; symRe?: RegExp | string; addr?: bigint | number; pid?: number }): string {
  const where = o.sym ?? (o.symRe !== undefined ? `/${typeof o.symRe === 'string' ? o.symRe : o.symRe.source}/` : o.addr !== undefined ? `0x${BigInt(o.addr).toString(16)}` : '?');
  return `${o.name}:${where}${o.pid !== undefined && o.pid >= 0 ? ` pid ${o.pid}` : ''}`;
}

/**
 * The one line for a kprobe this kernel cannot make: what was tried (the kprobe PMU, tracefs
 * kprobe_events, fentry) and, when the function is a system call's, the tracepoint to use.
 */
function noKprobes(fnName: string, kind: string, target: string, fentryWhy: string): string {
  const why = kprobeUnavailable('auto');
  if (!why.length) why.push('kprobes unavailable'); // (a kernel that lost them between checks)
  let hint = '';
  const sys = SYSCALL_PREFIXES.map((p) => (target.startsWith(p) ? target.slice(p.length) : undefined)).find((x) => x);
  const ev = `sys_${kind === 'kprobe' ? 'enter' : 'exit'}_${sys}`;
  if (sys && tracepointExists('syscalls', ev)) hint += `; use TRACEPOINT_PROBE(syscalls, ${ev}) instead`;
  return `${fnName}: cannot attach ${kind} to ${target}: ${[...why, fentryWhy].join(', ')}${hint}`;
}

/** Why the fentry (fexit) stand-in for a kprobe failed, as one clause of the one-line error. */
function fentryFailure(e: unknown, ret: boolean): string {
  const how = ret ? 'fexit' : 'fentry';
  if (e instanceof CompileError) {
    const first = e.diagnostics.find((d) => d.severity === 'error');
    return `${how} cannot run it (${first?.message ?? e.message.split('\n')[0]})`;
  }
  const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  if (e instanceof NotSupportedError) return `${how} refused by this kernel (${msg})`;
  return `${how} failed (${msg})`;
}
