// Bad input: each failure is one clear error naming what went wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Assembler, R0, R1 } from '../../src/isa/asm.js';
import { loadProgram, VerifierError, formatVerifierError } from '../../src/load/index.js';
import { attachTracepoint } from '../../src/attach/index.js';
import { TracepointNotFoundError, features } from '../../src/sys/index.js';

const skip = process.getuid?.() !== 0 && 'needs root';

test('a rejected program raises VerifierError with the verifier\'s reason and the failing instruction', { skip }, () => {
  // Reads through r1 after clobbering it with a scalar: the verifier refuses the memory access.
  const insns = new Assembler().mov64Imm(R1, 0).ldx('dw', R0, R1, 0).exit().assemble();
  let err: unknown;
  try {
    loadProgram({ type: 'TRACEPOINT', insns, name: 'bad_deref' });
  } catch (e) { err = e; }
  assert.ok(err instanceof VerifierError, String(err));
  assert.equal(err.code, 'EACCES');
  assert.match(err.message, /bad_deref/);
  assert.match(err.reason, /R1 invalid mem access 'scalar'/);
  assert.match(err.log, /processed \d+ insns/);
  assert.equal(err.insnIndex, 1);
  assert.match(formatVerifierError(err), /1: \(79\) r0 = \*\(u64 \*\)\(r1 \+0\)/);
});

test('a program without exit is rejected with the reason, not a bare errno', { skip }, () => {
  const insns = new Assembler().mov64Imm(R0, 0).assemble();
  assert.throws(() => loadProgram({ type: 'TRACEPOINT', insns }),
    (e: unknown) => e instanceof VerifierError && /last insn is not an exit or jmp|jump out of range/.test(e.reason));
});

test('an unknown helper is rejected by the verifier and by the feature probe', { skip }, () => {
  const insns = new Assembler().call(26 /* skb_load_bytes */).mov64Imm(R0, 0).exit().assemble();
  assert.throws(() => loadProgram({ type: 'TRACEPOINT', insns }), (e: unknown) => e instanceof VerifierError && /cannot use helper bpf_skb_load_bytes#26/.test(e.reason));
  assert.equal(features.haveHelper('TRACEPOINT', 26), false);
  assert.equal(features.haveHelper('SOCKET_FILTER', 26), true);
});

test('an unknown tracepoint names itself and suggests near matches', { skip }, () => {
  using prog = loadProgram({ type: 'TRACEPOINT', insns: new Assembler().mov64Imm(R0, 0).exit().assemble() });
  assert.throws(() => attachTracepoint(prog, 'syscalls:sys_enter_getppidd'), (e: unknown) =>
    e instanceof TracepointNotFoundError &&
    /tracepoint syscalls:sys_enter_getppidd does not exist/.test(e.message) &&
    e.suggestions.includes('syscalls:sys_enter_getppid'));
  assert.throws(() => attachTracepoint(prog, 'nosuchcategory:nothing'), /tracepoint nosuchcategory:nothing does not exist/);
  assert.throws(() => attachTracepoint(prog, 'sched_switch'), /must be written category:event/);
});

test('without privileges, EPERM says what is needed', { skip }, () => {
  // A child that drops to nobody and tries to load a tracing program.
  const loadMod = new URL('../../src/load/index.js', import.meta.url).href;
  const script = `
    process.setgid(65534); process.setuid(65534);
    const { loadProgram } = await import(${JSON.stringify(loadMod)});
    try {
      loadProgram({ type: 'TRACEPOINT', insns: Buffer.from('b7000000000000009500000000000000', 'hex') });
      console.log('loaded');
    } catch (e) { console.log(e.code + '|' + e.message); }`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8',
    cwd: fileURLToPath(new URL('.', import.meta.url)) }).trim();
  assert.match(out, /^EPERM\|/);
  assert.match(out, /root, or CAP_BPF \+ CAP_PERFMON/);
});
