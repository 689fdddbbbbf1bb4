// A kprobe written as fentry: where a kernel has no kprobes but has BPF trampolines, the BPF class
// compiles kprobe__X (kretprobe__X) again as an fentry (fexit) program on X. Its source is the
// same; this AST rewrite changes what its context means. The context becomes fentry's argument
// array (u64 per argument, in the kernel function's order; an fexit's return value follows the
// arguments), so the extra parameters are read from it instead of from the registers, and
// PT_REGS_RC(ctx) in a return probe is the slot after the arguments (a syscall__X function's
// arguments are read from the pt_regs the syscall wrapper gets as its only argument, as for a
// kprobe). What an fentry context cannot serve (another register, the context used as a struct
// pt_regs, bpf_override_return) is an error that names the use, which the BPF class reports as
// why the fallback failed.
import type { Diagnostics } from '../diagnostics.js';
import type { Decl, Expr, Stmt, TranslationUnit, TypeExpr } from '../parse/ast.js';
import type { Loc } from '../source.js';
import type { Btf } from '../../btf/reader.js';
import { funcSignature } from '../../btf/query.js';
import { cloneAst } from './template.js';
import { argRegisters } from './probes.js';

/** A function compiled as fentry/fexit instead of kprobe/kretprobe. */
export interface FentryFallback {
  /** The kernel function it attaches to. */
  target: string;
  /** fexit (a kretprobe's stand-in) rather than fentry. */
  ret: boolean;
}

/** Helpers that need the registers of a real kprobe. */
const PT_REGS_ONLY_HELPERS = new Set(['bpf_override_return']);

/** Argument count of a kernel function from BTF; a diagnostic when BTF lacks it. */
function argCount(btf: Btf | undefined, target: string): number | string {
  if (!btf) return 'no kernel BTF to find its arguments';
  try {
    return funcSignature(btf, target).params.length;
  } catch {
    return `no kernel function '${target}' in BTF`;
  }
}

/**
 * Rewrite each function named in `fallbacks` for an fentry/fexit context (see the file comment).
 * Runs before kprobeArguments, which then leaves these functions alone (only the context is left).
 */
export function fentryFallbacks(tu: TranslationUnit, diags: Diagnostics, fallbacks: Record<string, FentryFallback>, btf: Btf | undefined, arch: string = process.arch): void {
  // The program's own functions: passing them the context would have them read it as a pt_regs.
  const defined = new Set(tu.items.filter((i) => i.kind === 'decl' && i.body).map((i) => (i as Decl).name));
  for (const item of tu.items) {
    if (item.kind !== 'decl' || !item.body || item.type.kind !== 'func' || item.storage === 'static') continue;
    const fb = fallbacks[item.name];
    if (!fb) continue;
    const ft = item.type;
    const ctx = ft.params[0];
    const how = fb.ret ? 'fexit' : 'fentry';
    if (!ctx?.name) {
      if (ctx) diags.error('bcc-fentry-fallback', `'${item.name}' as ${how}: its context parameter needs a name`, ctx.loc);
      continue;
    }
    const n = argCount(btf, fb.target);
    if (typeof n === 'string') { diags.error('bcc-fentry-fallback', `'${item.name}' as ${how} on ${fb.target}: ${n}`, item.nameLoc); continue; }
    const extra = ft.params.slice(1);
    if (fb.ret && extra.length) {
      diags.error('bcc-kprobe-args', `'${item.name}' is a return probe: the function's arguments are gone by then (read its result with PT_REGS_RC(ctx); keep arguments from a kprobe__ in a table)`, extra[0]!.loc);
      continue;
    }
    const most = item.name.startsWith('syscall__') ? argRegisters(arch, true).length : n;
    if (extra.length > most) {
      diags.error('bcc-fentry-fallback', `'${item.name}' has ${extra.length} arguments after the context; ${fb.target} has ${most}`, extra[most]!.loc);
      continue;
    }
    const at = ctx.loc;
    const u64Ptr = (): TypeExpr => ({ kind: 'ptr', to: { kind: 'builtin', name: 'unsigned long long', quals: {}, loc: at }, quals: {}, loc: at });
    const slot = (i: number, loc: Loc): Expr => ({ kind: 'index', object: { kind: 'ident', name: ctx.name!, loc },
      index: { kind: 'int', value: BigInt(i), unsigned: false, longs: 0, decimal: true, text: String(i), loc }, loc });
    rewriteContext(item.body.body, ctx.name, item.name, how, fb.ret ? n : undefined, slot, diags, defined);
    const stmts: Stmt[] = [];
    // syscall__X: the wrapper's one argument is the syscall's pt_regs; the arguments are in it.
    const syscall = item.name.startsWith('syscall__');
    const ptRegs: TypeExpr = { kind: 'ptr', to: { kind: 'record', tag: 'struct', name: 'pt_regs', attrs: [], quals: {}, loc: at, defines: false }, quals: {}, loc: at };
    if (syscall && extra.length) {
      const d: Decl = { kind: 'decl', name: '__bcc_regs', nameLoc: at, type: ptRegs, inline: false, attrs: [], loc: at,
        init: { kind: 'cast', type: cloneAst(ptRegs), operand: slot(0, at), loc: at } };
      stmts.push({ kind: 'decl', decls: [d], loc: at });
    }
    const regs = argRegisters(arch, true);
    extra.forEach((p, i) => {
      if (!p.name) { diags.error('bcc-kprobe-args', `argument ${i + 2} of '${item.name}' needs a name`, p.loc); return; }
      const operand = syscall ? register({ kind: 'ident', name: '__bcc_regs', loc: p.loc }, regs[i] ?? 'di', p.loc) : slot(i, p.loc);
      const d: Decl = { kind: 'decl', name: p.name, nameLoc: p.loc, type: p.type, inline: false, attrs: [], loc: p.loc,
        init: { kind: 'cast', type: cloneAst(p.type), operand, loc: p.loc } };
      stmts.push({ kind: 'decl', decls: [d], loc: p.loc });
    });
    ctx.type = u64Ptr();
    ft.params = [ctx];
    item.body.body.unshift(...stmts);
  }
}

