// BCC's programs: every non-static function of the program is one. Its type and attach point come
// from its name (kprobe__vfs_read, tracepoint__sched__sched_switch, syscall__execve, ...), else
// from its first parameter's type (struct pt_regs * is a kprobe, struct xdp_md * is XDP, ...), and
// can be set per function. A kprobe's extra parameters are the probed function's arguments, read
// from the registers (kprobe__vfs_read(struct pt_regs *ctx, struct file *file, ...)): that is an
// AST rewrite before checking (kprobeArguments).
import type { Sym } from '../check/scope.js';
import type { Diagnostics } from '../diagnostics.js';
import type { Decl, Expr, Stmt, TranslationUnit, TypeExpr } from '../parse/ast.js';
import { isPointer, isRecord, type FuncT } from '../check/types.js';
import type { ProgTypeName, AttachTypeName } from '../../sys/uapi.js';
import { ProgType } from '../../sys/uapi.js';
import { cloneAst } from './template.js';
import type { FentryFallback } from './fentry_fallback.js';

/** Where a program attaches, as the BPF class needs to attach it by itself. */
export interface BccAttach {
  kind: 'kprobe' | 'kretprobe' | 'tracepoint' | 'raw_tracepoint' | 'fentry' | 'fexit' | 'fmod_ret' | 'lsm';
  /** Function name, `category:event` for tracepoints, event name for raw tracepoints. */
  target: string;
}

/** One program of a BCC source. */
export interface BccProgramKind {
  section: string;
  type: ProgTypeName;
  attach?: AttachTypeName;
  target?: string;
  /** Where it attaches by itself; absent for programs the user attaches (uprobes, XDP, sockets...). */
  auto?: BccAttach;
}

/** The kernel's syscall wrapper prefix (what `syscall__execve` probes: __x64_sys_execve). */
export function syscallPrefix(arch: string = process.arch): string {
  return arch === 'arm64' ? '__arm64_sys_' : arch === 'x64' ? '__x64_sys_' : 'sys_';
}

/** First-parameter types that say what a program is. */
const BY_CONTEXT: Record<string, ProgTypeName> = {
  pt_regs: 'KPROBE', bpf_perf_event_data: 'PERF_EVENT', __sk_buff: 'SOCKET_FILTER', xdp_md: 'XDP',
  bpf_sock_ops: 'SOCK_OPS', sk_msg_md: 'SK_MSG', bpf_raw_tracepoint_args: 'RAW_TRACEPOINT', bpf_sock_addr: 'CGROUP_SOCK_ADDR',
  bpf_sock: 'CGROUP_SOCK', bpf_sysctl: 'CGROUP_SYSCTL', bpf_sockopt: 'CGROUP_SOCKOPT', sk_reuseport_md: 'SK_REUSEPORT',
  bpf_cgroup_dev_ctx: 'CGROUP_DEVICE', bpf_sk_lookup: 'SK_LOOKUP', user_pt_regs: 'KPROBE',
};

/** Names accepted in `types: {fn: kind}` besides the uapi's program type names. */
const KIND_NAMES: Record<string, ProgTypeName> = {
  kprobe: 'KPROBE', kretprobe: 'KPROBE', uprobe: 'KPROBE', uretprobe: 'KPROBE', tracepoint: 'TRACEPOINT',
  raw_tracepoint: 'RAW_TRACEPOINT', perf_event: 'PERF_EVENT', socket_filter: 'SOCKET_FILTER', socket: 'SOCKET_FILTER',
  xdp: 'XDP', sched_cls: 'SCHED_CLS', tc: 'SCHED_CLS', sched_act: 'SCHED_ACT', sockops: 'SOCK_OPS', sock_ops: 'SOCK_OPS',
  sk_msg: 'SK_MSG', sk_skb: 'SK_SKB', cgroup_skb: 'CGROUP_SKB', cgroup_sock: 'CGROUP_SOCK', cgroup_sock_addr: 'CGROUP_SOCK_ADDR',
  cgroup_device: 'CGROUP_DEVICE', cgroup_sysctl: 'CGROUP_SYSCTL', cgroup_sockopt: 'CGROUP_SOCKOPT', lsm: 'LSM',
  fentry: 'TRACING', fexit: 'TRACING', tracing: 'TRACING', sk_lookup: 'SK_LOOKUP', flow_dissector: 'FLOW_DISSECTOR',
};

/** A user's program type name ('kprobe', 'xdp', 'SCHED_CLS') as the uapi's, or undefined. */
export function progTypeByName(kind: string): ProgTypeName | undefined {
  const k = KIND_NAMES[kind.toLowerCase()];
  if (k) return k;
  const up = kind.toUpperCase();
  return up in ProgType && up !== 'UNSPEC' ? (up as ProgTypeName) : undefined;
}

