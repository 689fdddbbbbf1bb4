// BCC's map methods: `counts.increment(key)`, `events.perf_submit(ctx, &data, sizeof(data))`, ...
// are calls on a member of a table. The checker hands each call here first (CheckOptions.rewriteCall);
// a call on a BCC table becomes the helper calls BCC's rewriter generates, written as C and parsed
// (template.ts), with the user's arguments — checked here against the table's key and leaf types —
// in its holes. bpf_trace_printk("literal", ...) is handled here too, bpf_usdt_readarg in usdt.ts.
import type { Expr } from '../parse/ast.js';
import type { RewriteEnv } from '../check/checker.js';
import type { Sym } from '../check/scope.js';
import { isPointer, isRecord, isInteger, isVoid, isArray, sizeOf, compatibleTypes, describeType, type QualType, type CType } from '../check/types.js';
import { nearestNames } from '../../util/names.js';
import { expressionFrom } from './template.js';
import { rewriteUsdtCall, type UsdtSpecs } from './usdt.js';

/** How a method's argument is checked. */
type Arg =
  | 'keyptr' // a pointer to a key
  | 'valptr' // a pointer to a leaf
  | 'key' // a key by value
  | 'val' // a leaf-typed amount (increment)
  | 'ptr' // some pointer (ctx, data)
  | 'int'; // an integer (size, flags, index)

interface Method {
  /** Parameter names (for messages), the optional ones last. */
  params: [string, Arg][];
  /** How many are required. */
  min?: number;
  /** The C it becomes: $M is the table, __A0.. the arguments. */
  c: (t: TableInfo, n: number) => string;
}

/** A BCC table as the dialect sees it: read off the map symbol's struct and bcc_table attribute. */
export interface TableInfo {
  name: string;
  /** BCC's table kind: "hash", "array", "percpu_array", "perf_output", ... */
  kind: string;
  /** The macro that declared it (BPF_HASH...), for messages. */
  macro: string;
  key: QualType;
  value: QualType;
  sym: Sym;
}

/** The table a symbol declares, or undefined if it is not a BCC table. */
export function tableOf(s: Sym | undefined): TableInfo | undefined {
  const a = s?.attrs?.get('bcc_table');
  if (!s || !a) return undefined;
  const t = s.type.type;
  if (!isRecord(t) || !t.fields) return undefined;
  const field = (n: string) => t.fields!.find((f) => f.name === n)?.type.type;
  const k = field('key'), v = field('value');
  if (!k || !v || !isPointer(k) || !isPointer(v)) return undefined;
  return { name: s.name, kind: String(a[0]), macro: String(a[1]), key: k.to, value: v.to, sym: s };
}

const LOOKUP = (t: TableInfo) => `(${leafPtr(t)})bpf_map_lookup_elem(&${t.name}, __A0)`;
const leafPtr = (t: TableInfo) => `__typeof__(*${t.name}.value) *`;
const PERCPU = new Set(['percpu_hash', 'percpu_array', 'lru_percpu_hash']);
const ARRAYS = new Set(['array', 'percpu_array']);

/** BCC's histogram is an array when its key is a 4-byte integer (the slot), else a hash table. */
export function histogramIsArray(key: QualType): boolean {
  return isInteger(key.type) && sizeOf(key.type) === 4;
}

const isArrayTable = (t: TableInfo) => ARRAYS.has(t.kind) || (t.kind === 'histogram' && histogramIsArray(t.key));

function increment(atomic: boolean) {
  return (t: TableInfo, n: number): string => {
    const amount = n > 1 ? '__A1' : '1';
    // Per-CPU values need no atomics, and BPF has none below 4 bytes: there increment adds plainly, as BCC's does.
    const plain = !atomic && (PERCPU.has(t.kind) || sizeOf(t.value.type) < 4);
    const add = plain ? `*__bcc_v += __bcc_n` : `__sync_fetch_and_add(__bcc_v, __bcc_n)`;
    // A hash table's missing key is inserted; if another CPU inserted it meanwhile, add to that one.
    const insert = isArrayTable(t) ? '' : ` else { __typeof__(*${t.name}.value) __bcc_z = __bcc_n;
        if (bpf_map_update_elem(&${t.name}, &__bcc_k, &__bcc_z, 1)) { __bcc_v = bpf_map_lookup_elem(&${t.name}, &__bcc_k); if (__bcc_v) ${add}; } }`;
    return `({ __typeof__(*${t.name}.key) __bcc_k = __A0; __typeof__(*${t.name}.value) __bcc_n = ${amount};
      ${leafPtr(t)}__bcc_v = bpf_map_lookup_elem(&${t.name}, &__bcc_k);
      if (__bcc_v) ${add};${insert} })`;
  };
}

