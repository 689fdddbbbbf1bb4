// Block-level liveness: which registers are live on entry to and exit from each block (a backward
// dataflow to a fixed point over per-block use/def sets: in = use ∪ (out − def)). Used by dead code
// elimination and by the register allocator.
import { successors, uses, def, type Block, type VReg } from './ir.js';

export interface BlockLiveness {
  liveIn: Map<Block, Set<VReg>>;
  liveOut: Map<Block, Set<VReg>>;
}

/** `order`: the reachable blocks (a successor outside it counts as having nothing live). */
export function blockLiveness(order: readonly Block[]): BlockLiveness {
  const liveIn = new Map<Block, Set<VReg>>();
  const liveOut = new Map<Block, Set<VReg>>();
  const defOf = new Map<Block, Set<VReg>>();
  for (const b of order) {
    const u = new Set<VReg>(), d = new Set<VReg>();
    for (const i of b.insts) {
      for (const r of uses(i)) if (!d.has(r)) u.add(r);
      const w = def(i);
      if (w !== undefined) d.add(w);
    }
    if (b.term) for (const r of uses(b.term)) if (!d.has(r)) u.add(r);
    defOf.set(b, d);
    liveIn.set(b, u);
    liveOut.set(b, new Set());
  }
  for (let changed = true; changed;) {
    changed = false;
    for (let k = order.length - 1; k >= 0; k--) {
      const b = order[k]!;
      const out = liveOut.get(b)!, inn = liveIn.get(b)!, d = defOf.get(b)!;
      for (const s of successors(b)) for (const r of liveIn.get(s) ?? []) {
        if (out.has(r)) continue;
        out.add(r);
        changed = true;
        if (!d.has(r)) inn.add(r);
      }
    }
  }
  return { liveIn, liveOut };
}
