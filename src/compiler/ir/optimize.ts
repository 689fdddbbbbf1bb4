// The IR optimizer: what turns the straightforward output of lowering into code that competes with
// clang -O2. Passes, iterated to a fixed point (bounded):
//
//  - CFG simplification: jump threading, merging a block into its only predecessor, duplicating
//    tiny return blocks into the blocks that jump to them, dropping unreachable blocks.
//  - Propagation and folding: constants and copies are propagated (globally for registers with
//    one definition whose value cannot change under a use, locally within a block for the rest),
//    expressions over constants are folded, algebraic identities and strength reductions applied
//    (x*2^n -> x<<n, unsigned x/2^n -> x>>n), redundant extensions dropped using what is known
//    about a value's width, address arithmetic folded into load/store offsets, branches on
//    constants resolved.
//  - Redundant load elimination (opt.ts).
//  - Dead code elimination by liveness.
//
// The IR is not in SSA form: a register may be assigned in several places (C variables, inlined
// return values). A "stable" register has exactly one definition, executed at most once per run
// (its block is in no cycle): every use sees the same value, which is what makes global
// propagation of copies and address bases sound.
import { successors, uses, def, isConst, type IrFunction, type Block, type Inst, type Term, type Val, type VReg, type Addr, type Cond, type BinOp } from './ir.js';
import { eliminateRedundantLoads } from './opt.js';
import { loopComponents } from './loops.js';
import { blockLiveness } from './liveness.js';

export interface OptimizeOptions {
  /** Skip everything but the CFG clean-up (for tests comparing optimized and unoptimized code). */
  level?: 0 | 1;
  /** The kernel has BPF_JMP32 (5.1+): compare 32-bit values without extending them first. */
  jmp32?: boolean;
}

const MAX_ROUNDS = 6;

/** Optimize `f` in place; returns the reachable blocks in layout order. */
export function optimize(f: IrFunction, opts: OptimizeOptions = {}): Block[] {
  let order = simplifyCfg(f);
  if (opts.level === 0) return order;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = retarget(f, order);
    changed = propagate(f, order) || changed;
    changed = narrow(f, order, !!opts.jmp32) || changed;
    changed = eliminateRedundantLoads(f, order) > 0 || changed;
    changed = deadCode(f, order) || changed;
    const before = order.length;
    order = simplifyCfg(f);
    if (!changed && order.length === before) break;
  }
  mergeReturns(order);
  return reachable(f);
}

/** Blocks that only return the same constant (or register) become one block. */
function mergeReturns(order: Block[]): void {
  const canon = new Map<string, Block>();
  const to = new Map<Block, Block>();
  for (const b of order) {
    if (b.insts.length || b.term?.op !== 'ret') continue;
    const v = b.term.v;
    const key = !v ? 'void' : isConst(v) ? `k${u64(v.k)}` : `r${v.r}`;
    const c = canon.get(key);
    if (c) to.set(b, c); else canon.set(key, b);
  }
  for (const b of order) {
    // A block that computes and then returns what a shared return block returns jumps there.
    const t = b.term;
    if (t?.op !== 'ret' || !b.insts.length) continue;
    const v = t.v;
    const c = canon.get(!v ? 'void' : isConst(v) ? `k${u64(v.k)}` : `r${v.r}`);
    if (c) b.term = { op: "jmp", t: c };
  }
  if (!to.size) return;
  for (const b of order) {
    const t = b.term;
    if (t?.op === 'jmp') t.t = to.get(t.t) ?? t.t;
    else if (t?.op === 'br') { t.t = to.get(t.t) ?? t.t; t.f = to.get(t.f) ?? t.f; }
  }
}

// ---- CFG ---------------------------------------------------------------------------------------

function predecessors(order: Block[]): Map<Block, Block[]> {
  const preds = new Map<Block, Block[]>();
  for (const b of order) preds.set(b, []);
  for (const b of order) for (const s of successors(b)) preds.get(s)?.push(b);
  return preds;
}

/** Blocks reachable from the entry, in their original order, with empty jump blocks threaded. */
export function reachable(f: IrFunction): Block[] {
  const seen = new Set<Block>();
  const stack = [f.blocks[0]!];
  while (stack.length) {
    const b = stack.pop()!;
    if (seen.has(b)) continue;
    seen.add(b);
    const t = b.term;
    if (t?.op === 'jmp') t.t = thread(t.t);
    else if (t?.op === 'br') { t.t = thread(t.t); t.f = thread(t.f); }
    stack.push(...successors(b));
  }
  return f.blocks.filter((b) => seen.has(b));
}

function thread(b: Block): Block {
  for (let i = 0; i < 8 && b.insts.length === 0 && b.term?.op === 'jmp' && b.term.t !== b; i++) b = b.term.t;
  return b;
}

