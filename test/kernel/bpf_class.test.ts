// The BPF class end to end, with BCC-dialect C: compile, load, auto-attach, cause real events,
// read them back as typed values (a hash of counts, a histogram's text, perf events as objects,
// trace_pipe lines), and check that close() leaves nothing behind. Events come from this process's
// own write()s to a /dev/null fd it opened (filtered in the program by tgid and fd), or from a
// child workload with a known pid, so other tests running meanwhile cannot disturb the counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BPF, USDT, BccEventTable, TypedQueueStack, StackTraces, DEBUG_SOURCE, type TypedTable, type PerCpuTypedTable } from '../../src/index.js';
import { bpf, NotSupportedError, PerfType, PerfCountSw } from '../../src/sys/index.js';
import { probePmu } from '../../src/attach/index.js';
import { Workload } from '../fixtures/workload.js';
import { haveKprobes as haveKprobesNow } from '../../src/attach/index.js';

const skip = (process.getuid?.() !== 0 || !existsSync('/sys/kernel/btf/vmlinux')) && 'needs root and kernel BTF';
const haveKprobes = haveKprobesNow();

/** A /dev/null fd of this process: the programs below only look at write()s to it. */
function devNull(): { fd: number; cflags: string[]; [Symbol.dispose](): void } {
  const fd = openSync('/dev/null', 'w');
  return { fd, cflags: [`-DTARGET=${process.pid}`, `-DFD=${fd}`], [Symbol.dispose]: () => closeSync(fd) };
}

const MINE = `
#define MINE() ((bpf_get_current_pid_tgid() >> 32) == TARGET && args->fd == FD)
`;

/** Ids of the bpf_links an attachment holds (perf-event tracepoints are links on 5.15+). */
function linkIds(b: BPF): number[] {
  const ids: number[] = [];
  for (const a of b.attachments()) {
    try { ids.push(bpf.linkInfo(a.link.fd).id); } catch { /* a perf event fd, not a link */ }
  }
  return ids;
}

async function gone(ids: number[], list: () => Iterable<number>): Promise<number[]> {
  for (let i = 0; i < 50; i++) {
    const live = new Set(list());
    const left = ids.filter((id) => live.has(id));
    if (!left.length) return [];
    await new Promise((r) => setTimeout(r, 20)); // the kernel frees links and programs after an RCU grace period
  }
  const live = new Set(list());
  return ids.filter((id) => live.has(id));
}

test('hello world: bpf_trace_printk from a TRACEPOINT_PROBE, read back with traceFields', { skip, timeout: 30000 }, async () => {
  using dn = devNull();
  using b = new BPF({ cflags: dn.cflags, text: MINE + `
TRACEPOINT_PROBE(syscalls, sys_enter_write) {
  if (MINE())
    bpf_trace_printk("tsbcc-hello %d %d\\n", TARGET, args->count);
  return 0;
}` });
  assert.deepEqual(b.attachments().map((a) => [a.kind, a.key, a.fnName]),
    [['tracepoint', 'syscalls:sys_enter_write', 'tracepoint__syscalls__sys_enter_write']]);
  assert.equal(b.numOpenTracepoints(), 1);
  const want = `tsbcc-hello ${process.pid} 7`;
  const comm = readFileSync('/proc/self/comm', 'utf8').trim();
  // trace_pipe is one stream for the whole machine, and other tests may read it too: write again
  // until our line is seen.
  let found;
  for (let attempt = 0; attempt < 10 && !found; attempt++) {
    writeSync(dn.fd, Buffer.alloc(7));
    for (let l = await b.traceFields({ timeoutMs: 500 }); l; l = await b.traceFields({ timeoutMs: 200 })) {
      if (l.msg === want) { found = l; break; }
    }
  }
  assert.ok(found, `no trace line "${want}"`);
  assert.equal(found.pid, process.pid);
  assert.ok(found.task === comm || found.task === '<...>', `task ${found.task}`); // <...>: the kernel's comm cache missed
  assert.ok(Number.isInteger(found.cpu) && found.cpu >= 0);
  assert.ok(found.ts > 0);
  assert.match(found.flags, /^[.\w]{4,5}$/);

  // tracePrint with BCC's field numbers, until aborted; traceReadline gives whole lines.
  const ac = new AbortController();
  let printed = '';
  const want2 = `${process.pid} tsbcc-hello ${process.pid} 9`;
  const printing = b.tracePrint({ fmt: '{1} {5}', signal: ac.signal, out: { write: (t: string) => {
    printed += t;
    if (printed.split('\n').includes(want2)) ac.abort();
  } } });
  for (let i = 0; i < 20 && !ac.signal.aborted; i++) {
    writeSync(dn.fd, Buffer.alloc(9));
    await new Promise((r) => setTimeout(r, 100));
  }
  await printing;
  assert.ok(printed.split('\n').includes(want2), `tracePrint printed no "${want2}"`);
  let raw: string | undefined;
  for (let i = 0; i < 10 && !raw?.endsWith(`tsbcc-hello ${process.pid} 5`); i++) {
    writeSync(dn.fd, Buffer.alloc(5));
    for (let l = await b.traceReadline({ timeoutMs: 300 }); l; l = await b.traceReadline({ nonblocking: true })) {
      if (l.endsWith(`tsbcc-hello ${process.pid} 5`)) { raw = l; break; }
    }
  }
  assert.match(raw ?? '', new RegExp(`-${process.pid}\\s+.*\\[\\d+\\].* bpf_trace_printk: tsbcc-hello ${process.pid} 5$`));
});

