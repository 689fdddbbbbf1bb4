// Kprobes on the host: this kernel has none (no kprobe PMU, no kprobe_events), so the attach must
// fail with one line naming each mechanism tried and why it failed. Bad function names are named.
// Real kprobe counting runs in a VM: test/vm/kprobe.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Assembler, R0 } from '../../src/isa/asm.js';
import { loadProgram } from '../../src/load/index.js';
import { NotSupportedError, kallsyms } from '../../src/sys/index.js';
import { attachKprobe, attachKretprobe, attachKprobeMulti, getSyscallFnname, numOpenKprobes, haveKprobeMulti,
  matchKernelFunctions } from '../../src/attach/index.js';

const root = process.getuid?.() === 0;
const noKprobes = !existsSync('/sys/bus/event_source/devices/kprobe') && !existsSync('/sys/kernel/tracing/kprobe_events');
const skip = (!root && 'needs root') || (!noKprobes && 'this kernel has kprobes: test/vm/kprobe.test.ts tests them');

function prog() {
  return loadProgram({ type: 'KPROBE', insns: new Assembler().mov64Imm(R0, 0).exit().assemble(), name: 'kp', license: 'GPL' });
}

test('kprobe on a kernel without kprobes: one line, each mechanism and why it failed', { skip }, () => {
  using p = prog();
  const reason = kallsyms().has('register_kprobe') ? 'CONFIG_KPROBE_EVENTS' : 'CONFIG_KPROBES';
  const tail = `no kprobe PMU (/sys/bus/event_source/devices/kprobe missing) and no tracefs kprobe_events (kernel built without ${reason})`;
  assert.throws(() => attachKprobe(p, 'vfs_read'), (e: Error) => {
    assert.ok(e instanceof NotSupportedError);
    assert.equal(e.message, `cannot attach kprobe to vfs_read: ${tail}`);
    return true;
  });
  assert.throws(() => attachKretprobe(p, 'vfs_read'), { message: `cannot attach kretprobe to vfs_read: ${tail}` });
  assert.throws(() => attachKprobe(p, '', { eventRe: /^vfs_read$/ }), { message: `cannot attach kprobe to /^vfs_read$/: ${tail}` });
  assert.throws(() => attachKprobe(p, 'vfs_read', { mechanism: 'tracefs' }),
    { message: `cannot attach kprobe to vfs_read: no tracefs kprobe_events (kernel built without ${reason})` });
  assert.throws(() => attachKprobe(p, 'vfs_read', { mechanism: 'pmu' }),
    { message: 'cannot attach kprobe to vfs_read: no kprobe PMU (/sys/bus/event_source/devices/kprobe missing)' });
  assert.equal(numOpenKprobes(), 0);
  assert.equal(haveKprobeMulti(), false);
  assert.throws(() => attachKprobeMulti(p, ['vfs_read']), NotSupportedError);
});

test('a function that is not in the kernel is named, with near matches', { skip: !root && 'needs root' }, () => {
  using p = prog();
  assert.throws(() => attachKprobe(p, 'vfs_reed'), { message: /^no kernel function 'vfs_reed' \(not in \/proc\/kallsyms\); did you mean vfs_read\b.*\?$/ });
  assert.throws(() => attachKprobe(p, 'no_such_function_at_all_xyz'), { message: "no kernel function 'no_such_function_at_all_xyz' (not in /proc/kallsyms)" });
  assert.throws(() => attachKprobe(p, '', { eventRe: /^no_such_fn_xyz\d+$/ }), { message: 'no traceable kernel function matches /^no_such_fn_xyz\\d+$/' });
});

test('getSyscallFnname names the syscall entry point kallsyms has', { skip: !root && 'needs root' }, () => {
  const name = getSyscallFnname('openat');
  assert.ok(kallsyms().has(name), `${name} is in kallsyms`);
  assert.match(name, /^(__x64_sys_|__arm64_sys_|__se_sys_|sys_)openat$/);
  if (process.arch === 'x64') assert.equal(name, '__x64_sys_openat');
});

test('eventRe expands to traceable functions only', { skip: !root && 'needs root' }, () => {
  const fns = matchKernelFunctions(/^vfs_(read|write)$/);
  assert.deepEqual(fns.sort(), ['vfs_read', 'vfs_write']);
});
