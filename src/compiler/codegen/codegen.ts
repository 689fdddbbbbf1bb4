// IR -> BPF instructions: liveness, linear-scan register allocation, instruction selection.
//
// Registers: r1-r5 carry helper arguments and die at calls; r6-r9 survive calls; r10 is the frame
// pointer. r0 and r5 are kept as scratch for spilled operands and compare results, so values are
// allocated to r1-r4 (when they do not live across a call) and r6-r9; the rest spill to the stack.
import { Assembler, R0, R5, R10, type Reg, type AluOp, type JmpOp } from '../../isa/asm.js';
import type { Insn } from '../../isa/insn.js';
import type { Loc as SrcLoc } from '../source.js';
import { optimize, reachable, type OptimizeOptions } from '../ir/optimize.js';
import { blockLiveness } from '../ir/liveness.js';
import { IrFunction, successors, uses, def, isConst, type Block, type Val, type VReg, type Addr, type Cond, type Size, type Inst, type Term } from './../ir/ir.js';

export class CodegenError extends Error {
  override readonly name = 'CodegenError';
}

type Loc = { reg: Reg } | { slot: number };

const CALLER_SAVED: Reg[] = [1, 2, 3, 4];
const CALLEE_SAVED: Reg[] = [6, 7, 8, 9];
const SCRATCH_A: Reg = R0;
const SCRATCH_B: Reg = R5;
export const STACK_LIMIT = 512;

/** A 64-bit load to patch: with a map's fd, or (value: true) with the fd of a global section's map. */
export interface MapReloc { insn: number; map: string; value?: boolean }

export interface CodegenResult {
  insns: Insn[];
  /** BPF-to-BPF calls to patch with the callee's offset once functions are laid out. */
  calls: { insn: number; callee: string }[];
  /** Where each instruction slot came from in the source (statement granularity). */
  locs: (SrcLoc | undefined)[];
  /** 64-bit loads to patch with map fds (instruction index within `insns`). */
  relocs: MapReloc[];
  /** Bytes of stack used (locals + spills). */
  stack: number;
  spills: number;
}

interface Interval { v: VReg; start: number; end: number; crossesCall: boolean }

/** Allocate registers and select instructions for one function. */
export function codegen(f: IrFunction, opts: OptimizeOptions = {}): CodegenResult {
  const order = layout(optimize(f, opts));
  const lv = liveness(f, order);
  // First try with r0 allocatable and r5 the only scratch register; that works when nothing
  // spills (no instruction then needs two scratch registers). Otherwise r0 and r5 are both scratch.
  const alloc = allocate(f, lv, true) ?? allocate(f, lv, false)!;
  if (alloc.frame > STACK_LIMIT) {
    const big = [...f.objects].sort((a, b) => b.size - a.size).slice(0, 3).map((o) => `'${o.name}' (${o.size} bytes)`);
    throw new CodegenError(`function '${f.name}' needs ${alloc.frame} bytes of stack (${f.frameSize} for its locals, ${alloc.frame - f.frameSize} for spilled values); BPF allows ${STACK_LIMIT}` +
      (big.length ? `; the largest objects: ${big.join(', ')} — move big ones to a per-CPU array map` : ''));
  }
  const em = new Emitter(f, alloc.loc, order, alloc.fast ? R5 : SCRATCH_A, SCRATCH_B);
  const insns = em.run();
  return { insns, locs: em.locs, relocs: em.relocs, calls: em.calls, stack: alloc.frame, spills: alloc.spills };
}

interface Liveness {
  intervals: Interval[];
  /** dst -> the register it is copied or computed from, when that one dies at the definition. */
  hint: Map<VReg, { src: VReg; at: number }>;
  /** Preferred machine registers (helper arguments, call results, return values). */
  prefer: Map<VReg, Reg>;
}