test('BPF_HASH counts getppid per pid through TRACEPOINT_PROBE, read back as typed numbers', { skip, timeout: 30000 }, () => {
  using b = new BPF({ text: `
BPF_HASH(counts, u32, u64);
TRACEPOINT_PROBE(syscalls, sys_enter_getppid) {
  u32 pid = bpf_get_current_pid_tgid() >> 32;
  counts.increment(pid);
  return 0;
}` });
  using wl = new Workload();
  const N = 1234;
  const { pid } = wl.runSync(N);
  const counts = b.get<TypedTable<number, bigint>>('counts');
  assert.ok(counts === b.getTable('counts') && counts === b.table('counts'), 'one view per table');
  assert.equal(counts.get(pid), BigInt(N));
  const mine = [...counts].filter(([k]) => k === pid);
  assert.deepEqual(mine, [[pid, BigInt(N)]]);
  assert.equal(typeof mine[0]![0], 'number');
  // Written back from user space, read by the same codec.
  counts.set(pid, 5n);
  assert.equal(counts.get(pid), 5n);
});

test('BPF_HISTOGRAM of write sizes prints as BCC prints it (printLog2Hist)', { skip, timeout: 30000 }, () => {
  using dn = devNull();
  using b = new BPF({ cflags: dn.cflags, text: MINE + `
BPF_HISTOGRAM(dist);
TRACEPOINT_PROBE(syscalls, sys_enter_write) {
  if (MINE())
    dist.increment(bpf_log2l(args->count));
  return 0;
}` });
  for (const n of [1, 2, 3, 100, 1000, 1000, 4096]) writeSync(dn.fd, Buffer.alloc(n));
  let text = '';
  b.get<TypedTable<number, bigint>>('dist').printLog2Hist('bytes', { out: { write: (s: string) => (text += s) } });
  const rows = text.split('\n').filter((l) => /->/.test(l)).map((l) => l.replace(/\s*\|.*$/, '').trim().replace(/\s+/g, ' '));
  assert.match(text, /^\s+bytes\s+: count\s+distribution\n/);
  // bpf_log2l(1) is slot 1, which BCC prints as "0 -> 1"; rows run from there to the highest non-zero slot.
  assert.deepEqual(rows.filter((r) => !r.endsWith(': 0')), ['0 -> 1 : 1', '2 -> 3 : 2', '64 -> 127 : 1', '512 -> 1023 : 2', '4096 -> 8191 : 1']);
  assert.equal(rows.length, 13);
  assert.match(text, /512 -> 1023\s+: 2\s+\|\*{40}\|/);
});