const TAIL_DUP_MAX = 1;

function simplifyCfg(f: IrFunction): Block[] {
  for (let guard = 0; guard < 100; guard++) {
    const order = reachable(f);
    const preds = predecessors(order);
    let changed = false;
    for (const b of order) {
      const t = b.term;
      if (!t) continue;
      // A branch whose two targets are the same block is a jump.
      if (t.op === 'br' && t.t === t.f) { b.term = { op: 'jmp', t: t.t }; changed = true; continue; }
      if (t.op !== 'jmp') continue;
      const s = t.t;
      if (s === b || s === f.blocks[0]) continue;
      if ((preds.get(s)?.length ?? 0) === 1) {
        // Merge s into b.
        b.insts.push(...s.insts);
        b.locs.push(...s.locs);
        b.term = s.term;
        b.termLoc = s.termLoc;
        s.insts = [];
        s.locs = [];
        s.term = { op: 'jmp', t: s }; // orphaned (unreachable now)
        // s's successors now come from b: keep the predecessor lists right and go on.
        for (const x of successors(b)) {
          const ps = preds.get(x);
          if (ps) for (let k = 0; k < ps.length; k++) if (ps[k] === s) ps[k] = b;
        }
        preds.delete(s);
        changed = true;
        continue;
      }
      if (s.term?.op === 'ret' && s.insts.length <= TAIL_DUP_MAX) {
        b.insts.push(...s.insts.map(cloneInst));
        b.locs.push(...s.locs);
        b.term = { ...s.term };
        b.termLoc = s.termLoc;
        changed = true;
      }
    }
    if (!changed) return order;
  }
  return reachable(f);
}

function cloneInst(i: Inst): Inst {
  const c = { ...i } as Inst;
  if ('addr' in c) c.addr = { ...c.addr };
  if (c.op === 'call') c.args = c.args.map((a) => ({ ...a }));
  return c;
}

/** Blocks that lie on a cycle. */
function cyclicBlocks(order: Block[]): Set<Block> {
  return new Set(loopComponents(order).flat());
}

// ---- propagation and folding -------------------------------------------------------------------

const u64 = (x: bigint) => BigInt.asUintN(64, x);
const s64 = (x: bigint) => BigInt.asIntN(64, x);

/** A 64-bit operation on constants, with BPF's results for division by zero. */
export function foldBin(kind: BinOp, a: bigint, b: bigint): bigint {
  switch (kind) {
    case 'add': return u64(a + b);
    case 'sub': return u64(a - b);
    case 'mul': return u64(a * b);
    case 'div': return u64(b) === 0n ? 0n : u64(a) / u64(b);
    case 'mod': return u64(b) === 0n ? u64(a) : u64(a) % u64(b);
    case 'sdiv': return s64(b) === 0n ? 0n : u64(s64(a) / s64(b));
    case 'smod': return s64(b) === 0n ? u64(a) : u64(s64(a) % s64(b));
    case 'and': return u64(a & b);
    case 'or': return u64(a | b);
    case 'xor': return u64(a ^ b);
    case 'lsh': return u64(a << (u64(b) & 63n));
    case 'rsh': return u64(a) >> (u64(b) & 63n);
    case 'arsh': return u64(s64(a) >> (u64(b) & 63n));
  }
}

export function evalCond(c: Cond, a: bigint, b: bigint): boolean {
  const ua = u64(a), ub = u64(b), sa = s64(a), sb = s64(b);
  switch (c) {
    case 'eq': return ua === ub;
    case 'ne': return ua !== ub;
    case 'gt': return ua > ub;
    case 'ge': return ua >= ub;
    case 'lt': return ua < ub;
    case 'le': return ua <= ub;
    case 'sgt': return sa > sb;
    case 'sge': return sa >= sb;
    case 'slt': return sa < sb;
    case 'sle': return sa <= sb;
    case 'set': return (ua & ub) !== 0n;
  }
}

/** The condition with its operands swapped (a < b  <=>  b > a). */
export const SWAPPED: Record<Cond, Cond | undefined> = {
  eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge', sgt: 'slt', sge: 'sle', slt: 'sgt', sle: 'sge', set: 'set',
};

const COMMUTATIVE = new Set<BinOp>(['add', 'mul', 'and', 'or', 'xor']);

const log2 = (k: bigint): number | undefined => {
  if (k <= 0n || (k & (k - 1n)) !== 0n) return undefined;
  let n = 0;
  while (k > 1n) { k >>= 1n; n++; }
  return n;
};

/** What is known about a register's value: its width (fits in `zbits` unsigned bits, or is the
 *  sign extension of `sbits` bits). */
interface Width { zbits?: number; sbits?: number }