function liveness(f: IrFunction, order: Block[]): Liveness {
  // Number every instruction and terminator in block order.
  const blockStart = new Map<Block, number>();
  const blockEnd = new Map<Block, number>();
  let pos = 0;
  const callPositions: number[] = [];
  const hint = new Map<VReg, { src: VReg; at: number }>();
  const prefer = new Map<VReg, Reg>();
  for (const b of order) {
    blockStart.set(b, pos);
    for (const i of b.insts) {
      if (i.op === 'call') {
        callPositions.push(pos);
        i.args.forEach((v, k) => { if (!isConst(v) && !prefer.has(v.r)) prefer.set(v.r, (k + 1) as Reg); });
        if (i.dst !== undefined && !prefer.has(i.dst)) prefer.set(i.dst, R0);
      }
      if (i.op === 'mov' && !isConst(i.src) && !hint.has(i.dst)) hint.set(i.dst, { src: i.src.r, at: pos });
      else if ((i.op === 'bin' || i.op === 'neg') && !hint.has(i.dst)) hint.set(i.dst, { src: i.a, at: pos });
      else if ((i.op === 'ext' || i.op === 'bswap') && !hint.has(i.dst)) hint.set(i.dst, { src: i.src, at: pos });
      pos++;
    }
    if (b.term?.op === 'ret' && b.term.v && !isConst(b.term.v) && !prefer.has(b.term.v.r)) prefer.set(b.term.v.r, R0);
    blockEnd.set(b, pos); // the terminator's position
    pos++;
  }

  const { liveIn, liveOut } = blockLiveness(order);

  // One conservative interval per register: from its first to its last live position.
  const start = new Array<number>(f.regCount).fill(Infinity);
  const end = new Array<number>(f.regCount).fill(-1);
  const touch = (r: VReg, p: number) => { if (p < start[r]!) start[r] = p; if (p > end[r]!) end[r] = p; };
  for (const p of f.params) touch(p, -1);
  for (const b of order) {
    const s = blockStart.get(b)!, e = blockEnd.get(b)!;
    for (const r of liveIn.get(b)!) touch(r, s);
    for (const r of liveOut.get(b)!) touch(r, e);
    let p = s;
    for (const i of b.insts) {
      for (const r of uses(i)) touch(r, p);
      const w = def(i);
      if (w !== undefined) touch(w, p);
      p++;
    }
    if (b.term) for (const r of uses(b.term)) touch(r, e);
  }
  const intervals: Interval[] = [];
  f.params.forEach((p, k) => { if (k < 5 && !prefer.has(p)) prefer.set(p, (k + 1) as Reg); });
  for (let r = 0; r < f.regCount; r++) {
    if (end[r]! < 0) continue;
    const s = start[r]!, e = end[r]!;
    // A value defined by a call (its result) or last used by it (an argument) need not survive it.
    const crossesCall = callPositions.some((c) => c > s && c < e);
    intervals.push({ v: r, start: s, end: e, crossesCall });
  }
  intervals.sort((a, b) => a.start - b.start || a.v - b.v);
  return { intervals, hint, prefer };
}

interface Allocation { loc: Map<VReg, Loc>; frame: number; spills: number; fast: boolean }

