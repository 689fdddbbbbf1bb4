// IR clean-ups before register allocation.
//
// Redundant load elimination over extended basic blocks: a load of the same address (same base
// register, offset and size) as an earlier one, with no store, atomic or call in between and the
// base not redefined, becomes a copy of the earlier value. Besides saving loads, it keeps a bounds
// check and the access it guards on one register, which is what the verifier needs to see
// (`if (e->len > MAX) return; ... &e->buf[e->len]`).
import { IrFunction, successors, def, type Block, type VReg, type Inst } from './ir.js';

interface Avail { base: VReg | 'fp'; off: number; size: number; signed: boolean; value: VReg }

/** `order`: the reachable blocks (unreachable ones must not count as predecessors). */
export function eliminateRedundantLoads(f: IrFunction, order: Block[] = f.blocks): number {
  const preds = new Map<Block, Block[]>();
  for (const b of order) for (const s of successors(b)) preds.set(s, [...(preds.get(s) ?? []), b]);
  const out = new Map<Block, Avail[]>();
  let replaced = 0;
  for (const b of order) {
    const ps = preds.get(b) ?? [];
    // Only a block with a single, already-processed predecessor inherits what is available.
    let avail: Avail[] = ps.length === 1 && out.has(ps[0]!) && ps[0] !== b ? [...out.get(ps[0]!)!] : [];
    b.insts = b.insts.map((i): Inst => {
      if (i.op === 'load') {
        const base = 'fp' in i.addr ? 'fp' as const : i.addr.base;
        const off = 'fp' in i.addr ? i.addr.fp : i.addr.off;
        const signed = !!i.signed;
        const hit = avail.find((a) => a.base === base && a.off === off && a.size === i.size && a.signed === signed);
        const d = i.dst;
        avail = avail.filter((a) => a.value !== d && a.base !== d);
        if (hit && hit.value !== d) {
          replaced++;
          avail.push({ base, off, size: i.size, signed, value: d });
          return { op: 'mov', dst: d, src: { r: hit.value } };
        }
        avail.push({ base, off, size: i.size, signed, value: d });
        return i;
      }
      if (i.op === 'store' || i.op === 'atomic' || i.op === 'call') {
        avail = [];
        const d = def(i);
        if (d !== undefined) avail = avail.filter((a) => a.value !== d && a.base !== d);
        return i;
      }
      const d = def(i);
      if (d !== undefined) avail = avail.filter((a) => a.value !== d && a.base !== d);
      return i;
    });
    out.set(b, avail);
  }
  return replaced;
}
