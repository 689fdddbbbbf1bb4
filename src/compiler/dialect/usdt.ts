// bpf_usdt_readarg(n, ctx, &v) and bpf_usdt_readarg_p(n, ctx, buf, len) as BCC has them: code
// specialized to the argument specs of the USDT probe the function is attached to. BCC generates,
// per probe function and argument, `_bpf_readarg_<fn>_<n>(ctx, dest, len)` which returns -1 (and
// writes nothing) unless len is the size of the argument's C type (int8_t .. uint64_t), else stores
// the value and returns 0; readarg_p reads an 8-byte argument as a user address and copies len bytes
// from there. Here the same C is written straight into the call site from the spec:
//   reg   — a load of the pt_regs member (>> 8 for %ah..%dh), cast to the argument's type;
//   mem   — bpf_probe_read_user of the argument's size at reg + displacement [+ index * scale];
//   const — the constant.
// When every location of the probe keeps argument n in the same place, that one read is all; when
// they differ, the code picks the location by the instruction pointer (PT_REGS_IP(ctx)), as BCC's
// does, which needs each location's run-time address (UsdtContextSpec.addresses; usdtContextFor).
// The value's type is then the widest of the locations' types, as in BCC.
import type { Expr } from '../parse/ast.js';
import type { RewriteEnv } from '../check/checker.js';
import { isPointer, isArray, isInteger, isVoid, sizeOf, describeType } from '../check/types.js';
import { PT_REGS_X86_64, type UsdtArgSpec } from '../../attach/usdt_args.js';
import { expressionFrom } from './template.js';

/** A USDT probe a function is attached to: the argument specs of each of its locations. */
export interface UsdtContextSpec {
  /** "provider:name", for messages. */
  probe?: string;
  /** One entry per location (call site) of the probe: its arguments' specs. */
  locations: UsdtArgSpec[][];
  /** Each location's address in the traced process (PT_REGS_IP at the probe), when known. */
  addresses?: bigint[];
}

/** compileBcc's usdt option: by C function name, the probe's specs (bare, or with the probe's name). */
export type UsdtSpecs = Record<string, UsdtArgSpec[][] | UsdtContextSpec>;

/** The struct the generated code reads registers through: x86_64 struct pt_regs by offset (in the prelude). */
export const USDT_REGS_STRUCT = '__bcc_usdt_regs';

const FIELD_AT = new Map(Object.entries(PT_REGS_X86_64).map(([name, off]) => [off, name]));

/** `struct __bcc_usdt_regs { ... }`: one u64 member per pt_regs slot, named by register. */
export function usdtRegsStructC(): string {
  const fields = [...FIELD_AT.entries()].sort((a, b) => a[0] - b[0]);
  let at = 0;
  const lines = fields.map(([off, name]) => {
    if (off !== at) throw new Error(`pt_regs layout has a hole at ${at}`);
    at += 8;
    return `  unsigned long long ${name};`;
  });
  return `struct ${USDT_REGS_STRUCT} {\n${lines.join('\n')}\n};`;
}

/** The C integer type of an argument: int8_t .. uint64_t, as BCC names it. */
export function usdtArgCType(a: UsdtArgSpec): string {
  return `${a.signed ? '' : 'u'}int${a.size * 8}_t`;
}

/** A spec's identity (what must match across locations). */
function specKey(a: UsdtArgSpec): string {
  return JSON.stringify([a.size, a.signed, a.kind, a.reg?.offset, a.reg?.shift, a.displacement ?? 0, a.index?.offset, a.scale, a.constant?.toString()]);
}

function poison(e: Expr): Expr {
  return { kind: 'int', value: 0n, unsigned: false, longs: 0, decimal: true, text: '0', loc: e.loc };
}