const GENERIC: Record<string, Method> = {
  lookup: { params: [['key', 'keyptr']], c: LOOKUP },
  lookup_or_try_init: { params: [['key', 'keyptr'], ['zero', 'valptr']], c: (t) => lookupOrInit(t) },
  lookup_or_init: { params: [['key', 'keyptr'], ['zero', 'valptr']], c: (t) => lookupOrInit(t) },
  update: { params: [['key', 'keyptr'], ['value', 'valptr']], c: (t) => `bpf_map_update_elem(&${t.name}, __A0, __A1, 0)` },
  insert: { params: [['key', 'keyptr'], ['value', 'valptr']], c: (t) => `bpf_map_update_elem(&${t.name}, __A0, __A1, 1)` },
  delete: { params: [['key', 'keyptr']], c: (t) => `bpf_map_delete_elem(&${t.name}, __A0)` },
  increment: { params: [['key', 'key'], ['increment', 'val']], min: 1, c: increment(false) },
  atomic_increment: { params: [['key', 'key'], ['increment', 'val']], min: 1, c: increment(true) },
};

function lookupOrInit(t: TableInfo): string {
  return `({ const void *__bcc_kp = __A0; ${leafPtr(t)}__bcc_v = bpf_map_lookup_elem(&${t.name}, __bcc_kp);
    if (!__bcc_v) { bpf_map_update_elem(&${t.name}, __bcc_kp, __A1, 1); __bcc_v = bpf_map_lookup_elem(&${t.name}, __bcc_kp); }
    __bcc_v; })`;
}

const storage = (what: string, obj: string): Record<string, Method> => ({
  [`${what}_storage_get`]: { params: [[obj, 'ptr'], ['value', 'ptr'], ['flags', 'int']], min: 1,
    c: (t, n) => `(${leafPtr(t)})bpf_${what}_storage_get(&${t.name}, __A0, ${n > 1 ? '__A1' : '0'}, ${n > 2 ? '__A2' : '0'})` },
  [`${what}_storage_delete`]: { params: [[obj, 'ptr']], c: (t) => `bpf_${what}_storage_delete(&${t.name}, __A0)` },
});

const REDIRECT: Record<string, Method> = {
  redirect_map: { params: [['index', 'int'], ['flags', 'int']], min: 1, c: (t, n) => `bpf_redirect_map(&${t.name}, __A0, ${n > 1 ? '__A1' : '0'})` },
};