/** base->reg, or base->regs[n] for arm64's "regs[n]". */
function register(base: Expr, r: string, at: Loc): Expr {
  const m = /^(\w+)\[(\d+)\]$/.exec(r);
  if (!m) return { kind: 'member', object: base, name: r, arrow: true, nameLoc: at, loc: at };
  const arr: Expr = { kind: 'member', object: base, name: m[1]!, arrow: true, nameLoc: at, loc: at };
  return { kind: 'index', object: arr, index: { kind: 'int', value: BigInt(m[2]!), unsigned: false, longs: 0, decimal: true, text: m[2]!, loc: at }, loc: at };
}

/** Where `node` uses the context: PT_REGS_RC becomes the return slot; every other use must be a plain helper argument. */
function rewriteContext(body: Stmt[], ctx: string, fn: string, how: string, retSlot: number | undefined,
  slot: (i: number, loc: Loc) => Expr, diags: Diagnostics, ownFunctions: Set<string>): void {
  const refuse = (what: string, loc: Loc): void => {
    diags.error('bcc-fentry-fallback', `'${fn}' as ${how}: ${what}; an ${how} program's context is the function's arguments, not its registers`, loc);
  };
  const isCtx = (e: unknown): boolean => !!e && typeof e === 'object' && (e as Expr).kind === 'ident' && (e as { name: string }).name === ctx;
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = walk(node[i]);
      return node;
    }
    if (node === null || typeof node !== 'object' || (node as object).constructor !== Object) return node;
    const o = node as Record<string, unknown> & { kind?: string };
    if (o.kind === 'member' && (o as { arrow: boolean }).arrow && isCtx(o.object)) {
      const name = o.name as string;
      if (retSlot !== undefined && name === 'ax') return slot(retSlot, o.loc as Loc);
      refuse(`it reads register '${name}' of the context (${name === 'ax' ? 'PT_REGS_RC outside a return probe' : 'PT_REGS_* or ctx->reg'})`, o.loc as Loc);
      return slot(0, o.loc as Loc); // one error, not another for the member access

    }
    if (o.kind === 'call') {
      const callee = o.callee as Expr;
      const name = callee.kind === 'ident' ? callee.name : undefined;
      const args = o.args as Expr[];
      args.forEach((a, i) => {
        if (!isCtx(a)) { args[i] = walk(a) as Expr; return; }
        if (name && PT_REGS_ONLY_HELPERS.has(name)) refuse(`it passes the context to ${name}, which needs a kprobe's registers`, a.loc);
        else if (name && ownFunctions.has(name)) refuse(`it passes the context to its own function '${name}', which would read it as a struct pt_regs`, a.loc);
      });
      o.callee = walk(o.callee);
      return node;
    }
    if (isCtx(o)) {
      refuse(`it uses the context '${ctx}' as a struct pt_regs`, o.loc as Loc);
      return node;
    }
    for (const k of Object.keys(o)) {
      if (k === 'loc' || k === 'nameLoc' || k === 'end' || k === 'ty' || k === 'sym') continue;
      o[k] = walk(o[k]);
    }
    return node;
  };
  walk(body);
}
