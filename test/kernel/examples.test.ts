// The examples under examples/ on this kernel: each runs as a child process while the test causes
// the activity it reports; its output must show that activity, and SIGINT must end it cleanly with
// nothing left attached. Without kprobes the examples use their tracepoint hooks (see
// examples/README.md); the kprobe versions run in test/vm/examples.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exampleTests } from '../fixtures/examples.js';
import { haveKprobes } from '../../examples/lib/hooks.js';

const skip = (process.getuid?.() !== 0 || !existsSync('/sys/kernel/btf/vmlinux')) && 'needs root and kernel BTF';

/** Whether dd to /var/tmp reaches a block device (not tmpfs, overlay on tmpfs, 9p...). */
function blockIo(): string | false {
  const r = spawnSync('findmnt', ['-n', '-o', 'SOURCE', '-T', existsSync('/var/tmp') ? '/var/tmp' : '/tmp'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim().startsWith('/dev/') ? false : `no block device under /var/tmp (${r.stdout.trim() || 'findmnt failed'})`;
}

exampleTests({ args: [], kprobes: haveKprobes(), slow: 1, skip, blockIo: skip || blockIo() });

test('an example asked for kprobes on a kernel without them says so in one line and exits 1', { skip: skip || (haveKprobes() && 'this kernel has kprobes') }, () => {
  const js = fileURLToPath(new URL('../../examples/hello_world.js', import.meta.url));
  const r = spawnSync(process.execPath, [js, '--kprobe'], { encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 2, r.stderr); // the hook choice, then the error
  assert.match(lines[1]!, /^kprobe__sys_clone: cannot attach kprobe to __x64_sys_clone: .*use TRACEPOINT_PROBE\(syscalls, sys_enter_clone\) instead$/);
  assert.equal(r.stdout, '');
});
