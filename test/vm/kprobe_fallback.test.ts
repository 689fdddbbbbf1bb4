// The BPF class's kprobe fallback, forced, on a kernel that has BPF trampolines (Debian's, in the
// guest `npm run test:vm` boots): kprobe__vfs_read and kretprobe__vfs_read, written as BCC writes
// them (extra parameters, PT_REGS_RC), run as fentry and fexit on vfs_read. This process reads its
// own file N times with a read size nothing else uses; the counts, the sum of `count`, the file's
// inode (a typed pointer argument) and the sum of return values must be exact. Where the kernel
// has no trampolines (this project's host) the test skips, saying so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { BPF, type TypedTable } from '../../src/index.js';
import { haveTrampolines } from '../../src/attach/index.js';

const skip = (process.getuid?.() !== 0 && 'needs root') ||
  (!haveTrampolines() && 'this kernel cannot load or attach trampoline programs (run it with `npm run test:vm`)');

const MAGIC = 4093, SIZE = 1000, N = 50;

const TEXT = `
BPF_ARRAY(stats, u64, 5);        /* 0 entries, 1 sum of count, 2 exits, 3 sum of returns, 4 inode */
BPF_HASH(inflight, u64, u64);

int kprobe__vfs_read(struct pt_regs *ctx, struct file *file, char __user *buf, size_t count)
{
  u64 id = bpf_get_current_pid_tgid(), one = 1;
  if ((id >> 32) != TGID || count != MAGIC)
    return 0;
  stats.atomic_increment(0);
  stats.atomic_increment(1, count);
  int k = 4;
  u64 ino = file->f_inode->i_ino;
  stats.update(&k, &ino);
  inflight.update(&id, &one);
  return 0;
}

int kretprobe__vfs_read(struct pt_regs *ctx)
{
  u64 id = bpf_get_current_pid_tgid();
  if (!inflight.lookup(&id))
    return 0;
  inflight.delete(&id);
  stats.atomic_increment(2);
  stats.atomic_increment(3, PT_REGS_RC(ctx));
  return 0;
}
`;

test('forced fallback: kprobe__/kretprobe__vfs_read as fentry/fexit count every read, its size, file and result', { skip, timeout: 120_000 }, () => {
  const path = `/dev/shm/tsbcc-kfb-${process.pid}`;
  writeFileSync(path, Buffer.alloc(SIZE, 0x61));
  try {
    using b = new BPF({ text: TEXT, cflags: [`-DTGID=${process.pid}`, `-DMAGIC=${MAGIC}`], kprobeFallback: 'force', warnings: null });
    assert.deepEqual(b.attachments().map((a) => [a.kind, a.key, a.fnName, a.via]),
      [['kprobe', 'vfs_read', 'kprobe__vfs_read', 'fentry'], ['kretprobe', 'vfs_read', 'kretprobe__vfs_read', 'fexit']]);
    const fd = openSync(path, 'r');
    const buf = Buffer.alloc(MAGIC);
    let expectSum = 0;
    try {
      for (let i = 0; i < N; i++) expectSum += readSync(fd, buf, 0, MAGIC, 0);   // the whole file each time
      expectSum += readSync(fd, buf, 0, MAGIC, SIZE - 77);                       // a short read: 77 bytes
    } finally {
      closeSync(fd);
    }
    assert.equal(expectSum, N * SIZE + 77);
    const stats = b.get<TypedTable<number, bigint>>('stats');
    const v = [0, 1, 2, 3, 4].map((k) => stats.get(k));
    assert.deepEqual(v, [BigInt(N + 1), BigInt((N + 1) * MAGIC), BigInt(N + 1), BigInt(expectSum), BigInt(statSync(path).ino)]);
    // Detaching the kprobe (its fentry stand-in) stops the counting.
    b.detachKprobe('vfs_read');
    const fd2 = openSync(path, 'r');
    try { readSync(fd2, buf, 0, MAGIC, 0); } finally { closeSync(fd2); }
    assert.equal(stats.get(0), BigInt(N + 1));
  } finally {
    rmSync(path, { force: true });
  }
});

test('forced fallback: syscall__kill\'s arguments come from the pt_regs the wrapper is given', { skip, timeout: 60_000 }, () => {
  const text = `
BPF_ARRAY(kills, u64, 2);
int syscall__kill(struct pt_regs *ctx, int pid, int sig)
{
  if ((bpf_get_current_pid_tgid() >> 32) != TGID || pid != TGID)
    return 0;
  kills.atomic_increment(0);
  kills.atomic_increment(1, sig);
  return 0;
}`;
  using b = new BPF({ text, cflags: [`-DTGID=${process.pid}`], kprobeFallback: 'force', warnings: null });
  const a = b.attachKprobe({ event: b.getSyscallFnname('kill'), fnName: 'syscall__kill' });
  assert.equal(a.via, 'fentry');
  const n = 30;
  for (let i = 0; i < n; i++) process.kill(process.pid, 0);      // kill(self, 0): checks, sends nothing
  const kills = b.get<TypedTable<number, bigint>>('kills');
  assert.deepEqual([kills.get(0), kills.get(1)], [BigInt(n), 0n]);
});

test('forced fallback: a use fentry cannot serve fails with one line naming it', { skip, timeout: 60_000 }, () => {
  assert.throws(() => new BPF({ text: 'int kprobe__vfs_read(struct pt_regs *ctx) { return PT_REGS_PARM3(ctx) > 0; }', kprobeFallback: 'force', warnings: null }),
    (e: Error) => !e.message.includes('\n') &&
      /^kprobe__vfs_read: cannot attach kprobe to vfs_read as fentry \(kprobeFallback 'force'\): fentry cannot run it \('kprobe__vfs_read' as fentry: it reads register 'dx'/.test(e.message));
});

test('auto mode on a kernel with kprobes uses real kprobes', { skip: skip || (!existsSync('/sys/bus/event_source/devices/kprobe') && 'no kprobe PMU'), timeout: 60_000 }, () => {
  using b = new BPF({ text: TEXT, cflags: [`-DTGID=${process.pid}`, `-DMAGIC=${MAGIC}`], kprobeFallback: 'auto', warnings: null });
  assert.deepEqual(b.attachments().map((a) => [a.kind, a.via]), [['kprobe', undefined], ['kretprobe', undefined]]);
});
