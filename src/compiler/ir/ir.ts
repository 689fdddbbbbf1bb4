// The IR between the typed AST and BPF: basic blocks of three-address instructions over virtual
// registers. Every virtual register holds a 64-bit value that is *canonical* for the C type it
// carries: unsigned values zero-extended, signed values sign-extended, _Bool 0 or 1. Narrow
// arithmetic re-canonicalizes with `ext`, so compares and divisions can always work on 64 bits.
import type { Loc } from '../source.js';

export type VReg = number;
/** A register or a constant operand. */
export type Val = { r: VReg } | { k: bigint };

export type BinOp = 'add' | 'sub' | 'mul' | 'div' | 'sdiv' | 'mod' | 'smod' | 'and' | 'or' | 'xor' | 'lsh' | 'rsh' | 'arsh';
export type Cond = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'sgt' | 'sge' | 'slt' | 'sle' | 'set';
export type Size = 1 | 2 | 4 | 8;

/** An address: a frame slot (offset from the frame pointer, negative) or a register plus offset. */
export type Addr = { fp: number } | { base: VReg; off: number };

export type Inst =
  | { op: 'mov'; dst: VReg; src: Val }
  /** With `w`, a 32-bit operation on the low halves whose result is zero-extended (BPF_ALU). */
  | { op: 'bin'; kind: BinOp; dst: VReg; a: VReg; b: Val; w?: boolean }
  | { op: 'neg'; dst: VReg; a: VReg }
  /** Truncate to `bits` and re-extend (sign or zero) to 64. */
  | { op: 'ext'; dst: VReg; src: VReg; bits: 8 | 16 | 32; signed: boolean }
  | { op: 'setcc'; dst: VReg; cond: Cond; a: VReg; b: Val }
  /** Zero-extending load, or sign-extending with `signed` (ISA v4). */
  | { op: 'load'; dst: VReg; addr: Addr; size: Size; signed?: boolean }
  | { op: 'store'; addr: Addr; size: Size; src: Val }
  | { op: 'lea'; dst: VReg; addr: Addr }
  /** A helper call (by id), or with `callee` a BPF-to-BPF call of a subprogram (helper is -1). */
  | { op: 'call'; dst?: VReg; helper: number; args: Val[]; callee?: string }
  /** Byte swap of the low `bits` bits (result zero-extended). */
  | { op: 'bswap'; dst: VReg; src: VReg; bits: 16 | 32 | 64 }
  /** Atomic read-modify-write at addr; with `dst`, dst receives the old value (the fetch form). */
  | { op: 'atomic'; kind: 'add' | 'or' | 'and' | 'xor' | 'xchg'; size: 4 | 8; addr: Addr; src: VReg; dst?: VReg }
  /** The address of a global variable: `offset` bytes into the value of section map `section` (.bss, .data, .rodata). */
  | { op: 'ldglobal'; dst: VReg; section: string; offset: number }
  /** The address of a map (a 64-bit load the loader patches with the map's fd). */
  | { op: 'ldmap'; dst: VReg; map: string };

export type Term =
  /** With `w`, compares the low 32 bits only (BPF_JMP32). */
  | { op: 'br'; cond: Cond; a: VReg; b: Val; t: Block; f: Block; w?: boolean }
  | { op: 'jmp'; t: Block }
  | { op: 'ret'; v?: Val };

export class Block {
  insts: Inst[] = [];
  term?: Term;
  /** Source location (the statement) of each instruction, and of the terminator (for line_info). */
  locs: (Loc | undefined)[] = [];
  termLoc?: Loc;
  constructor(readonly id: number) {}
}

export class IrFunction {
  readonly blocks: Block[] = [];
  private nextReg = 0;
  /** Bytes of stack the function's frame slots use (positive). */
  frameSize = 0;
  /** Parameters arrive in these virtual registers (r1.. at entry). */
  params: VReg[] = [];
  /** Named objects on the stack, for the diagnostic when the frame is too big. */
  objects: { name: string; size: number; loc?: Loc }[] = [];
  /** Functions called as subprograms (not inlined), by name, with which arguments are pointers the
   *  program may dereference directly (stack, map value, context, global) at every call here. */
  readonly callees = new Map<string, { sym: unknown; safeArgs: boolean[] }>();

  constructor(readonly name: string) {}

  newReg(): VReg { return this.nextReg++; }
  get regCount(): number { return this.nextReg; }

  newBlock(): Block {
    const b = new Block(this.blocks.length);
    this.blocks.push(b);
    return b;
  }