/** Widths as numbers: z = unsigned bits, s = signed bits; 64 means nothing is known. */
interface W { z: number; s: number }
const UNKNOWN: W = { z: 64, s: 64 };
const cap = (n: number) => Math.max(0, Math.min(64, n));
const bitlen = (k: bigint) => (k === 0n ? 0 : k.toString(2).length);

function constWidth(k: bigint): W {
  const z = bitlen(u64(k));
  const sv = s64(k);
  return { z, s: cap(sv >= 0n ? z + 1 : bitlen(~sv) + 1) };
}

/** The width of what `i` computes, given its operands' widths. */
function widthRule(i: Inst, get: (r: VReg) => W): W {
  const v = (x: Val): W => (isConst(x) ? constWidth(x.k) : get(x.r));
  switch (i.op) {
    case 'mov': return v(i.src);
    case 'load': return i.signed ? { z: 64, s: i.size * 8 } : i.size < 8 ? { z: i.size * 8, s: i.size * 8 + 1 } : UNKNOWN;
    case 'ext': {
      const w = get(i.src);
      if (i.signed) return { z: w.z <= i.bits - 1 ? w.z : 64, s: Math.min(i.bits, w.s) };
      const z = Math.min(i.bits, w.z);
      return { z, s: cap(z + 1) };
    }
    case 'setcc': return { z: 1, s: 2 };
    // What the verifier cannot bound either stays unknown here: dropping an extension or a mask
    // the verifier needed to see (for a bounds check) would turn correct code into rejected code.
    case 'bswap': case 'neg': return UNKNOWN;
    case 'bin': {
      if (i.w) return { z: 32, s: 33 };
      const a = get(i.a), b = v(i.b);
      const k = isConst(i.b) ? Number(u64(i.b.k) & 63n) : undefined;
      switch (i.kind) {
        case 'and': { const z = Math.min(a.z, b.z); return { z, s: Math.min(cap(z + 1), Math.max(a.s, b.s)) }; }
        case 'or': case 'xor': return { z: Math.max(a.z, b.z), s: Math.max(a.s, b.s) };
        case 'add': return { z: cap(Math.max(a.z, b.z) + 1), s: cap(Math.max(a.s, b.s) + 1) };
        case 'sub': return { z: 64, s: cap(Math.max(a.s, b.s) + 1) };
        case 'mul': return { z: cap(a.z + b.z), s: cap(a.s + b.s) };
        case 'lsh': return k === undefined ? UNKNOWN : { z: cap(a.z + k), s: cap(a.s + k) };
        // By a register: the verifier follows it when the amount is known to be below 64.
        case 'rsh': { if (k === undefined) return b.z <= 6 ? { z: a.z, s: cap(a.z + 1) } : UNKNOWN; const z = cap(a.z - k); return { z, s: cap(z + 1) }; }
        case 'arsh': return k === undefined ? (b.z <= 6 ? { z: a.z < 64 ? a.z : 64, s: a.s } : UNKNOWN) : { z: a.z < 64 ? cap(a.z - k) : 64, s: Math.max(1, a.s - k) };
        // The verifier forgets everything about a quotient or remainder.
        case 'div': case 'mod': case 'sdiv': case 'smod': return UNKNOWN;
      }
      return UNKNOWN;
    }
    default: return UNKNOWN;
  }
}

/**
 * The width of every register over all its definitions (a fixed point from "no bits", so loop
 * variables that only ever hold 32-bit values are known to). Parameters and anything not settled
 * within the round limit are unknown.
 */
function computeWidths(f: IrFunction, order: Block[]): Map<VReg, W> {
  const w = new Map<VReg, W>();
  const params = new Set(f.params);
  const get = (r: VReg): W => (params.has(r) ? UNKNOWN : w.get(r) ?? { z: 0, s: 1 });
  const insts = order.flatMap((b) => b.insts.filter((i) => def(i) !== undefined));
  const defined = new Set(insts.map((i) => def(i)!));
  // Widening: a register whose width keeps growing (a counter: i = i + 1) goes straight to
  // unknown instead of climbing a bit per round.
  const growth = new Map<VReg, number>();
  for (let round = 0; round < 80; round++) {
    let changed = false;
    for (const i of insts) {
      const d = def(i)!;
      if (params.has(d)) continue;
      const nw = widthRule(i, (r) => (defined.has(r) || params.has(r) ? get(r) : UNKNOWN));
      const old = w.get(d);
      let m = old ? { z: Math.max(old.z, nw.z), s: Math.max(old.s, nw.s) } : nw;
      if (old && (m.z !== old.z || m.s !== old.s)) {
        const g = (growth.get(d) ?? 0) + 1;
        growth.set(d, g);
        if (g > 3) m = UNKNOWN;
      }
      if (!old || m.z !== old.z || m.s !== old.s) { w.set(d, m); changed = true; }
    }
    if (!changed) return w;
  }
  return new Map();
}

