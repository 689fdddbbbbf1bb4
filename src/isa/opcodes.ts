// eBPF opcode fields, named as in <linux/bpf_common.h> and <linux/bpf.h>.
//
// An opcode byte is split in fields that depend on the class:
//   ALU/ALU64/JMP/JMP32:  op (0xf0) | source (0x08) | class (0x07)
//   LD/LDX/ST/STX:        mode (0xe0) | size (0x18) | class (0x07)
// Names keep the kernel's BPF_ prefix so they can be grepped against the uapi headers.

// Instruction classes.
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_JMP32 = 0x06;
export const BPF_ALU64 = 0x07;

// Load/store sizes.
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_DW = 0x18;

// Load/store modes.
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
/** ISA v4: sign-extending load (LDX only). */
export const BPF_MEMSX = 0x80;
export const BPF_ATOMIC = 0xc0;
/** Legacy name of BPF_ATOMIC with imm = BPF_ADD. */
export const BPF_XADD = 0xc0;

// ALU operations.
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;
export const BPF_MOV = 0xb0;
export const BPF_ARSH = 0xc0;
export const BPF_END = 0xd0;

// Jump operations.
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_JNE = 0x50;
export const BPF_JSGT = 0x60;
export const BPF_JSGE = 0x70;
export const BPF_CALL = 0x80;
export const BPF_EXIT = 0x90;
export const BPF_JLT = 0xa0;
export const BPF_JLE = 0xb0;
export const BPF_JSLT = 0xc0;
export const BPF_JSLE = 0xd0;
/** Conditional pseudo-jump (may_goto when src = BPF_MAY_GOTO); newer than the 6.1 uapi. */
export const BPF_JCOND = 0xe0;
export const BPF_MAY_GOTO = 0;

// Operand source.
export const BPF_K = 0x00;
export const BPF_X = 0x08;

// Byte order for BPF_END (in the source bit). With ALU64 class, BPF_END|BPF_TO_LE is bswap.
export const BPF_TO_LE = 0x00;
export const BPF_TO_BE = 0x08;
export const BPF_FROM_LE = BPF_TO_LE;
export const BPF_FROM_BE = BPF_TO_BE;

// Atomic operations, stored in imm of a BPF_STX|BPF_ATOMIC instruction.
export const BPF_FETCH = 0x01;
export const BPF_XCHG = 0xe0 | BPF_FETCH;
export const BPF_CMPXCHG = 0xf0 | BPF_FETCH;
/** Load-acquire / store-release (imm of STX|ATOMIC); newer than the 6.1 uapi. */
export const BPF_LOAD_ACQ = 0x100;
export const BPF_STORE_REL = 0x110;

// ISA v4 uses `off` to select variants of existing opcodes.
/** off = 1 on BPF_DIV / BPF_MOD: signed division / modulo. */
export const BPF_OFF_SIGNED = 1;
/** off = 8, 16 or 32 on BPF_MOV|BPF_X: move with sign extension from that many bits. */
export const BPF_MOVSX_BITS = [8, 16, 32] as const;
/** off = 1 on BPF_ALU64|BPF_MOV|BPF_X: arena address space cast. */
export const BPF_ADDR_SPACE_CAST = 1;

// src_reg of the first half of a 64-bit immediate load (BPF_LD|BPF_IMM|BPF_DW).
export const BPF_PSEUDO_MAP_FD = 1;
export const BPF_PSEUDO_MAP_VALUE = 2;
export const BPF_PSEUDO_BTF_ID = 3;
export const BPF_PSEUDO_FUNC = 4;
export const BPF_PSEUDO_MAP_IDX = 5;
export const BPF_PSEUDO_MAP_IDX_VALUE = 6;

// src_reg of a BPF_JMP|BPF_CALL instruction.
export const BPF_PSEUDO_CALL = 1;
export const BPF_PSEUDO_KFUNC_CALL = 2;

// Whole opcodes used often enough to deserve a name.
/** 64-bit immediate load, the only instruction that takes two slots. */
export const BPF_LD_IMM64 = BPF_LD | BPF_IMM | BPF_DW; // 0x18
export const BPF_CALL_OPCODE = BPF_JMP | BPF_CALL; // 0x85
export const BPF_EXIT_OPCODE = BPF_JMP | BPF_EXIT; // 0x95

/** Upper bound on the number of registers (r0..r10). */
export const MAX_BPF_REG = 11;

// Field extractors, as the kernel's BPF_CLASS() etc.
export const bpfClass = (code: number): number => code & 0x07;
export const bpfSize = (code: number): number => code & 0x18;
export const bpfMode = (code: number): number => code & 0xe0;
export const bpfOp = (code: number): number => code & 0xf0;
export const bpfSrc = (code: number): number => code & 0x08;