  /** A frame slot of `size` bytes aligned to `align`; returns its (negative) offset from r10. */
  slot(size: number, align: number): number {
    const a = Math.max(1, Math.min(align, 8));
    this.frameSize = Math.ceil((this.frameSize + Math.max(size, 1)) / a) * a;
    return -this.frameSize;
  }
}

export const isConst = (v: Val): v is { k: bigint } => 'k' in v;

/** Successor blocks of a block. */
export function successors(b: Block): Block[] {
  const t = b.term;
  if (!t) return [];
  if (t.op === 'br') return [t.t, t.f];
  if (t.op === 'jmp') return [t.t];
  return [];
}

/** Registers an instruction reads. */
export function uses(i: Inst | Term): VReg[] {
  const out: VReg[] = [];
  const v = (x: Val | undefined) => { if (x && 'r' in x) out.push(x.r); };
  const a = (x: Addr) => { if ('base' in x) out.push(x.base); };
  switch (i.op) {
    case 'mov': v(i.src); break;
    case 'bin': out.push(i.a); v(i.b); break;
    case 'neg': out.push(i.a); break;
    case 'ext': case 'bswap': out.push(i.src); break;
    case 'setcc': out.push(i.a); v(i.b); break;
    case 'load': a(i.addr); break;
    case 'store': a(i.addr); v(i.src); break;
    case 'lea': a(i.addr); break;
    case 'call': for (const x of i.args) v(x); break;
    case 'ldmap': case 'ldglobal': break;
    case 'atomic': a(i.addr); out.push(i.src); break;
    case 'br': out.push(i.a); v(i.b); break;
    case 'ret': v(i.v); break;
    case 'jmp': break;
  }
  return out;
}

/** The register an instruction writes, if any. */
export function def(i: Inst): VReg | undefined {
  switch (i.op) {
    case 'store': return undefined;
    case 'call': case 'atomic': return i.dst;
    default: return i.dst;
  }
}

/** A readable dump, for tests and debugging. */
export function printIr(f: IrFunction): string {
  const val = (x: Val) => ('k' in x ? String(x.k) : `v${x.r}`);
  const addr = (a: Addr) => ('fp' in a ? `[fp${a.fp}]` : `[v${a.base}${a.off >= 0 ? '+' : ''}${a.off}]`);
  const lines: string[] = [`func ${f.name}(${f.params.map((p) => `v${p}`).join(', ')}) frame=${f.frameSize}`];
  for (const b of f.blocks) {
    lines.push(`b${b.id}:`);
    for (const i of b.insts) {
      switch (i.op) {
        case 'mov': lines.push(`  v${i.dst} = ${val(i.src)}`); break;
        case 'bin': lines.push(`  v${i.dst} = ${i.kind}${i.w ? '32' : ''} v${i.a}, ${val(i.b)}`); break;
        case 'neg': lines.push(`  v${i.dst} = neg v${i.a}`); break;
        case 'ext': lines.push(`  v${i.dst} = ${i.signed ? 's' : 'z'}ext${i.bits} v${i.src}`); break;
        case 'bswap': lines.push(`  v${i.dst} = bswap${i.bits} v${i.src}`); break;
        case 'setcc': lines.push(`  v${i.dst} = ${i.cond} v${i.a}, ${val(i.b)}`); break;
        case 'load': lines.push(`  v${i.dst} = load${i.signed ? 's' : ''}${i.size * 8} ${addr(i.addr)}`); break;
        case 'store': lines.push(`  store${i.size * 8} ${addr(i.addr)}, ${val(i.src)}`); break;
        case 'lea': lines.push(`  v${i.dst} = lea ${addr(i.addr)}`); break;
        case 'call': lines.push(`  ${i.dst !== undefined ? `v${i.dst} = ` : ''}call ${i.callee ?? `#${i.helper}`}(${i.args.map(val).join(', ')})`); break;
        case 'ldmap': lines.push(`  v${i.dst} = map ${i.map}`); break;
        case 'ldglobal': lines.push(`  v${i.dst} = &${i.section}+${i.offset}`); break;
        case 'atomic': lines.push(`  ${i.dst !== undefined ? `v${i.dst} = fetch_` : 'atomic_'}${i.kind}${i.size * 8} ${addr(i.addr)}, v${i.src}`); break;
      }
    }
    const t = b.term;
    if (!t) lines.push('  <no terminator>');
    else if (t.op === 'br') lines.push(`  br${t.w ? '32' : ''} ${t.cond} v${t.a}, ${val(t.b)} ? b${t.t.id} : b${t.f.id}`);
    else if (t.op === 'jmp') lines.push(`  jmp b${t.t.id}`);
    else lines.push(`  ret${t.v ? ` ${val(t.v)}` : ''}`);
  }
  return lines.join('\n');
}
