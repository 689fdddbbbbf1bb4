// Lowering: checked AST -> IR. One function at a time; static functions called from it are
// inlined (BPF programs are small and the verifier likes straight code). Scalars whose address
// is never taken live in virtual registers; everything else gets a frame slot.
import type { Loc } from '../source.js';
import { Diagnostics } from '../diagnostics.js';
import type { Block as AstBlock, Decl, Expr, Initializer, Stmt } from '../parse/ast.js';
import type { Sym } from '../check/scope.js';
import {
  isInteger, isPointer, isArray, isRecord, isFunction, isVoid, sizeOf, alignOf, intOf, decay, INT,
  type QualType, type CType, type IntT, type RecordT, type Field,
} from '../check/types.js';
import { binaryResult } from '../check/convert.js';
import { findField } from '../check/layout.js';
import { IrFunction, Block, type VReg, type Val, type Addr, type BinOp, type Cond, type Size, isConst } from './ir.js';
import { foldBin } from './optimize.js';

/** Where an lvalue lives. */
type Place =
  | { kind: 'reg'; v: VReg; type: QualType }
  | { kind: 'mem'; addr: Addr; type: QualType; bits?: { bitOffset: number; width: number } };

class Unsupported extends Error {
  constructor(message: string, readonly loc: Loc) { super(message); }
}

interface Frame {
  /** Storage of each local and parameter symbol. */
  vars: Map<Sym, Place>;
  /** Inlined function: where `return` goes and the register it leaves its value in. */
  retBlock?: Block;
  retReg?: VReg;
  retType?: QualType;
  labels: Map<string, Block>;
}

const MAX_INLINE_DEPTH = 16;

/** Lower one function definition. Problems come back as located diagnostics. */
/** Where global variables live: section map and offset, decided by the object compiler. */
export type GlobalLayout = Map<Sym, { section: string; offset: number }>;

export interface LowerOptions {
  /**
   * Tracing programs (kprobe, tracepoint, raw tracepoint, perf event): memory reached through a
   * pointer that is not known to be the stack, a map value, a global or the context is kernel
   * memory, read with bpf_probe_read_kernel — as BCC does for `task->real_parent->tgid`.
   */
  implicitReads?: boolean;
  /** The kernel runs BPF ISA v4 (6.6+): sign-extending loads, signed division. */
  isaV4?: boolean;
  /** Where string literals used as values go (read-only data, as clang's .rodata.str1.1). */
  strings?: StringPool;
  /** Lowering a subprogram (a function called, not inlined): its first parameter is no context;
   *  `safeParams` says which parameters every caller passes directly readable pointers in. */
  subprogram?: boolean;
  safeParams?: boolean[];
}

/** String literals of an object, deduplicated, laid out in one read-only section. */
export class StringPool {
  static readonly SECTION = '.rodata.str1.1';
  private bytes: number[] = [];
  private offsets = new Map<string, number>();
  /** Offset of `data` (padded with NULs to `size` bytes) in the section. */
  intern(data: Uint8Array, size: number): number {
    const buf = Buffer.alloc(Math.max(size, data.length));
    buf.set(data);
    const key = buf.toString('latin1');
    let off = this.offsets.get(key);
    if (off === undefined) {
      off = this.bytes.length;
      this.bytes.push(...buf);
      this.offsets.set(key, off);
    }
    return off;
  }
  get size(): number { return this.bytes.length; }
  data(): Buffer { return Buffer.from(this.bytes); }
}

export function lowerFunction(sym: Sym, diags: Diagnostics, globals: GlobalLayout = new Map(), opts: LowerOptions = {}): IrFunction | undefined {
  try {
    return new Lowerer(sym.name, globals, opts).function(sym);
  } catch (e) {
    if (e instanceof Unsupported) {
      diags.error('codegen-unsupported', e.message, e.loc);
      return undefined;
    }
    throw e;
  }
}

const canonicalInt = (t: CType): IntT | undefined => (isInteger(t) ? intOf(t as IntT) : undefined);

class Lowerer {
  private f: IrFunction;
  private cur!: Block;
  private frame!: Frame;
  private breaks: Block[] = [];
  private continues: Block[] = [];
  private inlineStack: Sym[] = [];
  private addressTaken = new Set<Sym>();

  /** Registers known to hold a pointer the program may dereference directly. */
  private safe = new Set<VReg>();
  private probeSlot?: number;

  constructor(name: string, private globals: GlobalLayout, private opts: LowerOptions = {}) {
    this.f = new IrFunction(name);
  }

  private unsupported(what: string, loc: Loc): never {
    throw new Unsupported(`${what} is not supported by the code generator yet`, loc);
  }

  // ---- emission helpers ---------------------------------------------------------------

  private emit(i: Block['insts'][number]): void {
    if (this.cur.term) this.cur = this.f.newBlock(); // unreachable code after a jump: give it a block
    this.cur.insts.push(i);
    this.cur.locs.push(this.stmtLoc);
    // Pointer provenance for implicit kernel reads.
    switch (i.op) {
      case 'mov': if (!isConst(i.src) && this.safe.has(i.src.r)) this.safe.add(i.dst); else this.safe.delete(i.dst); break;
      case 'bin':
        // Pointer arithmetic keeps the pointer (always the first operand here) where it points.
        if ((i.kind === 'add' || i.kind === 'sub') && this.safe.has(i.a)) this.safe.add(i.dst);
        else this.safe.delete(i.dst);
        break;
      case 'lea': if ('fp' in i.addr || this.safe.has(i.addr.base)) this.safe.add(i.dst); else this.safe.delete(i.dst); break;
      case 'ldglobal': case 'ldmap': this.safe.add(i.dst); break;
      case 'call': if (i.dst !== undefined) { if (SAFE_POINTER_HELPERS.has(i.helper)) this.safe.add(i.dst); else this.safe.delete(i.dst); } break;
      case 'store': case 'atomic': break;
      default: this.safe.delete(i.dst);
    }
  }

  private directLoad(addr: Addr): boolean {
    return !this.opts.implicitReads || 'fp' in addr || this.safe.has(addr.base);
  }

  /** Load `size` bytes at addr (zero-extended); through bpf_probe_read_kernel when it is kernel memory. */
  private rawLoad(dst: VReg, addr: Addr, size: Size): void {
    if (this.directLoad(addr)) {
      this.emit({ op: 'load', dst, addr, size });
      return;
    }
    const a = addr as { base: VReg; off: number };
    this.probeSlot ??= this.f.slot(8, 8);
    const tmp = this.lea({ fp: this.probeSlot });
    const src = a.off ? this.reg(this.bin('add', { r: a.base }, { k: BigInt(a.off) })) : a.base;
    this.emit({ op: 'store', addr: { fp: this.probeSlot }, size: 8, src: { k: 0n } });
    this.emit({ op: 'call', helper: PROBE_READ_KERNEL, args: [{ r: tmp }, { k: BigInt(size) }, { r: src }] });
    this.emit({ op: 'load', dst, addr: { fp: this.probeSlot }, size });
  }

  private terminate(t: NonNullable<Block['term']>): void {
    if (!this.cur.term) { this.cur.term = t; this.cur.termLoc = this.stmtLoc; }
  }

  /** The statement being lowered: every instruction is attributed to it (line_info). */
  private stmtLoc?: Loc;

  private jump(to: Block): void { this.terminate({ op: 'jmp', t: to }); }

  private reg(v: Val): VReg {
    if (!isConst(v)) return v.r;
    const r = this.f.newReg();
    this.emit({ op: 'mov', dst: r, src: v });
    return r;
  }

  private bin(kind: BinOp, a: Val, b: Val): Val {
    if (isConst(a) && isConst(b)) return { k: foldBin(kind, a.k, b.k) };
    const dst = this.f.newReg();
    this.emit({ op: 'bin', kind, dst, a: this.reg(a), b });
    return { r: dst };
  }