/** Is extending `w` a no-op (the value already has the extension's form)? */
function extIsNoop(w: Width | undefined, bits: number, signed: boolean): boolean {
  if (!w) return false;
  if (signed) return w.sbits !== undefined && w.sbits <= bits;
  return w.zbits !== undefined && w.zbits <= bits;
}

function propagate(f: IrFunction, order: Block[]): boolean {
  // Definitions per register (parameters are defined at entry).
  const defs = new Map<VReg, { b: Block; i: Inst }[]>();
  const paramSet = new Set(f.params);
  for (const b of order) for (const i of b.insts) {
    const d = def(i);
    if (d !== undefined) { const l = defs.get(d); if (l) l.push({ b, i }); else defs.set(d, [{ b, i }]); }
  }
  const cyclic = cyclicBlocks(order);
  const entryCyclic = cyclic.has(order[0]!);
  const stable = (r: VReg): boolean => {
    const d = defs.get(r);
    if (paramSet.has(r)) return !d && !entryCyclic;
    return d?.length === 1 && !cyclic.has(d[0]!.b);
  };
  const single = (r: VReg): Inst | undefined => {
    const d = defs.get(r);
    return d?.length === 1 && !paramSet.has(r) ? d[0]!.i : undefined;
  };

  // Global facts about single-definition registers.
  const globalConst = new Map<VReg, bigint>();
  const globalCopy = new Map<VReg, VReg>();
  const addrOf = new Map<VReg, Addr>(); // register = the address (stable base + offset, or a frame slot)
  for (const [r, ds] of defs) {
    if (ds.length !== 1 || paramSet.has(r)) continue;
    const i = ds[0]!.i;
    if (i.op === 'mov') {
      if (isConst(i.src)) globalConst.set(r, u64(i.src.k));
      else if (stable(i.src.r) && i.src.r !== r) globalCopy.set(r, i.src.r);
    } else if (i.op === 'lea') {
      const a = i.addr;
      if ('fp' in a) addrOf.set(r, { fp: a.fp });
      else if (stable(a.base)) addrOf.set(r, { base: a.base, off: a.off });
    }
    else if (i.op === 'bin' && i.kind === 'add' && isConst(i.b) && fitsOff(s64(i.b.k)) && stable(i.a)) addrOf.set(r, { base: i.a, off: Number(s64(i.b.k)) });
  }
  const resolveCopy = (r: VReg): VReg => {
    for (let n = 0; n < 16; n++) { const c = globalCopy.get(r); if (c === undefined) break; r = c; }
    return r;
  };
  const allWidths = computeWidths(f, order);
  const knownWidth = (r: VReg): Width | undefined => {
    const x = allWidths.get(r);
    if (!x || paramSet.has(r)) return undefined;
    return { zbits: x.z < 64 ? x.z : undefined, sbits: x.s < 64 ? x.s : undefined };
  };

  const entryConsts = reachingConstants(order);
  let changed = false;
  for (const b of order) {
    // Local facts, invalidated on redefinition; constants start from what reaches the block.
    const lconst = new Map<VReg, bigint>(entryConsts.get(b));
    const lcopy = new Map<VReg, VReg>(); // dst -> src (src not redefined since)
    const kill = (r: VReg) => {
      lconst.delete(r);
      lcopy.delete(r);
      for (const [d, s] of lcopy) if (s === r) lcopy.delete(d);
    };
    const constOf = (r: VReg): bigint | undefined => lconst.get(r) ?? globalConst.get(r);
    const regOf = (r: VReg): VReg => {
      const l = lcopy.get(r);
      if (l !== undefined) return resolveCopyLocal(l);
      return resolveCopy(r);
    };
    const resolveCopyLocal = (r: VReg): VReg => {
      for (let n = 0; n < 16; n++) { const c = lcopy.get(r); if (c === undefined) break; r = c; }
      return resolveCopy(r);
    };
    const val = (v: Val): Val => {
      if (isConst(v)) return v;
      const k = constOf(v.r);
      if (k !== undefined) return { k };
      const r = regOf(v.r);
      return r === v.r ? v : { r };
    };
    const reg = (r: VReg): VReg => regOf(r);
    const addr = (a: Addr): Addr => {
      if ('fp' in a) return a;
      const base = reg(a.base);
      const inner = addrOf.get(base);
      if (inner) {
        if ('fp' in inner) return { fp: inner.fp + a.off };
        if (fitsOff(inner.off + a.off)) return { base: inner.base, off: inner.off + a.off };
      }
      return base === a.base ? a : { base, off: a.off };
    };

    const out: Inst[] = [];
    const locs: typeof b.locs = [];
    b.insts.forEach((i0, n) => {
      const i = rewrite(i0);
      if (i !== i0) changed = true;
      if (i) { out.push(i); locs.push(b.locs[n]); }
      const d = i ? def(i) : undefined;
      if (d !== undefined) {
        kill(d);
        if (i!.op === 'mov') {
          if (isConst(i!.src)) lconst.set(d, u64(i!.src.k));
          else if (i!.src.r !== d) lcopy.set(d, i!.src.r);
        }
      }
    });
    b.insts = out;
    b.locs = locs;
    const t = b.term;
    if (t) {
      const nt = rewriteTerm(t);
      if (nt !== t) { b.term = nt; changed = true; }
    }

    function rewrite(i: Inst): Inst | undefined {
      switch (i.op) {
        case 'mov': {
          const src = val(i.src);
          if (!isConst(src) && src.r === i.dst) return undefined; // x = x
          return sameVal(src, i.src) ? i : { ...i, src };
        }
        case 'bin': return foldBinInst(i, val({ r: i.a }), val(i.b));
        case 'neg': {
          const a = val({ r: i.a });
          if (isConst(a)) return { op: 'mov', dst: i.dst, src: { k: u64(-a.k) } };
          return a.r === i.a ? i : { ...i, a: a.r };
        }
        case 'ext': {
          const s = val({ r: i.src });
          if (isConst(s)) return { op: 'mov', dst: i.dst, src: { k: u64(i.signed ? BigInt.asIntN(i.bits, s.k) : BigInt.asUintN(i.bits, s.k)) } };
          if (extIsNoop(knownWidth(s.r), i.bits, i.signed)) return { op: 'mov', dst: i.dst, src: s };
          return s.r === i.src ? i : { ...i, src: s.r };
        }
        case 'bswap': {
          const s = val({ r: i.src });
          return !isConst(s) && s.r !== i.src ? { ...i, src: s.r } : i;
        }
        case 'setcc': {
          let a = val({ r: i.a }), bv = val(i.b), cond: Cond = i.cond;
          if (isConst(a) && isConst(bv)) return { op: 'mov', dst: i.dst, src: { k: evalCond(cond, a.k, bv.k) ? 1n : 0n } };
          if (isConst(a)) { const sc = SWAPPED[cond]!; [a, bv] = [bv, a]; cond = sc; }
          const ar = (a as { r: VReg }).r;
          return ar === i.a && sameVal(bv, i.b) && cond === i.cond ? i : { ...i, cond, a: ar, b: bv };
        }
        case 'load': { const a = addr(i.addr); return sameAddr(a, i.addr) ? i : { ...i, addr: a }; }
        case 'lea': {
          const a = addr(i.addr);
          if (!('fp' in a) && a.off === 0) return { op: 'mov', dst: i.dst, src: { r: a.base } };
          return sameAddr(a, i.addr) ? i : { ...i, addr: a };
        }
        case 'store': {
          const a = addr(i.addr);
          const s = val(i.src);
          return sameAddr(a, i.addr) && sameVal(s, i.src) ? i : { ...i, addr: a, src: s };
        }
        case 'atomic': {
          const a = addr(i.addr);
          const s = reg(i.src);
          return sameAddr(a, i.addr) && s === i.src ? i : { ...i, addr: a, src: s };
        }
        case 'call': {
          const args = i.args.map(val);
          return args.every((x, k) => sameVal(x, i.args[k]!)) ? i : { ...i, args };
        }
        case 'ldglobal': case 'ldmap': return i;
      }
    }

    function rewriteTerm(t: Term): Term {
      switch (t.op) {
        case 'jmp': return t;
        case 'ret': {
          if (!t.v) return t;
          const v = val(t.v);
          return sameVal(v, t.v) ? t : { op: 'ret', v };
        }
        case 'br': {
          let a = val({ r: t.a }), bv = val(t.b), cond: Cond = t.cond;
          if (isConst(a) && isConst(bv)) return { op: 'jmp', t: evalCond(cond, a.k, bv.k) ? t.t : t.f };
          if (isConst(a)) { [a, bv] = [bv, a]; cond = SWAPPED[cond]!; }
          let ar = (a as { r: VReg }).r;
          // Compare against 0 of a value that is an extension of a narrower one: compare the
          // narrower one (the extension does not change whether it is zero).
          if ((cond === 'eq' || cond === 'ne') && isConst(bv) && bv.k === 0n) {
            const e = single(ar);
            const w = e?.op === 'ext' ? knownWidth(e.src) : undefined;
            if (e?.op === 'ext' && stable(e.src) && w && ((w.zbits ?? 99) <= e.bits || (w.sbits ?? 99) <= e.bits)) ar = reg(e.src);
          }
          return ar === t.a && sameVal(bv, t.b) && cond === t.cond ? t : { ...t, cond, a: ar, b: bv };
        }
      }
    }
  }
  return changed;

  function foldBinInst(i: Inst & { op: 'bin' }, a: Val, bv: Val): Inst {
    if (i.w) {
      // A 32-bit operation: fold only when both sides are known; no 64-bit identities apply.
      if (isConst(a) && isConst(bv)) return { op: 'mov', dst: i.dst, src: { k: BigInt.asUintN(32, foldBin(i.kind, a.k, bv.k)) } };
      const ar = isConst(a) ? i.a : a.r;
      return ar === i.a && sameVal(bv, i.b) ? i : { ...i, a: ar, b: bv };
    }
    if (isConst(a) && isConst(bv)) return { op: 'mov', dst: i.dst, src: { k: foldBin(i.kind, a.k, bv.k) } };
    let kind = i.kind;
    if (isConst(a) && COMMUTATIVE.has(kind)) [a, bv] = [bv, a];
    if (isConst(a)) {
      // k - x and friends: keep the constant in a register operand.
      const ar = i.a;
      return sameVal(bv, i.b) ? i : { ...i, a: ar, b: bv };
    }
    const ar = a.r;
    if (isConst(bv)) {
      const k = u64(bv.k);
      const mv = (src: Val): Inst => ({ op: 'mov', dst: i.dst, src });
      switch (kind) {
        case 'add': case 'sub': case 'or': case 'xor': case 'lsh': case 'rsh': case 'arsh':
          if (k === 0n) return mv({ r: ar });
          break;
        case 'mul':
          if (k === 0n) return mv({ k: 0n });
          if (k === 1n) return mv({ r: ar });
          { const n = log2(k); if (n !== undefined) { kind = 'lsh'; bv = { k: BigInt(n) }; } }
          break;
        case 'div':
          if (k === 1n) return mv({ r: ar });
          { const n = log2(k); if (n !== undefined) { kind = 'rsh'; bv = { k: BigInt(n) }; } }
          break;
        case 'mod':
          { const n = log2(k); if (n !== undefined) { kind = 'and'; bv = { k: k - 1n }; } }
          break;
        case 'and':
          if (k === 0n) return mv({ k: 0n });
          if (k === u64(-1n)) return mv({ r: ar });
          // A mask is kept even where it changes nothing: it is how the verifier bounds an index.
          break;
      }
    }
    if (kind === i.kind && ar === i.a && sameVal(bv, i.b)) return i;
    return { ...i, kind, a: ar, b: bv };
  }

}

