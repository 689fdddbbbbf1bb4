import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

import {
  Assembler, FP, R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10,
  alu32, alu32Imm, alu64, alu64Imm, atomic, call, callKfunc, callLocal, endian, exit, gotol, ja,
  jmp, jmp32, jmp32Imm, jmpImm, ld64Imm, ldAbs, ldFunc, ldInd, ldMapFd, ldMapValue, ldPseudo, ldx,
  ldxs, mov32, mov32Imm, mov64, mov64Imm, movsx32, movsx64, neg32, neg64, st, stx,
  type AluOp, type AtomicOp, type JmpOp, type Size,
} from '../../src/isa/asm.js';
import { decode, encode, type Insn } from '../../src/isa/insn.js';
import { disassemble, formatInsn } from '../../src/isa/disasm.js';
import { HELPERS, helperId, helperName } from '../../src/isa/helpers.js';
import * as isa from '../../src/isa/index.js';
import { parseFuncMapper, renderHelperTable } from '../../src/isa/gen-helper-table.js';
import * as op from '../../src/isa/opcodes.js';

const hex = (buf: Uint8Array): string => Buffer.from(buf).toString('hex').replace(/(..)(?!$)/g, '$1 ');
const flat = (...xs: (Insn | readonly Insn[])[]): Insn[] => xs.flatMap((x) => (Array.isArray(x) ? [...(x as readonly Insn[])] : [x as Insn]));

const ALU_OPS: AluOp[] = ['add', 'sub', 'mul', 'div', 'or', 'and', 'lsh', 'rsh', 'neg', 'mod', 'xor', 'arsh', 'sdiv', 'smod'];
const JMP_OPS: JmpOp[] = ['jeq', 'jgt', 'jge', 'jset', 'jne', 'jsgt', 'jsge', 'jlt', 'jle', 'jslt', 'jsle'];
const ATOMIC_OPS: AtomicOp[] = ['add', 'or', 'and', 'xor', 'fetch_add', 'fetch_or', 'fetch_and', 'fetch_xor', 'xchg', 'cmpxchg'];
const SIZES: Size[] = ['b', 'h', 'w', 'dw', 1, 2, 4, 8];

/** One of everything the builders can make. */
function everyBuilder(): Insn[] {
  const out: Insn[] = [
    mov64(R1, R2), mov64Imm(R3, -7), mov32(R4, R5), mov32Imm(R6, 0x7fffffff),
    movsx64(R1, R2, 8), movsx64(R1, R2, 16), movsx64(R1, R2, 32), movsx32(R1, R2, 8), movsx32(R1, R2, 16),
    neg64(R7), neg32(R8),
    endian('le', R1, 16), endian('be', R1, 32), endian('bswap', R1, 64),
    ...ld64Imm(R1, 0x1122334455667788n), ...ld64Imm(R2, -1), ...ld64Imm(R3, 0xffffffffffffffffn),
    ...ldMapFd(R1, 5), ...ldMapValue(R2, 6, 16), ...ldFunc(R3, 4), ...ldPseudo(R4, 3, 100, 0),
    atomic('add', 'w', R1, R2, 0), ldAbs('b', 14), ldInd('w', R7, -2),
    ja(-1), gotol(100000), call(14), call('bpf_ktime_get_ns'), callLocal(7), callKfunc(1234, 2), exit(),
  ];
  for (const o of ALU_OPS) {
    out.push(alu64(o, R1, o === 'neg' ? R1 : R2), alu64Imm(o, R3, o === 'neg' ? 0 : 9), alu32(o, R4, o === 'neg' ? R4 : R5), alu32Imm(o, R6, o === 'neg' ? 0 : -9));
  }
  for (const s of SIZES) {
    out.push(ldx(s, R0, R1, 8), stx(s, FP, R2, -8), st(s, FP, -16, 3));
    if (s !== 'dw' && s !== 8) out.push(ldxs(s, R0, R1, -2));
  }
  for (const o of ATOMIC_OPS) out.push(atomic(o, 'w', R1, R2, 4), atomic(o, 'dw', R1, R2, -4));
  for (const o of JMP_OPS) {
    out.push(jmp(o, R1, R2, 3), jmpImm(o, R1, -5, -3), jmp32(o, R1, R2, 32767), jmp32Imm(o, R1, 5, -32768));
  }
  return out;
}