  /** Make `v` canonical for integer type t (truncate and re-extend), or 0/1 for _Bool. */
  private norm(v: Val, t: CType): Val {
    if (t.kind === 'ptr') return v;
    const it = canonicalInt(t);
    if (!it) return v;
    if (it.bool) {
      if (isConst(v)) return { k: v.k !== 0n ? 1n : 0n };
      const dst = this.f.newReg();
      this.emit({ op: 'setcc', dst, cond: 'ne', a: v.r, b: { k: 0n } });
      return { r: dst };
    }
    if (it.size >= 8) return isConst(v) ? { k: BigInt.asUintN(64, v.k) } : v;
    const bits = (it.size * 8) as 8 | 16 | 32;
    if (isConst(v)) return { k: it.signed ? BigInt.asIntN(bits, v.k) : BigInt.asUintN(bits, v.k) };
    const dst = this.f.newReg();
    this.emit({ op: 'ext', dst, src: v.r, bits, signed: it.signed });
    return { r: dst };
  }

  /** Convert a canonical value of type `from` to type `to`. */
  private convert(v: Val, from: CType, to: CType): Val {
    if (isVoid(to)) return v;
    const fi = canonicalInt(from), ti = canonicalInt(to);
    if (to.kind === 'ptr' || (ti && ti.size === 8 && !ti.bool)) {
      // Widening to 64 bits: the canonical value already is the C value.
      return isConst(v) ? { k: BigInt.asUintN(64, v.k) } : v;
    }
    if (ti) {
      if (fi && !ti.bool && fi.size <= ti.size && (fi.signed === ti.signed || fi.size < ti.size) && !(fi.signed && !ti.signed)) return v;
      return this.norm(v, to);
    }
    if (to.kind === 'float' || from.kind === 'float') this.unsupported('floating point', this.f.blocks[0]!.locs[0] ?? dummyLoc);
    return v;
  }

  // ---- memory --------------------------------------------------------------------------

  private load(p: Place): Val {
    if (p.kind === 'reg') return { r: p.v };
    const t = p.type.type;
    if (isArray(t) || isFunction(t)) return { r: this.lea(p.addr) }; // decay
    if (isRecord(t)) this.unsupportedAt('using a struct or union as a value', p);
    if (p.bits) return this.loadBits(p, t);
    const size = sizeOf(t);
    if (size !== 1 && size !== 2 && size !== 4 && size !== 8) this.unsupportedAt(`loading a ${size}-byte ${t.kind} value`, p);
    const dst = this.f.newReg();
    const it = canonicalInt(t);
    const signed = !!it && it.signed && size < 8 && !it.bool;
    if (signed && this.opts.isaV4 && this.directLoad(p.addr)) {
      this.emit({ op: 'load', dst, addr: p.addr, size, signed: true });
      return { r: dst };
    }
    this.rawLoad(dst, p.addr, size);
    if (signed) return this.norm({ r: dst }, t);
    return { r: dst };
  }

  private unsupportedAt(what: string, _p: Place): never {
    throw new Unsupported(`${what} is not supported by the code generator yet`, this.lastLoc ?? dummyLoc);
  }

  private lastLoc?: Loc;

  private store(p: Place, v: Val): void {
    if (p.kind === 'reg') {
      this.emit({ op: 'mov', dst: p.v, src: v });
      return;
    }
    const t = p.type.type;
    if (p.bits) { this.storeBits(p, t, v); return; }
    const size = sizeOf(t);
    if (size !== 1 && size !== 2 && size !== 4 && size !== 8) this.unsupportedAt(`storing a ${size}-byte ${t.kind} value this way`, p);
    this.emit({ op: 'store', addr: p.addr, size, src: v });
  }

  /** The storage unit of a bitfield: its declared type's size, aligned, holding every bit of it. */
  private bitUnit(p: Place & { kind: 'mem' }, t: CType): { addr: Addr; size: Size; shift: number } {
    const size = sizeOf(t) as Size;
    const unitBits = size * 8;
    const start = Math.floor(p.bits!.bitOffset / unitBits) * unitBits;
    if (p.bits!.bitOffset + p.bits!.width > start + unitBits) this.unsupportedAt('a bit-field that straddles its storage unit (packed)', p);
    return { addr: offsetAddr(p.addr, start / 8), size, shift: p.bits!.bitOffset - start };
  }

  private loadBits(p: Place & { kind: 'mem' }, t: CType): Val {
    const { addr, size, shift } = this.bitUnit(p, t);
    const w = p.bits!.width;
    const raw = this.f.newReg();
    this.rawLoad(raw, addr, size);
    const it = canonicalInt(t)!;
    // Move the field to the top of 64 bits, then shift down (arithmetically for signed fields).
    const up = this.bin('lsh', { r: raw }, { k: BigInt(64 - shift - w) });
    return this.bin(it.signed && !it.bool ? 'arsh' : 'rsh', up, { k: BigInt(64 - w) });
  }

  private storeBits(p: Place & { kind: 'mem' }, t: CType, v: Val): void {
    const { addr, size, shift } = this.bitUnit(p, t);
    const w = p.bits!.width;
    const mask = ((1n << BigInt(w)) - 1n) << BigInt(shift);
    const raw = this.f.newReg();
    this.emit({ op: 'load', dst: raw, addr, size });
    const keep = this.bin('and', { r: raw }, this.constOperand(~mask & ((1n << BigInt(size * 8)) - 1n)));
    const field = this.bin('and', this.bin('lsh', v, { k: BigInt(shift) }), this.constOperand(mask));
    this.emit({ op: 'store', addr, size, src: this.bin('or', keep, field) });
  }

  /** Constants beyond 32 signed bits must go through a register (ALU immediates are s32). */
  private constOperand(k: bigint): Val {
    if (k >= -(1n << 31n) && k < 1n << 31n) return { k };
    return { r: this.reg({ k }) };
  }

  private lea(addr: Addr): VReg {
    const dst = this.f.newReg();
    this.emit({ op: 'lea', dst, addr });
    return dst;
  }

  // ---- functions and inlining -------------------------------------------------------------

  function(sym: Sym): IrFunction {
    const body = sym.body;
    if (!body) throw new Unsupported(`function '${sym.name}' has no body`, sym.loc);
    this.cur = this.f.newBlock();
    this.frame = { vars: new Map(), labels: new Map() };
    this.scanAddressTaken(body);
    for (const [k, p] of (sym.params ?? []).entries()) {
      const v = this.f.newReg();
      this.f.params.push(v);
      if (this.opts.subprogram ? this.opts.safeParams?.[k] : k === 0) this.safe.add(v); // the context, or a known-safe pointer
      this.frame.vars.set(p, this.newLocal(p, { r: v }));
    }
    this.inlineStack.push(sym);
    this.block(body);
    this.terminate({ op: 'ret', v: { k: 0n } });
    this.seal();
    return this.f;
  }

  /** Give every block a terminator (fallthrough into nothing returns 0, as main-less BPF code must). */
  private seal(): void {
    for (const b of this.f.blocks) if (!b.term) b.term = { op: 'ret', v: { k: 0n } };
  }

  private scanAddressTaken(node: unknown): void {
    const walk = (n: unknown): void => {
      if (!n || typeof n !== 'object') return;
      if (Array.isArray(n)) { for (const x of n) walk(x); return; }
      const o = n as Record<string, unknown>;
      if (o.kind === 'unary' && o.op === '&') {
        let x = o.operand as Expr;
        while (x.kind === 'member' && !x.arrow) x = x.object;
        while (x.kind === 'index') x = x.object;
        if (x.kind === 'ident' && x.sym) this.addressTaken.add(x.sym);
      }
      for (const [k, v] of Object.entries(o)) {
        if (k === 'loc' || k === 'ty' || k === 'sym' || k === 'field' || k === 'nameLoc' || k === 'end') continue;
        walk(v);
      }
    };
    walk(node);
  }

