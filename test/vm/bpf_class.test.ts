// The BPF class with kernel probes, on a kernel that has them (a QEMU guest running Debian's kernel,
// see test/vm/run.ts): kprobe__vfs_read and kretprobe__vfs_read attach by themselves, count this
// process's reads of one file (the kprobe reads the probed function's `file` argument from the
// registers, and through it the inode number) and sum what each read returned; numOpenKprobes,
// detachKprobe and close() behave as in BCC. On the host (no kprobes) it skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BPF, type TypedTable } from '../../src/index.js';
import { bpf } from '../../src/sys/index.js';

const skip = (process.getuid?.() !== 0 && 'needs root') ||
  (!existsSync('/sys/bus/event_source/devices/kprobe') && !existsSync('/sys/kernel/tracing/kprobe_events') &&
    'no kprobes in this kernel: runs in the QEMU guest of `npm run test:vm`');

const SIZE = 10000, CHUNK = 4096, ROUNDS = 25;

/** A file of SIZE bytes, read to its end ROUNDS times in CHUNK-byte reads: 4 reads per round (4096, 4096, 1808, 0). */
function readRounds(path: string): void {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(CHUNK);
  try {
    for (let r = 0; r < ROUNDS; r++) {
      let pos = 0;
      for (;;) {
        const n = readSync(fd, buf, 0, CHUNK, pos);
        pos += n;
        if (n === 0) break;
      }
    }
  } finally {
    closeSync(fd);
  }
}

const PROGRAM = `
BPF_HASH(reads, u32, u64);
BPF_HASH(bytes, u32, u64);
BPF_HASH(inflight, u64, u8);
BPF_HISTOGRAM(sizes);

int kprobe__vfs_read(struct pt_regs *ctx, struct file *file, char *buf, size_t count) {
  u64 id = bpf_get_current_pid_tgid();
  if ((id >> 32) != TARGET || file->f_inode->i_ino != INO)
    return 0;
  u32 k = 0;
  reads.increment(k);
  u8 one = 1;
  inflight.update(&id, &one);
  return 0;
}

int kretprobe__vfs_read(struct pt_regs *ctx) {
  u64 id = bpf_get_current_pid_tgid();
  if (!inflight.lookup(&id))
    return 0;
  inflight.delete(&id);
  long rc = PT_REGS_RC(ctx);
  u32 k = 0;
  bytes.increment(k, rc);
  sizes.increment(bpf_log2l(rc));
  return 0;
}
`;

test('kprobe__/kretprobe__ on vfs_read: exact reads of one file, their arguments and return values', { skip, timeout: 120_000 }, async () => {
  const path = join(tmpdir(), `tsbcc-bpf-vm-${process.pid}`);
  writeFileSync(path, Buffer.alloc(SIZE, 7));
  try {
    const b = new BPF({ text: PROGRAM, cflags: [`-DTARGET=${process.pid}`, `-DINO=${statSync(path).ino}`] });
    assert.deepEqual(b.attachments().map((a) => [a.kind, a.key]).sort(), [['kprobe', 'vfs_read'], ['kretprobe', 'vfs_read']]);
    assert.equal(b.numOpenKprobes(), 2);
    readRounds(path);
    assert.equal(b.get<TypedTable<number, bigint>>('reads').get(0), BigInt(4 * ROUNDS));
    assert.equal(b.get<TypedTable<number, bigint>>('bytes').get(0), BigInt(SIZE * ROUNDS));
    // Return values 4096 (twice a round), 1808 and 0: slots 13, 11 and 1 (BCC's bpf_log2l(0) is 1, as is bpf_log2l(1)).
    const sizes = b.get<TypedTable<number, bigint>>('sizes');
    assert.deepEqual([13, 11, 1].map((s) => sizes.get(s)), [2n * BigInt(ROUNDS), BigInt(ROUNDS), BigInt(ROUNDS)]);

    b.detachKprobe('vfs_read');
    assert.equal(b.numOpenKprobes(), 1);
    readRounds(path);
    assert.equal(b.get<TypedTable<number, bigint>>('reads').get(0), BigInt(4 * ROUNDS), 'the kprobe is detached');

    const ids = b.attachments().flatMap((a) => { try { return [bpf.linkInfo(a.link.fd).id]; } catch { return []; } });
    b.close();
    b.close();
    assert.equal(b.numOpenKprobes(), 0);
    for (let i = 0; i < 50 && ids.some((id) => [...bpf.linkIds()].includes(id)); i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(ids.filter((id) => [...bpf.linkIds()].includes(id)), [], 'links left after close()');
  } finally {
    unlinkSync(path);
  }
});

test('attachKprobe with eventRe and getSyscallFnname, as BCC tools call them', { skip, timeout: 120_000 }, () => {
  using b = new BPF({ text: `
BPF_HASH(calls, u32, u64);
int count(struct pt_regs *ctx) {
  if ((bpf_get_current_pid_tgid() >> 32) != TARGET) return 0;
  u32 k = 0; calls.increment(k); return 0;
}`, cflags: [`-DTARGET=${process.pid}`] });
  const fn = b.getSyscallFnname('getppid');
  b.attachKprobe({ event: fn, fnName: 'count' });
  for (let i = 0; i < 10; i++) void process.ppid;
  const n = b.get<TypedTable<number, bigint>>('calls').get(0) ?? 0n;
  assert.ok(n >= 10n, `${n} getppid calls seen`);
  b.attachKprobe({ eventRe: '^vfs_(read|write)$', fnName: 'count' });
  assert.equal(b.numOpenKprobes(), 3);
  b.detachKprobe({ eventRe: '^vfs_(read|write)$' });
  assert.equal(b.numOpenKprobes(), 1);
});

test('KFUNC_PROBE/KRETFUNC_PROBE attach by themselves where trampolines work', { skip, timeout: 120_000 }, () => {
  const path = join(tmpdir(), `tsbcc-bpf-vm-kfunc-${process.pid}`);
  writeFileSync(path, Buffer.alloc(SIZE, 7));
  try {
    if (!BPF.supportKfunc()) return assert.fail('this guest kernel refuses BPF trampolines');
    using b = new BPF({ cflags: [`-DTARGET=${process.pid}`, `-DINO=${statSync(path).ino}`], text: `
BPF_ARRAY(c, u64, 2);
KFUNC_PROBE(vfs_read, struct file *file, char *buf, size_t count, loff_t *pos) {
  if ((bpf_get_current_pid_tgid() >> 32) != TARGET || file->f_inode->i_ino != INO)
    return 0;
  c.increment(0);
  return 0;
}
KRETFUNC_PROBE(vfs_read, struct file *file, char *buf, size_t count, loff_t *pos, ssize_t ret) {
  if ((bpf_get_current_pid_tgid() >> 32) != TARGET || file->f_inode->i_ino != INO)
    return 0;
  c.increment(1, ret);
  return 0;
}` });
    assert.deepEqual(b.attachments().map((a) => [a.kind, a.key]).sort(), [['kfunc', 'vfs_read'], ['kretfunc', 'vfs_read']]);
    readRounds(path);
    const c = b.get<TypedTable<number, bigint>>('c');
    assert.deepEqual([c.get(0), c.get(1)], [BigInt(4 * ROUNDS), BigInt(SIZE * ROUNDS)]);
    b.detachKfunc('kfunc__vmlinux__vfs_read');
    assert.deepEqual(b.attachments().map((a) => a.kind), ['kretfunc']);
  } finally {
    unlinkSync(path);
  }
});