/** C statements that leave argument `a` in `__bcc_val` (declared by the caller, type T: a's own or wider). */
function readInto(a: UsdtArgSpec, T: string): string {
  const reg = (r: { offset: number }) => `__bcc_regs->${FIELD_AT.get(r.offset)!}`;
  const own = usdtArgCType(a);
  switch (a.kind) {
    case 'const':
      return `__bcc_val = (${T})(${own})0x${BigInt.asUintN(64, a.constant!).toString(16)}ULL;`;
    case 'reg':
      return `__bcc_val = (${T})(${own})(${reg(a.reg!)}${a.reg!.shift ? ` >> ${a.reg!.shift}` : ''});`;
    case 'mem': {
      const d = a.displacement ?? 0;
      const index = a.index ? ` + ${reg(a.index)} * ${a.scale ?? 1}` : '';
      return `{ u64 __bcc_addr = ${reg(a.reg!)} ${d < 0 ? '-' : '+'} ${Math.abs(d)}${index}; ${own} __bcc_mem = 0; ` +
        `bpf_probe_read_user(&__bcc_mem, sizeof(__bcc_mem), (void *)__bcc_addr); __bcc_val = (${T})__bcc_mem; }`;
    }
  }
}

/**
 * The C that reads argument n into `__bcc_val` and sets `__bcc_ok`: one read when every location
 * has the same spec, else a test of the instruction pointer per location (no match: not ok).
 */
function readArg(specs: UsdtArgSpec[], addresses: bigint[] | undefined, T: string): string {
  const head = `struct ${USDT_REGS_STRUCT} *__bcc_regs = (struct ${USDT_REGS_STRUCT} *)(__C); ${T} __bcc_val = 0; int __bcc_ok = 1;`;
  const first = specs[0]!;
  if (specs.every((x) => specKey(x) === specKey(first))) return `${head} ${readInto(first, T)}`;
  const arms = specs.map((x, i) => `if (__bcc_ip == 0x${addresses![i]!.toString(16)}ULL) { ${readInto(x, T)} }`);
  return `${head} u64 __bcc_ip = __bcc_regs->rip; ${arms.join(' else ')} else __bcc_ok = 0;`;
}

/** BCC's largest_arg_type: the type of the widest argument over the locations (the first of that width). */
function widest(specs: UsdtArgSpec[]): UsdtArgSpec {
  return specs.reduce((w, x) => (x.size > w.size ? x : w));
}

