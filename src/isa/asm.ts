// Builders for BPF instructions, and an Assembler that resolves jump labels.
//
// Builders check ranges as they build, so a bad operand fails where it was produced rather than
// at encode time. Immediates are signed 32-bit: the kernel sign-extends them to 64 bits, so a
// mask like 0xffffffff must be written -1 (and means all 64 bits), or loaded with ld64Imm.

import {
  BPF_ABS, BPF_ADD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_ATOMIC, BPF_B, BPF_CALL,
  BPF_CMPXCHG, BPF_DIV, BPF_DW, BPF_END, BPF_EXIT, BPF_FETCH, BPF_H, BPF_IMM, BPF_IND, BPF_JA,
  BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JMP, BPF_JMP32, BPF_JNE, BPF_JSET, BPF_JSGE,
  BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_K, BPF_LD, BPF_LDX, BPF_LSH, BPF_MEM, BPF_MEMSX, BPF_MOD,
  BPF_MOV, BPF_MUL, BPF_NEG, BPF_OR, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL,
  BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_TO_BE,
  BPF_TO_LE, BPF_W, BPF_X, BPF_XCHG, BPF_XOR,
} from './opcodes.js';
import { helperId } from './helpers.js';
import { IMM_MAX, IMM_MIN, type Insn, isReg, OFF_MAX, OFF_MIN, type Reg } from './insn.js';

export type { Insn, Reg } from './insn.js';

export const R0: Reg = 0;
export const R1: Reg = 1;
export const R2: Reg = 2;
export const R3: Reg = 3;
export const R4: Reg = 4;
export const R5: Reg = 5;
export const R6: Reg = 6;
export const R7: Reg = 7;
export const R8: Reg = 8;
export const R9: Reg = 9;
export const R10: Reg = 10;
/** The read-only frame pointer. */
export const FP: Reg = R10;

export type AluOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'or' | 'and' | 'lsh' | 'rsh' | 'neg' | 'mod' | 'xor' | 'arsh'
  | 'sdiv' | 'smod';
export type JmpOp =
  | 'jeq' | 'jgt' | 'jge' | 'jset' | 'jne' | 'jsgt' | 'jsge' | 'jlt' | 'jle' | 'jslt' | 'jsle';
export type Size = 'b' | 'h' | 'w' | 'dw' | 1 | 2 | 4 | 8;
export type AtomicOp =
  | 'add' | 'or' | 'and' | 'xor' | 'fetch_add' | 'fetch_or' | 'fetch_and' | 'fetch_xor'
  | 'xchg' | 'cmpxchg';

/** Opcode and `off` for each ALU operation (ISA v4 signed div/mod are DIV/MOD with off = 1). */
const ALU_OPS: Readonly<Record<AluOp, readonly [op: number, off: number]>> = {
  add: [BPF_ADD, 0], sub: [BPF_SUB, 0], mul: [BPF_MUL, 0], div: [BPF_DIV, 0], or: [BPF_OR, 0],
  and: [BPF_AND, 0], lsh: [BPF_LSH, 0], rsh: [BPF_RSH, 0], neg: [BPF_NEG, 0], mod: [BPF_MOD, 0],
  xor: [BPF_XOR, 0], arsh: [BPF_ARSH, 0], sdiv: [BPF_DIV, 1], smod: [BPF_MOD, 1],
};

const JMP_OPS: Readonly<Record<JmpOp, number>> = {
  jeq: BPF_JEQ, jgt: BPF_JGT, jge: BPF_JGE, jset: BPF_JSET, jne: BPF_JNE, jsgt: BPF_JSGT,
  jsge: BPF_JSGE, jlt: BPF_JLT, jle: BPF_JLE, jslt: BPF_JSLT, jsle: BPF_JSLE,
};

const ATOMIC_OPS: Readonly<Record<AtomicOp, number>> = {
  add: BPF_ADD, or: BPF_OR, and: BPF_AND, xor: BPF_XOR,
  fetch_add: BPF_ADD | BPF_FETCH, fetch_or: BPF_OR | BPF_FETCH, fetch_and: BPF_AND | BPF_FETCH,
  fetch_xor: BPF_XOR | BPF_FETCH, xchg: BPF_XCHG, cmpxchg: BPF_CMPXCHG,
};

