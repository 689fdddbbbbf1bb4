// The kprobe fallback's compile side: kprobe__X / kretprobe__X compiled with `asFentry` become
// TRACING programs on X (fentry / fexit), their extra parameters read from the fentry argument
// array and PT_REGS_RC(ctx) from fexit's return slot; register reads an fentry context cannot
// serve are one located error each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { compileBcc, type BccOptions } from '../../src/compiler/dialect/index.js';
import { CompileError } from '../../src/compiler/diagnostics.js';
import { Btf } from '../../src/btf/reader.js';
import { funcSignature } from '../../src/btf/query.js';

const btf = existsSync('/sys/kernel/btf/vmlinux') ? Btf.vmlinux() : undefined;
const skip = !btf && 'needs the kernel BTF (vfs_read\'s parameters)';
const opts = (o: Partial<BccOptions> = {}): BccOptions => ({ filename: 'prog.c', btf, arch: 'x64', ...o });
const LDX_DW = 0x79;

function errorsOf(text: string, o: BccOptions): string[] {
  try {
    compileBcc(text, o);
  } catch (e) {
    if (e instanceof CompileError) return e.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    throw e;
  }
  assert.fail('expected a compile error');
}

const READS = `
BPF_ARRAY(stats, u64, 4);
int kprobe__vfs_read(struct pt_regs *ctx, struct file *file, char *buf, size_t count) { stats.atomic_increment(1, count); return 0; }
int kretprobe__vfs_read(struct pt_regs *ctx) { stats.atomic_increment(2, PT_REGS_RC(ctx)); return 0; }
`;

test('asFentry makes kprobe__/kretprobe__ TRACING programs on the same function, arguments from the u64 array', { skip }, () => {
  const plain = compileBcc(READS, opts());
  assert.deepEqual(plain.programs.map((p) => [p.type, p.section]), [['KPROBE', 'kprobe/vfs_read'], ['KPROBE', 'kretprobe/vfs_read']]);
  const o = compileBcc(READS, opts({ asFentry: { kprobe__vfs_read: { target: 'vfs_read', ret: false }, kretprobe__vfs_read: { target: 'vfs_read', ret: true } } }));
  assert.deepEqual(o.programs.map((p) => [p.name, p.type, p.expectedAttachType, p.attachTo, p.section]), [
    ['kprobe__vfs_read', 'TRACING', 'TRACE_FENTRY', 'vfs_read', 'fentry/vfs_read'],
    ['kretprobe__vfs_read', 'TRACING', 'TRACE_FEXIT', 'vfs_read', 'fexit/vfs_read'],
  ]);
  assert.deepEqual(o.probes.map((p) => p.attach), [{ kind: 'fentry', target: 'vfs_read' }, { kind: 'fexit', target: 'vfs_read' }]);
  // kprobe: count is the third argument, ctx->dx (offset 96 of pt_regs); fentry: ((u64 *)ctx)[2], offset 16.
  const loads = (insns: { code: number; off: number }[]) => insns.filter((i) => i.code === LDX_DW).map((i) => i.off);
  assert.ok(loads(plain.programs[0]!.insns).includes(96));
  assert.ok(loads(o.programs[0]!.insns).includes(16), `count not read from ctx[2]: loads at ${loads(o.programs[0]!.insns)}`);
  assert.ok(!loads(o.programs[0]!.insns).includes(96));
  // kretprobe: PT_REGS_RC is ctx->ax (offset 80); fexit: the slot after vfs_read's parameters.
  const n = funcSignature(btf!, 'vfs_read').params.length;
  assert.equal(n, 4);
  assert.ok(loads(plain.programs[1]!.insns).includes(80));
  assert.ok(loads(o.programs[1]!.insns).includes(8 * n), `return value not read from ctx[${n}]: loads at ${loads(o.programs[1]!.insns)}`);
});

test('syscall__ as fentry on the wrapper: arguments from the pt_regs in its first argument', { skip }, () => {
  const o = compileBcc(`BPF_ARRAY(a, u64, 2);
int syscall__kill(struct pt_regs *ctx, int pid, int sig) { a.atomic_increment(0, pid); a.atomic_increment(1, sig); return 0; }`,
  opts({ asFentry: { syscall__kill: { target: '__x64_sys_kill', ret: false } } }));
  const p = o.programs[0]!;
  assert.deepEqual([p.type, p.expectedAttachType, p.attachTo], ['TRACING', 'TRACE_FENTRY', '__x64_sys_kill']);
  // The wrapper's pt_regs is ctx[0] (a load at offset 0 from the context); di (112) and si (104) are read from it.
  assert.ok(p.insns.some((i) => i.code === LDX_DW && i.src === 1 && i.off === 0));
  const adds = p.insns.filter((i) => i.code === 0x07).map((i) => i.imm);
  assert.ok(adds.includes(112) && adds.includes(104), `di/si offsets not added: ${adds}`);
});

test('what an fentry context cannot serve is one located error naming the use', { skip }, () => {
  const fb = { kprobe__vfs_write: { target: 'vfs_write', ret: false } };
  assert.deepEqual(errorsOf('int kprobe__vfs_write(struct pt_regs *ctx) { return PT_REGS_PARM2(ctx) != 0; }', opts({ asFentry: fb })),
    ["'kprobe__vfs_write' as fentry: it reads register 'si' of the context (PT_REGS_* or ctx->reg); an fentry program's context is the function's arguments, not its registers"]);
  assert.match(errorsOf('int kprobe__vfs_write(struct pt_regs *ctx) { return PT_REGS_RC(ctx); }', opts({ asFentry: fb }))[0]!, /register 'ax' .*PT_REGS_RC outside a return probe/);
  assert.match(errorsOf('int kprobe__vfs_write(struct pt_regs *ctx) { struct pt_regs *r = ctx; return r != 0; }', opts({ asFentry: fb }))[0]!,
    /'kprobe__vfs_write' as fentry: it uses the context 'ctx' as a struct pt_regs/);
  assert.match(errorsOf('int kprobe__vfs_write(struct pt_regs *ctx) { bpf_override_return(ctx, -1); return 0; }', opts({ asFentry: fb }))[0]!,
    /passes the context to bpf_override_return, which needs a kprobe's registers/);
  assert.match(errorsOf('static __always_inline int rc(struct pt_regs *ctx) { return PT_REGS_RC(ctx); }\nint kprobe__vfs_write(struct pt_regs *ctx) { return rc(ctx); }', opts({ asFentry: fb }))[0]!,
    /passes the context to its own function 'rc', which would read it as a struct pt_regs/);
  assert.match(errorsOf('int kprobe__nope(struct pt_regs *ctx) { return 0; }', opts({ asFentry: { kprobe__nope: { target: 'no_such_fn_tsbcc', ret: false } } }))[0]!,
    /'kprobe__nope' as fentry on no_such_fn_tsbcc: no kernel function 'no_such_fn_tsbcc' in BTF/);
  // Passing the context to helpers that take any program's context is fine (perf_submit, get_stackid).
  compileBcc(`BPF_PERF_OUTPUT(ev);
int kprobe__vfs_write(struct pt_regs *ctx, struct file *f, const char *buf, size_t count) { u64 c = count; ev.perf_submit(ctx, &c, sizeof(c)); return 0; }`, opts({ asFentry: fb }));
});