  /** Storage for a local: a register for scalars whose address is never taken, else a frame slot. */
  private newLocal(sym: Sym, init?: Val): Place {
    const t = sym.type.type;
    if (isInteger(t) || isPointer(t)) {
      if (!this.addressTaken.has(sym)) {
        const v = this.f.newReg();
        if (init) this.emit({ op: 'mov', dst: v, src: init });
        return { kind: 'reg', v, type: sym.type };
      }
    }
    if (!isInteger(t) && !isPointer(t) && !isArray(t) && !isRecord(t)) this.unsupported(`a local of type ${t.kind}`, sym.loc);
    const size = sizeOf(t);
    const off = this.f.slot(size, alignOf(t));
    this.f.objects.push({ name: sym.name, size, loc: sym.loc });
    const place: Place = { kind: 'mem', addr: { fp: off }, type: sym.type };
    if (init) this.store(place, init);
    return place;
  }

  private inlineCall(callee: Sym, args: Expr[], loc: Loc): Val {
    if (this.inlineStack.includes(callee)) this.unsupported(`recursion ('${callee.name}' calls itself)`, loc);
    if (this.inlineStack.length > MAX_INLINE_DEPTH) this.unsupported('inlining deeper than 16 calls', loc);
    const params = callee.params ?? [];
    const ft = callee.type.type as Extract<CType, { kind: 'func' }>;
    const values = args.map((a, i) => {
      const v = this.rv(a);
      const pt = ft.params[i]?.type.type;
      return pt ? this.convert(v, decay(a.ty!).type, pt) : v;
    });
    const saved = this.frame;
    const savedBreaks = this.breaks, savedConts = this.continues;
    const after = this.f.newBlock();
    const retReg = this.f.newReg();
    this.frame = { vars: new Map(), labels: new Map(), retBlock: after, retReg, retType: ft.ret };
    this.breaks = [];
    this.continues = [];
    this.scanAddressTaken(callee.body);
    params.forEach((p, i) => this.frame.vars.set(p, this.newLocal(p, values[i] ?? { k: 0n })));
    this.emit({ op: 'mov', dst: retReg, src: { k: 0n } });
    this.inlineStack.push(callee);
    this.block(callee.body!);
    this.inlineStack.pop();
    this.jump(after);
    this.cur = after;
    this.frame = saved;
    this.breaks = savedBreaks;
    this.continues = savedConts;
    return { r: retReg };
  }

  // ---- statements ---------------------------------------------------------------------------

  private block(b: AstBlock): void {
    for (const s of b.body) this.stmt(s);
  }

  private labelBlock(name: string): Block {
    let b = this.frame.labels.get(name);
    if (!b) { b = this.f.newBlock(); this.frame.labels.set(name, b); }
    return b;
  }

  private stmt(s: Stmt): void {
    this.lastLoc = s.loc;
    this.stmtLoc = s.loc;
    switch (s.kind) {
      case 'block': this.block(s); break;
      case 'expr': this.effect(s.expr); break;
      case 'decl': for (const d of s.decls) this.localDecl(d); break;
      case 'if': {
        const t = this.f.newBlock(), f = this.f.newBlock(), end = s.else ? this.f.newBlock() : f;
        this.cond(s.test, t, f);
        this.cur = t; this.stmt(s.then); this.jump(end);
        if (s.else) { this.cur = f; this.stmt(s.else); this.jump(end); }
        this.cur = end;
        break;
      }
      case 'while': {
        const head = this.f.newBlock(), body = this.f.newBlock(), end = this.f.newBlock();
        this.jump(head);
        this.cur = head; this.cond(s.test, body, end);
        this.loopBody(s.body, body, end, head);
        this.cur = end;
        break;
      }
      case 'dowhile': {
        const body = this.f.newBlock(), test = this.f.newBlock(), end = this.f.newBlock();
        this.jump(body);
        this.loopBody(s.body, body, end, test);
        this.cur = test; this.cond(s.test, body, end);
        this.cur = end;
        break;
      }
      case 'for': {
        const trips = s.hints.unroll !== undefined && s.hints.unroll !== 'none' ? this.tripCount(s) : undefined;
        if (trips !== undefined && (s.hints.unroll === 'full' || (s.hints.unroll as number) >= trips)) { this.unrolledFor(s, trips); break; }
        if (s.init) this.stmt(s.init);
        const head = this.f.newBlock(), body = this.f.newBlock(), step = this.f.newBlock(), end = this.f.newBlock();
        this.jump(head);
        this.cur = head;
        if (s.test) this.cond(s.test, body, end); else this.jump(body);
        this.loopBody(s.body, body, end, step);
        this.cur = step;
        if (s.update) this.effect(s.update);
        this.jump(head);
        this.cur = end;
        break;
      }
      case 'switch': this.switchStmt(s); break;
      case 'case': case 'default':
        // Reached only through switchStmt's collection; lower the body in place.
        this.stmt(s.body);
        break;
      case 'break': {
        const b = this.breaks[this.breaks.length - 1];
        if (b) this.jump(b);
        this.cur = this.f.newBlock();
        break;
      }
      case 'continue': {
        const c = this.continues[this.continues.length - 1];
        if (c) this.jump(c);
        this.cur = this.f.newBlock();
        break;
      }
      case 'return': {
        const fr = this.frame;
        let v: Val | undefined;
        if (s.value) {
          v = this.rv(s.value);
          const rt = fr.retType?.type ?? (this.inlineStack[0]!.type.type as Extract<CType, { kind: 'func' }>).ret.type;
          v = this.convert(v, decay(s.value.ty!).type, rt);
        }
        if (fr.retBlock) {
          if (v) this.emit({ op: 'mov', dst: fr.retReg!, src: v });
          this.jump(fr.retBlock);
        } else this.terminate({ op: 'ret', v: v ?? { k: 0n } });
        this.cur = this.f.newBlock();
        break;
      }
      case 'goto': this.jump(this.labelBlock(s.label)); this.cur = this.f.newBlock(); break;
      case 'label': {
        const b = this.labelBlock(s.label);
        this.jump(b);
        this.cur = b;
        this.stmt(s.body);
        break;
      }
      case 'asm': case 'empty': case 'tag': case 'static_assert': break;
    }
  }

  /**
   * How many times a `#pragma unroll` loop runs, when that is a compile-time fact: a counter set to
   * a constant, compared with a constant, stepped by a constant, and not otherwise changed or
   * address-taken in the body (which must hold no labels: copies would share them).
   */
  private tripCount(s: Stmt & { kind: 'for' }): number | undefined {
    const MAX = 1024;
    let v: Sym | undefined, start: bigint | undefined;
    const init = s.init;
    if (init?.kind === 'decl' && init.decls.length === 1) {
      const d = init.decls[0]!;
      v = d.sym;
      if (d.init && d.init.kind !== 'initlist') start = d.init.cv;
    } else if (init?.kind === 'expr' && init.expr.kind === 'assign' && init.expr.op === '=' && init.expr.target.kind === 'ident') {
      v = init.expr.target.sym;
      start = init.expr.value.cv;
    }
    if (!v || start === undefined || !isInteger(v.type.type)) return undefined;
    const it = intOf(v.type.type as IntT);
    const t = s.test;
    if (!t || t.kind !== 'binary' || !CMP_OPS.has(t.op) || t.left.kind !== 'ident' || t.left.sym !== v || t.right.cv === undefined) return undefined;
    const limit = t.right.cv;
    const u = s.update;
    let step: bigint | undefined;
    if (u?.kind === 'postfix' || (u?.kind === 'unary' && (u.op === '++' || u.op === '--'))) {
      if (u.operand.kind === 'ident' && u.operand.sym === v) step = u.op === '++' ? 1n : -1n;
    } else if (u?.kind === 'assign' && (u.op === '+=' || u.op === '-=') && u.target.kind === 'ident' && u.target.sym === v && u.value.cv !== undefined) {
      step = u.op === '+=' ? u.value.cv : -u.value.cv;
    }
    if (step === undefined || this.touches(s.body, v)) return undefined;
    const signed = it.signed;
    const norm = (x: bigint) => (signed ? BigInt.asIntN(it.size * 8, x) : BigInt.asUintN(it.size * 8, x));
    const holds = (x: bigint): boolean => {
      switch (t.op) {
        case '<': return x < limit; case '<=': return x <= limit;
        case '>': return x > limit; case '>=': return x >= limit;
        case '==': return x === limit; case '!=': return x !== limit;
        default: return false;
      }
    };
    let x = norm(start), n = 0;
    while (holds(x)) { if (++n > MAX) return undefined; x = norm(x + step); }
    return n;
  }