test('BPF_PERF_OUTPUT records decode to objects through openPerfBuffer and perfBufferPoll', { skip, timeout: 30000 }, async () => {
  using dn = devNull();
  using b = new BPF({ cflags: dn.cflags, text: MINE + `
struct data_t { u32 pid; u64 count; char comm[TASK_COMM_LEN]; };
BPF_PERF_OUTPUT(events);
TRACEPOINT_PROBE(syscalls, sys_enter_write) {
  if (!MINE())
    return 0;
  struct data_t data = {};
  data.pid = bpf_get_current_pid_tgid() >> 32;
  data.count = args->count;
  bpf_get_current_comm(&data.comm, sizeof(data.comm));
  events.perf_submit(args, &data, sizeof(data));
  return 0;
}` });
  const events = b.get<BccEventTable<{ pid: number; count: bigint; comm: string }>>('events');
  assert.ok(events instanceof BccEventTable);
  const got: { pid: number; count: bigint; comm: string }[] = [];
  events.openPerfBuffer((e) => got.push(e));
  const sizes = [3, 30, 300];
  for (const n of sizes) writeSync(dn.fd, Buffer.alloc(n));
  for (let i = 0; i < 20 && got.length < sizes.length; i++) await b.perfBufferPoll(200);
  const comm = readFileSync('/proc/self/comm', 'utf8').trim();
  assert.deepEqual(got, sizes.map((n) => ({ pid: process.pid, count: BigInt(n), comm })));
  assert.equal(await b.perfBufferPoll(0), 0, 'nothing more is waiting');
});

test('an output table the program never submits to: its record type is named by hand', { skip, timeout: 30000 }, async () => {
  using dn = devNull();
  // The struct reaches the table through bpf_perf_event_output, which BCC's rewriter does not follow either.
  using b = new BPF({ cflags: dn.cflags, text: MINE + `
struct rec { u32 magic; u16 size; };
BPF_PERF_OUTPUT(out);
TRACEPOINT_PROBE(syscalls, sys_enter_write) {
  if (!MINE())
    return 0;
  struct rec r = { .magic = 0xfeed, .size = args->count };
  bpf_perf_event_output(args, &out, BPF_F_CURRENT_CPU, &r, sizeof(r));
  return 0;
}` });
  const out = b.get<BccEventTable<{ magic: number; size: number }>>('out');
  assert.throws(() => out.openPerfBuffer(() => {}), /no event type is known/);
  assert.throws(() => b.setEventType('out', 'struct recc'), /the program uses no type 'struct recc'; did you mean struct rec\?/);
  b.setEventType('out', 'struct rec');
  const got: unknown[] = [];
  out.openPerfBuffer((e) => got.push(e));
  writeSync(dn.fd, Buffer.alloc(12));
  for (let i = 0; i < 10 && !got.length; i++) await b.perfBufferPoll(200);
  assert.deepEqual(got, [{ magic: 0xfeed, size: 12 }]);
});

