// The examples under examples/ with their kprobe hooks, as BCC's are written, on a kernel that has
// kprobes (a QEMU guest with Debian's kernel; see test/vm/run.ts). The same tests as
// test/kernel/examples.test.ts, run with --kprobe. The guest has no disk: block I/O goes to a loop
// device over a file in its tmpfs.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { exampleTests } from '../fixtures/examples.js';
import { haveKprobes } from '../../examples/lib/hooks.js';

const skip = (process.getuid?.() !== 0 && 'needs root') || (!haveKprobes() && 'no kprobes in this kernel: run under test/vm');

/** A loop device over a fresh 64 MiB file, or why there is none. */
function loopDevice(): { path: string; done(): void } | string {
  const img = `/tmp/tsbcc-examples-${process.pid}.img`;
  try {
    execFileSync('modprobe', ['loop'], { stdio: 'ignore' });
  } catch { /* built in, or absent: losetup says which */ }
  try {
    execFileSync('truncate', ['-s', '64M', img]);
    const dev = execFileSync('losetup', ['-f', '--show', img], { encoding: 'utf8' }).trim();
    return { path: dev, done: () => { try { execFileSync('losetup', ['-d', dev]); } finally { rmSync(img, { force: true }); } } };
  } catch (e) {
    rmSync(img, { force: true });
    return `no loop device: ${(e as Error).message.split('\n')[0]}`;
  }
}

const probe = skip ? 'skipped' : loopDevice();
if (typeof probe !== 'string') probe.done();
const blockIo = skip || (typeof probe === 'string' ? probe : false);

exampleTests({
  args: ['--kprobe'], kprobes: true, slow: 5, skip, blockIo,
  blockTarget: () => {
    const d = loopDevice();
    if (typeof d === 'string') throw new Error(d);
    return existsSync(d.path) ? d : (() => { throw new Error(`${d.path} missing`); })();
  },
});
