// Possibly-NULL pointers, found before the verifier finds them: the result of a map lookup (or a
// ring buffer reservation, a local-storage get) must be compared with NULL before it is
// dereferenced or offset. A forward dataflow over the IR tracks which registers may still hold an
// unchecked result; copies share an identity, so checking any copy clears them all, as in the
// verifier.
import type { Loc } from '../source.js';
import { successors, def, isConst, type Block, type VReg, type Inst } from './ir.js';

/** Helpers whose pointer result may be NULL (the verifier's *_OR_NULL return types). */
const NULLABLE: ReadonlyMap<number, string> = new Map([
  [1, 'bpf_map_lookup_elem'], [131, 'bpf_ringbuf_reserve'], [107, 'bpf_sk_storage_get'], [156, 'bpf_task_storage_get'],
  [145, 'bpf_inode_storage_get'], [195, 'bpf_map_lookup_percpu_elem'],
]);

interface Origin { id: number; helper: string; loc?: Loc }

export interface NullProblem { loc?: Loc; message: string; origin?: Loc }

export function findNullDereferences(order: Block[]): NullProblem[] {
  const preds = new Map<Block, Block[]>();
  for (const b of order) for (const s of successors(b)) preds.set(s, [...(preds.get(s) ?? []), b]);
  // State: register -> origin of the unchecked value it holds.
  const edgeOut = new Map<string, Map<VReg, Origin>>(); // per (block, successor): after the branch's refinement
  let nextId = 1;
  const problems = new Map<string, NullProblem>();
  const report = (loc: Loc | undefined, o: Origin, what: string) => {
    const key = `${loc?.file.name}:${loc?.offset}:${o.id}`;
    if (!problems.has(key)) {
      problems.set(key, { loc, origin: o.loc, message: `the result of ${o.helper}() may be NULL here (${what}); compare it with NULL first` });
    }
  };
  const originIds = new Map<string, number>(); // stable ids per call site across iterations

  for (let round = 0, changed = true; changed && round < 50; round++) {
    changed = false;
    for (const b of order) {
      // Meet: union over incoming edges.
      const state = new Map<VReg, Origin>();
      for (const p of preds.get(b) ?? []) {
        const e = edgeOut.get(`${p.id}>${b.id}`);
        if (e) for (const [r, o] of e) state.set(r, o);
      }
      b.insts.forEach((i, n) => transfer(i, b.locs[n]));
      function transfer(i: Inst, loc: Loc | undefined): void {
        const check = (base: VReg, what: string) => { const o = state.get(base); if (o) report(loc, o, what); };
        switch (i.op) {
          case 'load': if (!('fp' in i.addr)) check(i.addr.base, 'it is read through'); break;
          case 'store': if (!('fp' in i.addr)) check(i.addr.base, 'it is written through'); break;
          case 'atomic': if (!('fp' in i.addr)) check(i.addr.base, 'it is updated through'); break;
          case 'lea': if (!('fp' in i.addr)) check(i.addr.base, 'an address is computed from it'); break;
          case 'bin': if (i.kind === 'add' || i.kind === 'sub') check(i.a, 'it is offset'); break;
        }
        const d = def(i);
        if (d === undefined) return;
        if (i.op === 'call' && NULLABLE.has(i.helper)) {
          const key = `${loc?.file.name}:${loc?.offset}:${b.id}`;
          let id = originIds.get(key);
          if (id === undefined) originIds.set(key, (id = nextId++));
          state.set(d, { id, helper: NULLABLE.get(i.helper)!, loc });
        } else if (i.op === 'mov' && !isConst(i.src) && state.has(i.src.r)) {
          state.set(d, state.get(i.src.r)!);
        } else {
          state.delete(d);
        }
      }
      const t = b.term;
      const put = (to: Block, s: Map<VReg, Origin>) => {
        const key = `${b.id}>${to.id}`;
        const old = edgeOut.get(key);
        if (!old || old.size !== s.size || [...s].some(([r, o]) => old.get(r)?.id !== o.id)) { edgeOut.set(key, s); changed = true; }
      };
      if (t?.op === 'br' && (t.cond === 'eq' || t.cond === 'ne') && isConst(t.b) && t.b.k === 0n && state.has(t.a)) {
        // On the edge where the register is not NULL, every copy of the value is checked.
        const id = state.get(t.a)!.id;
        const checked = new Map([...state].filter(([, o]) => o.id !== id));
        put(t.cond === 'ne' ? t.t : t.f, checked);
        put(t.cond === 'ne' ? t.f : t.t, new Map(state));
      } else {
        for (const s of successors(b)) put(s, new Map(state));
      }
    }
  }
  return [...problems.values()];
}
