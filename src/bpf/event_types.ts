// The record type of each perf/ring output table. BPF_PERF_OUTPUT(events) declares no type: BCC
// learns it from the program's `events.perf_submit(ctx, &data, sizeof(data))` calls, so that
// `b['events'].event(data)` decodes a struct the user never described twice. The same is done
// here: before checking, the calls that hand a record to an output table are noted (the argument
// expressions, or the declaration a ringbuf_reserve initializes); once the checker has annotated
// them in place, their types are read back.
import type { TranslationUnit, Expr, Decl } from '../compiler/parse/ast.js';
import type { CType, QualType } from '../compiler/check/types.js';

/** Which argument of an output method is the record pointer. */
const RECORD_ARG: Record<string, number> = { perf_submit: 1, perf_submit_skb: 2, ringbuf_output: 0 };

interface Site { table: string; expr?: Expr; decl?: Decl; assign?: Expr }

const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && (v as object).constructor === Object;

/** The table and method of `table.method(...)`, if that is what `e` is. */
function methodCall(e: unknown): { table: string; method: string; args: Expr[] } | undefined {
  if (!isObj(e) || e.kind !== 'call') return undefined;
  const c = e as unknown as Expr & { kind: 'call' };
  const callee = c.callee;
  if (callee.kind !== 'member' || callee.arrow || callee.object.kind !== 'ident') return undefined;
  return { table: callee.object.name, method: callee.name, args: c.args };
}

/** `events.ringbuf_reserve(...)`, possibly under casts. */
function reserveOf(e: unknown): string | undefined {
  while (isObj(e) && e.kind === 'cast') e = e.operand;
  const m = methodCall(e);
  return m?.method === 'ringbuf_reserve' ? m.table : undefined;
}

export class EventTypeFinder {
  private sites: Site[] = [];
  /** Every declaration, for the named record types the program's variables use. */
  private decls: Decl[] = [];

  /** A transformUnit hook: note every place a record is handed to an output table. */
  readonly collect = (tu: TranslationUnit): void => {
    const seen = new Set<object>();
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) { for (const n of node) visit(n); return; }
      if (!isObj(node) || seen.has(node) || 'file' in node) return; // 'file': a location
      seen.add(node);
      const m = methodCall(node);
      if (m && RECORD_ARG[m.method] !== undefined) {
        const arg = m.args[RECORD_ARG[m.method]!];
        if (arg) this.sites.push({ table: m.table, expr: arg });
      }
      if (node.kind === 'decl' && typeof node.name === 'string') {
        this.decls.push(node as unknown as Decl);
        const t = node.init ? reserveOf(node.init) : undefined;
        if (t) this.sites.push({ table: t, decl: node as unknown as Decl });
      }
      if (node.kind === 'assign') {
        const t = reserveOf(node.value);
        if (t) this.sites.push({ table: t, assign: node as unknown as Expr });
      }
      for (const [k, v] of Object.entries(node)) if (k !== 'loc' && k !== 'ty' && k !== 'sym') visit(v);
    };
    visit(tu.items);
  };

  /** After compiling: each output table's record type (the first non-void one the program uses). */
  types(): Map<string, CType> {
    const out = new Map<string, CType>();
    for (const s of this.sites) {
      if (out.has(s.table)) continue;
      let q: QualType | undefined;
      if (s.expr) q = s.expr.ty;
      else if (s.decl) q = s.decl.sym?.type;
      else if (s.assign && s.assign.kind === 'assign') q = s.assign.target.ty;
      let t = q?.type;
      if (t?.kind === 'ptr') t = t.to.type;
      else if (t?.kind !== 'array') t = undefined;       // perf_submit(ctx, buf, ...) with a char buf[N]: the array
      if (t && t.kind !== 'void' && t.kind !== 'func') out.set(s.table, t);
    }
    return out;
  }

  /**
   * After compiling: the struct and union types the program's variables, parameters and tables
   * use, by their C names ("struct data_t"), for naming an event type by hand.
   */
  records(): Map<string, CType> {
    const out = new Map<string, CType>();
    const add = (t: CType | undefined, depth = 0): void => {
      if (!t || depth > 8) return;
      if (t.kind === 'ptr') return add(t.to.type, depth + 1);
      if (t.kind === 'array') return add(t.of.type, depth + 1);
      if (t.kind === 'func') return;
      if ((t.kind === 'struct' || t.kind === 'union') && t.name && !out.has(`${t.kind} ${t.name}`)) {
        out.set(`${t.kind} ${t.name}`, t);
        for (const f of t.fields ?? []) add(f.type.type, depth + 1);
      }
    };
    for (const d of this.decls) add(d.sym?.type.type);
    return out;
  }
}