const SIZES: ReadonlyMap<Size, number> = new Map<Size, number>([
  ['b', BPF_B], [1, BPF_B], ['h', BPF_H], [2, BPF_H], ['w', BPF_W], [4, BPF_W], ['dw', BPF_DW], [8, BPF_DW],
]);

// ---- operand checks ----

function reg(r: Reg, what: string): Reg {
  if (!isReg(r)) throw new Error(`${what}: register ${String(r)} is not r0..r10`);
  return r;
}

function imm32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < IMM_MIN || v > IMM_MAX) {
    const hint = Number.isInteger(v) && v > IMM_MAX && v <= 0xffff_ffff
      ? ` (immediates are sign-extended: write ${v | 0}, or use ld64Imm for a 64-bit value)` : '';
    throw new Error(`${what}: immediate ${v} is not a signed 32-bit integer${hint}`);
  }
  return v;
}

function off16(v: number, what: string): number {
  if (!Number.isInteger(v) || v < OFF_MIN || v > OFF_MAX) {
    throw new Error(`${what}: offset ${v} is not a signed 16-bit integer`);
  }
  return v;
}

function sizeCode(size: Size, what: string): number {
  const code = SIZES.get(size);
  if (code === undefined) throw new Error(`${what}: unknown size ${String(size)} (use b, h, w, dw or 1, 2, 4, 8)`);
  return code;
}

function aluOp(op: AluOp, what: string): readonly [number, number] {
  const entry = Object.hasOwn(ALU_OPS, op) ? ALU_OPS[op] : undefined;
  if (!entry) throw new Error(`${what}: unknown ALU operation '${String(op)}'`);
  return entry;
}

function jmpOp(op: JmpOp, what: string): number {
  const code = Object.hasOwn(JMP_OPS, op) ? JMP_OPS[op] : undefined;
  if (code === undefined) throw new Error(`${what}: unknown jump operation '${String(op)}'`);
  return code;
}

function insn(code: number, dst: Reg, src: Reg, off: number, imm: number): Insn {
  return { code, dst, src, off, imm };
}

// ---- moves and arithmetic ----

export function mov64(dst: Reg, src: Reg): Insn {
  return insn(BPF_ALU64 | BPF_MOV | BPF_X, reg(dst, 'mov64'), reg(src, 'mov64'), 0, 0);
}

export function mov64Imm(dst: Reg, imm: number): Insn {
  return insn(BPF_ALU64 | BPF_MOV | BPF_K, reg(dst, 'mov64Imm'), 0, 0, imm32(imm, 'mov64Imm'));
}

export function mov32(dst: Reg, src: Reg): Insn {
  return insn(BPF_ALU | BPF_MOV | BPF_X, reg(dst, 'mov32'), reg(src, 'mov32'), 0, 0);
}

export function mov32Imm(dst: Reg, imm: number): Insn {
  return insn(BPF_ALU | BPF_MOV | BPF_K, reg(dst, 'mov32Imm'), 0, 0, imm32(imm, 'mov32Imm'));
}

/** ISA v4: dst = (s8|s16|s32) src, sign-extended to 64 bits. */
export function movsx64(dst: Reg, src: Reg, bits: 8 | 16 | 32): Insn {
  if (bits !== 8 && bits !== 16 && bits !== 32) throw new Error(`movsx64: bits ${String(bits)} is not 8, 16 or 32`);
  return insn(BPF_ALU64 | BPF_MOV | BPF_X, reg(dst, 'movsx64'), reg(src, 'movsx64'), bits, 0);
}

/** ISA v4: w-dst = (s8|s16) w-src, sign-extended to 32 bits (upper 32 bits zeroed). */
export function movsx32(dst: Reg, src: Reg, bits: 8 | 16): Insn {
  if (bits !== 8 && bits !== 16) throw new Error(`movsx32: bits ${String(bits)} is not 8 or 16`);
  return insn(BPF_ALU | BPF_MOV | BPF_X, reg(dst, 'movsx32'), reg(src, 'movsx32'), bits, 0);
}