/** Linear scan. `fast`: r0 is allocatable and r5 the only scratch; gives up (undefined) on a spill. */
function allocate(f: IrFunction, lv: Liveness, fast: boolean): Allocation | undefined {
  const { intervals, hint, prefer } = lv;
  const caller: Reg[] = fast ? [1, 2, 3, 4, R0] : CALLER_SAVED;
  const loc = new Map<VReg, Loc>();
  let frame = f.frameSize;
  let spills = 0;
  // Spill slots are reused once the value that had one is dead.
  const spilled: { end: number; slot: number }[] = [];
  const spillSlot = (iv: Interval): number => {
    spills++;
    const free = spilled.find((s) => s.end < iv.start);
    if (free) { free.end = iv.end; return free.slot; }
    frame = Math.ceil((frame + 8) / 8) * 8;
    spilled.push({ end: iv.end, slot: -frame });
    return -frame;
  };
  const active: Interval[] = [];
  const free = new Set<Reg>([...CALLEE_SAVED, ...caller]);
  const params = new Set(f.params);
  for (const iv of intervals) {
    for (let k = active.length - 1; k >= 0; k--) {
      if (active[k]!.end < iv.start) {
        const l = loc.get(active[k]!.v)!;
        if ('reg' in l) free.add(l.reg);
        active.splice(k, 1);
      }
    }
    // Parameters arrive in r1-r5: one that does not live across a call stays where it arrives.
    const pool = iv.crossesCall ? CALLEE_SAVED : [...caller, ...CALLEE_SAVED];
    // Coalesce: take the register of the value this one is copied or computed from, if it dies here.
    const h = hint.get(iv.v);
    if (h && h.at === iv.start) {
      const k = active.findIndex((a) => a.v === h.src && a.end === iv.start);
      const l = k >= 0 ? loc.get(h.src) : undefined;
      if (l && 'reg' in l && pool.includes(l.reg)) {
        active.splice(k, 1);
        loc.set(iv.v, { reg: l.reg });
        active.push(iv);
        continue;
      }
    }
    const p = prefer.get(iv.v);
    const wantParam = params.has(iv.v) && p !== undefined;
    const reg = p !== undefined && free.has(p) && pool.includes(p) ? p : pool.find((r) => free.has(r) && (!wantParam || r !== R0));
    if (reg !== undefined) {
      free.delete(reg);
      loc.set(iv.v, { reg });
      active.push(iv);
      continue;
    }
    if (fast) return undefined;
    // Spill whichever of the candidates ends last (it blocks registers longest).
    const candidates = active.filter((a) => { const l = loc.get(a.v)!; return 'reg' in l && pool.includes(l.reg); });
    const victim = candidates.reduce<Interval | undefined>((m, a) => (!m || a.end > m.end ? a : m), undefined);
    if (victim && victim.end > iv.end) {
      const l = loc.get(victim.v) as { reg: Reg };
      loc.set(iv.v, { reg: l.reg });
      loc.set(victim.v, { slot: spillSlot(victim) });
      active.splice(active.indexOf(victim), 1);
      active.push(iv);
    } else {
      loc.set(iv.v, { slot: spillSlot(iv) });
    }
  }
  return { loc, frame, spills, fast };
}

export { reachable };

/** The inverse of a condition (jset has none). */
const INVERSE: Record<Cond, Cond | undefined> = {
  eq: 'ne', ne: 'eq', gt: 'le', le: 'gt', ge: 'lt', lt: 'ge', sgt: 'sle', sle: 'sgt', sge: 'slt', slt: 'sge', set: undefined,
};

/**
 * Block order for emission: reverse postorder, visiting a branch's true side last so that it
 * directly follows the branch (the usual if-then shape: branch over the then-part). Join points
 * (shared exits, code after an if/else) come after every block that jumps to them, and the
 * emitter inverts a branch whose true side is the next block, so most jumps fall through.
 */
function layout(order: Block[]): Block[] {
  const seen = new Set<Block>();
  const post: Block[] = [];
  const work: { b: Block; succ: Block[]; i: number }[] = [];
  const enter = (b: Block) => {
    seen.add(b);
    const t = b.term;
    work.push({ b, succ: t?.op === 'br' ? [t.f, t.t] : successors(b), i: 0 });
  };
  enter(order[0]!);
  while (work.length) {
    const top = work[work.length - 1]!;
    if (top.i < top.succ.length) {
      const s = top.succ[top.i++]!;
      if (!seen.has(s)) enter(s);
      continue;
    }
    work.pop();
    post.push(top.b);
  }
  return post.reverse();
}

const ALU: Record<string, AluOp> = {
  add: 'add', sub: 'sub', mul: 'mul', div: 'div', sdiv: 'sdiv', mod: 'mod', smod: 'smod', and: 'and', or: 'or', xor: 'xor', lsh: 'lsh', rsh: 'rsh', arsh: 'arsh',
};
const COMMUTATIVE = new Set(['add', 'mul', 'and', 'or', 'xor']);
const JMP: Record<Cond, JmpOp> = { eq: 'jeq', ne: 'jne', gt: 'jgt', ge: 'jge', lt: 'jlt', le: 'jle', sgt: 'jsgt', sge: 'jsge', slt: 'jslt', sle: 'jsle', set: 'jset' };
const SIZE: Record<Size, 'b' | 'h' | 'w' | 'dw'> = { 1: 'b', 2: 'h', 4: 'w', 8: 'dw' };
const fitsImm = (k: bigint): boolean => k >= -(1n << 31n) && k < 1n << 31n;

class Emitter {
  private a = new Assembler();
  readonly relocs: MapReloc[] = [];
  readonly calls: { insn: number; callee: string }[] = [];
  readonly locs: (SrcLoc | undefined)[] = [];

