// The eBPF instruction set as data: opcodes, instructions and their encoding, builders and an
// assembler with labels, the kernel-style disassembler, and helper ids.

export * from './opcodes.js';
export * from './insn.js';
export * from './helpers.js';
export * from './asm.js';
export * from './disasm.js';
