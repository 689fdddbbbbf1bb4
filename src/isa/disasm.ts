// Disassembly in the kernel's own notation (kernel/bpf/disasm.c), as printed in verifier logs
// and by `bpftool prog dump xlated`:
//
//      0: (bf) r6 = r1
//      1: (85) call bpf_get_current_pid_tgid#14
//      2: (18) r1 = map[fd:5]
//      4: (15) if r0 == 0x0 goto pc+3

import {
  BPF_ABS, BPF_ADD, BPF_ADDR_SPACE_CAST, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ATOMIC, BPF_CALL,
  BPF_CMPXCHG, BPF_DIV, BPF_DW, BPF_END, BPF_EXIT, BPF_FETCH, BPF_IMM, BPF_IND, BPF_JA, BPF_JCOND,
  BPF_JMP, BPF_JMP32, BPF_LD, BPF_LDX, BPF_LOAD_ACQ, BPF_MAY_GOTO, BPF_MEM, BPF_MEMSX, BPF_MOD,
  BPF_MOV, BPF_NEG, BPF_OR, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL,
  BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_IDX, BPF_PSEUDO_MAP_IDX_VALUE, BPF_PSEUDO_MAP_VALUE, BPF_ST,
  BPF_STORE_REL, BPF_STX, BPF_TO_BE, BPF_X, BPF_XCHG, BPF_XOR, bpfClass, bpfMode, bpfOp, bpfSize,
  bpfSrc,
} from './opcodes.js';
import { helperName } from './helpers.js';
import { type Insn, isLdImm64 } from './insn.js';

export interface DisasmOptions {
  /** Print `call bpf_map_lookup_elem#1` (default) rather than `call #1`. */
  helperNames?: boolean;
  /** Name of the map behind a map fd (or id), printed after it: `map[fd:5](events)`. */
  mapNames?: (fd: number) => string | undefined;
  /**
   * What the imm of a map load holds: an fd (programs before loading, the default) or a map id
   * (programs read back from the kernel, as bpftool prints them).
   */
  mapRef?: 'fd' | 'id';
}

const CLASS_NAMES = ['ld', 'ldx', 'st', 'stx', 'alu', 'jmp', 'jmp32', 'alu64'] as const;

const ALU_STRINGS: readonly (string | undefined)[] = [
  '+=', '-=', '*=', '/=', '|=', '&=', '<<=', '>>=', 'neg', '%=', '^=', '=', 's>>=', 'endian',
];

const JMP_STRINGS: readonly (string | undefined)[] = [
  'jmp', '==', '>', '>=', '&', '!=', 's>', 's>=', 'call', 'exit', '<', '<=', 's<', 's<=',
];

const LDST_STRINGS = ['u32', 'u16', 'u8', 'u64'] as const;
const LDSX_STRINGS = ['s32', 's16', 's8', 's64'] as const;

const ATOMIC_ALU_STRINGS: Readonly<Record<number, string>> = {
  [BPF_ADD]: 'add', [BPF_AND]: 'and', [BPF_OR]: 'or', [BPF_XOR]: 'xor',
};

const hex = (n: number): string => '0x' + (n >>> 0).toString(16);
/** printf's "%+d". */
const signed = (n: number): string => (n < 0 ? `${n}` : `+${n}`);
const op2 = (code: number): string => `(${code.toString(16).padStart(2, '0')})`;

/**
 * One instruction in the kernel's notation, without the index. For a 64-bit immediate load,
 * pass its second slot as `next` (missing, the high half is taken as 0).
 */
