// bpf_usdt_readarg / bpf_usdt_readarg_p without a kernel: the code each kind of argument spec
// becomes (pt_regs loads by register offset, bpf_probe_read_user of the argument's size, constants,
// a PT_REGS_IP test per location when locations differ), and the located diagnostics for misuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBcc, type BccObject, type BccOptions } from '../../src/compiler/dialect/index.js';
import { CompileError, formatDiagnostic } from '../../src/compiler/diagnostics.js';
import { parseUsdtArgs, PT_REGS_X86_64 } from '../../src/attach/usdt_args.js';
import { HELPERS } from '../../src/isa/helpers.js';
import type { ProgramDef } from '../../src/load/object.js';

function bcc(text: string, opts: BccOptions = {}): BccObject {
  return compileBcc(text, { filename: 'prog.c', ...opts });
}

function errors(text: string, opts: BccOptions = {}): string[] {
  try {
    bcc(text, opts);
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    return e.diagnostics.filter((d) => d.severity === 'error').map(firstLine);
  }
  assert.fail('compiled without errors');
}

/** A diagnostic as the CLI prints it, without the source excerpt. */
const firstLine = (d: Parameters<typeof formatDiagnostic>[0]) => formatDiagnostic(d).split('\n')[0]!;
const calls = (p: ProgramDef): number[] => p.insns.filter((i) => i.code === 0x85 && i.src === 0).map((i) => i.imm);
/** Offsets of loads (any width) — in these small programs, the ones from the context. */
const LDX = new Set([0x61, 0x69, 0x71, 0x79]);
const loadsAt = (p: ProgramDef, off: number) => p.insns.filter((i) => LDX.has(i.code) && i.off === off);

/** One function reading argument 1 of a one-argument probe with `spec` into a `type` variable. */
function readOne(spec: string, type: string, locations = 1): BccObject {
  return bcc(`
BPF_ARRAY(out, u64, 1);
int probe(struct pt_regs *ctx) {
  ${type} v = 0;
  int r = bpf_usdt_readarg(1, ctx, &v);
  int k = 0;
  u64 x = (u64)(s64)v + r;
  out.update(&k, &x);
  return 0;
}`, { usdt: { probe: Array.from({ length: locations }, () => parseUsdtArgs(spec)) } });
}

test('a register argument is a load of its pt_regs member, shifted for %ah-style registers', () => {
  for (const [spec, type, reg] of [['-4@%edi', 's32', 'rdi'], ['8@%r12', 'u64', 'r12'], ['-1@%sil', 's8', 'rsi'], ['2@%cx', 'u16', 'rcx']] as const) {
    const p = readOne(spec, type).programs[0]!;
    assert.equal(loadsAt(p, PT_REGS_X86_64[reg]!).length, 1, `${spec}: no load of ${reg}`);
    assert.deepEqual(calls(p).filter((c) => c !== HELPERS.map_update_elem), [], `${spec}: a register needs no helper`);
  }
  const ah = readOne('1@%ah', 'u8', 3).programs[0]!;
  assert.equal(loadsAt(ah, PT_REGS_X86_64.rax!).length, 1);
  assert.ok(ah.insns.some((i) => (i.code === 0x77 || i.code === 0x74) && i.imm === 8), '%ah is rax >> 8');
  // Every location alike: no test of the instruction pointer.
  assert.equal(loadsAt(ah, PT_REGS_X86_64.rip!).length, 0);
});

test('a memory argument is bpf_probe_read_user of its size at base + displacement (+ index * scale)', () => {
  const p = readOne('-2@-8(%rbp)', 's16').programs[0]!;
  assert.equal(loadsAt(p, PT_REGS_X86_64.rbp!).length, 1);
  assert.deepEqual(calls(p), [HELPERS.probe_read_user, HELPERS.map_update_elem]);
  // The size argument (r2) is 2.
  const at = p.insns.findIndex((i) => i.code === 0x85 && i.imm === HELPERS.probe_read_user);
  assert.ok(p.insns.slice(0, at).some((i) => (i.code === 0xb7 || i.code === 0xb4) && i.dst === 2 && i.imm === 2), 'read size is not 2');
  const x = readOne('8@16(%rsp,%rcx,8)', 'u64').programs[0]!;
  assert.equal(loadsAt(x, PT_REGS_X86_64.rsp!).length, 1);
  assert.equal(loadsAt(x, PT_REGS_X86_64.rcx!).length, 1);
  assert.ok(calls(x).includes(HELPERS.probe_read_user));
});

test('a constant argument is its value, with no load and no helper', () => {
  const p = readOne('-4@$-12345', 's32').programs[0]!;
  assert.equal(p.insns.filter((i) => LDX.has(i.code) && i.src === 1).length, 0);
  assert.deepEqual(calls(p), [HELPERS.map_update_elem]);
  assert.ok(p.insns.some((i) => i.imm === -12345), 'the constant is not in the code');
});

test('bpf_usdt_readarg_p reads the 8-byte argument as a user address and copies len bytes from it', () => {
  const o = bcc(`
BPF_PERF_OUTPUT(events);
int probe(struct pt_regs *ctx) {
  char buf[32] = {};
  bpf_usdt_readarg_p(2, ctx, buf, sizeof(buf));
  events.perf_submit(ctx, buf, sizeof(buf));
  return 0;
}`, { usdt: { probe: [parseUsdtArgs('-4@%edi 8@%rsi')] } });
  const p = o.programs[0]!;
  assert.equal(loadsAt(p, PT_REGS_X86_64.rsi!).length, 1);
  assert.deepEqual(calls(p), [HELPERS.probe_read_user, HELPERS.perf_event_output]);
  assert.deepEqual(o.warnings, []);
});

