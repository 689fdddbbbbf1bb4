// Kernel probes: a KPROBE-type program run at a kernel function's entry (kprobe, optionally at an
// offset) or return (kretprobe). Through the perf kprobe PMU (fd-based, nothing to clean up), else
// tracefs kprobe_events (unique names, removed on close and at exit). `eventRe` attaches to every
// traceable function matching a regex; attachKprobeMulti makes one kprobe_multi link for many.
import { readFileSync } from 'node:fs';
import { bpf, native, explain, isErrno, NotSupportedError, kallsyms, AttachType, ProgType, tracefsPath } from '../sys/index.js';
import { nearestNames } from '../util/names.js';
import { Link } from './link.js';
import type { Attachable } from './tracepoint.js';
import { probePmu, openPmuProbe, bindProgram, pmuDir } from './probe_pmu.js';
import { createProbeEvent, haveProbeEvents, uniqueEventName, attachProbeGroup, PROBE_GROUP } from './probe_events.js';
import type { ProbeMechanism } from './uprobe.js';

export interface KprobeOptions {
  /** Bytes into the function (kprobe only). */
  offset?: number;
  /** kretprobe: how many calls may be in flight at once (tracefs "r<N>:"; the PMU uses the kernel default). */
  maxactive?: number;
  /** Attach to every traceable kernel function whose name matches (then `fn` is ignored and may be ""). */
  eventRe?: RegExp | string;
  /** 'auto' (default): the kprobe PMU, else tracefs. */
  mechanism?: ProbeMechanism;
  /** bpf_get_attach_cookie() value (bpf_link only). */
  cookie?: bigint;
}

const open = { n: 0 };
/** How many kprobe/kretprobe attachments (one per function) are open in this process. */
export const numOpenKprobes = (): number => open.n;

/** Thrown for a function that is not in the kernel; names near matches. */
export class KernelFunctionNotFoundError extends Error {
  override readonly name = 'KernelFunctionNotFoundError';
}

function textSymbol(name: string): boolean {
  const s = kallsyms().lookup(name);
  return !!s && /^[tTwW]$/.test(s.type);
}

function checkFunction(fn: string): void {
  if (textSymbol(fn)) return;
  const near = nearestNames(fn, kallsyms().namesOfType('tTwW'));
  throw new KernelFunctionNotFoundError(`no kernel function '${fn}' (not in /proc/kallsyms)` +
    (near.length ? `; did you mean ${near.join(', ')}?` : ''));
}

let blacklist: Set<string> | undefined;
/** Functions the kernel refuses to probe (debugfs kprobes/blacklist), when readable. */
export function kprobeBlacklist(): Set<string> {
  if (blacklist) return blacklist;
  blacklist = new Set();
  try {
    for (const line of readFileSync('/sys/kernel/debug/kprobes/blacklist', 'latin1').split('\n')) {
      const name = line.trim().split(/\s+/)[1];
      if (name) blacklist.add(name);
    }
  } catch { /* debugfs not mounted: the kernel still refuses them, one by one */ }
  return blacklist;
}

/**
 * Traceable kernel functions matching `re`: from tracefs available_filter_functions when readable
 * (only those can be probed reliably), else kallsyms text symbols; minus the kprobe blacklist and
 * compiler-generated local copies that cannot be named (".cold", ".part.N" pieces are kept out).
 */
export function matchKernelFunctions(re: RegExp | string): string[] {
  const r = typeof re === 'string' ? new RegExp(re) : re;
  let names: Iterable<string>;
  try {
    names = readFileSync(tracefsPath('available_filter_functions'), 'latin1').split('\n').map((l) => l.split(/\s/)[0]!);
  } catch {
    const ks = kallsyms(), list: string[] = [];
    for (const n of ks.names()) if (/^[tTwW]$/.test(ks.lookup(n)!.type)) list.push(n);
    names = list;
  }
  const bl = kprobeBlacklist(), out = new Set<string>();
  for (const n of names) {
    if (!n || n.includes('.cold') || bl.has(n) || /^(__kprobes_text|_text|_etext)/.test(n)) continue;
    if (r.test(n)) out.add(n);
  }
  return [...out];
}

/**
 * Why kernel probes cannot be made here, one reason per mechanism ("no kprobe PMU (...)", "no
 * tracefs kprobe_events (...)"); empty when one exists.
 */
export function kprobeUnavailable(mech: ProbeMechanism = 'auto'): string[] { return unavailable(mech); }