  /** Does the statement assign, step or take the address of `v`, or hold a label? */
  private touches(node: unknown, v: Sym): boolean {
    let found = false;
    const isV = (e: unknown) => !!e && (e as Expr).kind === 'ident' && (e as Expr).sym === v;
    const walk = (n: unknown): void => {
      if (found || !n || typeof n !== 'object') return;
      if (Array.isArray(n)) { for (const x of n) walk(x); return; }
      const o = n as Record<string, unknown>;
      if (o.kind === 'label') { found = true; return; }
      if (o.kind === 'assign' && isV(o.target)) { found = true; return; }
      if ((o.kind === 'postfix' || (o.kind === 'unary' && (o.op === '++' || o.op === '--' || o.op === '&'))) && isV(o.operand)) { found = true; return; }
      for (const [k, x] of Object.entries(o)) if (k !== 'ty' && k !== 'sym' && k !== 'loc' && k !== 'field') walk(x);
    };
    walk(node);
    return found;
  }

  /** A loop copied `n` times; each copy keeps its test, which folds away once the counter is known. */
  private unrolledFor(s: Stmt & { kind: 'for' }, n: number): void {
    if (s.init) this.stmt(s.init);
    const end = this.f.newBlock();
    for (let k = 0; k < n; k++) {
      const body = this.f.newBlock(), step = this.f.newBlock();
      if (s.test) this.cond(s.test, body, end); else this.jump(body);
      this.loopBody(s.body, body, end, step);
      this.cur = step;
      this.stmtLoc = s.loc;
      if (s.update) this.effect(s.update);
    }
    this.jump(end);
    this.cur = end;
  }

  private loopBody(body: Stmt, start: Block, brk: Block, cont: Block): void {
    this.breaks.push(brk);
    this.continues.push(cont);
    this.cur = start;
    this.stmt(body);
    this.jump(cont);
    this.breaks.pop();
    this.continues.pop();
  }

  private switchStmt(s: Stmt & { kind: 'switch' }): void {
    const v = this.reg(this.rv(s.test));
    const st = decay(s.test.ty!).type;
    const promoted = binaryResult('+', { type: { type: st } }, { type: { type: INT } }).left?.type ?? st;
    const val = this.convert({ r: v }, st, promoted);
    const vr = this.reg(val);
    const end = this.f.newBlock();
    // Collect the case labels directly inside this switch (not nested switches).
    const cases: { s: Stmt & { kind: 'case' | 'default' }; block: Block }[] = [];
    const collect = (n: Stmt): void => {
      switch (n.kind) {
        case 'case': case 'default': cases.push({ s: n, block: this.f.newBlock() }); collect(n.body); break;
        case 'block': for (const x of n.body) collect(x); break;
        case 'if': collect(n.then); if (n.else) collect(n.else); break;
        case 'while': case 'dowhile': case 'for': collect(n.body); break;
        case 'label': collect(n.body); break;
        default: break;
      }
    };
    collect(s.body);
    const pi = canonicalInt(promoted) ?? INT;
    let dflt: Block = end;
    for (const c of cases) {
      if (c.s.kind === 'default') { dflt = c.block; continue; }
      const lo = canonical(c.s.value.cv ?? 0n, pi);
      const hi = c.s.end ? canonical(c.s.end.cv ?? 0n, pi) : lo;
      const next = this.f.newBlock();
      if (lo === hi) {
        this.terminate({ op: 'br', cond: 'eq', a: vr, b: this.constOperand(lo), t: c.block, f: next });
      } else {
        const mid = this.f.newBlock();
        this.terminate({ op: 'br', cond: pi.signed ? 'sge' : 'ge', a: vr, b: this.constOperand(lo), t: mid, f: next });
        this.cur = mid;
        this.terminate({ op: 'br', cond: pi.signed ? 'sle' : 'le', a: vr, b: this.constOperand(hi), t: c.block, f: next });
      }
      this.cur = next;
    }
    this.jump(dflt);
    // Lower the body; each case label starts its block (fallthrough is a jump into it).
    this.breaks.push(end);
    const map = new Map(cases.map((c) => [c.s, c.block]));
    const lowerIn = (n: Stmt): void => {
      if (n.kind === 'case' || n.kind === 'default') {
        const b = map.get(n)!;
        this.jump(b);
        this.cur = b;
        lowerIn(n.body);
        return;
      }
      if (n.kind === 'block') { for (const x of n.body) lowerIn(x); return; }
      this.stmt(n);
    };
    this.cur = this.f.newBlock(); // code before the first label is unreachable
    lowerIn(s.body);
    this.jump(end);
    this.breaks.pop();
    this.cur = end;
  }

  private localDecl(d: Decl): void {
    const sym = d.sym;
    if (!sym || sym.kind === 'typedef' || sym.kind === 'func') return;
    if (sym.global) {
      // Static locals live with the globals (object.ts lays them out); extern ones name a global.
      if (this.globals.has(sym)) return;
      this.unsupported(`a ${sym.storage === 'extern' ? 'block-scope extern declaration' : 'static local'} ('${d.name}') here`, d.nameLoc);
    }
    const t = sym.type.type;
    if (isArray(t) || isRecord(t)) {
      const place = this.newLocal(sym);
      this.frame.vars.set(sym, place);
      // With an initializer, zero first so padding is initialized too (every byte of a stack object
      // may reach a helper, and the verifier checks them all); without one, C leaves it uninitialized.
      if (d.init) {
        this.zero(place as Place & { kind: 'mem' }, sizeOf(t));
        this.initAggregate(place as Place & { kind: 'mem' }, d.init);
      }
      return;
    }
    let init: Val | undefined;
    if (d.init) {
      if (d.init.kind === 'initlist') {
        const first = d.init.items[0]?.value;
        init = first ? this.convert(this.rv(first as Expr), decay((first as Expr).ty!).type, t) : { k: 0n };
      } else init = this.convert(this.rv(d.init), decay(d.init.ty!).type, t);
    }
    this.frame.vars.set(sym, this.newLocal(sym, init ?? { k: 0n }));
  }

  private zero(p: Place & { kind: 'mem' }, size: number): void {
    let off = 0;
    const align = alignOf(p.type.type);
    for (const w of [8, 4, 2, 1] as Size[]) {
      if (align < w && w > 1 && 'fp' in p.addr && ((-p.addr.fp) % w) !== 0) continue;
      while (size - off >= w) {
        this.emit({ op: 'store', addr: offsetAddr(p.addr, off), size: w, src: { k: 0n } });
        off += w;
      }
    }
  }

