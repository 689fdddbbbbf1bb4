// struct bpf_insn as data, and its 8-byte little-endian wire form.

import { BPF_LD_IMM64 } from './opcodes.js';

export type Reg = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

/**
 * One instruction slot. A 64-bit immediate load (code 0x18) takes two slots, as in the kernel:
 * the second has code 0 and carries the high 32 bits in imm.
 */
export interface Insn {
  code: number;
  dst: Reg;
  src: Reg;
  off: number;
  imm: number;
}

export const INSN_SIZE = 8;

export const OFF_MIN = -0x8000;
export const OFF_MAX = 0x7fff;
export const IMM_MIN = -0x8000_0000;
export const IMM_MAX = 0x7fff_ffff;

export function isReg(x: unknown): x is Reg {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 10;
}

/** True for the first slot of a 64-bit immediate load (which is followed by its second slot). */
export function isLdImm64(insn: Insn): boolean {
  return insn.code === BPF_LD_IMM64;
}

/**
 * Checks the fields of an instruction, returning a description of the first problem or
 * undefined. Only ranges are checked here; whether the combination is valid is the verifier's job.
 */
export function insnProblem(insn: Insn): string | undefined {
  const { code, dst, src, off, imm } = insn;
  if (!Number.isInteger(code) || code < 0 || code > 0xff) return `code ${code} is not a byte`;
  if (!isReg(dst)) return `dst register ${dst} is not 0..10`;
  if (!isReg(src)) return `src register ${src} is not 0..10`;
  if (!Number.isInteger(off) || off < OFF_MIN || off > OFF_MAX) return `off ${off} is not a signed 16-bit integer`;
  if (!Number.isInteger(imm) || imm < IMM_MIN || imm > IMM_MAX) {
    return `imm ${imm} is not a signed 32-bit integer` + (Number.isInteger(imm) && imm > IMM_MAX && imm <= 0xffff_ffff ? ` (use ${imm | 0} for this bit pattern)` : '');
  }
  return undefined;
}

/** Encodes instructions to bytes (8 per slot). Throws naming the index of a malformed instruction. */
export function encode(insns: readonly Insn[]): Buffer {
  const buf = Buffer.alloc(insns.length * INSN_SIZE);
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    const problem = insnProblem(insn);
    if (problem) throw new Error(`instruction ${i}: ${problem}`);
    if (insn.code === BPF_LD_IMM64) {
      const next = insns[i + 1];
      if (!next) throw new Error(`instruction ${i}: 64-bit immediate load (0x18) is missing its second slot`);
      if (next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) {
        throw new Error(`instruction ${i + 1}: second slot of a 64-bit immediate load must have code, dst, src and off 0`);
      }
    }
    const at = i * INSN_SIZE;
    buf[at] = insn.code;
    buf[at + 1] = (insn.src << 4) | insn.dst;
    buf.writeInt16LE(insn.off, at + 2);
    buf.writeInt32LE(insn.imm, at + 4);
  }
  return buf;
}

/** Decodes bytes into instruction slots. Throws on a length not a multiple of 8 or registers above 10. */
export function decode(buf: Uint8Array): Insn[] {
  if (buf.length % INSN_SIZE !== 0) {
    throw new Error(`BPF instructions: length ${buf.length} is not a multiple of ${INSN_SIZE}`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const insns: Insn[] = new Array(buf.length / INSN_SIZE);
  for (let i = 0; i < insns.length; i++) {
    const at = i * INSN_SIZE;
    const regs = view.getUint8(at + 1);
    const dst = regs & 0x0f;
    const src = regs >> 4;
    if (!isReg(dst) || !isReg(src)) {
      throw new Error(`instruction ${i}: register nibbles dst=${dst} src=${src} out of range 0..10`);
    }
    insns[i] = {
      code: view.getUint8(at),
      dst,
      src,
      off: view.getInt16(at + 2, true),
      imm: view.getInt32(at + 4, true),
    };
  }
  return insns;
}