function aluReg(cls: number, what: string, op: AluOp, dst: Reg, src: Reg): Insn {
  const [code, off] = aluOp(op, what);
  reg(dst, what);
  reg(src, what);
  // NEG is unary and must use the K form with src = imm = 0; accept only dst = -dst.
  if (code === BPF_NEG) {
    if (src !== dst) throw new Error(`${what}: 'neg' is unary (dst = -dst); got src r${src} != dst r${dst}`);
    return insn(cls | BPF_NEG | BPF_K, dst, 0, 0, 0);
  }
  return insn(cls | code | BPF_X, dst, src, off, 0);
}

function aluImm(cls: number, what: string, op: AluOp, dst: Reg, imm: number): Insn {
  const [code, off] = aluOp(op, what);
  reg(dst, what);
  imm32(imm, what);
  if (code === BPF_NEG && imm !== 0) throw new Error(`${what}: 'neg' takes no immediate (pass 0)`);
  return insn(cls | code | BPF_K, dst, 0, off, imm);
}

export function alu64(op: AluOp, dst: Reg, src: Reg): Insn {
  return aluReg(BPF_ALU64, 'alu64', op, dst, src);
}

export function alu64Imm(op: AluOp, dst: Reg, imm: number): Insn {
  return aluImm(BPF_ALU64, 'alu64Imm', op, dst, imm);
}

export function alu32(op: AluOp, dst: Reg, src: Reg): Insn {
  return aluReg(BPF_ALU, 'alu32', op, dst, src);
}

export function alu32Imm(op: AluOp, dst: Reg, imm: number): Insn {
  return aluImm(BPF_ALU, 'alu32Imm', op, dst, imm);
}

/** dst = -dst (64-bit). */
export function neg64(dst: Reg): Insn {
  return alu64Imm('neg', dst, 0);
}

/** dst = -dst (32-bit). */
export function neg32(dst: Reg): Insn {
  return alu32Imm('neg', dst, 0);
}

/**
 * Byte order conversion of the low `bits` of dst: 'le'/'be' convert from host order to that
 * order (zero-extending), 'bswap' (ISA v4) swaps unconditionally.
 */
export function endian(kind: 'le' | 'be' | 'bswap', dst: Reg, bits: 16 | 32 | 64): Insn {
  if (bits !== 16 && bits !== 32 && bits !== 64) throw new Error(`endian: bits ${String(bits)} is not 16, 32 or 64`);
  reg(dst, 'endian');
  switch (kind) {
    case 'le': return insn(BPF_ALU | BPF_END | BPF_TO_LE, dst, 0, 0, bits);
    case 'be': return insn(BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, bits);
    case 'bswap': return insn(BPF_ALU64 | BPF_END | BPF_TO_LE, dst, 0, 0, bits);
    default: throw new Error(`endian: unknown kind '${String(kind)}' (use le, be or bswap)`);
  }
}

// ---- 64-bit immediate loads (two slots) ----

/** The two slots of `dst = imm64`, with `src` selecting a pseudo (map fd, map value, ...). */
export function ldPseudo(dst: Reg, src: Reg, imm: number, imm2: number): [Insn, Insn] {
  reg(dst, 'ld64');
  reg(src, 'ld64');
  return [
    insn(BPF_LD | BPF_IMM | BPF_DW, dst, src, 0, imm32(imm, 'ld64')),
    insn(0, 0, 0, 0, imm32(imm2, 'ld64')),
  ];
}

/** dst = value (any 64-bit value, signed or unsigned). */
export function ld64Imm(dst: Reg, value: bigint | number): [Insn, Insn] {
  let v: bigint;
  if (typeof value === 'bigint') {
    v = value;
  } else {
    if (!Number.isSafeInteger(value)) throw new Error(`ld64Imm: ${value} is not a safe integer (pass a bigint)`);
    v = BigInt(value);
  }
  if (v < -(1n << 63n) || v >= 1n << 64n) throw new Error(`ld64Imm: ${v} does not fit in 64 bits`);
  const u = BigInt.asUintN(64, v);
  const lo = Number(BigInt.asIntN(32, u));
  const hi = Number(BigInt.asIntN(32, u >> 32n));
  return ldPseudo(dst, 0, lo, hi);
}

/** dst = pointer to the map with this fd (the loader turns the fd into the map). */
export function ldMapFd(dst: Reg, fd: number): [Insn, Insn] {
  return ldPseudo(dst, BPF_PSEUDO_MAP_FD, fd, 0);
}