const SECTION_OF: Partial<Record<ProgTypeName, string>> = {
  KPROBE: 'kprobe', PERF_EVENT: 'perf_event', SOCKET_FILTER: 'socket', XDP: 'xdp', SOCK_OPS: 'sockops', SK_MSG: 'sk_msg',
  RAW_TRACEPOINT: 'raw_tracepoint', CGROUP_SOCK_ADDR: 'cgroup/sock_addr', CGROUP_SOCK: 'cgroup/sock', CGROUP_SYSCTL: 'cgroup/sysctl',
  CGROUP_SOCKOPT: 'cgroup/sockopt', SK_REUSEPORT: 'sk_reuseport', CGROUP_DEVICE: 'cgroup/dev', SK_LOOKUP: 'sk_lookup',
  SCHED_CLS: 'tc', SCHED_ACT: 'action', CGROUP_SKB: 'cgroup_skb', SK_SKB: 'sk_skb', TRACEPOINT: 'tracepoint', LSM: 'lsm', TRACING: 'tracing',
};

/** The program a function is, from its name, an explicit type, or its first parameter. */
export function programKind(fn: Sym, opts: { types?: Record<string, string>; arch?: string; asFentry?: Record<string, FentryFallback> }, diags: Diagnostics): BccProgramKind | undefined {
  let written = fn.loc;
  while (written.expansion) written = written.expansion;
  if (fn.storage === 'static' || fn.storage === 'extern' || !fn.defined || (written.file.id !== 0 && written.file.name.startsWith('<'))) return undefined;
  const name = fn.name;
  const fb = opts.asFentry?.[name];
  if (fb) {
    const kind = fb.ret ? 'fexit' : 'fentry';
    return { section: `${kind}/${fb.target}`, type: 'TRACING', attach: fb.ret ? 'TRACE_FEXIT' : 'TRACE_FENTRY', target: fb.target, auto: { kind, target: fb.target } };
  }
  const byName = programByName(name, opts.arch);
  const explicit = opts.types?.[name];
  if (explicit !== undefined) {
    const type = progTypeByName(explicit);
    if (!type) {
      diags.error('bcc-program-type', `unknown program type '${explicit}' for '${name}' (expected kprobe, tracepoint, raw_tracepoint, perf_event, xdp, socket_filter, sched_cls, ...)`, fn.loc);
      return undefined;
    }
    if (byName && byName.type === type) return byName;
    const lower = explicit.toLowerCase();
    const attach: AttachTypeName | undefined = lower === 'fexit' ? 'TRACE_FEXIT' : type === 'TRACING' ? 'TRACE_FENTRY' : type === 'LSM' ? 'LSM_MAC' : undefined;
    return { section: `${SECTION_OF[type] ?? lower}/${name}`, type, attach };
  }
  if (byName) return byName;
  const f = fn.type.type as FuncT;
  const first = f.params[0]?.type.type;
  if (first && isPointer(first) && isRecord(first.to.type) && first.to.type.name) {
    const type = BY_CONTEXT[first.to.type.name];
    if (type) return { section: SECTION_OF[type] ?? type.toLowerCase(), type };
  }
  return undefined;
}

function programByName(name: string, arch?: string): BccProgramKind | undefined {
  const parts = name.split('__');
  const prefix = parts[0]!, rest = parts.slice(1).join('__');
  if (parts.length < 2 || !rest) return undefined;
  switch (prefix) {
    case 'kprobe': return { section: `kprobe/${rest}`, type: 'KPROBE', target: rest, auto: { kind: 'kprobe', target: rest } };
    case 'kretprobe': return { section: `kretprobe/${rest}`, type: 'KPROBE', target: rest, auto: { kind: 'kretprobe', target: rest } };
    case 'syscall': {
      const target = syscallPrefix(arch) + rest;
      return { section: `kprobe/${target}`, type: 'KPROBE', target, auto: { kind: 'kprobe', target } };
    }
    case 'tracepoint': {
      if (parts.length < 3) return undefined;
      const target = `${parts[1]}:${parts.slice(2).join('__')}`;
      return { section: `tracepoint/${target.replace(':', '/')}`, type: 'TRACEPOINT', target, auto: { kind: 'tracepoint', target } };
    }
    case 'raw_tracepoint':
      return { section: `raw_tracepoint/${rest}`, type: 'RAW_TRACEPOINT', target: rest, auto: { kind: 'raw_tracepoint', target: rest } };
    case 'kfunc': case 'kretfunc': case 'kmod_ret': {
      // KFUNC_PROBE names kfunc__vmlinux__<fn>; a module's functions are kfunc__<module>__<fn>.
      const target = parts.length > 2 ? parts.slice(2).join('__') : rest;
      const kind = prefix === 'kfunc' ? 'fentry' : prefix === 'kretfunc' ? 'fexit' : 'fmod_ret';
      const attach: AttachTypeName = kind === 'fentry' ? 'TRACE_FENTRY' : kind === 'fexit' ? 'TRACE_FEXIT' : 'MODIFY_RETURN';
      return { section: `${kind}/${target}`, type: 'TRACING', attach, target, auto: { kind, target } };
    }
    case 'lsm': return { section: `lsm/${rest}`, type: 'LSM', attach: 'LSM_MAC', target: rest, auto: { kind: 'lsm', target: rest } };
  }
  return undefined;
}