test('BPF_RINGBUF_OUTPUT records (ringbuf_reserve and ringbuf_output) decode through ringBufferPoll/ringBufferConsume', { skip, timeout: 30000 }, async () => {
  using dn = devNull();
  using b = new BPF({ cflags: dn.cflags, text: MINE + `
struct big { u32 pid; u32 seq; u64 count; };
struct small { u16 tag; char note[6]; };
BPF_RINGBUF_OUTPUT(rb, 8);
BPF_RINGBUF_OUTPUT(notes, 8);
BPF_ARRAY(seq, u32, 1);
TRACEPOINT_PROBE(syscalls, sys_enter_write) {
  if (!MINE())
    return 0;
  u32 k = 0, *s = seq.lookup(&k);
  if (!s)
    return 0;
  struct big *e = rb.ringbuf_reserve(sizeof(struct big));
  if (!e)
    return 0;
  e->pid = TARGET;
  e->seq = *s;
  *s += 1;
  e->count = args->count;
  rb.ringbuf_submit(e, 0);
  struct small n = { .tag = 0xbcc, .note = "hi" };
  notes.ringbuf_output(&n, sizeof(n), 0);
  return 0;
}` });
  const big: unknown[] = [], small: unknown[] = [];
  b.get<BccEventTable>('rb').openRingBuffer((e) => big.push(e));
  b.get<BccEventTable>('notes').openRingBuffer((e) => small.push(e));
  writeSync(dn.fd, Buffer.alloc(11));
  writeSync(dn.fd, Buffer.alloc(22));
  assert.equal(b.ringBufferConsume(), 4);
  writeSync(dn.fd, Buffer.alloc(33));
  assert.ok(await b.ringBufferPoll(1000) >= 1);
  assert.deepEqual(big, [11, 22, 33].map((n, i) => ({ pid: process.pid, seq: i, count: BigInt(n) })));
  assert.deepEqual(small, [1, 2, 3].map(() => ({ tag: 0xbcc, note: 'hi' })));
  await assert.rejects(b.perfBufferPoll(0), /no perf buffer is open/);
});

test('a kprobe__ function on a kernel without kprobes: the constructor fails with one line naming what was tried', {
  skip: skip || (haveKprobes && 'this kernel has kprobes (test/vm/bpf_class.test.ts covers them)'), timeout: 30000,
}, async () => {
  // A tracepoint program attaches first; the kprobe fails after it, and nothing may stay attached.
  // The table's name is this process's own, so its links can be told from other tests'.
  const map = `k${process.pid}`;
  const text = `
BPF_HASH(${map}, u32, u64);
TRACEPOINT_PROBE(syscalls, sys_enter_getppid) { u32 k = 0; ${map}.increment(k); return 0; }
int kprobe__vfs_read(struct pt_regs *ctx) { u32 k = 1; ${map}.increment(k); return 0; }`;
  const linksBefore = new Set(bpf.linkIds());
  let err: unknown;
  try {
    new BPF({ text }).close();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof NotSupportedError, `expected NotSupportedError, got ${String(err)}`);
  const msg = err.message;
  assert.doesNotMatch(msg, /\n/);
  assert.match(msg, /^kprobe__vfs_read: cannot attach kprobe to vfs_read: no kprobe PMU \(.*\), no tracefs kprobe_events \(.*\), fentry /);
  assert.equal(probePmu('kprobe'), undefined);
  assert.match(msg, /fentry/);
  // A function the kernel does not have: one line, starting with the program's function.
  assert.throws(() => new BPF({ text: 'int kprobe__no_such_fn_tsbcc(struct pt_regs *ctx) { return 0; }' }),
    /^KernelFunctionNotFoundError: kprobe__no_such_fn_tsbcc: no kernel function 'no_such_fn_tsbcc' \(not in \/proc\/kallsyms\)/);
  assert.throws(() => new BPF({ text: 'int raw_tracepoint__no_such_tp_tsbcc(struct bpf_raw_tracepoint_args *ctx) { return 0; }' }),
    (e: Error) => /^raw_tracepoint__no_such_tp_tsbcc: raw tracepoint no_such_tp_tsbcc does not exist$/.test(e.message));
  // The syscall case names the tracepoint to use instead.
  assert.throws(() => new BPF({ text: 'int kretprobe__sys_getppid(struct pt_regs *ctx) { return 0; }' }),
    (e: Error) => e instanceof NotSupportedError && /__x64_sys_getppid|sys_getppid/.test(e.message) &&
      /TRACEPOINT_PROBE\(syscalls, sys_exit_getppid\)/.test(e.message) && !e.message.includes('\n'));
  // Whatever link the failed constructor made for its tracepoint is gone: no new link runs a program using our table.
  const ours = (): number[] => [...bpf.linkIds()].filter((id) => !linksBefore.has(id) && usesMap(id, map));
  assert.deepEqual(await gone(ours(), bpf.linkIds), []);
  // (The same check does see the link while the tracepoint half is attached on its own.)
  const half = new BPF({ text: text.slice(0, text.indexOf('int kprobe__')) });
  assert.equal(ours().length, 1);
  half.close();
  assert.deepEqual(await gone(ours(), bpf.linkIds), []);
});