/**
 * Constants reaching each block's entry, for registers assigned in several places (a loop
 * counter in an unrolled loop, a flag set on every path): a forward dataflow whose meet keeps a
 * register only where every predecessor agrees on its value.
 */
function reachingConstants(order: Block[]): Map<Block, Map<VReg, bigint>> {
  const preds = predecessors(order);
  // Only registers assigned in several places need this; one-definition constants are known
  // everywhere already (and are read here through `fixed`).
  const defCount = new Map<VReg, number>();
  const fixed = new Map<VReg, bigint>();
  for (const b of order) for (const i of b.insts) {
    const d = def(i);
    if (d === undefined) continue;
    defCount.set(d, (defCount.get(d) ?? 0) + 1);
    if (i.op === 'mov' && isConst(i.src)) fixed.set(d, u64(i.src.k));
  }
  for (const [r, n] of defCount) if (n > 1) fixed.delete(r);
  const tracked = (r: VReg) => (defCount.get(r) ?? 0) > 1;
  if (![...defCount.values()].some((n) => n > 1)) return new Map();

  const out = new Map<Block, Map<VReg, bigint>>();
  const inState = new Map<Block, Map<VReg, bigint>>();
  const transfer = (b: Block, st: Map<VReg, bigint>): Map<VReg, bigint> => {
    const s2 = new Map(st);
    const reg = (r: VReg): bigint | undefined => s2.get(r) ?? fixed.get(r);
    const k = (v: Val): bigint | undefined => (isConst(v) ? u64(v.k) : reg(v.r));
    for (const i of b.insts) {
      const d = def(i);
      if (d === undefined || !tracked(d)) continue;
      let val: bigint | undefined;
      if (i.op === 'mov') val = k(i.src);
      else if (i.op === 'bin') {
        const a = reg(i.a), c = k(i.b);
        if (a !== undefined && c !== undefined) val = i.w ? BigInt.asUintN(32, foldBin(i.kind, a, c)) : foldBin(i.kind, a, c);
      } else if (i.op === 'ext') {
        const a = reg(i.src);
        if (a !== undefined) val = u64(i.signed ? BigInt.asIntN(i.bits, a) : BigInt.asUintN(i.bits, a));
      } else if (i.op === 'neg') {
        const a = reg(i.a);
        if (a !== undefined) val = u64(-a);
      }
      if (val === undefined) s2.delete(d); else s2.set(d, val);
    }
    return s2;
  };
  // A worklist in block order: a block is revisited only when what reaches it may have changed.
  const index = new Map(order.map((b, n) => [b, n]));
  const queued = new Set<Block>(order);
  let budget = order.length * 64;
  while (queued.size) {
    if (--budget < 0) return new Map(); // not settled (a pathological CFG): a partial answer would be unsound
    let b: Block | undefined;
    for (const x of queued) if (!b || index.get(x)! < index.get(b)!) b = x;
    queued.delete(b!);
    const blk = b!;
    let st: Map<VReg, bigint> | undefined;
    if (blk === order[0]) st = new Map(); // the entry is entered with nothing known
    else for (const p of preds.get(blk) ?? []) {
      const o = out.get(p);
      if (!o) continue; // not reached yet: no information from it
      if (!st) { st = new Map(o); continue; }
      for (const [r, v] of st) if (o.get(r) !== v) st.delete(r);
    }
    if (!st) continue;
    const prev = inState.get(blk);
    if (prev && prev.size === st.size && [...st].every(([r, v]) => prev.get(r) === v)) continue;
    inState.set(blk, st);
    out.set(blk, transfer(blk, st));
    for (const s2 of successors(blk)) queued.add(s2);
  }
  return inState;
}

