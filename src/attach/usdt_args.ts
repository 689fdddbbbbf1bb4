// USDT argument specs (x86_64): each probe's note carries one string such as
// "-4@%edi 8@-8(%rbp) 4@$5 8@16(%rsp,%rcx,8)": per argument, its size (negative = signed), '@', and
// an AT&T operand saying where the value is at the probe instruction. This turns each into a typed
// description a code generator can read with pt_regs loads and bpf_probe_read_user.

/** Byte offsets of the x86_64 `struct pt_regs` members (arch/x86/include/asm/ptrace.h). */
export const PT_REGS_X86_64: Readonly<Record<string, number>> = {
  r15: 0, r14: 8, r13: 16, r12: 24, rbp: 32, rbx: 40, r11: 48, r10: 56, r9: 64, r8: 72,
  rax: 80, rcx: 88, rdx: 96, rsi: 104, rdi: 112, orig_rax: 120, rip: 128, cs: 136, eflags: 144, rsp: 152, ss: 160,
};

/** Every x86_64 register name -> [64-bit register, width in bytes, bit shift (8 for %ah..%dh)]. */
const REGS: Record<string, [string, number, number]> = {};
for (const [r64, r32, r16, r8, rh] of [
  ['rax', 'eax', 'ax', 'al', 'ah'], ['rbx', 'ebx', 'bx', 'bl', 'bh'], ['rcx', 'ecx', 'cx', 'cl', 'ch'], ['rdx', 'edx', 'dx', 'dl', 'dh'],
  ['rsi', 'esi', 'si', 'sil'], ['rdi', 'edi', 'di', 'dil'], ['rbp', 'ebp', 'bp', 'bpl'], ['rsp', 'esp', 'sp', 'spl'], ['rip', 'eip', 'ip'],
] as const) {
  REGS[r64] = [r64, 8, 0]; REGS[r32] = [r64, 4, 0]; REGS[r16] = [r64, 2, 0];
  if (r8) REGS[r8] = [r64, 1, 0];
  if (rh) REGS[rh] = [r64, 1, 8];
}
for (let i = 8; i <= 15; i++) {
  REGS[`r${i}`] = [`r${i}`, 8, 0]; REGS[`r${i}d`] = [`r${i}`, 4, 0]; REGS[`r${i}w`] = [`r${i}`, 2, 0]; REGS[`r${i}b`] = [`r${i}`, 1, 0];
}

export interface UsdtRegister {
  /** The 64-bit register ("rdi" for %edi). */
  name: string;
  /** Its offset in struct pt_regs. */
  offset: number;
  /** The value is (reg >> shift): 8 for %ah, %bh, %ch, %dh. */
  shift: number;
}

/** Where one USDT argument is, and how wide. */
export interface UsdtArgSpec {
  /** Bytes: 1, 2, 4 or 8. */
  size: number;
  /** Sign-extend to 64 bits (a negative size in the spec). */
  signed: boolean;
  /** reg: the value is in a register; mem: at register + displacement (+ index * scale); const: a constant. */
  kind: 'reg' | 'mem' | 'const';
  /** reg: the register; mem: the base register. */
  reg?: UsdtRegister;
  /** mem: added to the address. */
  displacement?: number;
  /** mem with an index: base + index * scale + displacement. */
  index?: UsdtRegister;
  scale?: number;
  /** const: the value. */
  constant?: bigint;
  /** The text it came from. */
  text: string;
}

function register(name: string, spec: string): UsdtRegister {
  const r = REGS[name];
  if (!r) throw new Error(`USDT argument "${spec}": unknown register %${name}`);
  if (r[0] === 'rip') throw new Error(`USDT argument "${spec}": %rip-relative operands (globals) are not supported`);
  return { name: r[0], offset: PT_REGS_X86_64[r[0]]!, shift: r[2] };
}

function parseNumber(text: string, spec: string): bigint {
  const m = /^([+-]?)(0x[0-9a-f]+|\d+)$/i.exec(text);
  if (!m) throw new Error(`USDT argument "${spec}": bad number "${text}"`);
  const v = BigInt(m[2]!);
  return m[1] === '-' ? -v : v;
}

/** Parse one argument ("-4@%edi"). Throws a one-line error naming the spec. */
export function parseUsdtArg(spec: string): UsdtArgSpec {
  let size = 8, signed = false, operand = spec;
  const at = spec.indexOf('@');
  if (at >= 0 && /^[+-]?\d+$/.test(spec.slice(0, at))) {
    const n = Number(spec.slice(0, at));
    signed = n < 0;
    size = Math.abs(n);
    operand = spec.slice(at + 1);
    if (![1, 2, 4, 8].includes(size)) throw new Error(`USDT argument "${spec}": size ${size} is not 1, 2, 4 or 8`);
  }
  if (operand.startsWith('$')) {
    return { size, signed, kind: 'const', constant: parseNumber(operand.slice(1), spec), text: spec };
  }
  let m = /^%(\w+)$/.exec(operand);
  if (m) {
    const reg = register(m[1]!, spec);
    if (at < 0) size = REGS[m[1]!]![1]; // old-style spec without a size: the register's width
    return { size, signed, kind: 'reg', reg, text: spec };
  }
  m = /^([+-]?(?:0x[0-9a-f]+|\d+))?\(%(\w+)(?:,%(\w+)(?:,(\d+))?)?\)$/i.exec(operand);
  if (m) {
    const out: UsdtArgSpec = { size, signed, kind: 'mem', reg: register(m[2]!, spec), displacement: m[1] ? Number(parseNumber(m[1], spec)) : 0, text: spec };
    if (m[3]) {
      out.index = register(m[3], spec);
      out.scale = m[4] ? Number(m[4]) : 1;
      if (![1, 2, 4, 8].includes(out.scale)) throw new Error(`USDT argument "${spec}": scale ${out.scale} is not 1, 2, 4 or 8`);
    }
    return out;
  }
  if (/^[A-Za-z_.$][\w.$]*([+-]\d+)?\(%rip\)$/.test(operand)) {
    throw new Error(`USDT argument "${spec}": %rip-relative operands (globals) are not supported`);
  }
  throw new Error(`USDT argument "${spec}": cannot parse the operand "${operand}"`);
}

/** Parse a whole argument string (arguments separated by spaces). */
export function parseUsdtArgs(text: string): UsdtArgSpec[] {
  return text.trim() ? text.trim().split(/\s+/).map(parseUsdtArg) : [];
}

/**
 * What an argument's value is, given register values (and memory reads for 'mem'): the same rule a
 * generated BPF program follows — for tests and for user-space decoding.
 */
export function evalUsdtArg(a: UsdtArgSpec, regs: (r: string) => bigint, readMem?: (addr: bigint, size: number) => bigint): bigint {
  let raw: bigint;
  if (a.kind === 'const') raw = a.constant!;
  else if (a.kind === 'reg') raw = regs(a.reg!.name) >> BigInt(a.reg!.shift);
  else {
    if (!readMem) throw new Error('evalUsdtArg: memory operand needs readMem');
    let addr = regs(a.reg!.name) + BigInt(a.displacement ?? 0);
    if (a.index) addr += regs(a.index.name) * BigInt(a.scale ?? 1);
    raw = readMem(BigInt.asUintN(64, addr), a.size);
  }
  const bits = a.size * 8;
  return a.signed ? BigInt.asIntN(bits, raw) : BigInt.asUintN(bits, raw);
}