  private initAggregate(p: Place & { kind: 'mem' }, init: Initializer): void {
    const t = p.type.type;
    if (init.kind !== 'initlist') {
      if (init.kind === 'string' && isArray(t)) {
        const unit = init.wide ? 4 : 1;
        const n = Math.min(init.bytes.length / unit, t.length ?? Infinity);
        for (let i = 0; i < n * unit; i++) this.emit({ op: 'store', addr: offsetAddr(p.addr, i), size: 1, src: { k: BigInt(init.bytes[i]!) } });
        return;
      }
      if (isRecord(t) && init.ty?.type === t) { this.copy(p, this.placeOf(init)); return; }
      this.store(p, this.convert(this.rv(init), decay(init.ty!).type, t));
      return;
    }
    let index = 0;
    const fields = isRecord(t) ? (t.fields ?? []).filter((f) => f.name !== undefined || isRecord(f.type.type)) : [];
    for (const item of init.items) {
      let sub: Place | undefined;
      if (item.designators.length) {
        sub = p;
        item.designators.forEach((d, di) => {
          const st = sub!.type.type;
          if (d.kind === 'index' && isArray(st)) {
            const i = Number(d.index.cv ?? 0n);
            if (di === 0) index = Number((d.end ?? d.index).cv ?? 0n) + 1;
            if (d.end) {
              // GNU range: the same value into each element.
              const last = Number(d.end.cv ?? 0n);
              for (let k = i; k < last; k++) this.initAggregate(elementPlace(sub as Place & { kind: 'mem' }, st, k), item.value);
              sub = elementPlace(sub as Place & { kind: 'mem' }, st, last);
            } else sub = elementPlace(sub as Place & { kind: 'mem' }, st, i);
          } else if (d.kind === 'field' && isRecord(st)) {
            const f = findField(st, d.name)!;
            if (di === 0) index = fields.findIndex((x) => x.name === d.name || (!x.name && isRecord(x.type.type) && findField(x.type.type as RecordT, d.name))) + 1;
            sub = fieldPlace(sub as Place & { kind: 'mem' }, f.field, f.offset, undefined, f.bitOffset);
          }
        });
      } else if (isArray(t)) {
        if (t.length !== undefined && index >= t.length) continue;
        sub = elementPlace(p, t, index++);
      } else if (isRecord(t)) {
        const f = fields[index++];
        if (!f) continue;
        sub = fieldPlace(p, f, f.offset);
      } else {
        this.store(p, this.convert(this.rv(item.value as Expr), decay((item.value as Expr).ty!).type, t));
        continue;
      }
      const st = sub!.type.type;
      if (item.value.kind !== 'initlist' && (isArray(st) || isRecord(st)) && !(item.value.kind === 'string' && isArray(st))
        && !(isRecord(st) && item.value.ty?.type === st)) {
        // Brace elision: the first scalar inside.
        let inner = sub as Place & { kind: 'mem' };
        for (;;) {
          const it = inner.type.type;
          if (isArray(it)) inner = elementPlace(inner, it, 0);
          else if (isRecord(it) && it.fields?.length) inner = fieldPlace(inner, it.fields[0]!, it.fields[0]!.offset);
          else break;
        }
        this.initAggregate(inner, item.value);
        continue;
      }
      this.initAggregate(sub as Place & { kind: 'mem' }, item.value);
    }
  }

  private copy(dst: Place & { kind: 'mem' }, src: Place): void {
    if (src.kind !== 'mem') this.unsupported('copying a record from a register', this.lastLoc ?? dummyLoc);
    const size = sizeOf(dst.type.type);
    const align = Math.min(alignOf(dst.type.type), alignOf(src.type.type), 8);
    let off = 0;
    for (const w of [8, 4, 2, 1] as Size[]) {
      if (w > align) continue;
      while (size - off >= w) {
        const r = this.f.newReg();
        this.rawLoad(r, offsetAddr(src.addr, off), w);
        this.emit({ op: 'store', addr: offsetAddr(dst.addr, off), size: w, src: { r } });
        off += w;
      }
    }
  }

  // ---- conditions -----------------------------------------------------------------------------

  /** Branch to t or f on the truth of e, with short-circuit && || ! and direct compares. */
  private cond(e: Expr, t: Block, f: Block): void {
    this.lastLoc = e.loc;
    if (e.cv !== undefined) { this.jump(e.cv !== 0n ? t : f); this.cur = this.f.newBlock(); return; }
    if (e.kind === 'binary' && (e.op === '&&' || e.op === '||')) {
      const mid = this.f.newBlock();
      if (e.op === '&&') this.cond(e.left, mid, f); else this.cond(e.left, t, mid);
      this.cur = mid;
      this.cond(e.right, t, f);
      return;
    }
    if (e.kind === 'unary' && e.op === '!') { this.cond(e.operand, f, t); return; }
    if (e.kind === 'binary' && CMP_OPS.has(e.op)) {
      const c = this.compare(e);
      this.terminate({ op: 'br', cond: c.cond, a: c.a, b: c.b, t, f });
      return;
    }
    const v = this.rv(e);
    if (isConst(v)) { this.jump(v.k !== 0n ? t : f); return; }
    this.terminate({ op: 'br', cond: 'ne', a: v.r, b: { k: 0n }, t, f });
  }

  private compare(e: Expr & { kind: 'binary' }): { cond: Cond; a: VReg; b: Val } {
    const res = binaryResult(e.op as '<', { type: e.left.ty!, bitWidth: e.left.bitWidth }, { type: e.right.ty!, bitWidth: e.right.bitWidth });
    const lt = res.left!.type, rt = res.right!.type;
    let a = this.convert(this.rv(e.left), decay(e.left.ty!).type, lt);
    let b = this.convert(this.rv(e.right), decay(e.right.ty!).type, rt);
    const signed = !!canonicalInt(lt)?.signed;
    let op = e.op as '<' | '>' | '<=' | '>=' | '==' | '!=';
    if (isConst(a)) { [a, b] = [b, a]; op = SWAP[op]; }
    const cond = condOf(op, signed);
    return { cond, a: this.reg(a), b: isConst(b) ? this.constOperand(b.k) : b };
  }

  // ---- expressions ------------------------------------------------------------------------------

  /** Evaluate for side effects only. */
  private effect(e: Expr): void {
    if (e.kind === 'postfix') { this.incdec(e.operand, e.op, false); return; }
    if (e.kind === 'call' && e.callee.kind === 'ident' && ATOMIC_RE.test(e.callee.name) && !e.callee.sym?.body) { this.atomic(e, false); return; }
    this.rv(e);
  }

  /** The canonical value of an expression (arrays and functions decay to addresses). */
  rv(e: Expr): Val {
    this.lastLoc = e.loc;
    if (e.cv !== undefined && e.kind !== 'assign' && !(e.kind === 'unary' && (e.op === '++' || e.op === '--')) && e.kind !== 'call') {
      const t = decay(e.ty!).type;
      const it = canonicalInt(t);
      return { k: it ? canonical(e.cv, it) : e.cv };
    }
    switch (e.kind) {
      case 'ident': case 'member': case 'index': case 'compound': case 'string':
        return this.load(this.placeOf(e));
      case 'unary': return this.unary(e);
      case 'postfix': return this.incdec(e.operand, e.op, true);
      case 'binary': return this.binary(e);
      case 'assign': return this.assign(e);
      case 'cast': {
        const v = this.rv(e.operand);
        return this.convert(v, decay(e.operand.ty!).type, e.ty!.type);
      }
      case 'cond': {
        const res = this.f.newReg();
        const t = this.f.newBlock(), f = this.f.newBlock(), end = this.f.newBlock();
        const rt = e.ty!.type;
        if (e.then) {
          this.cond(e.test, t, f);
          this.cur = t;
          if (!isVoid(rt)) this.emit({ op: 'mov', dst: res, src: this.convert(this.rv(e.then), decay(e.then.ty!).type, rt) }); else this.effect(e.then);
          this.jump(end);
        } else {
          const v = this.reg(this.rv(e.test));
          this.terminate({ op: 'br', cond: 'ne', a: v, b: { k: 0n }, t, f });
          this.cur = t;
          this.emit({ op: 'mov', dst: res, src: this.convert({ r: v }, decay(e.test.ty!).type, rt) });
          this.jump(end);
        }
        this.cur = f;
        if (!isVoid(rt)) this.emit({ op: 'mov', dst: res, src: this.convert(this.rv(e.else), decay(e.else.ty!).type, rt) }); else this.effect(e.else);
        this.jump(end);
        this.cur = end;
        return { r: res };
      }
      case 'comma': this.effect(e.left); return this.rv(e.right);
      case 'call': return this.call(e);
      case 'stmtexpr': {
        const body = e.body.body;
        let last: Val = { k: 0n };
        body.forEach((s, i) => {
          if (i === body.length - 1 && s.kind === 'expr') last = this.rv(s.expr);
          else this.stmt(s);
        });
        return last;
      }
      case 'sizeof': case 'alignof': case 'offsetof': case 'types_compatible': case 'int': case 'char':
        return { k: e.cv ?? 0n };
      default:
        this.unsupported(`the expression '${e.kind}'`, e.loc);
    }
  }