/** Methods by table kind. */
const METHODS: Record<string, Record<string, Method>> = {
  hash: GENERIC, lru_hash: GENERIC, percpu_hash: GENERIC, lru_percpu_hash: GENERIC,
  array: GENERIC, percpu_array: GENERIC, histogram: GENERIC, lpm_trie: GENERIC, extern: GENERIC,
  stacktrace: {
    lookup: GENERIC.lookup!,
    get_stackid: { params: [['ctx', 'ptr'], ['flags', 'int']], min: 1, c: (t, n) => `bpf_get_stackid(__A0, &${t.name}, ${n > 1 ? '__A1' : '0'})` },
  },
  prog: { call: { params: [['ctx', 'ptr'], ['index', 'int']], c: (t) => `bpf_tail_call(__A0, &${t.name}, __A1)` } },
  perf_output: {
    perf_submit: { params: [['ctx', 'ptr'], ['data', 'ptr'], ['size', 'int']], c: (t) => `bpf_perf_event_output(__A0, &${t.name}, 0xffffffffULL, __A1, __A2)` },
    perf_submit_skb: { params: [['skb', 'ptr'], ['skb_len', 'int'], ['data', 'ptr'], ['size', 'int']],
      c: (t) => `bpf_perf_event_output(__A0, &${t.name}, ((unsigned long long)(__A1) << 32) | 0xffffffffULL, __A2, __A3)` },
  },
  perf_array: {
    perf_read: { params: [['index', 'int']], c: (t) => `bpf_perf_event_read(&${t.name}, __A0)` },
    perf_counter_value: { params: [['index', 'int'], ['buf', 'ptr'], ['size', 'int']], c: (t) => `bpf_perf_event_read_value(&${t.name}, __A0, __A1, __A2)` },
  },
  ringbuf: {
    ringbuf_output: { params: [['data', 'ptr'], ['size', 'int'], ['flags', 'int']], min: 2, c: (t, n) => `bpf_ringbuf_output(&${t.name}, __A0, __A1, ${n > 2 ? '__A2' : '0'})` },
    ringbuf_reserve: { params: [['size', 'int']], c: (t) => `bpf_ringbuf_reserve(&${t.name}, __A0, 0)` },
    ringbuf_submit: { params: [['data', 'ptr'], ['flags', 'int']], min: 1, c: (_t, n) => `bpf_ringbuf_submit(__A0, ${n > 1 ? '__A1' : '0'})` },
    ringbuf_discard: { params: [['data', 'ptr'], ['flags', 'int']], min: 1, c: (_t, n) => `bpf_ringbuf_discard(__A0, ${n > 1 ? '__A1' : '0'})` },
    ringbuf_query: { params: [['flags', 'int']], c: (t) => `bpf_ringbuf_query(&${t.name}, __A0)` },
  },
  queue: queueMethods(), stack: queueMethods(),
  devmap: REDIRECT, cpumap: REDIRECT, xskmap: { ...REDIRECT, lookup: GENERIC.lookup! },
  sockmap: {
    sock_map_update: { params: [['ctx', 'ptr'], ['key', 'keyptr'], ['flags', 'int']], c: (t) => `bpf_sock_map_update(__A0, &${t.name}, __A1, __A2)` },
    msg_redirect_map: { params: [['msg', 'ptr'], ['key', 'int'], ['flags', 'int']], c: (t) => `bpf_msg_redirect_map(__A0, &${t.name}, __A1, __A2)` },
    sk_redirect_map: { params: [['skb', 'ptr'], ['key', 'int'], ['flags', 'int']], c: (t) => `bpf_sk_redirect_map(__A0, &${t.name}, __A1, __A2)` },
    update: GENERIC.update!, delete: GENERIC.delete!,
  },
  sockhash: {
    sock_hash_update: { params: [['ctx', 'ptr'], ['key', 'keyptr'], ['flags', 'int']], c: (t) => `bpf_sock_hash_update(__A0, &${t.name}, __A1, __A2)` },
    msg_redirect_hash: { params: [['msg', 'ptr'], ['key', 'keyptr'], ['flags', 'int']], c: (t) => `bpf_msg_redirect_hash(__A0, &${t.name}, __A1, __A2)` },
    sk_redirect_hash: { params: [['skb', 'ptr'], ['key', 'keyptr'], ['flags', 'int']], c: (t) => `bpf_sk_redirect_hash(__A0, &${t.name}, __A1, __A2)` },
    update: GENERIC.update!, delete: GENERIC.delete!,
  },
  sk_storage: storage('sk', 'sk'), task_storage: storage('task', 'task'), inode_storage: storage('inode', 'inode'),
  cgroup_array: { check_current_task: { params: [['index', 'int']], c: (t) => `bpf_current_task_under_cgroup(&${t.name}, __A0)` } },
  array_of_maps: { lookup: { params: [['key', 'keyptr']], c: (t) => `bpf_map_lookup_elem(&${t.name}, __A0)` } },
  hash_of_maps: { lookup: { params: [['key', 'keyptr']], c: (t) => `bpf_map_lookup_elem(&${t.name}, __A0)` } },
  cgroup_storage: { get_local_storage: { params: [['flags', 'int']], min: 0, c: (t, n) => `(${leafPtr(t)})bpf_get_local_storage(&${t.name}, ${n ? '__A0' : '0'})` } },
  percpu_cgroup_storage: { get_local_storage: { params: [['flags', 'int']], min: 0, c: (t, n) => `(${leafPtr(t)})bpf_get_local_storage(&${t.name}, ${n ? '__A0' : '0'})` } },
};