describe('encode / decode', () => {
  test('known encodings', () => {
    assert.equal(hex(encode([mov64Imm(R0, 0)])), 'b7 00 00 00 00 00 00 00');
    assert.equal(hex(encode(ldMapFd(R1, 5))), '18 11 00 00 05 00 00 00 00 00 00 00 00 00 00 00');
    assert.equal(hex(encode([call(14)])), '85 00 00 00 0e 00 00 00');
    assert.equal(hex(encode([exit()])), '95 00 00 00 00 00 00 00');
    assert.equal(hex(encode([mov64(R6, R1)])), 'bf 16 00 00 00 00 00 00');
    assert.equal(hex(encode([stx('w', R10, R0, -4)])), '63 0a fc ff 00 00 00 00');
    assert.equal(hex(encode([alu64Imm('add', R2, -4)])), '07 02 00 00 fc ff ff ff');
    assert.equal(hex(encode([jmpImm('jeq', R0, 0, 3)])), '15 00 03 00 00 00 00 00');
    assert.equal(hex(encode([ldx('w', R1, R0, 0)])), '61 01 00 00 00 00 00 00');
    assert.equal(hex(encode(ld64Imm(R1, 0x1122334455667788n))), '18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11');
    assert.equal(hex(encode(ldMapValue(R1, 3, 8))), '18 21 00 00 03 00 00 00 00 00 00 00 08 00 00 00');
    assert.equal(hex(encode([atomic('add', 'dw', R1, R2, 0)])), 'db 21 00 00 00 00 00 00');
    assert.equal(hex(encode([atomic('cmpxchg', 'dw', R1, R2, 0)])), 'db 21 00 00 f1 00 00 00');
    assert.equal(hex(encode([endian('be', R1, 16)])), 'dc 01 00 00 10 00 00 00');
    assert.equal(hex(encode([callLocal(-3)])), '85 10 00 00 fd ff ff ff');
    // ISA v4
    assert.equal(hex(encode([alu64('sdiv', R1, R2)])), '3f 21 01 00 00 00 00 00');
    assert.equal(hex(encode([alu32Imm('smod', R1, 3)])), '94 01 01 00 03 00 00 00');
    assert.equal(hex(encode([movsx64(R1, R2, 16)])), 'bf 21 10 00 00 00 00 00');
    assert.equal(hex(encode([ldxs('h', R1, R2, 2)])), '89 21 02 00 00 00 00 00');
    assert.equal(hex(encode([endian('bswap', R3, 32)])), 'd7 03 00 00 20 00 00 00');
    assert.equal(hex(encode([gotol(-2)])), '06 00 00 00 fe ff ff ff');
  });

  test('round trip of every builder', () => {
    const insns = everyBuilder();
    const bytes = encode(insns);
    assert.equal(bytes.length, insns.length * 8);
    assert.deepEqual(decode(bytes), insns);
    // decode also accepts a Uint8Array view at an offset
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    assert.deepEqual(decode(padded.subarray(3)), insns);
  });

  test('builder opcodes', () => {
    assert.equal(mov32(R1, R2).code, op.BPF_ALU | op.BPF_MOV | op.BPF_X);
    assert.equal(ldAbs('h', 12).code, op.BPF_LD | op.BPF_H | op.BPF_ABS);
    assert.equal(ldInd('b', R1, 0).code, op.BPF_LD | op.BPF_B | op.BPF_IND);
    assert.equal(st(8, R10, -8, 0).code, 0x7a);
    assert.equal(ldx(2, R0, R1, 0).code, 0x69);
    assert.equal(stx('b', R1, R2, 0).code, 0x73);
    assert.deepEqual(neg64(R3), { code: 0x87, dst: 3, src: 0, off: 0, imm: 0 });
    assert.deepEqual(alu64('neg', R3, R3), neg64(R3));
    assert.deepEqual(ldMapFd(R1, 5)[0], { code: 0x18, dst: 1, src: op.BPF_PSEUDO_MAP_FD, off: 0, imm: 5 });
    assert.deepEqual(ldMapValue(R1, 5, 24)[1], { code: 0, dst: 0, src: 0, off: 0, imm: 24 });
    assert.equal(ldMapValue(R1, 5, 24)[0].src, op.BPF_PSEUDO_MAP_VALUE);
    assert.equal(callLocal(5).src, op.BPF_PSEUDO_CALL);
    assert.deepEqual(callKfunc(99, 1), { code: 0x85, dst: 0, src: op.BPF_PSEUDO_KFUNC_CALL, off: 1, imm: 99 });
    assert.equal(atomic('fetch_add', 'w', R1, R2, 0).imm, op.BPF_ADD | op.BPF_FETCH);
    assert.equal(atomic('xchg', 'w', R1, R2, 0).imm, 0xe1);
    assert.equal(call('map_lookup_elem').imm, 1);
    assert.equal(FP, R10);
    assert.deepEqual([R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test('ld64Imm splits 64-bit values', () => {
    const halves = (v: bigint | number): [number, number] => {
      const [a, b] = ld64Imm(R1, v);
      return [a.imm, b.imm];
    };
    assert.deepEqual(halves(0), [0, 0]);
    assert.deepEqual(halves(-1), [-1, -1]);
    assert.deepEqual(halves(0xffffffffffffffffn), [-1, -1]);
    assert.deepEqual(halves(0x80000000), [-0x80000000, 0]);
    assert.deepEqual(halves(0x1_0000_0000), [0, 1]);
    assert.deepEqual(halves(-(1n << 63n)), [0, -0x80000000]);
    assert.throws(() => ld64Imm(R1, 1n << 64n), /64 bits/);
    assert.throws(() => ld64Imm(R1, 2 ** 60), /safe integer/);
  });

  test('builders reject bad operands', () => {
    assert.throws(() => mov64Imm(R0, 0xffffffff), /mov64Imm: immediate 4294967295 .*write -1/);
    assert.throws(() => mov64Imm(R0, 1.5), /signed 32-bit/);
    assert.throws(() => ldx('w', R0, R1, 40000), /ldx: offset 40000/);
    assert.throws(() => mov64(11 as never, R1), /register 11/);
    assert.throws(() => ldxs('dw', R0, R1, 0), /1, 2 or 4 bytes/);
    assert.throws(() => ldAbs('dw', 0), /1, 2 or 4 bytes/);
    assert.throws(() => ldx(3 as never, R0, R1, 0), /unknown size 3/);
    assert.throws(() => alu64('neg', R1, R2), /unary/);
    assert.throws(() => alu64Imm('neg', R1, 5), /no immediate/);
    assert.throws(() => alu64('pow' as never, R1, R2), /unknown ALU operation 'pow'/);
    assert.throws(() => jmp('jxx' as never, R1, R2, 0), /unknown jump operation 'jxx'/);
    assert.throws(() => atomic('sub' as never, 'dw', R1, R2, 0), /unknown operation 'sub'/);
    assert.throws(() => atomic('add', 'h' as never, R1, R2, 0), /not w or dw/);
    assert.throws(() => endian('be', R1, 8 as never), /not 16, 32 or 64/);
    assert.throws(() => movsx64(R1, R2, 64 as never), /not 8, 16 or 32/);
    assert.throws(() => movsx32(R1, R2, 32 as never), /not 8 or 16/);
    assert.throws(() => call('map_lookup_elm'), /unknown BPF helper 'map_lookup_elm'; did you mean 'bpf_map_lookup_elem'\?/);
  });

  test('encode validates with the instruction index', () => {
    const bad = (i: Partial<Insn>): Insn => ({ code: 0xb7, dst: 0, src: 0, off: 0, imm: 0, ...i });
    assert.throws(() => encode([exit(), bad({ code: 256 })]), /^Error: instruction 1: code 256 is not a byte$/);
    assert.throws(() => encode([bad({ dst: 11 as never })]), /instruction 0: dst register 11/);
    assert.throws(() => encode([exit(), exit(), bad({ src: -1 as never })]), /instruction 2: src register -1/);
    assert.throws(() => encode([bad({ off: 0x8000 })]), /instruction 0: off 32768 is not a signed 16-bit integer/);
    assert.throws(() => encode([bad({ imm: 0x80000000 })]), /instruction 0: imm 2147483648 .*-2147483648/);
    assert.throws(() => encode([bad({ imm: NaN })]), /instruction 0: imm NaN/);
    assert.throws(() => encode([ldMapFd(R1, 1)[0]]), /instruction 0: .*missing its second slot/);
    assert.throws(() => encode([ldMapFd(R1, 1)[0], exit()]), /instruction 1: second slot/);
  });

  test('decode rejects malformed input', () => {
    assert.throws(() => decode(new Uint8Array(12)), /length 12 is not a multiple of 8/);
    assert.throws(() => decode(Uint8Array.from([0xb7, 0x0b, 0, 0, 0, 0, 0, 0])), /instruction 0: register nibbles dst=11/);
    assert.deepEqual(decode(new Uint8Array(0)), []);
  });
});

// llvm-mc as an independent oracle for the encodings (LLVM 14 knows ISA v1-v3, and its
// assembler does not parse every form, e.g. `%=`, `&` in jumps, fetch atomics, st imm).
const llvmMc = ['/usr/bin/llvm-mc', '/usr/bin/llvm-mc-14'].find((p) => existsSync(p));

describe('cross-check with llvm-mc', { skip: llvmMc ? false : 'llvm-mc not installed' }, () => {
  test('same bytes as LLVM', () => {
    const cases: [string, Insn | readonly Insn[]][] = [
      ['r0 = 0', mov64Imm(R0, 0)],
      ['r6 = r1', mov64(R6, R1)],
      ['w1 = w2', mov32(R1, R2)],
      ['w3 = -5', mov32Imm(R3, -5)],
      ['r2 += -4', alu64Imm('add', R2, -4)],
      ['r1 -= r2', alu64('sub', R1, R2)],
      ['r1 *= 3', alu64Imm('mul', R1, 3)],
      ['r1 /= r3', alu64('div', R1, R3)],
      ['r1 |= 16', alu64Imm('or', R1, 16)],
      ['r1 &= r9', alu64('and', R1, R9)],
      ['r1 <<= 32', alu64Imm('lsh', R1, 32)],
      ['r1 >>= r2', alu64('rsh', R1, R2)],
      ['r1 = -r1', neg64(R1)],
      ['w1 = -w1', neg32(R1)],
      ['r1 ^= r2', alu64('xor', R1, R2)],
      ['r1 s>>= 3', alu64Imm('arsh', R1, 3)],
      ['w1 += w2', alu32('add', R1, R2)],
      ['w1 s>>= w2', alu32('arsh', R1, R2)],
      ['w4 &= 255', alu32Imm('and', R4, 255)],
      ['r1 = le16 r1', endian('le', R1, 16)],
      ['r1 = be64 r1', endian('be', R1, 64)],
      ['r1 = 1234605616436508552 ll', ld64Imm(R1, 0x1122334455667788n)],
      ['r0 = *(u32 *)(r1 + 0)', ldx('w', R0, R1, 0)],
      ['r0 = *(u8 *)(r1 + 3)', ldx('b', R0, R1, 3)],
      ['r0 = *(u16 *)(r1 - 2)', ldx('h', R0, R1, -2)],
      ['r0 = *(u64 *)(r10 - 8)', ldx('dw', R0, R10, -8)],
      ['*(u32 *)(r10 - 4) = r0', stx('w', R10, R0, -4)],
      ['*(u64 *)(r10 - 16) = r1', stx('dw', R10, R1, -16)],
      ['lock *(u64 *)(r1 + 0) += r2', atomic('add', 'dw', R1, R2, 0)],
      ['lock *(u32 *)(r1 + 8) += w2', atomic('add', 'w', R1, R2, 8)],
      ['lock *(u64 *)(r1 - 8) |= r2', atomic('or', 'dw', R1, R2, -8)],
      ['lock *(u64 *)(r1 + 0) &= r2', atomic('and', 'dw', R1, R2, 0)],
      ['lock *(u64 *)(r1 + 0) ^= r2', atomic('xor', 'dw', R1, R2, 0)],
      ['r0 = *(u16 *)skb[4]', ldAbs('h', 4)],
      ['goto -1', ja(-1)],
      ['if r0 == 0 goto +3', jmpImm('jeq', R0, 0, 3)],
      ['if r1 != r2 goto -3', jmp('jne', R1, R2, -3)],
      ['if r1 > 5 goto +1', jmpImm('jgt', R1, 5, 1)],
      ['if r1 >= r2 goto +1', jmp('jge', R1, R2, 1)],
      ['if r1 < 5 goto +1', jmpImm('jlt', R1, 5, 1)],
      ['if r1 <= r2 goto +1', jmp('jle', R1, R2, 1)],
      ['if r1 s> 5 goto +1', jmpImm('jsgt', R1, 5, 1)],
      ['if r1 s>= r2 goto +1', jmp('jsge', R1, R2, 1)],
      ['if r1 s< -5 goto +1', jmpImm('jslt', R1, -5, 1)],
      ['if r1 s<= r2 goto +1', jmp('jsle', R1, R2, 1)],
      ['if w1 == 5 goto +2', jmp32Imm('jeq', R1, 5, 2)],
      ['if w1 s< w2 goto -2', jmp32('jslt', R1, R2, -2)],
      ['call 14', call(14)],
      ['exit', exit()],
    ];
    const src = cases.map(([s]) => s).join('\n') + '\n';
    const out = execFileSync(llvmMc!, ['-triple', 'bpfel', '-mattr=+alu32', '-show-encoding'], { input: src, encoding: 'utf8' });
    const encodings = [...out.matchAll(/encoding: \[([^\]]*)\]/g)].map((m) =>
      m[1]!.split(',').map((b) => b.trim().replace(/^0x/, '')).join(' '));
    assert.equal(encodings.length, cases.length, out);
    cases.forEach(([text, insns], i) => {
      assert.equal(hex(encode(flat(insns))), encodings[i], text);
    });
  });
});

describe('Assembler', () => {
  test('resolves forward and backward labels', () => {
    const a = new Assembler();
    a.mov64Imm(R0, 0)
      .label('top')
      .jmpImm('jeq', R1, 0, 'out')
      .alu64Imm('sub', R1, 1)
      .ja('top')
      .label('out')
      .exit();
    assert.deepEqual(a.assemble(), [
      mov64Imm(R0, 0),
      jmpImm('jeq', R1, 0, 2),
      alu64Imm('sub', R1, 1),
      ja(-3),
      exit(),
    ]);
  });

  test('counts a 64-bit load as two slots', () => {
    const a = new Assembler();
    a.jmpImm('jne', R1, 0, 'skip')      // 0
      .ldMapFd(R1, 5)                   // 1, 2
      .ld64Imm(R2, 1n << 40n)           // 3, 4
      .jmp32('jeq', R1, R2, 'skip')     // 5
      .label('skip')
      .mov64Imm(R0, 0)                  // 6
      .jmp('jgt', R3, R4, 'back')       // 7
      .label('back')
      .gotol('skip')                    // 8
      .exit();                          // 9
    const insns = a.assemble();
    assert.equal(insns.length, 10);
    assert.equal(a.pc, 10);
    assert.equal(insns[0]!.off, 5);
    assert.equal(insns[5]!.off, 0);
    assert.equal(insns[7]!.off, 0);
    assert.equal(insns[8]!.imm, -3);
    assert.equal(insns[8]!.off, 0);
  });

  test('labels for bpf-to-bpf calls and callbacks', () => {
    const a = new Assembler();
    a.callLocal('sub')                  // 0
      .ldFunc(R2, 'sub')                // 1, 2
      .exit()                           // 3
      .label('sub')
      .mov64Imm(R0, 1)                  // 4
      .exit();
    const insns = a.assemble();
    assert.deepEqual(insns[0], callLocal(3));
    assert.deepEqual(insns.slice(1, 3), ldFunc(R2, 2)); // 4 - (1 + 1)
  });

  test('emit takes instructions and pairs, and assemble can run twice', () => {
    const a = new Assembler();
    a.emit(mov64(R6, R1), ldMapFd(R1, 3)).emit([exit()]);
    const first = a.assemble();
    assert.deepEqual(first, [mov64(R6, R1), ...ldMapFd(R1, 3), exit()]);
    first[0]!.imm = 99;
    assert.deepEqual(a.assemble()[0], mov64(R6, R1));
  });

  test('mirrors the builders', () => {
    const a = new Assembler();
    a.mov64(R1, R2).mov32(R1, R2).mov32Imm(R1, 1).movsx64(R1, R2, 8).movsx32(R1, R2, 16)
      .alu64('add', R1, R2).alu32('mul', R1, R2).alu32Imm('xor', R1, 3).neg64(R1).neg32(R1)
      .endian('be', R1, 16).ldPseudo(R1, 3, 1, 0).ldMapValue(R1, 2, 8)
      .ldx('w', R1, R2, 0).ldxs('b', R1, R2, 0).stx('dw', R10, R1, -8).st('w', R10, -4, 0)
      .atomic('fetch_add', 'dw', R1, R2, 0).ldAbs('b', 0).ldInd('h', R1, 0)
      .jmp32Imm('jset', R1, 1, 0).ja(0).call('get_current_pid_tgid').callKfunc(7).exit();
    assert.deepEqual(a.assemble(), [
      mov64(R1, R2), mov32(R1, R2), mov32Imm(R1, 1), movsx64(R1, R2, 8), movsx32(R1, R2, 16),
      alu64('add', R1, R2), alu32('mul', R1, R2), alu32Imm('xor', R1, 3), neg64(R1), neg32(R1),
      endian('be', R1, 16), ...ldPseudo(R1, 3, 1, 0), ...ldMapValue(R1, 2, 8),
      ldx('w', R1, R2, 0), ldxs('b', R1, R2, 0), stx('dw', R10, R1, -8), st('w', R10, -4, 0),
      atomic('fetch_add', 'dw', R1, R2, 0), ldAbs('b', 0), ldInd('h', R1, 0),
      jmp32Imm('jset', R1, 1, 0), ja(0), call(14), callKfunc(7), exit(),
    ]);
  });

  test('errors', () => {
    assert.throws(() => new Assembler().label('x').label('x'), /duplicate label 'x'/);
    assert.throws(() => new Assembler().exit().ja('nowhere').assemble(), /instruction 1: undefined label 'nowhere'/);
    const far = new Assembler().ja('end');
    for (let i = 0; i < 40000; i++) far.mov64Imm(R0, 0);
    far.label('end').exit();
    assert.throws(() => far.assemble(), /instruction 0: jump to 'end' \(40000\) does not fit in 16 bits/);
  });
});

describe('disassemble', () => {
  test('a representative program, in the kernel notation', () => {
    const a = new Assembler();
    a.mov64(R6, R1)
      .call('get_current_pid_tgid')
      .stx('w', R10, R0, -4)
      .ldMapFd(R1, 5)
      .mov64(R2, R10)
      .alu64Imm('add', R2, -4)
      .call('map_lookup_elem')
      .jmpImm('jeq', R0, 0, 'out')
      .ldx('w', R1, R0, 0)
      .atomic('add', 'dw', R0, R1, 0)
      .label('out')
      .mov64Imm(R0, 0)
      .exit();
    assert.deepEqual(disassemble(a.assemble()), [
      '   0: (bf) r6 = r1',
      '   1: (85) call bpf_get_current_pid_tgid#14',
      '   2: (63) *(u32 *)(r10 -4) = r0',
      '   3: (18) r1 = map[fd:5]',
      '   5: (bf) r2 = r10',
      '   6: (07) r2 += -4',
      '   7: (85) call bpf_map_lookup_elem#1',
      '   8: (15) if r0 == 0x0 goto pc+2',
      '   9: (61) r1 = *(u32 *)(r0 +0)',
      '  10: (db) lock *(u64 *)(r0 +0) += r1',
      '  11: (b7) r0 = 0',
      '  12: (95) exit',
    ]);
  });

  test('options', () => {
    const insns = [...ldMapFd(R1, 5), ...ldMapValue(R2, 7, 16), call(14)];
    assert.deepEqual(disassemble(insns, { mapRef: 'id', helperNames: false }), [
      '   0: (18) r1 = map[id:5]',
      '   2: (18) r2 = map[id:7][0]+16',
      '   4: (85) call #14',
    ]);
    const names = new Map([[5, 'events']]);
    assert.deepEqual(disassemble(insns, { mapNames: (fd) => names.get(fd) }).slice(0, 2), [
      '   0: (18) r1 = map[fd:5](events)',
      '   2: (18) r2 = map[fd:7][0]+16',
    ]);
  });

  test('one instruction at a time', () => {
    const f = (i: Insn | readonly Insn[]): string => {
      const [x, y] = flat(i);
      return formatInsn(x!, y);
    };
    const expect: [Insn | readonly Insn[], string][] = [
      [mov32(R1, R2), '(bc) w1 = w2'],
      [mov32Imm(R1, -1), '(b4) w1 = -1'],
      [jmp32Imm('jeq', R1, 5, 2), '(16) if w1 == 0x5 goto pc+2'],
      [jmpImm('jsgt', R1, -1, -4), '(65) if r1 s> 0xffffffff goto pc-4'],
      [jmp('jset', R1, R2, 0), '(4d) if r1 & r2 goto pc+0'],
      [jmp32('jle', R3, R4, 1), '(be) if w3 <= w4 goto pc+1'],
      [endian('be', R1, 16), '(dc) r1 = be16 r1'],
      [endian('le', R1, 32), '(d4) r1 = le32 r1'],
      [endian('bswap', R1, 64), '(d7) r1 = bswap64 r1'],
      [ld64Imm(R1, 0x1122334455667788n), '(18) r1 = 0x1122334455667788'],
      [ld64Imm(R1, -1), '(18) r1 = 0xffffffffffffffff'],
      [ld64Imm(R1, 0), '(18) r1 = 0x0'],
      [ldFunc(R2, -5), '(18) r2 = subprog[-5]'],
      [ldPseudo(R2, 6, 1, 8), '(18) r2 = map[idx:1]+8'],
      [ldPseudo(R2, 5, 1, 0), '(18) r2 = map[idx:1]'],
      [neg64(R1), '(87) r1 = -r1'],
      [neg32(R1), '(84) w1 = -w1'],
      [alu64('sdiv', R1, R2), '(3f) r1 s/= r2'],
      [alu32Imm('smod', R1, 3), '(94) w1 s%= 3'],
      [alu64Imm('arsh', R1, 3), '(c7) r1 s>>= 3'],
      [alu32('lsh', R1, R2), '(6c) w1 <<= w2'],
      [movsx64(R1, R2, 32), '(bf) r1 = (s32)r2'],
      [movsx32(R1, R2, 8), '(bc) w1 = (s8)w2'],
      [ldxs('b', R1, R2, -1), '(91) r1 = *(s8 *)(r2 -1)'],
      [ldx('dw', R1, R10, -8), '(79) r1 = *(u64 *)(r10 -8)'],
      [st('h', R10, -2, 7), '(6a) *(u16 *)(r10 -2) = 7'],
      [stx('b', R1, R2, 3), '(73) *(u8 *)(r1 +3) = r2'],
      [atomic('or', 'w', R1, R2, 4), '(c3) lock *(u32 *)(r1 +4) |= r2'],
      [atomic('fetch_add', 'dw', R1, R2, 0), '(db) r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)'],
      [atomic('fetch_xor', 'w', R1, R2, 0), '(c3) r2 = atomic_fetch_xor((u32 *)(r1 +0), r2)'],
      [atomic('xchg', 'dw', R1, R2, -8), '(db) r2 = atomic64_xchg((u64 *)(r1 -8), r2)'],
      [atomic('cmpxchg', 'dw', R1, R2, 0), '(db) r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)'],
      [ldAbs('h', 12), '(28) r0 = *(u16 *)skb[12]'],
      [ldInd('w', R7, 4), '(40) r0 = *(u32 *)skb[r7 + 4]'],
      [ja(-1), '(05) goto pc-1'],
      [gotol(70000), '(06) gotol pc+70000'],
      [callLocal(5), '(85) call pc+5'],
      [callKfunc(1234), '(85) call kernel-function#1234'],
      [call(9999), '(85) call unknown#9999'],
      [call('trace_printk'), '(85) call bpf_trace_printk#6'],
      [exit(), '(95) exit'],
    ];
    for (const [insn, text] of expect) assert.equal(f(insn), text);
  });

  test('every builder has a kernel-style line', () => {
    for (const line of disassemble(everyBuilder())) assert.match(line, /^ {0,3}\d+: \([0-9a-f]{2}\) \S/);
  });
});

describe('helpers', () => {
  test('known ids', () => {
    assert.equal(HELPERS['map_lookup_elem'], 1);
    assert.equal(HELPERS['ktime_get_ns'], 5);
    assert.equal(HELPERS['trace_printk'], 6);
    assert.equal(HELPERS['get_current_pid_tgid'], 14);
    assert.equal(HELPERS['perf_event_output'], 25);
    assert.equal(HELPERS['ringbuf_output'], 130);
    assert.equal(HELPERS['unspec'], undefined);
    assert.equal(helperId('bpf_probe_read_kernel'), 113);
    assert.equal(helperId('probe_read_kernel'), 113);
    assert.equal(helperName(14), 'get_current_pid_tgid');
    assert.equal(helperName(0), undefined);
    assert.equal(helperName(100000), undefined);
    assert.equal(helperName(1.5), undefined);
  });

  test('the index re-exports every part', () => {
    assert.equal(isa.helperId('ktime_get_ns'), 5);
    assert.equal(isa.BPF_LD_IMM64, 0x18);
    assert.equal(typeof isa.Assembler, 'function');
    assert.equal(typeof isa.disassemble, 'function');
    assert.equal(typeof isa.encode, 'function');
  });

  test('ids are 1..N without gaps', () => {
    const ids = Object.values(HELPERS).sort((x, y) => x - y);
    assert.deepEqual(ids, ids.map((_, i) => i + 1));
  });

  test('unknown names get a suggestion', () => {
    assert.throws(() => helperId('bpf_ktime_get_nss'), /unknown BPF helper 'bpf_ktime_get_nss'; did you mean 'bpf_ktime_get_ns'\?/);
    assert.throws(() => helperId('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz'), (e: Error) => /unknown BPF helper/.test(e.message) && !/did you mean/.test(e.message));
    assert.throws(() => helperId('toString'), /unknown BPF helper 'toString'/);
  });

  const header = '/usr/include/linux/bpf.h';
  test('the table is the whole list in <linux/bpf.h>', { skip: existsSync(header) ? false : `${header} not installed` }, () => {
    const text = readFileSync(header, 'utf8');
    const fnCount = text.match(/^\s*FN\(/gm)!.length; // the mapper's entries, one a line
    const entries = parseFuncMapper(text);
    assert.equal(entries.length, fnCount);
    assert.equal(Object.keys(HELPERS).length, fnCount - 1); // all but FN(unspec)
    for (const { name, id } of entries) if (name !== 'unspec') assert.equal(HELPERS[name], id, name);
  });

  test('helper-table.ts is what the generator makes of <linux/bpf.h>', { skip: existsSync(header) ? false : `${header} not installed` }, () => {
    const committed = readFileSync(new URL('../../../src/isa/helper-table.ts', import.meta.url), 'utf8');
    assert.equal(committed, renderHelperTable(parseFuncMapper(readFileSync(header, 'utf8')), header));
  });

  test('the generator reads both header styles', () => {
    const old = '#define __BPF_FUNC_MAPPER(FN)\t\\\n\tFN(unspec),\t\\\n\tFN(map_lookup_elem),\t\\\n\tFN(map_update_elem),\t\\\n\t/* */\n\nenum x {};\n';
    assert.deepEqual(parseFuncMapper(old), [{ name: 'unspec', id: 0 }, { name: 'map_lookup_elem', id: 1 }, { name: 'map_update_elem', id: 2 }]);
    const neu = '#define ___BPF_FUNC_MAPPER(FN, ctx...)\t\\\n\tFN(unspec, 0, ##ctx)\t\\\n\tFN(map_lookup_elem, 1, ##ctx)\t\\\n\tFN(user_ringbuf_drain, 209, ##ctx)\t\\\n\t/* */\n';
    assert.deepEqual(parseFuncMapper(neu).at(-1), { name: 'user_ringbuf_drain', id: 209 });
    assert.match(renderHelperTable(parseFuncMapper(neu), 'x'), /^ {2}user_ringbuf_drain: 209,$/m);
    assert.doesNotMatch(renderHelperTable(parseFuncMapper(neu), 'x'), /unspec/);
  });
});