  /** Where an lvalue lives. */
  private placeOf(e: Expr): Place {
    switch (e.kind) {
      case 'ident': {
        const s = e.sym!;
        const p = this.frame.vars.get(s);
        if (p) return p;
        const g = this.globals.get(s);
        if (g) {
          const dst = this.f.newReg();
          this.emit({ op: 'ldglobal', dst, section: g.section, offset: g.offset });
          return { kind: 'mem', addr: { base: dst, off: 0 }, type: s.type };
        }
        if (s.kind === 'var' && s.global) this.unsupported(`the global variable '${s.name}'`, e.loc);
        this.unsupported(`'${e.name}' here`, e.loc);
      }
      // eslint-disable-next-line no-fallthrough
      case 'member': {
        const f = e.field!;
        if (e.arrow) {
          const base = this.reg(this.rv(e.object));
          return fieldPlace({ kind: 'mem', addr: { base, off: 0 }, type: e.object.ty! }, f, e.offset!, e.ty!, e.bitOffset);
        }
        const obj = this.placeOf(e.object);
        if (obj.kind !== 'mem') this.unsupported('a member of a value in a register', e.loc);
        return fieldPlace(obj, f, e.offset!, e.ty!, e.bitOffset);
      }
      case 'index': {
        const pt = decay(e.object.ty!).type;
        const [ptrE, idxE] = isPointer(pt) ? [e.object, e.index] : [e.index, e.object];
        const elem = e.ty!;
        const size = sizeOf(elem.type);
        const idx = this.convert(this.rv(idxE), decay(idxE.ty!).type, { kind: 'int', size: 8, signed: true, name: 'long' });
        if (isConst(idx)) {
          const base = isArray(ptrE.ty!.type) ? this.placeOf(ptrE) : undefined;
          if (base && base.kind === 'mem') return { kind: 'mem', addr: offsetAddr(base.addr, Number(BigInt.asIntN(64, idx.k)) * size), type: elem };
          const b = this.reg(this.rv(ptrE));
          return { kind: 'mem', addr: { base: b, off: Number(BigInt.asIntN(64, idx.k)) * size }, type: elem };
        }
        const scaled = size === 1 ? idx : this.bin('mul', idx, { k: BigInt(size) });
        const addr = this.bin('add', this.rv(ptrE), scaled);
        return { kind: 'mem', addr: { base: this.reg(addr), off: 0 }, type: elem };
      }
      case 'unary':
        if (e.op === '*') return { kind: 'mem', addr: { base: this.reg(this.rv(e.operand)), off: 0 }, type: e.ty! };
        break;
      case 'compound': {
        const t = e.ty!.type;
        const off = this.f.slot(sizeOf(t), alignOf(t));
        const p: Place & { kind: 'mem' } = { kind: 'mem', addr: { fp: off }, type: e.ty! };
        this.zero(p, sizeOf(t));
        this.initAggregate(p, e.init);
        return p;
      }
      case 'string': {
        if (!this.opts.strings) this.unsupported('string literals outside initializers', e.loc);
        const t = e.ty!.type;
        const off = this.opts.strings.intern(e.bytes, sizeOf(t));
        const r = this.f.newReg();
        this.emit({ op: 'ldglobal', dst: r, section: StringPool.SECTION, offset: off });
        return { kind: 'mem', addr: { base: r, off: 0 }, type: e.ty! };
      }
      case 'comma': this.effect(e.left); return this.placeOf(e.right);
      case 'stmtexpr': case 'call': case 'cond': case 'assign': {
        // A record-valued rvalue used as an object: materialize it.
        this.unsupported('a struct value from this kind of expression', e.loc);
      }
    }
    this.unsupported(`taking the location of '${e.kind}'`, e.loc);
  }

  private unary(e: Expr & { kind: 'unary' }): Val {
    switch (e.op) {
      case '&': {
        const o = e.operand;
        if (o.kind === 'ident' && o.sym && isMapSymbol(o.sym)) {
          const dst = this.f.newReg();
          this.emit({ op: 'ldmap', dst, map: o.sym.name });
          return { r: dst };
        }
        const p = this.placeOf(e.operand);
        if (p.kind !== 'mem') this.unsupported('the address of a register variable', e.loc);
        return { r: this.lea(p.addr) };
      }
      case '*': return this.load(this.placeOf(e));
      case '++': case '--': return this.incdec(e.operand, e.op, false);
      case '-': {
        const t = e.ty!.type;
        const v = this.convert(this.rv(e.operand), decay(e.operand.ty!).type, t);
        if (isConst(v)) return this.norm({ k: -v.k }, t);
        const dst = this.f.newReg();
        this.emit({ op: 'neg', dst, a: v.r });
        return this.norm({ r: dst }, t);
      }
      case '+': return this.convert(this.rv(e.operand), decay(e.operand.ty!).type, e.ty!.type);
      case '~': {
        const t = e.ty!.type;
        return this.norm(this.bin('xor', this.convert(this.rv(e.operand), decay(e.operand.ty!).type, t), { k: -1n }), t);
      }
      case '!': {
        const v = this.rv(e.operand);
        if (isConst(v)) return { k: v.k === 0n ? 1n : 0n };
        const dst = this.f.newReg();
        this.emit({ op: 'setcc', dst, cond: 'eq', a: v.r, b: { k: 0n } });
        return { r: dst };
      }
    }
    this.unsupported(`the operator '${e.op}'`, e.loc);
  }

  /** ++x / --x / x++ / x--: returns the new value (prefix) or the old one (postfix). */
  private incdec(target: Expr, op: '++' | '--', post: boolean): Val {
    const p = this.placeOf(target);
    const t = target.ty!.type;
    const old = this.load(p);
    const step = isPointer(t) ? BigInt(sizeOf(t.to.type) || 1) : 1n;
    let nv = this.bin(op === '++' ? 'add' : 'sub', old, { k: step });
    nv = this.norm(nv, t);
    let keep = old;
    if (post && !isConst(old) && p.kind === 'reg') {
      // The register is about to change: keep the old value elsewhere.
      const r = this.f.newReg();
      this.emit({ op: 'mov', dst: r, src: old });
      keep = { r };
    }
    this.store(p, nv);
    return post ? keep : nv;
  }

  private binary(e: Expr & { kind: 'binary' }): Val {
    if (e.op === '&&' || e.op === '||') {
      const res = this.f.newReg();
      const t = this.f.newBlock(), f = this.f.newBlock(), end = this.f.newBlock();
      this.cond(e, t, f);
      this.cur = t; this.emit({ op: 'mov', dst: res, src: { k: 1n } }); this.jump(end);
      this.cur = f; this.emit({ op: 'mov', dst: res, src: { k: 0n } }); this.jump(end);
      this.cur = end;
      return { r: res };
    }
    if (CMP_OPS.has(e.op)) {
      const c = this.compare(e);
      const dst = this.f.newReg();
      this.emit({ op: 'setcc', dst, cond: c.cond, a: c.a, b: c.b });
      return { r: dst };
    }
    const res = binaryResult(e.op, { type: e.left.ty!, bitWidth: e.left.bitWidth }, { type: e.right.ty!, bitWidth: e.right.bitWidth });
    return this.arith(e.op, this.rv(e.left), e.left.ty!, this.rv(e.right), e.right.ty!, res, e.ty!.type);
  }