function queueMethods(): Record<string, Method> {
  return {
    push: { params: [['value', 'valptr'], ['flags', 'int']], min: 1, c: (t, n) => `bpf_map_push_elem(&${t.name}, __A0, ${n > 1 ? '__A1' : '0'})` },
    pop: { params: [['value', 'valptr']], c: (t) => `bpf_map_pop_elem(&${t.name}, __A0)` },
    peek: { params: [['value', 'valptr']], c: (t) => `bpf_map_peek_elem(&${t.name}, __A0)` },
  };
}

/** Table kinds the dialect knows (BPF_TABLE's first argument). */
export const TABLE_KINDS: ReadonlySet<string> = new Set(Object.keys(METHODS));

/** The methods a table kind has (for messages and documentation). */
export function methodsOf(kind: string): string[] {
  return Object.keys(METHODS[kind] ?? {});
}

/** The checker's rewriteCall hook for the BCC dialect. */
export function rewriteBccCall(e: Expr & { kind: 'call' }, env: RewriteEnv, usdt?: UsdtSpecs): Expr | undefined {
  const callee = e.callee;
  if (callee.kind === 'ident') return rewriteBuiltin(e, callee.name, env, usdt);
  if (callee.kind !== 'member' || callee.arrow || callee.object.kind !== 'ident') return undefined;
  const table = tableOf(env.lookup(callee.object.name));
  if (!table) return undefined;
  const methods = METHODS[table.kind] ?? {};
  const what = `'${table.name}' (${table.macro})`;
  const m = methods[callee.name];
  if (!m) {
    const names = Object.keys(methods);
    const near = nearestNames(callee.name, names, 1);
    if (!near.length) near.push(...names.filter((n) => n.startsWith(callee.name) || callee.name.startsWith(n)).slice(0, 1));
    const hint = near.length ? `; did you mean '${near[0]}'?` : `; it has ${Object.keys(methods).map((n) => `'${n}'`).join(', ')}`;
    env.error('bcc-method', `${what} has no method '${callee.name}'${hint}`, callee.nameLoc);
    for (const a of e.args) env.check(a);
    return poison(e);
  }
  const min = m.min ?? m.params.length, max = m.params.length;
  if (e.args.length < min || e.args.length > max) {
    const sig = m.params.map(([n], i) => (i === min && i > 0 ? `[, ${n}` : i > 0 ? `, ${n}` : i >= min ? `[${n}` : n)).join('') + (max > min ? ']' : '');
    const count = min === max ? `${min}` : `${min} to ${max}`;
    env.error('bcc-method-args', `${table.name}.${callee.name}(${sig}) takes ${count} argument${max === 1 ? '' : 's'}, not ${e.args.length}`,
      e.args[max]?.loc ?? callee.nameLoc);
    for (const a of e.args) env.check(a);
    return poison(e);
  }
  let ok = true;
  e.args.forEach((a, i) => {
    const t = env.check(a);
    if (!checkArg(table, callee.name, m.params[i]!, a, t, env)) ok = false;
  });
  if (!ok) return poison(e);
  if (callee.name === 'increment' || callee.name === 'atomic_increment') {
    if (!isInteger(table.value.type)) {
      env.error('bcc-increment-leaf', `${table.name}.${callee.name}() adds to an integer leaf; ${what} has leaf type ${describeType(table.value)}`, callee.nameLoc);
      return poison(e);
    }
  }
  const holes: Record<string, Expr> = {};
  e.args.forEach((a, i) => (holes[`__A${i}`] = a));
  return expressionFrom(m.c(table, e.args.length), holes, e.loc);
}

/** A call already reported as wrong: an int 0 that checks quietly. */
function poison(e: Expr): Expr {
  return { kind: 'int', value: 0n, unsigned: false, longs: 0, decimal: true, text: '0', loc: e.loc };
}