/** The checker's rewrite of bpf_usdt_readarg / bpf_usdt_readarg_p calls. */
export function rewriteUsdtCall(e: Expr & { kind: 'call' }, name: string, env: RewriteEnv, usdt: UsdtSpecs | undefined): Expr {
  const isP = name === 'bpf_usdt_readarg_p';
  const sig = isP ? 'bpf_usdt_readarg_p(n, ctx, buf, len)' : 'bpf_usdt_readarg(n, ctx, &v)';
  const want = isP ? 4 : 3;
  const types = e.args.map((a) => env.check(a));
  if (e.args.length !== want) {
    env.error('bcc-usdt-args', `${sig} takes ${want} arguments, not ${e.args.length}`, e.args[want]?.loc ?? e.callee.loc);
    return poison(e);
  }
  const fn = env.functionName;
  const given = fn !== undefined ? usdt?.[fn] : undefined;
  if (!given) {
    env.error('bcc-usdt-probe', fn === undefined
      ? `${name} is only meaningful inside a function attached as a USDT probe`
      : `${name} in '${fn}', which is not attached as a USDT probe: attach '${fn}' to one (BPF usdtContexts, or compileBcc's usdt option with the probe's argument specs) so its arguments can be read`,
    e.callee.loc);
    return poison(e);
  }
  const ctx: UsdtContextSpec = Array.isArray(given) ? { locations: given } : given;
  const label = ctx.probe ? `USDT probe ${ctx.probe}` : `the USDT probe of '${fn}'`;
  const [nArg, ctxArg, destArg] = e.args as [Expr, Expr, Expr];
  const n = nArg.cv;
  if (typeof n !== 'bigint' || !isInteger(types[0]!.type)) {
    env.error('bcc-usdt-argnum', `${name}: the argument number must be an integer constant (1 for the first argument)`, nArg.loc);
    return poison(e);
  }
  if (!ctx.locations.length) {
    env.error('bcc-usdt-probe', `${label} has no locations to read arguments at`, e.callee.loc);
    return poison(e);
  }
  const count = Math.min(...ctx.locations.map((l) => l.length));
  if (n < 1n || n > BigInt(count)) {
    const range = count === 0 ? 'it takes none' : count === 1 ? 'the only one is 1' : `they are numbered 1 to ${count}`;
    env.error('bcc-usdt-argnum', `${name}: ${label} has ${count} argument${count === 1 ? '' : 's'}; there is no argument ${n} (${range})`, nArg.loc);
    return poison(e);
  }
  const specs = ctx.locations.map((l) => l[Number(n) - 1]!);
  const differ = specs.some((x) => specKey(x) !== specKey(specs[0]!));
  if (differ && ctx.addresses?.length !== specs.length) {
    const texts = [...new Set(specs.map((x) => `"${x.text}"`))];
    env.error('bcc-usdt-locations', `${name}: ${label} has ${specs.length} locations that keep argument ${n} in different places (${texts.join(', ')}); ` +
      `telling them apart needs each location's address in the process (usdtContextFor with the pid, or a non-PIE binary)`, nArg.loc);
    return poison(e);
  }
  const spec = widest(specs);
  const addresses = differ ? ctx.addresses : undefined;
  if (!isPointer(types[1]!.type)) {
    env.error('bcc-usdt-ctx', `${name}: 'ctx' must be the probe's struct pt_regs pointer, not ${describeType(types[1]!)}`, ctxArg.loc);
    return poison(e);
  }
  const T = usdtArgCType(spec);
  if (isP) {
    const [, , buf, len] = e.args as [Expr, Expr, Expr, Expr];
    if (!isPointer(types[2]!.type) && !isArray(types[2]!.type)) {
      env.error('bcc-usdt-dest', `${sig}: 'buf' must be a pointer or array, not ${describeType(types[2]!)}`, buf.loc);
      return poison(e);
    }
    if (!isInteger(types[3]!.type)) {
      env.error('bcc-usdt-dest', `${sig}: 'len' must be an integer, not ${describeType(types[3]!)}`, len.loc);
      return poison(e);
    }
    const holes = { __C: ctxArg, __B: buf, __L: len };
    if (spec.size !== 8) {
      // BCC reads the address into a u64: a narrower argument fails that read and leaves it 0.
      env.warning('bcc-usdt-size', `${name}: argument ${n} of ${label} is ${T} (${spec.size} bytes), not an 8-byte address: as in BCC, nothing is read and the call fails`, nArg.loc);
      return expressionFrom(`({ u64 __bcc_addr0 = 0; bpf_probe_read_user(__B, __L, (void *)__bcc_addr0); })`, holes, e.loc);
    }
    return expressionFrom(`({ ${readArg(specs, addresses, T)} bpf_probe_read_user(__B, __L, (void *)(__bcc_ok ? (u64)__bcc_val : 0)); })`, holes, e.loc);
  }
  const dt = types[2]!.type;
  if (!isPointer(dt) || isVoid(dt.to.type) || !isInteger(dt.to.type) && !isPointer(dt.to.type) && sizeOf(dt.to.type) <= 0) {
    env.error('bcc-usdt-dest', `${sig}: the third argument must point to where the value goes (&v), not be ${describeType(types[2]!)}`, destArg.loc);
    return poison(e);
  }
  const destSize = sizeOf(dt.to.type);
  if (destSize !== spec.size) {
    env.warning('bcc-usdt-size', `${name}: argument ${n} of ${label} is ${T} (${spec.size} byte${spec.size === 1 ? '' : 's'}) but the destination is ${describeType(dt.to)} (${destSize} byte${destSize === 1 ? '' : 's'}): as in BCC, the call returns -1 and writes nothing`, destArg.loc);
    return expressionFrom(`(-1)`, {}, e.loc);
  }
  return expressionFrom(`({ ${readArg(specs, addresses, T)} if (__bcc_ok) *(${T} *)(__V) = __bcc_val; __bcc_ok ? 0 : -1; })`, { __C: ctxArg, __V: destArg }, e.loc);
}