  /** a op b for arithmetic, bitwise, shift and pointer operators; result canonical for `rt`. */
  private arith(op: string, av: Val, at: QualType, bv: Val, bt: QualType, res: ReturnType<typeof binaryResult>, rt: CType): Val {
    const lt = decay(at).type, rtt = decay(bt).type;
    if (res.scale !== undefined) {
      // Pointer arithmetic.
      if (isPointer(lt) && isPointer(rtt)) {
        const diff = this.bin('sub', av, bv);
        return res.scale === 1 ? diff : this.sdivExact(diff, res.scale);
      }
      const [p, i, it] = isPointer(lt) ? [av, bv, rtt] : [bv, av, lt];
      const idx = this.convert(i, it, { kind: 'int', size: 8, signed: true, name: 'long' });
      const off = res.scale === 1 ? idx : this.bin('mul', idx, { k: BigInt(res.scale) });
      return this.bin(op === '-' ? 'sub' : 'add', p, off);
    }
    const L = res.left!.type, R = res.right!.type;
    const a = this.convert(av, lt, L);
    const b = this.convert(bv, rtt, R);
    const signed = !!canonicalInt(L)?.signed;
    let kind: BinOp;
    switch (op) {
      case '+': kind = 'add'; break;
      case '-': kind = 'sub'; break;
      case '*': kind = 'mul'; break;
      case '/': kind = signed ? 'sdiv' : 'div'; break;
      case '%': kind = signed ? 'smod' : 'mod'; break;
      default: kind = 'add'; break;
      case '&': kind = 'and'; break;
      case '|': kind = 'or'; break;
      case '^': kind = 'xor'; break;
      case '<<': kind = 'lsh'; break;
      case '>>': kind = signed ? 'arsh' : 'rsh'; break;
    }
    if (!['+', '-', '*', '/', '%', '&', '|', '^', '<<', '>>'].includes(op)) this.unsupported(`the operator '${op}'`, this.lastLoc ?? dummyLoc);
    if ((kind === 'sdiv' || kind === 'smod') && !this.opts.isaV4 && !(isConst(a) && isConst(b))) {
      return this.norm(this.signedDivision(kind, a, b), rt);
    }
    const bOp = isConst(b) && (kind === 'lsh' || kind === 'rsh' || kind === 'arsh') ? { k: b.k & 63n } : isConst(b) ? this.constOperand(b.k) : b;
    const v = this.bin(kind, a, bOp);
    return this.norm(v, rt);
  }

  /**
   * Signed division and remainder where the ISA has none (before v4): divide the magnitudes
   * unsigned and give the result its sign, without branches:
   *   sa = a >> 63, sb = b >> 63 (arithmetic: 0 or -1); |a| = (a ^ sa) - sa, |b| likewise;
   *   a / b = ((|a| / |b|) ^ (sa ^ sb)) - (sa ^ sb);  a % b = ((|a| % |b|) ^ sa) - sa.
   * Division by zero gives 0 and the remainder the dividend, as BPF's own sdiv/smod do.
   */
  private signedDivision(kind: 'sdiv' | 'smod', a: Val, b: Val): Val {
    const sign = (x: Val): Val => (isConst(x) ? { k: BigInt.asUintN(64, BigInt.asIntN(64, x.k) >> 63n) } : this.bin('arsh', x, { k: 63n }));
    const abs = (x: Val, sx: Val): Val => this.bin('sub', this.bin('xor', x, sx), sx);
    const sa = sign(a), sb = sign(b);
    const ua = abs(a, sa), ub = abs(b, sb);
    if (kind === 'sdiv') {
      const s = this.bin('xor', sa, sb);
      return this.bin('sub', this.bin('xor', this.bin('div', ua, ub), s), s);
    }
    return this.bin('sub', this.bin('xor', this.bin('mod', ua, ub), sa), sa);
  }

  /** __builtin_memcpy / memmove / memset with a constant size: straight-line loads and stores. */
  private memOp(e: Expr & { kind: 'call' }, name: string): Val {
    const [d, x, n] = e.args as [Expr, Expr, Expr];
    const size = n.cv;
    if (size === undefined) this.unsupported(`${name} with a size that is not a constant`, n.loc);
    if (size > 512n) this.unsupported(`${name} of more than 512 bytes`, n.loc);
    const dst = this.reg(this.rv(d));
    const len = Number(size);
    // Access widths no wider than both pointers' alignment (the verifier rejects misaligned stack access).
    const alignOfPtr = (p: Expr) => { const t = decay(p.ty!).type; return isPointer(t) && !isVoid(t.to.type) && !isFunction(t.to.type) ? alignOf(t.to.type) : 1; };
    const maxW = Math.min(8, alignOfPtr(d), name === '__builtin_memset' ? 8 : alignOfPtr(x));
    const widths = ([8, 4, 2, 1] as Size[]).filter((w) => w <= maxW);
    if (name === '__builtin_memset') {
      const byte = this.rv(x);
      if (!isConst(byte)) this.unsupported('memset with a fill value that is not a constant', x.loc);
      const b = BigInt.asUintN(8, byte.k);
      let off = 0;
      for (const w of widths) {
        let fill = 0n;
        for (let i = 0; i < w; i++) fill = (fill << 8n) | b;
        while (len - off >= w) { this.emit({ op: 'store', addr: { base: dst, off }, size: w, src: this.constOperand(BigInt.asIntN(w * 8, fill)) }); off += w; }
      }
      return { r: dst };
    }
    const src = this.reg(this.rv(x));
    // Load everything first, then store: correct for overlapping memmove too (at most 64 values).
    const words: { off: number; w: Size; r: VReg }[] = [];
    let off = 0;
    for (const w of widths) {
      while (len - off >= w) {
        const r = this.f.newReg();
        this.rawLoad(r, { base: src, off }, w);
        words.push({ off, w, r });
        off += w;
        if (name === '__builtin_memcpy') { const last = words.pop()!; this.emit({ op: 'store', addr: { base: dst, off: last.off }, size: last.w, src: { r: last.r } }); }
      }
    }
    for (const wd of words) this.emit({ op: 'store', addr: { base: dst, off: wd.off }, size: wd.w, src: { r: wd.r } });
    return { r: dst };
  }

  /** __sync_fetch_and_OP / __sync_OP_and_fetch / __atomic_fetch_OP / __atomic_OP_fetch / lock_xadd. */
  private atomic(e: Expr & { kind: 'call' }, want: boolean): Val {
    const name = (e.callee as Expr & { kind: 'ident' }).name;
    const m = ATOMIC_RE.exec(name)!;
    const op = (m[1] ?? m[2] ?? m[3] ?? m[4]) as 'add' | 'sub' | 'or' | 'and' | 'xor';
    const after = m[2] !== undefined || m[4] !== undefined; // OP_and_fetch / OP_fetch: the new value
    const ptr = e.args[0]!, valE = e.args[1]!;
    const pt = decay(ptr.ty!).type;
    if (!isPointer(pt)) this.unsupported(`'${name}' on a non-pointer`, e.loc);
    const t = pt.to.type;
    const size = sizeOf(t);
    if (size !== 4 && size !== 8) this.unsupported(`'${name}' on a ${size}-byte value (BPF atomics are 4 or 8 bytes)`, e.loc);
    const base = this.reg(this.rv(ptr));
    let v = this.convert(this.rv(valE), decay(valE.ty!).type, t);
    for (const extra of e.args.slice(2)) this.effect(extra); // memory order arguments
    if (op === 'sub') v = this.bin('sub', { k: 0n }, v); // there is no atomic sub: add the negation
    const kind = op === 'sub' ? 'add' : op;
    const src = this.f.newReg();
    this.emit({ op: 'mov', dst: src, src: v });
    if (!want) {
      this.emit({ op: 'atomic', kind, size: size as 4 | 8, addr: { base, off: 0 }, src });
      return { k: 0n };
    }
    const old = this.f.newReg();
    this.emit({ op: 'atomic', kind, size: size as 4 | 8, addr: { base, off: 0 }, src, dst: old });
    const oldV = this.norm({ r: old }, t);
    if (!after) return oldV;
    const kindBin: BinOp = kind === 'add' ? 'add' : kind;
    return this.norm(this.bin(kindBin, oldV, { r: src }), t);
  }

  private sdivExact(v: Val, by: number): Val {
    if ((by & (by - 1)) === 0) return this.bin('arsh', v, { k: BigInt(Math.log2(by)) });
    return this.bin('sdiv', v, { k: BigInt(by) });
  }