export function formatInsn(insn: Insn, next?: Insn, opts: DisasmOptions = {}): string {
  const { code, dst, src, off, imm } = insn;
  const cls = bpfClass(code);
  const c = op2(code);

  if (cls === BPF_ALU || cls === BPF_ALU64) {
    const r = cls === BPF_ALU ? 'w' : 'r';
    const op = bpfOp(code);
    if (op === BPF_END) {
      // Byte swaps always print 64-bit register names, as the kernel does.
      if (cls === BPF_ALU64) return `${c} r${dst} = bswap${imm} r${dst}`;
      return `${c} r${dst} = ${bpfSrc(code) === BPF_TO_BE ? 'be' : 'le'}${imm} r${dst}`;
    }
    if (op === BPF_NEG) return `${c} ${r}${dst} = -${r}${dst}`;
    if (code === (BPF_ALU64 | BPF_MOV | BPF_X) && off === BPF_ADDR_SPACE_CAST) {
      return `${c} r${dst} = addr_space_cast(r${src}, ${imm >>> 16}, ${imm & 0xffff})`;
    }
    const signedDivMod = (op === BPF_DIV || op === BPF_MOD) && off === 1;
    const opStr = signedDivMod ? (op === BPF_DIV ? 's/=' : 's%=') : (ALU_STRINGS[op >> 4] ?? `BUG_alu_${op.toString(16)}`);
    if (bpfSrc(code) === BPF_X) {
      const movsx = op === BPF_MOV && (off === 8 || off === 16 || off === 32) ? `(s${off})` : '';
      return `${c} ${r}${dst} ${opStr} ${movsx}${r}${src}`;
    }
    return `${c} ${r}${dst} ${opStr} ${imm}`;
  }

  if (cls === BPF_STX) {
    const mode = bpfMode(code);
    const ty = LDST_STRINGS[bpfSize(code) >> 3]!;
    const mem = `(r${dst} ${signed(off)})`;
    if (mode === BPF_MEM) return `${c} *(${ty} *)${mem} = r${src}`;
    if (mode === BPF_ATOMIC) {
      const w = bpfSize(code) === BPF_DW ? '64' : '';
      const aluName = ATOMIC_ALU_STRINGS[imm & ~BPF_FETCH];
      if (aluName !== undefined && (imm & BPF_FETCH) === 0) {
        return `${c} lock *(${ty} *)${mem} ${ALU_STRINGS[imm >> 4]} r${src}`;
      }
      if (aluName !== undefined) return `${c} r${src} = atomic${w}_fetch_${aluName}((${ty} *)${mem}, r${src})`;
      if (imm === BPF_CMPXCHG) return `${c} r0 = atomic${w}_cmpxchg((${ty} *)${mem}, r0, r${src})`;
      if (imm === BPF_XCHG) return `${c} r${src} = atomic${w}_xchg((${ty} *)${mem}, r${src})`;
      if (imm === BPF_LOAD_ACQ) return `${c} r${dst} = load_acquire((${ty} *)(r${src} ${signed(off)}))`;
      if (imm === BPF_STORE_REL) return `${c} store_release((${ty} *)${mem}, r${src})`;
    }
    return `BUG_${code.toString(16).padStart(2, '0')}`;
  }

  if (cls === BPF_ST) {
    if (bpfMode(code) === BPF_MEM) {
      return `${c} *(${LDST_STRINGS[bpfSize(code) >> 3]} *)(r${dst} ${signed(off)}) = ${imm}`;
    }
    if (bpfMode(code) === 0xc0) return `${c} nospec`; // internal to the kernel, seen in xlated dumps
    return `BUG_st_${code.toString(16).padStart(2, '0')}`;
  }

  if (cls === BPF_LDX) {
    const mode = bpfMode(code);
    if (mode !== BPF_MEM && mode !== BPF_MEMSX) return `BUG_ldx_${code.toString(16).padStart(2, '0')}`;
    const ty = (mode === BPF_MEM ? LDST_STRINGS : LDSX_STRINGS)[bpfSize(code) >> 3];
    return `${c} r${dst} = *(${ty} *)(r${src} ${signed(off)})`;
  }

  if (cls === BPF_LD) {
    const mode = bpfMode(code);
    const ty = LDST_STRINGS[bpfSize(code) >> 3];
    if (mode === BPF_ABS) return `${c} r0 = *(${ty} *)skb[${imm}]`;
    if (mode === BPF_IND) return `${c} r0 = *(${ty} *)skb[r${src} + ${imm}]`;
    if (mode === BPF_IMM && bpfSize(code) === BPF_DW) return `${c} r${dst} = ${ldImm64Operand(insn, next, opts)}`;
    return `BUG_ld_${code.toString(16).padStart(2, '0')}`;
  }

  // BPF_JMP, BPF_JMP32
  const op = bpfOp(code);
  if (op === BPF_CALL) {
    if (src === BPF_PSEUDO_CALL) return `${c} call pc${signed(imm)}`;
    if (src === BPF_PSEUDO_KFUNC_CALL) return `${c} call kernel-function#${imm}`;
    if (opts.helperNames === false) return `${c} call #${imm}`;
    const name = src === 0 ? helperName(imm) : undefined;
    return `${c} call ${name !== undefined ? `bpf_${name}` : 'unknown'}#${imm}`;
  }
  if (code === (BPF_JMP | BPF_JA)) return `${c} goto pc${signed(off)}`;
  if (code === (BPF_JMP | BPF_JA | BPF_X)) return `${c} gotox r${dst}`;
  if (code === (BPF_JMP | BPF_JCOND) && src === BPF_MAY_GOTO) return `${c} may_goto pc${signed(off)}`;
  if (code === (BPF_JMP32 | BPF_JA)) return `${c} gotol pc${signed(imm)}`;
  if (code === (BPF_JMP | BPF_EXIT)) return `${c} exit`;
  const cmp = JMP_STRINGS[op >> 4];
  if (cmp === undefined || op === BPF_EXIT) return `${c} ${CLASS_NAMES[cls]}`;
  const r = cls === BPF_JMP32 ? 'w' : 'r';
  if (bpfSrc(code) === BPF_X) return `${c} if ${r}${dst} ${cmp} ${r}${src} goto pc${signed(off)}`;
  return `${c} if ${r}${dst} ${cmp} ${hex(imm)} goto pc${signed(off)}`;
}