/** Whether link `id` runs a program that uses a map called `name`. */
function usesMap(id: number, name: string): boolean {
  const fds: number[] = [];
  try {
    const link = bpf.linkGetFdById(id);
    fds.push(link);
    const prog = bpf.progGetFdById(bpf.linkInfo(link).progId);
    fds.push(prog);
    return bpf.progInfo(prog).mapIds.some((m) => {
      const fd = bpf.mapGetFdById(m);
      try { return bpf.mapInfo(fd).name === name; } finally { closeSync(fd); }
    });
  } catch {
    return false; // gone meanwhile
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

test('explicit attach, detach and loadFunc; close() detaches everything it made and is idempotent', { skip, timeout: 30000 }, async () => {
  using dn = devNull();
  const b = new BPF({ cflags: dn.cflags, text: MINE + `
BPF_ARRAY(hits, u64, 4);
int on_write(struct tracepoint__syscalls__sys_enter_write *args) {
  if (MINE()) hits.increment(0);
  return 0;
}
int on_raw(struct bpf_raw_tracepoint_args *ctx) {
  if ((bpf_get_current_pid_tgid() >> 32) == TARGET) hits.increment(1);
  return 0;
}
int on_clock(struct bpf_perf_event_data *ctx) { hits.increment(2); return 0; }` });
  assert.deepEqual(b.attachments(), [], 'nothing is prefixed: nothing attaches by itself');
  assert.throws(() => b.loadFunc('on_raww'), /no function 'on_raww' in the BPF program; did you mean on_raw/);
  assert.throws(() => b.get('hist'), /no table 'hist' in the BPF program; did you mean hits/);
  const prog = b.loadFunc('on_write', 'tracepoint');
  assert.equal(b.loadFunc('on_write'), prog, 'loaded once');
  b.attachTracepoint({ tp: 'syscalls:sys_enter_write', fnName: 'on_write' });
  b.attachRawTracepoint({ tp: 'sys_enter', fnName: 'on_raw' });
  b.attachPerfEvent({ evType: PerfType.SOFTWARE, evConfig: PerfCountSw.CPU_CLOCK, fnName: 'on_clock', sampleFreq: 199 });
  assert.equal(b.numOpenTracepoints(), 2);
  const hits = b.get<TypedTable<number, bigint>>('hits');
  writeSync(dn.fd, Buffer.alloc(1));
  writeSync(dn.fd, Buffer.alloc(1));
  assert.equal(hits.get(0), 2n);
  assert.ok(hits.get(1)! >= 2n, 'the raw tracepoint saw our syscalls');
  const t0 = Date.now();
  while (hits.get(2) === 0n && Date.now() - t0 < 3000) { for (let i = 0; i < 1e6; i++); await new Promise((r) => setTimeout(r, 10)); }
  assert.ok(hits.get(2)! > 0n, 'the perf event sampled');

  b.detachTracepoint('syscalls:sys_enter_write');
  assert.equal(b.numOpenTracepoints(), 1);
  writeSync(dn.fd, Buffer.alloc(1));
  assert.equal(hits.get(0), 2n, 'detached: no more counts');
  assert.throws(() => b.detachTracepoint('syscalls:sys_enter_write'), /no tracepoint attached to syscalls:sys_enter_write by this BPF object/);

  const links = linkIds(b);
  assert.ok(links.length >= 1, 'the raw tracepoint is a bpf_link');
  const progs = [prog.info().id];
  b.close();
  b.close();
  assert.equal(b.closed, true);
  assert.deepEqual(b.attachments(), []);
  assert.deepEqual(await gone(links, bpf.linkIds), [], 'links left after close()');
  assert.deepEqual(await gone(progs, bpf.progIds), [], 'programs left after close()');
  assert.throws(() => b.get('hits'), /closed/);
});

test('per-CPU tables sum per key; cflags -D and -I reach the program', { skip, timeout: 30000 }, () => {
  using dn = devNull();
  using b = new BPF({ cflags: [...dn.cflags, '-DSTEP=3', '-O2', '-Wno-unused'], text: MINE + `
BPF_PERCPU_ARRAY(sums, u64, 1);
TRACEPOINT_PROBE(syscalls, sys_enter_write) {
  if (MINE()) { u32 k = 0; sums.increment(k, STEP); }
  return 0;
}` });
  for (let i = 0; i < 5; i++) writeSync(dn.fd, Buffer.alloc(1));
  const sums = b.get<PerCpuTypedTable<number, bigint>>('sums');
  assert.equal(sums.sum(0), 15n);
  assert.throws(() => new BPF({ text: 'int x;', cflags: ['--bogus'] }), /cflags: unsupported flag '--bogus'/);
});

test('srcFile: the program is read from a file, and #include "..." finds headers next to it', { skip, timeout: 30000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbcc-bpf-'));
  try {
    writeFileSync(join(dir, 'common.h'), '#define KEY 7\n');
    writeFileSync(join(dir, 'prog.c'), '#include "common.h"\nBPF_ARRAY(a, u64, 8);\nint f(void *ctx) { a.increment(KEY); return 0; }\n');
    let listing = '';
    using b = new BPF({ srcFile: join(dir, 'prog.c'), debug: DEBUG_SOURCE, debugOut: { write: (t: string) => (listing += t) } });
    const f = b.loadFunc('f', 'socket_filter');
    assert.equal(f.testRun({ dataIn: Buffer.alloc(64) }).retval, 0);
    assert.equal(b.get<TypedTable<number, bigint>>('a').get(7), 1n);
    // DEBUG_SOURCE: the instructions under the C line they came from.
    assert.match(listing, /^f:\n; int f\(void \*ctx\) \{ a\.increment\(KEY\); return 0; \} @ .*prog\.c:3\n\s+0: /);
    assert.match(listing, /exit/);
    assert.throws(() => new BPF({ srcFile: join(dir, 'missing.c') }), /^Error: BPF: cannot read .*missing\.c: ENOENT$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('attachXdp/removeXdp: an XDP function (typed by its struct xdp_md * parameter) on a veth end counts frames', { skip, timeout: 30000 }, async () => {
  const { VethPair } = await import('../fixtures/netns.js');
  const v = new VethPair();
  try {
    const SIZE = 40, FRAME = 14 + 20 + 8 + SIZE, N = 5, port = 31000 + (process.pid % 10000);
    using b = new BPF({ text: `
BPF_ARRAY(frames, u64, 1);
int xdp_count(struct xdp_md *ctx) {
  if (ctx->data_end - ctx->data == ${FRAME})
    frames.increment(0);
  return XDP_PASS;
}` });
    v.inB(() => b.attachXdp({ dev: v.ifB, fn: 'xdp_count', flags: 2 /* XDP_FLAGS_SKB_MODE */ }));
    assert.deepEqual(b.attachments().map((a) => [a.kind, a.key]), [['xdp', v.ifB]]);
    assert.equal(await v.udpAtoB(port, N, SIZE), N);
    const frames = b.get<TypedTable<number, bigint>>('frames');
    assert.equal(frames.get(0), BigInt(N));
    b.removeXdp(v.ifB);
    assert.equal(await v.udpAtoB(port + 1, N, SIZE), N);
    assert.equal(frames.get(0), BigInt(N), 'removed: no more counts');
  } finally {
    v.close();
  }
});

test('BPF_STACK_TRACE: kernel stacks by ksym, the user stack of this process by sym (ELF symbols)', { skip, timeout: 30000 }, () => {
  using dn = devNull();
  using b = new BPF({ cflags: dn.cflags, text: MINE + `
BPF_STACK_TRACE(stacks, 1024);
BPF_ARRAY(ids, int, 2);
TRACEPOINT_PROBE(syscalls, sys_enter_write) {
  if (!MINE())
    return 0;
  u32 k = 0, u = 1;
  int kid = stacks.get_stackid(args, 0);
  int uid = stacks.get_stackid(args, BPF_F_USER_STACK);
  ids.update(&k, &kid);
  ids.update(&u, &uid);
  return 0;
}` });
  const ids = b.get<TypedTable<number, number>>('ids');
  const stacks = b.get<StackTraces>('stacks');
  assert.ok(stacks instanceof StackTraces);
  // Two stacks whose hashes share a bucket make get_stackid answer -EEXIST (no
  // BPF_F_REUSE_STACKID): write again until both have their own slot.
  let [kid, uid] = [-1, -1];
  for (let i = 0; i < 10 && !(kid >= 0 && uid >= 0 && kid !== uid); i++) {
    writeSync(dn.fd, Buffer.alloc(3));
    [kid, uid] = [ids.get(0)!, ids.get(1)!];
  }
  assert.ok(kid >= 0 && uid >= 0, `stack ids ${kid} ${uid}`);
  assert.ok(stacks.kernelStack(kid).includes('do_syscall_64'), stacks.kernelStack(kid).join(' < '));
  const user = stacks.walk(uid).map((a) => b.sym(a, process.pid, true));
  assert.match(user[0]!, /write.* \[libc[.-]/, user.join(' < '));
  assert.ok(user.some((f) => f.startsWith('uv_fs_write')), user.join(' < '));
});

test('BPF_QUEUE and BPF_STACK: values pushed by the program pop out typed, in queue and stack order', { skip, timeout: 30000 }, () => {
  using dn = devNull();
  using b = new BPF({ cflags: dn.cflags, text: MINE + `
struct item { u32 size; char tag[4]; };
BPF_QUEUE(fifo, struct item, 8);
BPF_STACK(lifo, u64, 8);
TRACEPOINT_PROBE(syscalls, sys_enter_write) {
  if (!MINE())
    return 0;
  struct item it = { .size = args->count, .tag = "q" };
  fifo.push(&it, 0);
  u64 n = args->count;
  lifo.push(&n, 0);
  return 0;
}` });
  for (const n of [1, 2, 3]) writeSync(dn.fd, Buffer.alloc(n));
  const fifo = b.get<TypedQueueStack<{ size: number; tag: string }>>('fifo');
  const lifo = b.get<TypedQueueStack<bigint>>('lifo');
  assert.deepEqual(fifo.peek(), { size: 1, tag: 'q' });
  assert.deepEqual([...fifo], [1, 2, 3].map((size) => ({ size, tag: 'q' })));
  assert.deepEqual([...lifo], [3n, 2n, 1n]);
  assert.equal(fifo.pop(), undefined);
  lifo.push(42n);
  assert.equal(lifo.pop(), 42n);
});

test('ksym, ksymname, sym and getSyscallFnname', { skip }, () => {
  const addr = BPF.ksymname('vfs_read');
  assert.ok(addr > 0n);
  assert.equal(BPF.ksym(addr), 'vfs_read');
  assert.equal(BPF.ksym(addr + 3n, false, true), 'vfs_read+0x3');
  assert.equal(BPF.ksym(addr, true), 'vfs_read [kernel]');
  assert.equal(BPF.ksymname('no_such_symbol_tsbcc'), -1n);
  assert.match(BPF.getSyscallFnname('clone'), /^(__x64_sys_|__arm64_sys_|sys_)clone$/);
  assert.match(BPF.findLibrary('c') ?? '', /\/libc\.so\.6$/);
  const sh = BPF.findExe('sh');
  assert.ok(sh?.endsWith('/sh') && existsSync(sh), `findExe('sh') gave ${sh}`);
  assert.equal(BPF.findExe('no-such-command-tsbcc'), undefined);
  using b = new BPF({ text: 'int nothing(void *ctx) { return 0; }' });
  assert.equal(b.sym(addr, -1), 'vfs_read');
  assert.equal(b.sym(1n, process.pid), '[unknown]');
});

// ---- uprobes (the gcc-built probe target from test/fixtures/probe_target.c) ----

test('attachUprobe/attachUretprobe on a gcc-built binary: arguments and return values of exact calls', { skip, timeout: 60000 }, async () => {
  const { probeTarget, startTarget } = await import('../fixtures/probe_target.js');
  let bin: string;
  try {
    bin = probeTarget(['-O2']);
  } catch (e) {
    return assert.fail(`cannot build the probe target (gcc and systemtap-sdt-dev needed): ${(e as Error).message}`);
  }
  const N = 40;
  const t = startTarget(bin, N);
  const pid = await t.ready;
  using b = new BPF({ text: `
BPF_HASH(args, u32, u64);
BPF_HASH(rets, u64, u64);
int on_add(struct pt_regs *ctx) { u32 b = PT_REGS_PARM2(ctx); args.increment(b); return 0; }
int on_ret(struct pt_regs *ctx) { u64 r = PT_REGS_RC(ctx); rets.increment(r); return 0; }` });
  try {
    b.attachUprobe({ name: bin, sym: 'tsbcc_add', fnName: 'on_add', pid });
    b.attachUretprobe({ name: bin, sym: 'tsbcc_add', fnName: 'on_ret', pid });
  } catch (e) {
    t.kill();
    throw e;
  }
  assert.equal(b.numOpenUprobes(), 2);
  t.go();
  await t.done;
  assert.deepEqual([...b.get<TypedTable<number, bigint>>('args')], [[1000, BigInt(N)]]);
  const rets = [...b.get<TypedTable<bigint, bigint>>('rets')].sort((x, y) => Number(x[0] - y[0]));
  assert.deepEqual(rets, Array.from({ length: N }, (_, i) => [BigInt(1000 + i), 1n]));
  b.detachUprobe({ name: bin, sym: 'tsbcc_add', pid });
  assert.equal(b.numOpenUprobes(), 1);
});

test('usdtContexts: a USDT probe enabled for a process runs its function at every firing, reading its arguments', { skip, timeout: 60000 }, async () => {
  const { probeTarget, startTarget } = await import('../fixtures/probe_target.js');
  const N = 25;
  const t = startTarget(probeTarget(['-O2']), N);
  const pid = await t.ready;
  let b: BPF;
  try {
    // tsbcc:hit(int i, long -3 * i, 5, long 7 * i), read with bpf_usdt_readarg as BCC tools do.
    b = new BPF({ usdtContexts: [new USDT({ pid }).enableProbe('tsbcc:hit', 'on_hit')], text: `
BPF_ARRAY(hits, u64, 1);
BPF_ARRAY(sums, s64, 4);
int on_hit(struct pt_regs *ctx) {
  int a = 0, c = 0;
  long b = 0, d = 0;
  hits.increment(0);
  bpf_usdt_readarg(1, ctx, &a);
  bpf_usdt_readarg(2, ctx, &b);
  bpf_usdt_readarg(3, ctx, &c);
  bpf_usdt_readarg(4, ctx, &d);
  sums.increment(0, a);
  sums.increment(1, b);
  sums.increment(2, c);
  sums.increment(3, d);
  return 0;
}` });
  } catch (e) {
    t.kill();
    throw e;
  }
  try {
    assert.deepEqual(b.attachments().map((a) => a.kind), ['usdt']);
    assert.ok(b.numOpenUprobes() >= 1);
    t.go();
    const r = await t.done;
    assert.equal(r.seen, N, 'the semaphore was raised while attached');
    assert.equal(b.get<TypedTable<number, bigint>>('hits').get(0), BigInt(N));
    const tri = BigInt((N * (N - 1)) / 2);
    assert.deepEqual([...b.get<TypedTable<number, bigint>>('sums').values()], [tri, -3n * tri, 5n * BigInt(N), 7n * tri]);
  } finally {
    b.close();
  }
  assert.throws(() => new USDT({}), /USDT: give a path, a pid, or both/);
});