const fitsOff = (n: bigint | number): boolean => Number(n) >= -32768 && Number(n) <= 32767;

function sameVal(a: Val, b: Val): boolean {
  return isConst(a) ? isConst(b) && u64(a.k) === u64(b.k) : !isConst(b) && a.r === b.r;
}

function sameAddr(a: Addr, b: Addr): boolean {
  return 'fp' in a ? 'fp' in b && a.fp === b.fp : !('fp' in b) && a.base === b.base && a.off === b.off;
}

// ---- 32-bit operations ---------------------------------------------------------------------------

const SIGNED_CONDS = new Set<Cond>(['sgt', 'sge', 'slt', 'sle']);
const UNSIGNED_CONDS = new Set<Cond>(['gt', 'ge', 'lt', 'le']);
/** Operations whose low 32 bits depend only on the operands' low 32 bits. */
const LOW_BITS_OPS = new Set<BinOp>(['add', 'sub', 'mul', 'and', 'or', 'xor']);

/**
 * Use 32-bit operations where C works on 32-bit values:
 *  - `zext32(a op b)` with op in LOW_BITS_OPS (u32 arithmetic) is one ALU32 instruction, which
 *    zero-extends its result by itself;
 *  - with JMP32, a compare of extended 32-bit values (`(s64)(int)x < k`) compares x's low half.
 */