  private mark(from: number, loc: SrcLoc | undefined): void {
    for (let pc = from; pc < this.a.pc; pc++) this.locs[pc] = loc;
  }
  constructor(private f: IrFunction, private loc: Map<VReg, Loc>, private order: Block[], private sa: Reg, private sb: Reg) {}

  run(): Insn[] {
    // Parameters: r1.. to their homes.
    this.f.params.forEach((p, i) => {
      const l = this.loc.get(p);
      if (!l) return; // unused
      const src = (i + 1) as Reg;
      if ('reg' in l) { if (l.reg !== src) this.a.mov64(l.reg, src); } else this.a.stx('dw', R10, src, l.slot);
    });
    this.order.forEach((b, k) => {
      this.a.label(`b${b.id}`);
      b.insts.forEach((i, n) => {
        const from = this.a.pc;
        this.inst(i);
        this.mark(from, b.locs[n]);
      });
      const from = this.a.pc;
      this.term(b.term!, this.order[k + 1]);
      this.mark(from, b.termLoc);
    });
    return this.a.assemble();
  }

  /** The register holding v for reading (spilled values are loaded into `scratch`). */
  private use(v: VReg, scratch: Reg): Reg {
    const l = this.loc.get(v);
    if (!l) { this.a.mov64Imm(scratch, 0); return scratch; } // never defined: reads as 0
    if ('reg' in l) return l.reg;
    this.a.ldx('dw', scratch, R10, l.slot);
    return scratch;
  }

  /** Put a value (register or constant) into a register. */
  private valueReg(v: Val, scratch: Reg): Reg {
    if (isConst(v)) { this.loadConst(scratch, v.k); return scratch; }
    return this.use(v.r, scratch);
  }

  private loadConst(r: Reg, k: bigint): void {
    const s = BigInt.asIntN(64, k);
    if (fitsImm(s)) this.a.mov64Imm(r, Number(s));
    else this.a.ld64Imm(r, BigInt.asUintN(64, k));
  }

  /** Where to compute a result: its register, or scratch (then `commit` stores it). */
  private dest(v: VReg, scratch: Reg): Reg {
    const l = this.loc.get(v);
    return l && 'reg' in l ? l.reg : scratch;
  }

  private commit(v: VReg, r: Reg): void {
    const l = this.loc.get(v);
    if (l && 'slot' in l) this.a.stx('dw', R10, r, l.slot);
  }

  private addr(a: Addr, scratch: Reg): { base: Reg; off: number } {
    if ('fp' in a) return { base: R10, off: a.fp };
    return { base: this.use(a.base, scratch), off: a.off };
  }