/** The right-hand side of a 64-bit immediate load, named after what the loader will put there. */
function ldImm64Operand(insn: Insn, next: Insn | undefined, opts: DisasmOptions): string {
  const hi = next?.imm ?? 0;
  const ref = opts.mapRef ?? 'fd';
  const named = (n: number): string => {
    const name = opts.mapNames?.(n);
    return name !== undefined ? `(${name})` : '';
  };
  switch (insn.src) {
    case BPF_PSEUDO_MAP_FD:
      return `map[${ref}:${insn.imm}]${named(insn.imm)}`;
    case BPF_PSEUDO_MAP_VALUE:
      return `map[${ref}:${insn.imm}]${named(insn.imm)}[0]+${hi}`;
    case BPF_PSEUDO_MAP_IDX:
      return `map[idx:${insn.imm}]`;
    case BPF_PSEUDO_MAP_IDX_VALUE:
      return `map[idx:${insn.imm}]+${hi}`;
    case BPF_PSEUDO_FUNC:
      return `subprog[${signed(insn.imm)}]`;
    default: {
      const full = (BigInt(hi >>> 0) << 32n) | BigInt(insn.imm >>> 0);
      return '0x' + full.toString(16);
    }
  }
}

/**
 * One line per instruction, `%4d: ` then the instruction, as bpftool prints. A 64-bit immediate
 * load is printed once and its index advances by two.
 */
export function disassemble(insns: readonly Insn[], opts: DisasmOptions = {}): string[] {
  const lines: string[] = [];
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    const wide = isLdImm64(insn);
    lines.push(`${String(i).padStart(4)}: ${formatInsn(insn, wide ? insns[i + 1] : undefined, opts)}`);
    if (wide) i++;
  }
  return lines;
}