/** dst = pointer into the value of the map with this fd (array maps with one element), plus offset. */
export function ldMapValue(dst: Reg, fd: number, offset: number): [Insn, Insn] {
  return ldPseudo(dst, BPF_PSEUDO_MAP_VALUE, fd, offset);
}

/** dst = address of a subprogram (callback), which starts at pc + off + 1 as for callLocal. */
export function ldFunc(dst: Reg, off: number): [Insn, Insn] {
  return ldPseudo(dst, BPF_PSEUDO_FUNC, off, 0);
}

// ---- memory ----

/** dst = *(size *)(src + off), zero-extended. */
export function ldx(size: Size, dst: Reg, src: Reg, off: number): Insn {
  return insn(BPF_LDX | sizeCode(size, 'ldx') | BPF_MEM, reg(dst, 'ldx'), reg(src, 'ldx'), off16(off, 'ldx'), 0);
}

/** ISA v4: dst = *(s8|s16|s32 *)(src + off), sign-extended. */
export function ldxs(size: Size, dst: Reg, src: Reg, off: number): Insn {
  const sz = sizeCode(size, 'ldxs');
  if (sz === BPF_DW) throw new Error('ldxs: sign-extending loads are 1, 2 or 4 bytes');
  return insn(BPF_LDX | sz | BPF_MEMSX, reg(dst, 'ldxs'), reg(src, 'ldxs'), off16(off, 'ldxs'), 0);
}

/** *(size *)(dst + off) = src. */
export function stx(size: Size, dst: Reg, src: Reg, off: number): Insn {
  return insn(BPF_STX | sizeCode(size, 'stx') | BPF_MEM, reg(dst, 'stx'), reg(src, 'stx'), off16(off, 'stx'), 0);
}

/** *(size *)(dst + off) = imm. */
export function st(size: Size, dst: Reg, off: number, imm: number): Insn {
  return insn(BPF_ST | sizeCode(size, 'st') | BPF_MEM, reg(dst, 'st'), 0, off16(off, 'st'), imm32(imm, 'st'));
}

/**
 * Atomic read-modify-write on *(size *)(dst + off) with src. The fetch_* forms and xchg put the
 * old value in src; cmpxchg compares with r0, stores src if equal, and puts the old value in r0.
 */
export function atomic(op: AtomicOp, size: 'w' | 'dw', dst: Reg, src: Reg, off: number): Insn {
  const code = Object.hasOwn(ATOMIC_OPS, op) ? ATOMIC_OPS[op] : undefined;
  if (code === undefined) throw new Error(`atomic: unknown operation '${String(op)}'`);
  if (size !== 'w' && size !== 'dw') throw new Error(`atomic: size ${String(size)} is not w or dw`);
  const sz = size === 'w' ? BPF_W : BPF_DW;
  return insn(BPF_STX | sz | BPF_ATOMIC, reg(dst, 'atomic'), reg(src, 'atomic'), off16(off, 'atomic'), code);
}

/** Legacy packet load: r0 = *(size *)skb[imm] (socket filters; sizes b, h, w). */
export function ldAbs(size: Size, imm: number): Insn {
  const sz = sizeCode(size, 'ldAbs');
  if (sz === BPF_DW) throw new Error('ldAbs: packet loads are 1, 2 or 4 bytes');
  return insn(BPF_LD | sz | BPF_ABS, 0, 0, 0, imm32(imm, 'ldAbs'));
}

/** Legacy packet load: r0 = *(size *)skb[src + imm] (socket filters; sizes b, h, w). */
export function ldInd(size: Size, src: Reg, imm: number): Insn {
  const sz = sizeCode(size, 'ldInd');
  if (sz === BPF_DW) throw new Error('ldInd: packet loads are 1, 2 or 4 bytes');
  return insn(BPF_LD | sz | BPF_IND, 0, reg(src, 'ldInd'), 0, imm32(imm, 'ldInd'));
}

// ---- control flow (offsets count slots from the next instruction) ----

export function jmp(op: JmpOp, dst: Reg, src: Reg, off: number): Insn {
  return insn(BPF_JMP | jmpOp(op, 'jmp') | BPF_X, reg(dst, 'jmp'), reg(src, 'jmp'), off16(off, 'jmp'), 0);
}

