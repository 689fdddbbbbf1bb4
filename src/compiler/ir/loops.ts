// Loops the verifier will refuse, found at compile time: a cycle in the control flow with no way
// out (`while (1) { ... }` without a break or return, `for (;;)`, a backward goto) never ends, and
// the verifier rejects it ("infinite loop detected") or runs out of its instruction budget.
import type { Loc } from '../source.js';
import { successors, type Block } from './ir.js';

/** Strongly connected components of the reachable blocks that form cycles (Tarjan, iterative). */
export function loopComponents(order: Block[]): Block[][] {
  const index = new Map<Block, number>();
  const low = new Map<Block, number>();
  const onStack = new Set<Block>();
  const stack: Block[] = [];
  const out: Block[][] = [];
  let n = 0;
  for (const root of order) {
    if (index.has(root)) continue;
    const work: { b: Block; succ: Block[]; i: number }[] = [];
    const enter = (b: Block) => {
      index.set(b, n); low.set(b, n); n++;
      stack.push(b); onStack.add(b);
      work.push({ b, succ: successors(b), i: 0 });
    };
    enter(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      if (top.i < top.succ.length) {
        const s = top.succ[top.i++]!;
        if (!index.has(s)) enter(s);
        else if (onStack.has(s)) low.set(top.b, Math.min(low.get(top.b)!, index.get(s)!));
        continue;
      }
      work.pop();
      if (work.length) { const p = work[work.length - 1]!.b; low.set(p, Math.min(low.get(p)!, low.get(top.b)!)); }
      if (low.get(top.b) === index.get(top.b)) {
        const comp: Block[] = [];
        let x: Block;
        do { x = stack.pop()!; onStack.delete(x); comp.push(x); } while (x !== top.b);
        if (comp.length > 1 || successors(top.b).includes(top.b)) out.push(comp);
      }
    }
  }
  return out;
}

export interface LoopProblem { loc?: Loc; message: string }

/** Cycles with no edge leaving them and no return inside: loops that can never end. Run it before
 * jump threading, which drops the empty loop-head blocks that carry the loop statement's location. */
export function findInfiniteLoops(entry: Block): LoopProblem[] {
  const order: Block[] = [];
  const seen = new Set<Block>([entry]);
  for (const todo = [entry]; todo.length;) {
    const b = todo.pop()!;
    order.push(b);
    for (const s of successors(b)) if (!seen.has(s)) { seen.add(s); todo.push(s); }
  }
  const problems: LoopProblem[] = [];
  for (const comp of loopComponents(order)) {
    const inside = new Set(comp);
    const exits = comp.some((b) => b.term?.op === 'ret' || successors(b).some((s) => !inside.has(s)));
    if (exits) continue;
    // Locate it at the earliest statement in the loop.
    const locs = comp.flatMap((b) => [...b.locs, b.termLoc]).filter((l): l is Loc => !!l);
    const loc = locs.reduce<Loc | undefined>((m, l) => (!m || l.offset < m.offset ? l : m), undefined);
    problems.push({ loc, message: 'this loop never exits (no condition, break or return leaves it); the verifier rejects infinite loops' });
  }
  return problems;
}
