// `__user` pointers: BCC programs read kernel memory implicitly (task->real_parent->tgid), but a
// pointer tagged __user (btf_type_tag("user")) points into the process: dereferencing it would read
// the kernel's idea of that address. Every such dereference is a located error naming
// bpf_probe_read_user, before the program ever reaches the verifier.
import type { Diagnostics } from '../diagnostics.js';
import type { Expr } from '../parse/ast.js';
import type { CheckedUnit } from '../check/checker.js';
import { isPointer, isArray, type QualType } from '../check/types.js';

function userPointee(t: QualType | undefined): boolean {
  if (!t) return false;
  const ty = t.type;
  const to = isPointer(ty) ? ty.to : isArray(ty) ? ty.of : undefined;
  return !!to && !!to.tags?.includes('user');
}

/** Report each read through a __user pointer in the unit's function bodies. */
export function checkUserReads(unit: CheckedUnit, diags: Diagnostics): void {
  const seen = new Set<object>();
  const visit = (node: unknown, addressOnly: boolean): void => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    if (Array.isArray(node)) { for (const n of node) visit(n, false); return; }
    const o = node as Record<string, unknown>;
    if (o.constructor !== Object || 'file' in o) return; // a location
    seen.add(o);
    const e = o as unknown as Expr;
    if (e.kind === 'sizeof' || e.kind === 'alignof' || e.kind === 'typeof' as string) return;
    let through: Expr | undefined;
    if (e.kind === 'unary' && e.op === '*') through = e.operand;
    else if (e.kind === 'index') through = e.object;
    else if (e.kind === 'member' && e.arrow) through = e.object;
    if (through && !addressOnly && userPointee(through.ty)) {
      const spelled = spell(through);
      const name = spelled ? `'${spelled}'` : 'this pointer';
      diags.error('bcc-user-read', `${name} points to user memory (__user): read it with bpf_probe_read_user() (or bpf_probe_read_user_str() for a string)`, e.loc);
    }
    const isAddr = e.kind === 'unary' && e.op === '&';
    for (const [k, v] of Object.entries(o)) {
      if (k === 'ty' || k === 'sym' || k === 'field' || k === 'loc' || k === 'nameLoc' || k === 'type') continue;
      visit(v, isAddr && k === 'operand' ? true : addressOnly && (k === 'object' || k === 'operand') && e.kind !== 'unary');
    }
  };
  for (const f of unit.functions) visit(f.body, false);
}

/** `p`, `args->filename`, `a.b->c`: how the user wrote a simple pointer expression. */
function spell(e: Expr): string | undefined {
  if (e.kind === 'ident') return e.name;
  if (e.kind === 'member') {
    const o = spell(e.object);
    return o === undefined ? undefined : `${o}${e.arrow ? '->' : '.'}${e.name}`;
  }
  return undefined;
}