export function jmpImm(op: JmpOp, dst: Reg, imm: number, off: number): Insn {
  return insn(BPF_JMP | jmpOp(op, 'jmpImm') | BPF_K, reg(dst, 'jmpImm'), 0, off16(off, 'jmpImm'), imm32(imm, 'jmpImm'));
}

export function jmp32(op: JmpOp, dst: Reg, src: Reg, off: number): Insn {
  return insn(BPF_JMP32 | jmpOp(op, 'jmp32') | BPF_X, reg(dst, 'jmp32'), reg(src, 'jmp32'), off16(off, 'jmp32'), 0);
}

export function jmp32Imm(op: JmpOp, dst: Reg, imm: number, off: number): Insn {
  return insn(BPF_JMP32 | jmpOp(op, 'jmp32Imm') | BPF_K, reg(dst, 'jmp32Imm'), 0, off16(off, 'jmp32Imm'), imm32(imm, 'jmp32Imm'));
}

/** goto pc + off + 1. */
export function ja(off: number): Insn {
  return insn(BPF_JMP | BPF_JA, 0, 0, off16(off, 'ja'), 0);
}

/** ISA v4 long jump: goto pc + imm + 1, with a 32-bit offset (JMP32 class). */
export function gotol(imm: number): Insn {
  return insn(BPF_JMP32 | BPF_JA, 0, 0, 0, imm32(imm, 'gotol'));
}

/** Call a helper by id or by name (with or without the bpf_ prefix). */
export function call(helper: number | string): Insn {
  const id = typeof helper === 'string' ? helperId(helper) : helper;
  return insn(BPF_JMP | BPF_CALL, 0, 0, 0, imm32(id, 'call'));
}

/** bpf-to-bpf call: the callee starts at pc + off + 1. */
export function callLocal(off: number): Insn {
  return insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, imm32(off, 'callLocal'));
}

/** Call a kernel function by BTF id; `btfFdIndex` selects a module BTF from fd_array (0 = vmlinux). */
export function callKfunc(btfId: number, btfFdIndex = 0): Insn {
  return insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, off16(btfFdIndex, 'callKfunc'), imm32(btfId, 'callKfunc'));
}