/** Argument registers, in order: a function's (kprobe) and a syscall's (inside the wrapper's pt_regs). */
export function argRegisters(arch: string, syscall: boolean): string[] {
  if (arch === 'arm64') return ['regs[0]', 'regs[1]', 'regs[2]', 'regs[3]', 'regs[4]', 'regs[5]'];
  return syscall ? ['di', 'si', 'dx', 'r10', 'r8', 'r9'] : ['di', 'si', 'dx', 'cx', 'r8', 'r9'];
}

const isPtRegs = (t: TypeExpr): boolean => t.kind === 'ptr' && t.to.kind === 'record' && t.to.name === 'pt_regs';

/**
 * kprobe__vfs_read(struct pt_regs *ctx, struct file *file, char *buf, size_t count): the function
 * keeps only ctx and begins by reading the others from the registers; for syscall__ probes the
 * registers are the syscall's, in the pt_regs the wrapper gets as its first argument.
 */
export function kprobeArguments(tu: TranslationUnit, diags: Diagnostics, opts: { types?: Record<string, string>; arch?: string; asFentry?: Record<string, FentryFallback> }): void {
  const arch = opts.arch ?? process.arch;
  for (const item of tu.items) {
    if (item.kind !== 'decl' || !item.body || item.type.kind !== 'func' || item.storage === 'static') continue;
    const ft = item.type;
    if (ft.params.length < 2 || opts.asFentry?.[item.name]) continue;
    const explicit = opts.types?.[item.name];
    const prefix = item.name.split('__')[0];
    if (prefix === 'kretprobe' && explicit === undefined) {
      diags.error('bcc-kprobe-args', `'${item.name}' is a return probe: the function's arguments are gone by then (read its result with PT_REGS_RC(ctx); keep arguments from a kprobe__ in a table)`, ft.params[1]!.loc);
      continue;
    }
    const kprobe = explicit !== undefined
      ? ['kprobe', 'uprobe', 'KPROBE'].includes(explicit)
      : prefix === 'kprobe' || prefix === 'syscall' || (isPtRegs(ft.params[0]!.type) && !['kretprobe', 'tracepoint', 'raw_tracepoint'].includes(prefix!));
    if (!kprobe) continue;
    const ctx = ft.params[0]!;
    if (!ctx.name) { diags.error('bcc-kprobe-args', `the first parameter of '${item.name}' (the context) needs a name`, ctx.loc); continue; }
    const regs = argRegisters(arch, prefix === 'syscall');
    const extra = ft.params.slice(1);
    if (extra.length > regs.length) {
      diags.error('bcc-kprobe-args', `'${item.name}' has ${extra.length} arguments after the context; a kprobe can read ${regs.length} from registers`, extra[regs.length]!.loc);
      continue;
    }
    const at = ctx.loc;
    const ident = (name: string): Expr => ({ kind: 'ident', name, loc: at });
    const ptRegs: TypeExpr = { kind: 'ptr', to: { kind: 'record', tag: 'struct', name: 'pt_regs', attrs: [], quals: {}, loc: at, defines: false }, quals: {}, loc: at };
    const reg = (base: Expr, r: string): Expr => {
      const m = /^(\w+)\[(\d+)\]$/.exec(r);
      if (m) {
        const arr: Expr = { kind: 'member', object: base, name: m[1]!, arrow: true, nameLoc: at, loc: at };
        return { kind: 'index', object: arr, index: { kind: 'int', value: BigInt(m[2]!), unsigned: false, longs: 0, decimal: true, text: m[2]!, loc: at }, loc: at };
      }
      return { kind: 'member', object: base, name: r, arrow: true, nameLoc: at, loc: at };
    };
    const stmts: Stmt[] = [];
    const syscall = prefix === 'syscall';
    const ctxName = ctx.name;
    const base = (): Expr => ident(syscall ? '__bcc_regs' : ctxName);
    if (syscall) {
      // struct pt_regs *__bcc_regs = (struct pt_regs *)PT_REGS_PARM1(ctx);
      const d: Decl = { kind: 'decl', name: '__bcc_regs', nameLoc: at, type: ptRegs, inline: false, attrs: [], loc: at,
        init: { kind: 'cast', type: cloneAst(ptRegs), operand: reg(ident(ctx.name), argRegisters(arch, false)[0]!), loc: at } };
      stmts.push({ kind: 'decl', decls: [d], loc: at });
    }
    extra.forEach((p, i) => {
      if (!p.name) { diags.error('bcc-kprobe-args', `argument ${i + 2} of '${item.name}' needs a name`, p.loc); return; }
      const init: Expr = { kind: 'cast', type: cloneAst(p.type), operand: reg(base(), regs[i]!), loc: p.loc };
      const d: Decl = { kind: 'decl', name: p.name, nameLoc: p.loc, type: p.type, inline: false, attrs: [], loc: p.loc, init };
      stmts.push({ kind: 'decl', decls: [d], loc: p.loc });
    });
    ft.params = [ctx];
    item.body.body.unshift(...stmts);
  }
}