  private inst(i: Inst): void {
    const a = this.a;
    switch (i.op) {
      case 'mov': {
        const d = this.dest(i.dst, this.sa);
        if (isConst(i.src)) this.loadConst(d, i.src.k);
        else { const s = this.use(i.src.r, d); if (s !== d) a.mov64(d, s); }
        this.commit(i.dst, d);
        break;
      }
      case 'bin': {
        const d = this.dest(i.dst, this.sa);
        const op = ALU[i.kind]!;
        const w = !!i.w;
        const alu = (dst: Reg, src: Reg) => (w ? a.alu32(op, dst, src) : a.alu64(op, dst, src));
        const bConst = isConst(i.b) ? BigInt.asIntN(w ? 32 : 64, i.b.k) : undefined;
        const bReg = bConst === undefined ? this.locReg((i.b as { r: VReg }).r) : undefined;
        const aReg = this.locReg(i.a);
        if (bReg !== undefined && bReg === d && aReg !== d) {
          if (COMMUTATIVE.has(i.kind)) { alu(d, this.use(i.a, this.sb)); this.commit(i.dst, d); break; }
          // d = a - d: compute in scratch.
          const s = this.use(i.a, this.sa);
          if (s !== this.sa) a.mov64(this.sa, s);
          alu(this.sa, d);
          if (w) a.mov32(d, this.sa); else a.mov64(d, this.sa);
          this.commit(i.dst, d);
          break;
        }
        const s = this.use(i.a, d);
        if (s !== d) a.mov64(d, s);
        if (bConst !== undefined && fitsImm(bConst)) { if (w) a.alu32Imm(op, d, Number(bConst)); else a.alu64Imm(op, d, Number(bConst)); }
        else alu(d, this.valueReg(i.b, d === this.sb ? this.sa : this.sb));
        this.commit(i.dst, d);
        break;
      }
      case 'neg': {
        const d = this.dest(i.dst, this.sa);
        const s = this.use(i.a, d);
        if (s !== d) a.mov64(d, s);
        a.alu64Imm('neg', d, 0);
        this.commit(i.dst, d);
        break;
      }
      case 'ext': {
        const d = this.dest(i.dst, this.sa);
        const s = this.use(i.src, d);
        if (!i.signed && i.bits === 32) a.mov32(d, s);
        else {
          if (s !== d) a.mov64(d, s);
          if (i.signed) { a.alu64Imm('lsh', d, 64 - i.bits); a.alu64Imm('arsh', d, 64 - i.bits); }
          else a.alu64Imm('and', d, i.bits === 8 ? 0xff : 0xffff);
        }
        this.commit(i.dst, d);
        break;
      }
      case 'bswap': {
        const d = this.dest(i.dst, this.sa);
        const s = this.use(i.src, d);
        if (s !== d) a.mov64(d, s);
        a.endian('be', d, i.bits); // on a little-endian machine, to big endian is a swap
        this.commit(i.dst, d);
        break;
      }
      case 'setcc': {
        const x = this.use(i.a, this.sb);
        const bConst = isConst(i.b) ? BigInt.asIntN(64, i.b.k) : undefined;
        const y = bConst !== undefined && fitsImm(bConst) ? undefined : this.valueReg(i.b, x === this.sa ? this.sb : this.sa);
        // The result goes to scratch A unless it cannot clash with the compared registers.
        let d = this.dest(i.dst, this.sa);
        if (d === x || d === y) d = x === this.sa || y === this.sa ? this.sb : this.sa;
        if (d === x || d === y) throw new CodegenError('internal: no register for a compare result');
        a.mov64Imm(d, 1);
        if (y === undefined) a.jmpImm(JMP[i.cond], x, Number(bConst), 1);
        else a.jmp(JMP[i.cond], x, y, 1);
        a.mov64Imm(d, 0);
        const home = this.dest(i.dst, d);
        if (home !== d) a.mov64(home, d);
        this.commit(i.dst, d);
        break;
      }
      case 'load': {
        const d = this.dest(i.dst, this.sa);
        const { base, off } = this.addr(i.addr, this.sb);
        if (i.signed) a.ldxs(SIZE[i.size], d, base, off); else a.ldx(SIZE[i.size], d, base, off);
        this.commit(i.dst, d);
        break;
      }
      case 'store': {
        const { base, off } = this.addr(i.addr, this.sb);
        if (isConst(i.src) && fitsImm(BigInt.asIntN(64, i.src.k)) && (i.size === 8 || fitsImm(BigInt.asIntN(i.size * 8, i.src.k)))) {
          a.st(SIZE[i.size], base, off, Number(BigInt.asIntN(Math.min(i.size * 8, 32), i.src.k)));
        } else {
          a.stx(SIZE[i.size], base, this.valueReg(i.src, this.sa), off);
        }
        break;
      }
      case 'lea': {
        const d = this.dest(i.dst, this.sa);
        const { base, off } = this.addr(i.addr, d);
        if (base !== d) a.mov64(d, base);
        if (off) a.alu64Imm('add', d, off);
        this.commit(i.dst, d);
        break;
      }
      case 'atomic': {
        const { base, off } = this.addr(i.addr, this.sb);
        const size = i.size === 8 ? 'dw' : 'w';
        if (i.dst === undefined) {
          const s = this.use(i.src, this.sa);
          if (i.kind === 'xchg') throw new CodegenError('internal: xchg without a result');
          a.atomic(i.kind, size, base, s, off);
          break;
        }
        // Fetch form: the source register receives the old value.
        const d = this.dest(i.dst, this.sa);
        const s = this.use(i.src, d === base ? this.sa : d);
        const r = d === base ? this.sa : d;
        if (s !== r) a.mov64(r, s);
        a.atomic(i.kind === 'xchg' ? 'xchg' : (`fetch_${i.kind}` as 'fetch_add'), size, base, r, off);
        if (r !== d) a.mov64(d, r);
        this.commit(i.dst, d);
        break;
      }
      case 'ldglobal': {
        const d = this.dest(i.dst, this.sa);
        this.relocs.push({ insn: a.pc, map: i.section, value: true });
        a.ldMapValue(d, 0, i.offset);
        this.commit(i.dst, d);
        break;
      }
      case 'ldmap': {
        const d = this.dest(i.dst, this.sa);
        this.relocs.push({ insn: a.pc, map: i.map });
        a.ldMapFd(d, 0);
        this.commit(i.dst, d);
        break;
      }
      case 'call': {
        this.callArgs(i.args);
        if (i.callee !== undefined) {
          this.calls.push({ insn: a.pc, callee: i.callee });
          a.callLocal(0); // patched by the linker
        } else a.call(i.helper);
        if (i.dst !== undefined) {
          const d = this.dest(i.dst, R0);
          if (d !== R0) a.mov64(d, R0);
          this.commit(i.dst, d);
        }
        break;
      }
    }
  }