/** Whether this kernel can make kprobes at all (the perf kprobe PMU or tracefs kprobe_events). */
export const haveKprobes = (): boolean => unavailable('auto').length < 2;

function unavailable(mech: ProbeMechanism): string[] {
  const why: string[] = [];
  if (mech !== 'tracefs' && !probePmu('kprobe')) why.push(`no kprobe PMU (${pmuDir('kprobe')} missing)`);
  if (mech !== 'pmu' && !haveProbeEvents('kprobe_events')) {
    why.push(`no tracefs kprobe_events (kernel built without ${textSymbol('register_kprobe') ? 'CONFIG_KPROBE_EVENTS' : 'CONFIG_KPROBES'})`);
  }
  return why;
}

function attachOne(prog: Attachable, fn: string, retprobe: boolean, o: KprobeOptions): { fds: number[]; remove?: () => void; event?: string } {
  const kind = retprobe ? 'kretprobe' : 'kprobe';
  const mech = o.mechanism ?? 'auto';
  const target = o.offset ? `${fn}+${o.offset}` : fn;
  const pmu = mech !== 'tracefs' ? probePmu('kprobe') : undefined;
  if (pmu) {
    let pfd: number;
    try {
      pfd = openPmuProbe(pmu, { retprobe, target: fn, offset: BigInt(o.offset ?? 0) });
    } catch (e) {
      throw openError(e, kind, target);
    }
    return { fds: bindProgram(prog, pfd, `${kind} ${target}`, o.cookie) };
  }
  const name = uniqueEventName(retprobe, fn);
  const head = retprobe ? `r${o.maxactive ? o.maxactive : ''}` : 'p';
  let ev;
  try {
    ev = createProbeEvent('kprobe_events', name, `${head}:${PROBE_GROUP}/${name} ${target}`);
  } catch (e) {
    throw openError(e, kind, target);
  }
  try {
    return { fds: bindProgram(prog, ev.pfd, `${kind} ${target}`, o.cookie), remove: ev.remove, event: ev.name };
  } catch (e) {
    ev.remove();
    throw e;
  }
}

function openError(e: unknown, kind: string, target: string): Error {
  if (isErrno(e, 'ENOENT', 'EINVAL', 'EILSEQ')) return explain(e, `cannot attach ${kind} to ${target} (blacklisted, inlined, notrace or a bad offset)`);
  return explain(e, `attaching ${kind} to ${target}`);
}

function attach(prog: Attachable, fn: string, retprobe: boolean, o: KprobeOptions): Link {
  const kind = retprobe ? 'kretprobe' : 'kprobe';
  const fns = o.eventRe !== undefined ? matchKernelFunctions(o.eventRe) : [fn];
  if (o.eventRe === undefined) checkFunction(fn);
  else if (!fns.length) throw new KernelFunctionNotFoundError(`no traceable kernel function matches /${typeof o.eventRe === 'string' ? o.eventRe : o.eventRe.source}/`);
  const label = o.eventRe !== undefined ? `/${typeof o.eventRe === 'string' ? o.eventRe : o.eventRe.source}/` : fn;
  const why = unavailable(o.mechanism ?? 'auto');
  const mechs = o.mechanism === 'pmu' ? 1 : o.mechanism === 'tracefs' ? 1 : 2;
  if (why.length === mechs) throw new NotSupportedError(`cannot attach ${kind} to ${label}: ${why.join(' and ')}`);
  return attachProbeGroup(fns, (f) => attachOne(prog, f, retprobe, o), {
    kind, file: 'kprobe_events', counter: open,
    label: (done) => (done.length === 1 ? done[0]! : `${label} (${done.length} functions)`),
    // With a regex, functions the kernel refuses one by one are skipped, as BCC does.
    skip: (e) => o.eventRe !== undefined && fns.length > 1 && isErrno(e),
    none: () => new Error(`cannot attach ${kind} to any of the ${fns.length} functions matching ${label}`),
  });
}

/** Attach a KPROBE-type program at a kernel function's entry (or `offset` bytes in). */
export function attachKprobe(prog: Attachable, fn: string, o: KprobeOptions = {}): Link {
  return attach(prog, fn, false, o);
}

/** Attach a KPROBE-type program to a kernel function's return (PT_REGS_RC(ctx) is its result). */
export function attachKretprobe(prog: Attachable, fn: string, o: Omit<KprobeOptions, 'offset'> = {}): Link {
  return attach(prog, fn, true, o);
}