function narrow(f: IrFunction, order: Block[], jmp32: boolean): boolean {
  const defs = new Map<VReg, { b: Block; n: number }[]>();
  const useCount = new Map<VReg, number>();
  for (const b of order) {
    b.insts.forEach((i, n) => {
      const d = def(i);
      if (d !== undefined) defs.set(d, [...(defs.get(d) ?? []), { b, n }]);
      for (const r of uses(i)) useCount.set(r, (useCount.get(r) ?? 0) + 1);
    });
    if (b.term) for (const r of uses(b.term)) useCount.set(r, (useCount.get(r) ?? 0) + 1);
  }
  const params = new Set(f.params);
  const cyclic = cyclicBlocks(order);
  const singleDef = (r: VReg) => (!params.has(r) && defs.get(r)?.length === 1 ? defs.get(r)![0]! : undefined);
  /** r holds at the end of block `at` what it held when `from` defined it. */
  const unchangedSince = (r: VReg, from: { b: Block; n: number }, at: Block): boolean => {
    const d = defs.get(r);
    if (params.has(r)) return !d && !cyclic.has(order[0]!);
    if (d?.length === 1 && !cyclic.has(d[0]!.b)) return true;
    // Same block, not redefined after `from`.
    return from.b === at && !from.b.insts.slice(from.n + 1).some((i) => def(i) === r);
  };
  let changed = false;
  for (const b of order) {
    // ALU32: bin then zext32 of its result, adjacent, the bin's result used only there.
    for (let n = 1; n < b.insts.length; n++) {
      const e = b.insts[n]!, p = b.insts[n - 1]!;
      if (e.op !== 'ext' || e.signed || e.bits !== 32 || p.op !== 'bin' || p.w || p.dst !== e.src) continue;
      if (!LOW_BITS_OPS.has(p.kind) || useCount.get(p.dst) !== 1 || defs.get(p.dst)?.length !== 1) continue;
      b.insts[n - 1] = { ...p, w: true };
      b.insts[n] = { op: 'mov', dst: e.dst, src: { r: p.dst } };
      changed = true;
    }
    const t = b.term;
    if (!jmp32 || t?.op !== 'br' || t.w || t.cond === 'set') continue;
    // JMP32: both sides 32-bit extensions of the same kind, or one a constant in range.
    const narrowed = (r: VReg): { src: VReg; signed: boolean } | undefined => {
      const d = singleDef(r);
      const i = d && d.b.insts[d.n];
      if (!i || i.op !== 'ext' || i.bits !== 32 || !unchangedSince(i.src, d, b)) return undefined;
      return { src: i.src, signed: i.signed };
    };
    // Only when the extended value is used by nothing else: a bounds check must test the register
    // that is then used (the verifier learns bounds for the register it compares).
    const a = useCount.get(t.a) === 1 ? narrowed(t.a) : undefined;
    if (!a) continue;
    const fits = a.signed ? SIGNED_CONDS.has(t.cond) || t.cond === 'eq' || t.cond === 'ne' : UNSIGNED_CONDS.has(t.cond) || t.cond === 'eq' || t.cond === 'ne';
    if (!fits) continue;
    let bv: Val | undefined;
    if (isConst(t.b)) {
      const k = t.b.k;
      const ok = a.signed ? s64(k) >= -(1n << 31n) && s64(k) < 1n << 31n : u64(k) < 1n << 32n;
      if (ok) bv = { k: BigInt.asIntN(32, k) };
    } else {
      const nb = useCount.get(t.b.r) === 1 ? narrowed(t.b.r) : undefined;
      if (nb && nb.signed === a.signed) bv = { r: nb.src };
    }
    if (!bv) continue;
    b.term = { ...t, a: a.src, b: bv, w: true };
    changed = true;
  }
  return changed;
}