function checkArg(table: TableInfo, method: string, [pname, kind]: [string, Arg], a: Expr, t: QualType, env: RewriteEnv): boolean {
  const what = `'${table.name}' (${table.macro})`;
  const call = `${table.name}.${method}()`;
  const type = t.type;
  switch (kind) {
    case 'keyptr': case 'valptr': {
      const want = kind === 'keyptr' ? table.key : table.value;
      const noun = kind === 'keyptr' ? 'key' : 'leaf';
      if (!isPointer(type)) {
        const hint = isRecord(type) || isInteger(type) ? ` (pass its address: '&${spelled(a) ?? pname}')` : '';
        env.error('bcc-key-type', `${call} takes a pointer to the ${noun} (${describeType(want)}), not ${describeType(t)}${hint}`, a.loc);
        return false;
      }
      const to = type.to.type;
      if (isVoid(to) || sameShape(to, want.type)) return true;
      env.error('bcc-key-type', `${what} has ${noun} type ${describeType(want)}; ${call} was given a pointer to ${describeType(type.to)}`, a.loc);
      return false;
    }
    case 'key': case 'val': {
      const want = kind === 'key' ? table.key : table.value;
      if (isInteger(want.type) ? isInteger(type) : sameShape(type, want.type)) return true;
      env.error('bcc-key-type', `${what} has ${kind === 'key' ? 'key' : 'leaf'} type ${describeType(want)}; ${call} was given ${describeType(t)}${isPointer(type) && !isPointer(want.type) ? ' (it takes the key itself, not its address)' : ''}`, a.loc);
      return false;
    }
    case 'ptr':
      if (isPointer(type) || isArray(type) || isInteger(type) && a.cv === 0n) return true;
      env.error('bcc-arg-type', `${call}: '${pname}' must be a pointer, not ${describeType(t)}`, a.loc);
      return false;
    case 'int':
      if (isInteger(type)) return true;
      env.error('bcc-arg-type', `${call}: '${pname}' must be an integer, not ${describeType(t)}`, a.loc);
      return false;
  }
}

/** Same type, or integers of one size (u32 and int keys are the same bytes). */
function sameShape(a: CType, b: CType): boolean {
  if (compatibleTypes(a, b)) return true;
  if (isInteger(a) && isInteger(b)) return sizeOf(a) === sizeOf(b);
  if (isArray(a) && isArray(b)) return sizeOf(a) === sizeOf(b) && sameShape(a.of.type, b.of.type);
  return false;
}

function spelled(e: Expr): string | undefined {
  return e.kind === 'ident' ? e.name : undefined;
}

/** bpf_trace_printk("fmt", ...) as BCC has it: the format on the stack, its size added, at most 3 values. */
function rewriteBuiltin(e: Expr & { kind: 'call' }, name: string, env: RewriteEnv, usdt: UsdtSpecs | undefined): Expr | undefined {
  if (name === 'bpf_usdt_readarg' || name === 'bpf_usdt_readarg_p') return rewriteUsdtCall(e, name, env, usdt);
  if (name !== 'bpf_trace_printk' || e.args[0]?.kind !== 'string') return undefined;
  const values = e.args.slice(1);
  if (values.length > 3) {
    env.error('bcc-printk-args', `bpf_trace_printk takes at most 3 values after the format (the helper's limit), not ${values.length}`, values[3]!.loc);
    for (const a of values) env.check(a);
    return poison(e);
  }
  const fmt = Buffer.from(e.args[0].bytes).toString('latin1');
  const conversions = (fmt.replace(/%%/g, '').match(/%/g) ?? []).length;
  if (conversions !== values.length) {
    env.warning('bcc-printk-format', `bpf_trace_printk format has ${conversions} conversion${conversions === 1 ? '' : 's'} but ${values.length} value${values.length === 1 ? '' : 's'} follow${values.length === 1 ? 's' : ''}`, e.args[0].loc);
  }
  const holes: Record<string, Expr> = { __F: e.args[0] };
  values.forEach((a, i) => {
    if (a.kind !== 'string') env.check(a);
    holes[`__A${i}`] = a;
  });
  // String literal values go on the stack too (the helper reads %s arguments from memory).
  const strings = values.map((a, i) => (a.kind === 'string' ? ` char __bcc_s${i}[] = __A${i};` : '')).join('');
  const rest = values.map((a, i) => (a.kind === 'string' ? `, __bcc_s${i}` : `, __A${i}`)).join('');
  return expressionFrom(`({ char __bcc_fmt[] = __F;${strings} bpf_trace_printk(__bcc_fmt, sizeof(__bcc_fmt)${rest}); })`, holes, e.loc);
}