let syscallPrefix: string | undefined;
/**
 * The kernel function behind a system call, as kprobes must name it: `__x64_sys_<name>` on x86_64
 * kernels with syscall wrappers, `__arm64_sys_`, `__se_sys_` or plain `sys_` elsewhere (BCC's
 * get_syscall_fnname). The prefix is found once from kallsyms.
 */
export function getSyscallFnname(name: string): string {
  if (syscallPrefix === undefined) {
    const candidates = ['__x64_sys_', '__arm64_sys_', '__s390x_sys_', '__riscv_sys_', '__se_sys_', '__ia32_sys_', 'sys_'];
    syscallPrefix = candidates.find((p) => textSymbol(`${p}bpf`) || textSymbol(`${p}getpid`)) ?? 'sys_';
  }
  return `${syscallPrefix}${name}`;
}

// --- kprobe_multi (kernel 5.18+): one link for many functions ------------------------------------

const BPF_LINK_CREATE = 28;
const BPF_F_KPROBE_MULTI_RETURN = 1;
let multiOk: boolean | undefined;

/**
 * Does this kernel have kprobe_multi links (5.18+, built with CONFIG_FPROBE)? A real attempt: a
 * program loaded for them, linked to zero functions — EINVAL from a kernel that has them (it checks
 * the count), EOPNOTSUPP from one built without fprobe, a load failure from one that predates them.
 */
export function haveKprobeMulti(): boolean {
  if (multiOk !== undefined) return multiOk;
  let prog: number;
  try {
    prog = bpf.progLoad({ type: ProgType.KPROBE, insns: Buffer.from('b7000000000000009500000000000000', 'hex'), license: 'GPL',
      expectedAttachType: AttachType.TRACE_KPROBE_MULTI });
  } catch {
    return (multiOk = false);
  }
  try {
    const attr = Buffer.alloc(64);
    attr.writeUInt32LE(prog, 0);
    attr.writeUInt32LE(AttachType.TRACE_KPROBE_MULTI, 8);
    native.close(native.bpf(BPF_LINK_CREATE, attr));
    multiOk = true;
  } catch (e) {
    multiOk = isErrno(e, 'EINVAL');
  } finally {
    native.close(prog);
  }
  return multiOk;
}

/**
 * Attach a program loaded with expectedAttachType TRACE_KPROBE_MULTI to many functions with one
 * kprobe_multi link (much faster than one kprobe each). `fns` are names or a regex.
 */
export function attachKprobeMulti(prog: Attachable, fns: string[] | RegExp, o: { retprobe?: boolean; cookies?: bigint[] } = {}): Link {
  const kind = o.retprobe ? 'kretprobe_multi' : 'kprobe_multi';
  const names = Array.isArray(fns) ? fns : matchKernelFunctions(fns);
  if (Array.isArray(fns)) for (const f of fns) checkFunction(f);
  if (!names.length) throw new KernelFunctionNotFoundError(`no traceable kernel function matches ${String(fns)}`);
  if (!haveKprobeMulti()) throw new NotSupportedError(`cannot attach ${kind}: this kernel has no kprobe_multi links (needs 5.18+ built with CONFIG_FPROBE)`);
  const strs = names.map((n) => Buffer.from(`${n}\0`, 'latin1'));
  const ptrs = Buffer.alloc(8 * names.length);
  strs.forEach((s, i) => ptrs.writeBigUInt64LE(native.addressOf(s), 8 * i));
  const cookies = o.cookies ? Buffer.alloc(8 * names.length) : undefined;
  o.cookies?.forEach((c, i) => cookies!.writeBigUInt64LE(c, 8 * i));
  const attr = Buffer.alloc(64);
  attr.writeUInt32LE(prog.fd, 0);
  attr.writeUInt32LE(AttachType.TRACE_KPROBE_MULTI, 8);
  attr.writeUInt32LE(o.retprobe ? BPF_F_KPROBE_MULTI_RETURN : 0, 16);
  attr.writeUInt32LE(names.length, 20);
  attr.writeBigUInt64LE(native.addressOf(ptrs), 24);
  if (cookies) attr.writeBigUInt64LE(native.addressOf(cookies), 40);
  let fd: number;
  try {
    fd = native.bpf(BPF_LINK_CREATE, attr);
  } catch (e) {
    throw explain(e, `attaching ${kind} to ${names.length} functions`);
  } finally {
    strs.length = 0; // the strings stayed referenced through the call
  }
  open.n += names.length;
  let counted = names.length;
  return new Link(kind, names.length === 1 ? names[0]! : `${names.length} functions`, [fd], () => { open.n -= counted; counted = 0; });
}
