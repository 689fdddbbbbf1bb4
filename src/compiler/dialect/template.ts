// C snippets to AST: the dialect writes what a BCC construct means as C text (as BCC's rewriter
// does), parses it here, plugs the user's own (already checked) expressions into its holes and
// gives every new node the location of the construct it replaces, so diagnostics, line info and
// verifier messages point at the user's line.
import { SourceSet, type Loc } from '../source.js';
import { Diagnostics } from '../diagnostics.js';
import { preprocess } from '../preprocess/index.js';
import { parse } from '../parse/parser.js';
import { KERNEL_TYPEDEFS } from '../check/types.js';
import type { Expr, Stmt, Decl } from '../parse/ast.js';

const LOC_KEYS = new Set(['loc', 'nameLoc', 'end']);

/** Parse `({ ... })`-style expression text; identifiers named in `holes` become those expressions. */
export function expressionFrom(text: string, holes: Record<string, Expr>, at: Loc): Expr {
  const body = bodyFrom(`(${text});`, holes, at);
  const s = body[0];
  if (!s || s.kind !== 'expr') throw new Error(`dialect template is not an expression: ${text}`);
  return s.expr;
}

/** Parse statements (a function body's text); identifiers named in `holes` become those expressions. */
export function statementsFrom(text: string, holes: Record<string, Expr>, at: Loc): Stmt[] {
  return bodyFrom(text, holes, at);
}

function bodyFrom(text: string, holes: Record<string, Expr>, at: Loc): Stmt[] {
  const sources = new SourceSet();
  const file = sources.add('<bcc-dialect>', `void __bcc_template(void) {\n${text}\n}\n`);
  const diags = new Diagnostics();
  const tokens = preprocess(sources, file, diags, { predefined: false });
  const tu = parse(tokens, diags, { typedefs: KERNEL_TYPEDEFS.keys() });
  if (diags.hasErrors) throw new Error(`dialect template does not parse: ${diags.list.map((d) => d.message).join('; ')}\n${text}`);
  const fn = tu.items[0] as Decl;
  return relocate(fn.body!.body, holes, at);
}

/** Copy of `node` with holes filled and every location moved to `at`. */
function relocate<T>(node: T, holes: Record<string, Expr>, at: Loc): T {
  if (Array.isArray(node)) return node.map((n) => relocate(n, holes, at)) as T;
  if (node === null || typeof node !== 'object' || (node as object).constructor !== Object) return node;
  const o = node as Record<string, unknown>;
  if (o.kind === 'ident' && typeof o.name === 'string' && holes[o.name]) return holes[o.name] as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = LOC_KEYS.has(k) ? at : relocate(v, holes, at);
  return out as T;
}

/** A deep copy of an AST fragment that keeps its locations (a type written once, used twice). */
export function cloneAst<T>(node: T): T {
  if (Array.isArray(node)) return node.map((n) => cloneAst(n)) as T;
  if (node === null || typeof node !== 'object' || (node as object).constructor !== Object) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) out[k] = LOC_KEYS.has(k) ? v : cloneAst(v);
  return out as T;
}
