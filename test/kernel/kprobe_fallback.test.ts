// The BPF class's kprobe fallback on a kernel without kprobes (this project's host, which refuses
// fentry too): kprobe__X is compiled again as fentry on X and, when that fails as well, the error
// is one line listing each mechanism tried and why it failed. On a kernel with trampolines the
// fallback attaches instead (test/vm/kprobe_fallback.test.ts counts what it sees there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { BPF } from '../../src/index.js';
import { NotSupportedError } from '../../src/sys/index.js';
import { haveTrampolines } from '../../src/attach/index.js';
import { haveKprobes as haveKprobesNow } from '../../src/attach/index.js';

const haveKprobes = haveKprobesNow();
const skip = (process.getuid?.() !== 0 && 'needs root') || (!existsSync('/sys/kernel/btf/vmlinux') && 'needs kernel BTF') ||
  (haveKprobes && 'this kernel has kprobes (the fallback is tested forced in test/vm/kprobe_fallback.test.ts)');

/** assert.throws matcher on the message alone (a RegExp there sees "Name: message"). */
const says = (re: RegExp) => (e: Error): boolean => re.test(e.message);
const MECHS = /: no kprobe PMU \([^)]+\), no tracefs kprobe_events \([^)]+\), /;

test('kprobe__ and kretprobe__ with no kprobes: fentry/fexit tried, or one line naming all three mechanisms', { skip, timeout: 60_000 }, () => {
  const text = `BPF_ARRAY(s${process.pid}, u64, 2);
int kprobe__vfs_read(struct pt_regs *ctx, struct file *file, char *buf, size_t count) { s${process.pid}.atomic_increment(0, count); return 0; }`;
  if (haveTrampolines()) {
    using b = new BPF({ text, warnings: null });
    assert.deepEqual(b.attachments().map((a) => [a.kind, a.key, a.via]), [['kprobe', 'vfs_read', 'fentry']]);
    return;
  }
  for (const [src, kind, how] of [[text, 'kprobe', 'fentry'], ['int kretprobe__vfs_read(struct pt_regs *ctx) { return PT_REGS_RC(ctx) > 0; }', 'kretprobe', 'fexit']] as const) {
    let err: unknown;
    try { new BPF({ text: src, warnings: null }).close(); } catch (e) { err = e; }
    assert.ok(err instanceof NotSupportedError, `expected NotSupportedError, got ${String(err)}`);
    assert.doesNotMatch(err.message, /\n/);
    assert.match(err.message, new RegExp(`^${kind}__vfs_read: cannot attach ${kind} to vfs_read${MECHS.source}${how} refused by this kernel \\(.*EPERM.*\\)$`));
  }
});

test('the fallback names what an fentry context cannot serve, and what fentry cannot attach to', { skip, timeout: 60_000 }, () => {
  // The function reads a register fentry does not have: the third reason says so.
  assert.throws(() => new BPF({ text: 'int kprobe__vfs_write(struct pt_regs *ctx) { return PT_REGS_PARM2(ctx) != 0; }', warnings: null }),
    (e: Error) => e instanceof NotSupportedError && !e.message.includes('\n') &&
      new RegExp(`^kprobe__vfs_write: cannot attach kprobe to vfs_write${MECHS.source}fentry cannot run it \\('kprobe__vfs_write' as fentry: it reads register 'si' of the context`).test(e.message));
  using b = new BPF({ text: 'int count(struct pt_regs *ctx) { return 0; }', warnings: null });
  assert.throws(() => b.attachKprobe({ eventRe: /^vfs_read$/, fnName: 'count' }),
    (e: Error) => new RegExp(`^count: cannot attach kprobe to /\\^vfs_read\\$/${MECHS.source}fentry cannot attach to a regex of functions$`).test(e.message));
  assert.throws(() => b.attachKprobe({ event: 'vfs_read', eventOff: 4, fnName: 'count' }), /fentry cannot attach to an offset into the function$/);
  // 'never' does not try it; 'force' tries only it (and says so).
  using never = new BPF({ text: 'int count(struct pt_regs *ctx) { return 0; }', warnings: null, kprobeFallback: 'never' });
  assert.throws(() => never.attachKprobe({ event: 'vfs_read', fnName: 'count' }), says(new RegExp(`^count: cannot attach kprobe to vfs_read${MECHS.source}fentry not tried \\(kprobeFallback 'never'\\)$`)));
  if (!haveTrampolines()) {
    using forced = new BPF({ text: 'int count(struct pt_regs *ctx) { return 0; }', warnings: null, kprobeFallback: 'force' });
    assert.throws(() => forced.attachKretprobe({ event: 'vfs_read', fnName: 'count' }),
      says(/^count: cannot attach kretprobe to vfs_read as fexit \(kprobeFallback 'force'\): fexit refused by this kernel \(.*EPERM/));
  }
  assert.throws(() => new BPF({ text: 'int count(struct pt_regs *ctx) { return 0; }', kprobeFallback: 'sometimes' as never }), /kprobeFallback .* is 'sometimes': expected auto, force or never/);
  assert.deepEqual(b.attachments(), []);
});