// ---- copies ----------------------------------------------------------------------------------------

/**
 * `t = <op>; ...; d = t` where t is used nowhere else becomes `d = <op>` (when nothing in between
 * touches d): the copy disappears instead of waiting for the register allocator to coalesce it,
 * which it cannot do when d is a variable that lives long (a loop counter).
 */
function retarget(f: IrFunction, order: Block[]): boolean {
  const useCount = new Map<VReg, number>();
  const defCount = new Map<VReg, number>();
  for (const b of order) {
    for (const i of b.insts) {
      for (const r of uses(i)) useCount.set(r, (useCount.get(r) ?? 0) + 1);
      const d = def(i);
      if (d !== undefined) defCount.set(d, (defCount.get(d) ?? 0) + 1);
    }
    if (b.term) for (const r of uses(b.term)) useCount.set(r, (useCount.get(r) ?? 0) + 1);
  }
  const params = new Set(f.params);
  let changed = false;
  for (const b of order) {
    for (let n = 0; n < b.insts.length; n++) {
      const m = b.insts[n]!;
      if (m.op !== 'mov' || isConst(m.src) || m.src.r === m.dst) continue;
      const t = m.src.r, d = m.dst;
      if (useCount.get(t) !== 1 || defCount.get(t) !== 1 || params.has(t)) continue;
      let j = n - 1;
      for (; j >= 0; j--) {
        const i = b.insts[j]!;
        if (def(i) === t) break;
        if (def(i) === d || uses(i).includes(d)) { j = -1; break; }
      }
      if (j < 0) continue;
      b.insts[j] = { ...b.insts[j]!, dst: d } as Inst;
      b.insts.splice(n, 1);
      b.locs.splice(n, 1);
      n--;
      changed = true;
    }
  }
  return changed;
}

// ---- dead code ---------------------------------------------------------------------------------

const PURE = new Set<Inst['op']>(['mov', 'bin', 'neg', 'ext', 'setcc', 'load', 'lea', 'ldglobal', 'ldmap', 'bswap']);

function deadCode(_f: IrFunction, order: Block[]): boolean {
  // Block liveness, then a backward sweep removing pure instructions whose results are dead.
  const { liveOut } = blockLiveness(order);
  let removed = false;
  for (const b of order) {
    const live = new Set(liveOut.get(b));
    if (b.term) for (const r of uses(b.term)) live.add(r);
    const keep: boolean[] = new Array(b.insts.length).fill(true);
    for (let n = b.insts.length - 1; n >= 0; n--) {
      const i = b.insts[n]!;
      const d = def(i);
      if (d !== undefined && !live.has(d) && PURE.has(i.op)) { keep[n] = false; removed = true; continue; }
      if (d !== undefined) live.delete(d);
      for (const r of uses(i)) live.add(r);
    }
    if (keep.includes(false)) {
      b.insts = b.insts.filter((_, n) => keep[n]);
      b.locs = b.locs.filter((_, n) => keep[n]);
    }
  }
  return removed;
}