  /**
   * Move helper arguments into r1-r5: a parallel move (an argument may sit in another argument's
   * register). Register-to-register moves go first, in an order that reads every register before
   * it is overwritten, cycles broken through r0 (free at a call: it only carries the result);
   * spilled values and constants are loaded last, straight into their registers.
   */
  private callArgs(args: Val[]): void {
    const a = this.a;
    const pending = new Map<Reg, Reg>(); // dst -> src register
    const later: [Reg, Val][] = [];
    args.forEach((v, k) => {
      const dst = (k + 1) as Reg;
      const l = isConst(v) ? undefined : this.loc.get(v.r);
      if (l && 'reg' in l) { if (l.reg !== dst) pending.set(dst, l.reg); } else later.push([dst, v]);
    });
    while (pending.size) {
      const sources = new Set(pending.values());
      const ready = [...pending.keys()].find((d) => !sources.has(d));
      if (ready !== undefined) {
        a.mov64(ready, pending.get(ready)!);
        pending.delete(ready);
        continue;
      }
      // Only cycles remain: save one destination's current value in r0 and let its readers read r0.
      const d0 = pending.keys().next().value as Reg;
      a.mov64(R0, d0);
      for (const [d, src] of pending) if (src === d0) pending.set(d, R0);
    }
    for (const [dst, v] of later) {
      if (isConst(v)) this.loadConst(dst, v.k);
      else { const s = this.use(v.r, dst); if (s !== dst) a.mov64(dst, s); }
    }
  }

  private locReg(v: VReg): Reg | undefined {
    const l = this.loc.get(v);
    return l && 'reg' in l ? l.reg : undefined;
  }

  private term(t: Term, next: Block | undefined): void {
    const a = this.a;
    switch (t.op) {
      case 'jmp':
        if (t.t !== next) a.ja(`b${t.t.id}`);
        break;
      case 'br': {
        const x = this.use(t.a, this.sa);
        const bConst = isConst(t.b) ? BigInt.asIntN(64, t.b.k) : undefined;
        // Fall through to whichever side comes next.
        const inv = t.t === next && t.f !== next ? INVERSE[t.cond] : undefined;
        const cond = inv ?? t.cond;
        const target = inv ? t.f : t.t;
        const other = inv ? t.t : t.f;
        if (t.w) {
          if (bConst !== undefined) a.jmp32Imm(JMP[cond], x, Number(BigInt.asIntN(32, bConst)), `b${target.id}`);
          else a.jmp32(JMP[cond], x, this.use((t.b as { r: VReg }).r, x === this.sa ? this.sb : this.sa), `b${target.id}`);
        } else if (bConst !== undefined && fitsImm(bConst)) a.jmpImm(JMP[cond], x, Number(bConst), `b${target.id}`);
        else a.jmp(JMP[cond], x, this.valueReg(t.b, x === this.sa ? this.sb : this.sa), `b${target.id}`);
        if (other !== next) a.ja(`b${other.id}`);
        break;
      }
      case 'ret':
        if (t.v) {
          if (isConst(t.v)) this.loadConst(R0, t.v.k);
          else { const s = this.use(t.v.r, R0); if (s !== R0) a.mov64(R0, s); }
        } else a.mov64Imm(R0, 0);
        a.exit();
        break;
    }
  }
}