  private assign(e: Expr & { kind: 'assign' }): Val {
    const p = this.placeOf(e.target);
    const tt = e.target.ty!.type;
    if (isRecord(tt)) {
      if (p.kind !== 'mem') this.unsupported('assigning a struct held in a register', e.loc);
      this.copy(p, this.placeOf(e.value));
      return { k: 0n };
    }
    let v: Val;
    if (e.op === '=') {
      v = this.convert(this.rv(e.value), decay(e.value.ty!).type, tt);
    } else {
      const op = e.op.slice(0, -1);
      const res = binaryResult(op as '+', { type: { type: tt }, bitWidth: e.target.bitWidth }, { type: e.value.ty!, bitWidth: e.value.bitWidth });
      const old = this.load(p);
      const r = this.arith(op, old, { type: tt }, this.rv(e.value), e.value.ty!, res, res.type!.type);
      v = this.convert(r, res.type!.type, tt);
    }
    if (p.kind === 'reg' && isConst(v)) { this.store(p, v); return v; }
    this.store(p, v);
    return p.kind === 'reg' ? { r: p.v } : v;
  }

  /** A call of a `__noinline` function: a BPF-to-BPF call (arguments in r1-r5, result in r0). */
  private subprogramCall(s: Sym, e: Expr & { kind: 'call' }): Val {
    const ft = s.type.type as Extract<CType, { kind: 'func' }>;
    if (e.args.length > 5) this.unsupported(`calling '${s.name}' with more than 5 arguments (BPF passes at most 5, in r1-r5)`, e.loc);
    for (const p of ft.params) {
      const pt = p.type.type;
      if (isRecord(pt)) this.unsupported(`passing a struct by value to the subprogram '${s.name}' (pass a pointer)`, e.loc);
    }
    if (isRecord(ft.ret.type)) this.unsupported(`returning a struct from the subprogram '${s.name}'`, e.loc);
    const args = e.args.map((a, i) => {
      const v = this.rv(a);
      const pt = ft.params[i]?.type.type;
      return pt ? this.convert(v, decay(a.ty!).type, pt) : v;
    });
    const safeArgs = args.map((v) => isConst(v) || this.safe.has(v.r));
    const prev = this.f.callees.get(s.name);
    this.f.callees.set(s.name, { sym: s, safeArgs: prev ? prev.safeArgs.map((x, k) => x && (safeArgs[k] ?? true)) : safeArgs });
    const dst = isVoid(ft.ret.type) ? undefined : this.f.newReg();
    this.emit({ op: 'call', dst, helper: -1, args, callee: s.name });
    // The callee returns a canonical value (its return statements convert), so no re-extension.
    return dst === undefined ? { k: 0n } : { r: dst };
  }

  private call(e: Expr & { kind: 'call' }): Val {
    const callee = e.callee;
    if (callee.kind === 'ident') {
      const m = /^__builtin_bswap(16|32|64)$/.exec(callee.name);
      if (m && !callee.sym?.body) {
        const bits = Number(m[1]) as 16 | 32 | 64;
        const v = this.reg(this.rv(e.args[0]!));
        const dst = this.f.newReg();
        this.emit({ op: 'bswap', dst, src: v, bits });
        return { r: dst };
      }
      if ((callee.name === '__builtin_memcpy' || callee.name === '__builtin_memset' || callee.name === '__builtin_memmove') && !callee.sym?.body) {
        return this.memOp(e, callee.name);
      }
    }
    if (callee.kind === 'ident' && callee.sym) {
      const s = callee.sym;
      if (s.kind === 'func' && s.body) return s.attrs?.has('noinline') ? this.subprogramCall(s, e) : this.inlineCall(s, e.args, e.loc);
      switch (s.name) {
        case '__builtin_expect': case '__builtin_expect_with_probability': {
          const v = this.rv(e.args[0]!);
          for (const a of e.args.slice(1)) this.effect(a);
          return v;
        }
        case '__builtin_unreachable': return { k: 0n };
      }
      if (ATOMIC_RE.test(s.name)) return this.atomic(e, true);
      if (s.kind === 'func') this.unsupported(`calling '${s.name}' (no body to inline; BPF-to-BPF calls come later)`, e.loc);
      // A helper declared as libbpf does: `static long (* const bpf_x)(...) = (void *) ID;`
      const id = s.kind === 'var' ? s.decl?.init && 'cv' in s.decl.init ? (s.decl.init as Expr).cv : undefined : undefined;
      if (id !== undefined && s.type.const && isPointer(s.type.type) && isFunction(s.type.type.to.type)) {
        const ft = s.type.type.to.type;
        if (e.args.length > 5) this.unsupported('a helper call with more than 5 arguments', e.loc);
        const args = e.args.map((a, i) => {
          const v = this.rv(a);
          const pt = ft.params[i]?.type.type;
          return pt ? this.convert(v, decay(a.ty!).type, pt) : v;
        });
        const dst = isVoid(ft.ret.type) ? undefined : this.f.newReg();
        this.emit({ op: 'call', dst, helper: Number(id), args });
        return dst === undefined ? { k: 0n } : this.norm({ r: dst }, ft.ret.type);
      }
    }
    this.unsupported('this call', e.loc);
  }
}

// ---- small helpers -----------------------------------------------------------------------------

const dummyLoc = undefined as unknown as Loc;

/** A BTF-defined map: a global in SEC(".maps"). */
export function isMapSymbol(s: Sym): boolean {
  return s.kind === 'var' && s.global && s.attrs?.get('section')?.[0] === '.maps';
}

const PROBE_READ_KERNEL = 113;
/** Helpers whose pointer results the verifier lets a program dereference: map values, ring buffer records, local storage. */
const SAFE_POINTER_HELPERS = new Set([1 /* map_lookup_elem */, 131 /* ringbuf_reserve */, 107 /* sk_storage_get */,
  156 /* task_storage_get */, 145 /* inode_storage_get */, 81 /* get_local_storage */, 153 /* per_cpu_ptr */, 154 /* this_cpu_ptr */,
  195 /* map_lookup_percpu_elem */]);

const ATOMIC_RE = /^(?:__sync_fetch_and_(add|sub|or|and|xor)|__sync_(add|sub|or|and|xor)_and_fetch|__atomic_fetch_(add|sub|or|and|xor)|__atomic_(add|sub|or|and|xor)_fetch)$/;
const CMP_OPS = new Set(['<', '>', '<=', '>=', '==', '!=']);
const SWAP: Record<string, '<' | '>' | '<=' | '>=' | '==' | '!='> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '==': '==', '!=': '!=' };

function condOf(op: '<' | '>' | '<=' | '>=' | '==' | '!=', signed: boolean): Cond {
  switch (op) {
    case '==': return 'eq';
    case '!=': return 'ne';
    case '<': return signed ? 'slt' : 'lt';
    case '>': return signed ? 'sgt' : 'gt';
    case '<=': return signed ? 'sle' : 'le';
    case '>=': return signed ? 'sge' : 'ge';
  }
}

function canonical(v: bigint, t: IntT): bigint {
  if (t.bool) return v !== 0n ? 1n : 0n;
  const bits = t.size * 8;
  return t.signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
}


function offsetAddr(a: Addr, by: number): Addr {
  return 'fp' in a ? { fp: a.fp + by } : { base: a.base, off: a.off + by };
}

function elementPlace(p: Place & { kind: 'mem' }, t: CType & { kind: 'array' }, i: number): Place & { kind: 'mem' } {
  return { kind: 'mem', addr: offsetAddr(p.addr, i * sizeOf(t.of.type)), type: t.of };
}

/** A member's place; for a bitfield, `bitOffset` counts bits from the start of `p` (anonymous members included). */
function fieldPlace(p: Place & { kind: 'mem' }, f: Field, offset: number, type?: QualType, bitOffset?: number): Place & { kind: 'mem' } {
  if (f.bitWidth !== undefined) {
    return { kind: 'mem', addr: p.addr, type: type ?? f.type, bits: { bitOffset: bitOffset ?? f.bitOffset!, width: f.bitWidth } };
  }
  return { kind: 'mem', addr: offsetAddr(p.addr, offset), type: type ?? f.type };
}