export function exit(): Insn {
  return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

// ---- labels ----

type Target = number | string;

interface Fixup {
  /** Index of the slot whose field receives the offset. */
  at: number;
  field: 'off' | 'imm';
  label: string;
}

/**
 * Collects instructions and resolves jump targets given as label names. Every builder has a
 * method of the same name that appends; jump offsets may be a number or a label. A label marks
 * the next slot; offsets are `target - (index + 1)`, a 64-bit load counting as two slots.
 *
 *   const a = new Assembler();
 *   a.jmpImm('jeq', R0, 0, 'out').mov64Imm(R0, 1).label('out').exit();
 *   const insns = a.assemble();
 */
export class Assembler {
  private readonly insns: Insn[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: Fixup[] = [];

  /** Number of slots emitted so far (the index the next instruction gets). */
  get pc(): number {
    return this.insns.length;
  }

  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`duplicate label '${name}'`);
    this.labels.set(name, this.insns.length);
    return this;
  }

  emit(...insns: (Insn | readonly Insn[])[]): this {
    for (const i of insns) {
      if (Array.isArray(i)) this.insns.push(...(i as readonly Insn[]).map((x) => ({ ...x })));
      else this.insns.push({ ...(i as Insn) });
    }
    return this;
  }

  private target(t: Target, field: 'off' | 'imm', build: (n: number) => Insn | readonly Insn[]): this {
    if (typeof t === 'number') return this.emit(build(t));
    this.fixups.push({ at: this.insns.length, field, label: t });
    return this.emit(build(0));
  }

  mov64(dst: Reg, src: Reg): this { return this.emit(mov64(dst, src)); }
  mov64Imm(dst: Reg, imm: number): this { return this.emit(mov64Imm(dst, imm)); }
  mov32(dst: Reg, src: Reg): this { return this.emit(mov32(dst, src)); }
  mov32Imm(dst: Reg, imm: number): this { return this.emit(mov32Imm(dst, imm)); }
  movsx64(dst: Reg, src: Reg, bits: 8 | 16 | 32): this { return this.emit(movsx64(dst, src, bits)); }
  movsx32(dst: Reg, src: Reg, bits: 8 | 16): this { return this.emit(movsx32(dst, src, bits)); }
  alu64(op: AluOp, dst: Reg, src: Reg): this { return this.emit(alu64(op, dst, src)); }
  alu64Imm(op: AluOp, dst: Reg, imm: number): this { return this.emit(alu64Imm(op, dst, imm)); }
  alu32(op: AluOp, dst: Reg, src: Reg): this { return this.emit(alu32(op, dst, src)); }
  alu32Imm(op: AluOp, dst: Reg, imm: number): this { return this.emit(alu32Imm(op, dst, imm)); }
  neg64(dst: Reg): this { return this.emit(neg64(dst)); }
  neg32(dst: Reg): this { return this.emit(neg32(dst)); }
  endian(kind: 'le' | 'be' | 'bswap', dst: Reg, bits: 16 | 32 | 64): this { return this.emit(endian(kind, dst, bits)); }
  ldPseudo(dst: Reg, src: Reg, imm: number, imm2: number): this { return this.emit(ldPseudo(dst, src, imm, imm2)); }
  ld64Imm(dst: Reg, value: bigint | number): this { return this.emit(ld64Imm(dst, value)); }
  ldMapFd(dst: Reg, fd: number): this { return this.emit(ldMapFd(dst, fd)); }
  ldMapValue(dst: Reg, fd: number, offset: number): this { return this.emit(ldMapValue(dst, fd, offset)); }
  ldFunc(dst: Reg, target: Target): this { return this.target(target, 'imm', (n) => ldFunc(dst, n)); }
  ldx(size: Size, dst: Reg, src: Reg, off: number): this { return this.emit(ldx(size, dst, src, off)); }
  ldxs(size: Size, dst: Reg, src: Reg, off: number): this { return this.emit(ldxs(size, dst, src, off)); }
  stx(size: Size, dst: Reg, src: Reg, off: number): this { return this.emit(stx(size, dst, src, off)); }
  st(size: Size, dst: Reg, off: number, imm: number): this { return this.emit(st(size, dst, off, imm)); }
  atomic(op: AtomicOp, size: 'w' | 'dw', dst: Reg, src: Reg, off: number): this { return this.emit(atomic(op, size, dst, src, off)); }
  ldAbs(size: Size, imm: number): this { return this.emit(ldAbs(size, imm)); }
  ldInd(size: Size, src: Reg, imm: number): this { return this.emit(ldInd(size, src, imm)); }
  jmp(op: JmpOp, dst: Reg, src: Reg, off: Target): this { return this.target(off, 'off', (n) => jmp(op, dst, src, n)); }
  jmpImm(op: JmpOp, dst: Reg, imm: number, off: Target): this { return this.target(off, 'off', (n) => jmpImm(op, dst, imm, n)); }
  jmp32(op: JmpOp, dst: Reg, src: Reg, off: Target): this { return this.target(off, 'off', (n) => jmp32(op, dst, src, n)); }
  jmp32Imm(op: JmpOp, dst: Reg, imm: number, off: Target): this { return this.target(off, 'off', (n) => jmp32Imm(op, dst, imm, n)); }
  ja(off: Target): this { return this.target(off, 'off', (n) => ja(n)); }
  gotol(imm: Target): this { return this.target(imm, 'imm', (n) => gotol(n)); }
  call(helper: number | string): this { return this.emit(call(helper)); }
  callLocal(off: Target): this { return this.target(off, 'imm', (n) => callLocal(n)); }
  callKfunc(btfId: number, btfFdIndex = 0): this { return this.emit(callKfunc(btfId, btfFdIndex)); }
  exit(): this { return this.emit(exit()); }

  /** The instructions with label offsets filled in. Throws on undefined labels or out-of-range offsets. */
  assemble(): Insn[] {
    const out = this.insns.map((i) => ({ ...i }));
    for (const f of this.fixups) {
      const target = this.labels.get(f.label);
      if (target === undefined) throw new Error(`instruction ${f.at}: undefined label '${f.label}'`);
      const rel = target - (f.at + 1);
      if (f.field === 'off' && (rel < OFF_MIN || rel > OFF_MAX)) {
        throw new Error(`instruction ${f.at}: jump to '${f.label}' (${rel}) does not fit in 16 bits; use gotol`);
      }
      out[f.at]![f.field] = rel;
    }
    return out;
  }
}