test('locations with different specs are told apart by PT_REGS_IP; the value takes the widest type', () => {
  const o = bcc(`
BPF_ARRAY(out, u64, 1);
int probe(struct pt_regs *ctx) {
  s32 v = 0;
  bpf_usdt_readarg(1, ctx, &v);
  int k = 0; u64 x = v;
  out.update(&k, &x);
  return 0;
}`, { usdt: { probe: { probe: 'p:multi', locations: [parseUsdtArgs('-1@$-42'), parseUsdtArgs('-4@%eax')], addresses: [0x401000n, 0x401234n] } } });
  const p = o.programs[0]!;
  assert.equal(loadsAt(p, PT_REGS_X86_64.rip!).length, 1, 'the instruction pointer is read');
  assert.equal(loadsAt(p, PT_REGS_X86_64.rax!).length, 1);
  assert.ok(p.insns.some((i) => i.imm === 0x401000) && p.insns.some((i) => i.imm === 0x401234), 'both addresses are compared');
  assert.deepEqual(o.warnings, [], 'an s32 destination is the widest type (int32_t)');
});

test('a destination of the wrong size is a warning, and the call is -1 as in BCC', () => {
  const o = readOne('-4@%edi', 'u64');
  assert.deepEqual(o.warnings.map(firstLine), [
    "prog.c:5:36: warning: bpf_usdt_readarg: argument 1 of the USDT probe of 'probe' is int32_t (4 bytes) but the destination is 'u64' (aka 'unsigned long long') (8 bytes): as in BCC, the call returns -1 and writes nothing"]);
  assert.equal(loadsAt(o.programs[0]!, PT_REGS_X86_64.rdi!).length, 0);
});

test('misuse is one located error each: no probe, argument out of range, non-constant n, differing locations, arity', () => {
  const specs = { trace: { probe: 'app:req', locations: [parseUsdtArgs('-4@%edi 8@%rsi')] } };
  const src = `
int trace(struct pt_regs *ctx) {
  long v; int n = 1;
  bpf_usdt_readarg(3, ctx, &v);
  bpf_usdt_readarg(0, ctx, &v);
  bpf_usdt_readarg(n, ctx, &v);
  bpf_usdt_readarg(1, ctx);
  return 0;
}
int helper(struct pt_regs *ctx) { long v; return bpf_usdt_readarg(1, ctx, &v); }
`;
  assert.deepEqual(errors(src, { usdt: specs }), [
    'prog.c:4:20: error: bpf_usdt_readarg: USDT probe app:req has 2 arguments; there is no argument 3 (they are numbered 1 to 2)',
    'prog.c:5:20: error: bpf_usdt_readarg: USDT probe app:req has 2 arguments; there is no argument 0 (they are numbered 1 to 2)',
    'prog.c:6:20: error: bpf_usdt_readarg: the argument number must be an integer constant (1 for the first argument)',
    'prog.c:7:3: error: bpf_usdt_readarg(n, ctx, &v) takes 3 arguments, not 2',
    "prog.c:10:50: error: bpf_usdt_readarg in 'helper', which is not attached as a USDT probe: attach 'helper' to one (BPF usdtContexts, or compileBcc's usdt option with the probe's argument specs) so its arguments can be read",
  ]);
  assert.deepEqual(errors(`int f(struct pt_regs *ctx) { char b[8]; return bpf_usdt_readarg_p(1, ctx, b, 8); }`), [
    "prog.c:1:48: error: bpf_usdt_readarg_p in 'f', which is not attached as a USDT probe: attach 'f' to one (BPF usdtContexts, or compileBcc's usdt option with the probe's argument specs) so its arguments can be read"]);
  assert.deepEqual(errors(`int f(struct pt_regs *ctx) { int v; return bpf_usdt_readarg(1, ctx, &v); }`,
    { usdt: { f: [parseUsdtArgs('-4@%edi'), parseUsdtArgs('-4@-4(%rbp)')] } }), [
    "prog.c:1:61: error: bpf_usdt_readarg: the USDT probe of 'f' has 2 locations that keep argument 1 in different places (\"-4@%edi\", \"-4@-4(%rbp)\"); telling them apart needs each location's address in the process (usdtContextFor with the pid, or a non-PIE binary)"]);
});

test('a function given USDT specs is a uprobe program that nothing attaches by name, whatever its context type', () => {
  const o = bcc(`int on_req(void *ctx) { u64 v = 0; bpf_usdt_readarg(1, ctx, &v); return v; }
int on_req2(struct pt_regs *ctx) { u64 v = 0; bpf_usdt_readarg(1, ctx, &v); return v; }`,
  { usdt: { on_req: [parseUsdtArgs('8@%rdi')], on_req2: [parseUsdtArgs('8@%rsi')] } });
  assert.deepEqual(o.probes.map((p) => [p.name, p.type, p.attach]), [['on_req', 'KPROBE', undefined], ['on_req2', 'KPROBE', undefined]]);
  assert.equal(loadsAt(o.programs[0]!, PT_REGS_X86_64.rdi!).length, 1);
  assert.equal(loadsAt(o.programs[1]!, PT_REGS_X86_64.rsi!).length, 1);
});
