// The BCC dialect without a kernel: table declarations (names, arities, defaults), method calls
// desugared to the right helpers, probe naming, and the located diagnostics for misuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { compileBcc, type BccObject, type BccOptions } from '../../src/compiler/dialect/index.js';
import { CompileError, formatDiagnostic } from '../../src/compiler/diagnostics.js';
import { parseTracepointFormat } from '../../src/btf/tracepoint_format.js';
import { Btf } from '../../src/btf/reader.js';
import { MapType } from '../../src/sys/uapi.js';
import { HELPERS } from '../../src/isa/helpers.js';
import type { ProgramDef } from '../../src/load/object.js';

const CTX = 'struct bpf_raw_tracepoint_args *ctx';

function bcc(text: string, opts: BccOptions = {}): BccObject {
  return compileBcc(text, { filename: 'prog.c', ...opts });
}

/** The diagnostics of a program that must not compile, formatted as the CLI prints them. */
function errors(text: string, opts: BccOptions = {}): string[] {
  try {
    bcc(text, opts);
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    return e.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d));
  }
  assert.fail('compiled without errors');
}

/** Helper ids a program calls, in order. */
function calls(p: ProgramDef): number[] {
  return p.insns.filter((i) => i.code === 0x85 && i.src === 0).map((i) => i.imm);
}

test('table macros: BCC arities and defaults become maps with C key and leaf types', () => {
  const o = bcc(`
struct k { u32 a; u64 b; };
BPF_HASH(h1);
BPF_HASH(h2, u32);
BPF_HASH(h3, struct k, u32);
BPF_HASH(h4, u32, u32, 5);
BPF_ARRAY(a1);
BPF_ARRAY(a2, struct k, 7);
BPF_HISTOGRAM(hist);
BPF_HISTOGRAM(hist2, struct k, 9);
BPF_PERCPU_HASH(ph, u32);
BPF_PERCPU_ARRAY(pa, u32, 3);
BPF_LRU_HASH(lru, u16, u8, 11);
BPF_LPM_TRIE(trie, struct k, u32, 12);
BPF_PERF_OUTPUT(events);
BPF_RINGBUF_OUTPUT(rb, 8);
BPF_STACK_TRACE(stacks, 100);
BPF_PROG_ARRAY(jmp, 4);
BPF_QUEUE(q, u64, 16);
BPF_STACK(st, u32, 16);
BPF_TABLE("lru_percpu_hash", u32, u64, t1, 13);
BPF_F_TABLE("hash", u32, u64, t2, 14, BPF_F_NO_PREALLOC);
BPF_TABLE_PINNED("hash", u32, u64, pinned, 15, "/sys/fs/bpf/tsbcc_test");
BPF_TABLE_PUBLIC("array", int, u64, shared_out, 16);
BPF_SK_STORAGE(sks, u64);
BPF_TASK_STORAGE(tks, u32);
BPF_DEVMAP(dm, 4);
BPF_ARRAY_OF_MAPS(aom, h4, 2);
int f(${CTX}) { return 0; }
`);
  const rows = Object.fromEntries(o.tables.map((t) => [t.name, [t.type, t.keySize, t.valueSize, t.maxEntries, t.flags]]));
  assert.deepEqual(rows, {
    h1: [MapType.HASH, 8, 8, 10240, 0], h2: [MapType.HASH, 4, 8, 10240, 0], h3: [MapType.HASH, 16, 4, 10240, 0], h4: [MapType.HASH, 4, 4, 5, 0],
    a1: [MapType.ARRAY, 4, 8, 10240, 0], a2: [MapType.ARRAY, 4, 16, 7, 0], hist: [MapType.ARRAY, 4, 8, 64, 0], hist2: [MapType.HASH, 16, 8, 9, 0],
    ph: [MapType.PERCPU_HASH, 4, 8, 10240, 0], pa: [MapType.PERCPU_ARRAY, 4, 4, 3, 0], lru: [MapType.LRU_HASH, 2, 1, 11, 0],
    trie: [MapType.LPM_TRIE, 16, 4, 12, 1], events: [MapType.PERF_EVENT_ARRAY, 4, 4, 0, 0], rb: [MapType.RINGBUF, 0, 0, 8 * 4096, 0],
    stacks: [MapType.STACK_TRACE, 4, 127 * 8, 100, 0], jmp: [MapType.PROG_ARRAY, 4, 4, 4, 0], q: [MapType.QUEUE, 0, 8, 16, 0],
    st: [MapType.STACK, 0, 4, 16, 0], t1: [MapType.LRU_PERCPU_HASH, 4, 8, 13, 0], t2: [MapType.HASH, 4, 8, 14, 1],
    pinned: [MapType.HASH, 4, 8, 15, 0], shared_out: [MapType.ARRAY, 4, 8, 16, 0], sks: [MapType.SK_STORAGE, 4, 8, 0, 1],
    tks: [MapType.TASK_STORAGE, 4, 4, 0, 1], dm: [MapType.DEVMAP, 4, 4, 4, 0], aom: [MapType.ARRAY_OF_MAPS, 4, 4, 2, 0],
  });
  const by = (n: string) => o.tables.find((t) => t.name === n)!;
  assert.equal(by('pinned').pinPath, '/sys/fs/bpf/tsbcc_test');
  assert.equal(o.maps.find((m) => m.name === 'pinned')!.pinPath, '/sys/fs/bpf/tsbcc_test');
  assert.equal(by('shared_out').share, 'public');
  assert.equal(by('aom').innerMap, 'h4');
  assert.equal(by('h3').keyType.kind, 'struct');
  assert.equal(by('h2').macro, 'BPF_HASH');
  assert.equal(by('hist2').macro, 'BPF_HISTOGRAM');
});

test('table methods call the helpers BCC generates', () => {
  const o = bcc(`
struct d { u32 x; };
BPF_HASH(h, u32);
BPF_ARRAY(a);
BPF_PERF_OUTPUT(events);
BPF_RINGBUF_OUTPUT(rb, 1);
BPF_STACK_TRACE(stacks, 10);
BPF_PROG_ARRAY(jmp, 2);
BPF_QUEUE(q, u64, 4);
BPF_DEVMAP(dm, 2);
int lookups(${CTX}) { u32 k = 1; u64 v = 2, *p = h.lookup(&k); if (p) *p += 1; h.update(&k, &v); h.insert(&k, &v); h.delete(&k); return 0; }
int init(${CTX}) { u32 k = 1; u64 z = 0; u64 *p = h.lookup_or_try_init(&k, &z); return p ? 1 : 0; }
int incr(${CTX}) { h.increment(3); a.increment(1, 5); return 0; }
int perf(${CTX}) { struct d v = {}; events.perf_submit(ctx, &v, sizeof(v)); return 0; }
int ring(${CTX}) { struct d *e = rb.ringbuf_reserve(sizeof(*e)); if (!e) return 0; e->x = 1; rb.ringbuf_submit(e, 0); return 0; }
int ringout(${CTX}) { struct d v = {}; rb.ringbuf_output(&v, sizeof(v), 0); return 0; }
int stack(${CTX}) { return stacks.get_stackid(ctx, BPF_F_REUSE_STACKID); }
int tail(${CTX}) { jmp.call(ctx, 1); return 0; }
int queue(${CTX}) { u64 v = 1; q.push(&v, 0); q.pop(&v); q.peek(&v); return 0; }
int printk(${CTX}) { bpf_trace_printk("hello %d %d\\n", 1, 2); return 0; }
`, { types: {} });
  const H = HELPERS;
  const by = (n: string) => calls(o.programs.find((p) => p.name === n)!);
  assert.deepEqual(by('lookups'), [H.map_lookup_elem, H.map_update_elem, H.map_update_elem, H.map_delete_elem]);
  assert.deepEqual(by('init'), [H.map_lookup_elem, H.map_update_elem, H.map_lookup_elem]);
  // A hash table's increment inserts what is missing (and adds to a racing insert); an array's does not.
  assert.deepEqual(by('incr'), [H.map_lookup_elem, H.map_update_elem, H.map_lookup_elem, H.map_lookup_elem]);
  assert.deepEqual(by('perf'), [H.perf_event_output]);
  assert.deepEqual(by('ring'), [H.ringbuf_reserve, H.ringbuf_submit]);
  assert.deepEqual(by('ringout'), [H.ringbuf_output]);
  assert.deepEqual(by('stack'), [H.get_stackid]);
  assert.deepEqual(by('tail'), [H.tail_call]);
  assert.deepEqual(by('queue'), [H.map_push_elem, H.map_pop_elem, H.map_peek_elem]);
  assert.deepEqual(by('printk'), [H.trace_printk]);
  // The format lives on the stack, its size (with the NUL) is the second argument.
  const printk = o.programs.find((p) => p.name === 'printk')!;
  const call = printk.insns.findIndex((i) => i.code === 0x85 && i.imm === H.trace_printk);
  const r2 = printk.insns.slice(0, call).reverse().find((i) => i.dst === 2 && i.code === 0xb7);
  assert.equal(r2?.imm, 'hello %d %d\n'.length + 1);
});

test('programs are typed by name, by first parameter, or by an explicit type', () => {
  const fmt = parseTracepointFormat(`name: sched_switch
ID: 1
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;
\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;

print fmt: "x"
`, 'sched', 'sched_switch');
  const o = bcc(`
BPF_HASH(h, u32);
TRACEPOINT_PROBE(sched, sched_switch) { u32 p = args->prev_pid; h.increment(p); return 0; }
RAW_TRACEPOINT_PROBE(sched_wakeup) { return 0; }
int raw_tracepoint__sched_process_exit(struct bpf_raw_tracepoint_args *ctx) { return 0; }
int on_xdp(struct xdp_md *ctx) { return 2; }
int on_skb(struct __sk_buff *skb) { return 0; }
int on_perf(struct bpf_perf_event_data *ctx) { return 0; }
int on_ops(struct bpf_sock_ops *ops) { return 0; }
int as_tc(struct __sk_buff *skb) { return 0; }
static int helper(int x) { return x + 1; }
int not_a_program(int x) { return helper(x); }
`, { tracepointFormat: () => fmt, types: { as_tc: 'sched_cls' } });
  assert.deepEqual(o.probes.map((p) => [p.name, p.type, p.attach?.kind, p.attach?.target]), [
    ['tracepoint__sched__sched_switch', 'TRACEPOINT', 'tracepoint', 'sched:sched_switch'],
    ['raw_tracepoint__sched_wakeup', 'RAW_TRACEPOINT', 'raw_tracepoint', 'sched_wakeup'],
    ['raw_tracepoint__sched_process_exit', 'RAW_TRACEPOINT', 'raw_tracepoint', 'sched_process_exit'],
    ['on_xdp', 'XDP', undefined, undefined],
    ['on_skb', 'SOCKET_FILTER', undefined, undefined],
    ['on_perf', 'PERF_EVENT', undefined, undefined],
    ['on_ops', 'SOCK_OPS', undefined, undefined],
    ['as_tc', 'SCHED_CLS', undefined, undefined],
  ]);
  // args->prev_pid is read from the context at the format's offset.
  const tp = o.programs[0]!;
  assert.ok(tp.insns.some((i) => i.code === 0x61 && i.off === 24), 'no 4-byte context load at offset 24');
});

const btf = existsSync('/sys/kernel/btf/vmlinux') ? Btf.vmlinux() : undefined;
const noBtf = !btf && 'needs the kernel BTF for struct pt_regs';

test('kprobe extra parameters are read from pt_regs; syscall__ ones from the wrapper\'s inner pt_regs', { skip: noBtf }, () => {
  const o = bcc(`
BPF_HASH(h, u64);
int kprobe__vfs_read(struct pt_regs *ctx, void *file, char *buf, size_t count) { h.increment((u64)file, count); return 0; }
int syscall__getppid(struct pt_regs *ctx, long a, long b, long c, long d) { h.increment(d); return 0; }
`, { btf, arch: 'x64' });
  assert.deepEqual(o.probes.map((p) => [p.name, p.attach]), [
    ['kprobe__vfs_read', { kind: 'kprobe', target: 'vfs_read' }], ['syscall__getppid', { kind: 'kprobe', target: '__x64_sys_getppid' }]]);
  // struct pt_regs on x86_64: di at 112, dx at 96, r10 at 56.
  const kp = o.programs[0]!.insns;
  assert.ok(kp.some((i) => i.code === 0x79 && i.off === 112), 'file is not read from ctx->di');
  assert.ok(kp.some((i) => i.code === 0x79 && i.off === 96), 'count is not read from ctx->dx');
  // syscall__: the 4th argument is r10 of the inner pt_regs, read with bpf_probe_read_kernel.
  assert.ok(calls(o.programs[1]!).includes(HELPERS.probe_read_kernel));
});

test('misused tables get one located error each, with a suggestion where one helps', () => {
  const out = errors(`
struct k { u32 a; };
BPF_HASH(counts, u32);
BPF_HASH(byk, struct k);
BPF_PERF_OUTPUT(events);
int f(${CTX}) {
  u32 pid = 1;
  u64 wide = 2;
  counts.incr(pid);
  counts.increment(pid, 1, 2);
  counts.lookup(&wide);
  counts.lookup(pid);
  byk.increment(pid);
  events.perf_submit(ctx, 3);
  events.lookup(&pid);
  return 0;
}
`);
  assert.deepEqual(out.map((l) => l.split('\n')[0]), [
    "prog.c:9:10: error: 'counts' (BPF_HASH) has no method 'incr'; did you mean 'increment'?",
    'prog.c:10:28: error: counts.increment(key[, increment]) takes 1 to 2 arguments, not 3',
    "prog.c:11:17: error: 'counts' (BPF_HASH) has key type 'u32' (aka 'unsigned int'); counts.lookup() was given a pointer to 'u64' (aka 'unsigned long long')",
    "prog.c:12:17: error: counts.lookup() takes a pointer to the key ('u32' (aka 'unsigned int')), not 'u32' (aka 'unsigned int') (pass its address: '&pid')",
    "prog.c:13:17: error: 'byk' (BPF_HASH) has key type 'struct k'; byk.increment() was given 'u32' (aka 'unsigned int')",
    'prog.c:14:10: error: events.perf_submit(ctx, data, size) takes 3 arguments, not 2',
    "prog.c:15:10: error: 'events' (BPF_PERF_OUTPUT) has no method 'lookup'; it has 'perf_submit', 'perf_submit_skb'",
  ]);
});

test('bpf_trace_printk takes at most 3 values; USDT is reported; unknown table and program types are named', () => {
  assert.match(errors(`int f(${CTX}) { bpf_trace_printk("%d %d %d %d", 1, 2, 3, 4); return 0; }`)[0]!,
    /^prog\.c:1:\d+: error: bpf_trace_printk takes at most 3 values after the format \(the helper's limit\), not 4/);
  assert.match(errors(`int f(struct pt_regs *ctx) { long v; bpf_usdt_readarg(1, ctx, &v); return 0; }`)[0]!, /bpf_usdt_readarg in 'f', which is not attached as a USDT probe/);
  assert.match(errors(`BPF_TABLE("hashh", u32, u32, t, 4);\nint f(${CTX}) { return 0; }`)[0]!, /unknown table type "hashh" for 't'/);
  assert.match(errors(`int f(${CTX}) { return 0; }`, { types: { f: 'kprobee' } })[0]!, /unknown program type 'kprobee' for 'f'/);
});

test('a read through a __user pointer is a located error naming bpf_probe_read_user', { skip: noBtf }, () => {
  const out = errors(`
int kprobe__do_sys_open(struct pt_regs *ctx, int dfd, const char __user *filename) {
  char c = filename[0];
  char buf[16];
  bpf_probe_read_user_str(buf, sizeof(buf), filename);
  return c + buf[0];
}`, { btf });
  assert.equal(out.length, 1);
  assert.match(out[0]!, /^prog\.c:3:20: error: 'filename' points to user memory \(__user\): read it with bpf_probe_read_user\(\)/);
});

test('table macros with a wrong number of arguments are reported at the use', () => {
  assert.match(errors(`BPF_ARRAY();\nint f(${CTX}) { return 0; }`)[0]!, /^prog\.c:1:1: error: BPF_ARRAY needs a table name as its first argument/);
  const many = errors(`BPF_HASH(a, u32, u64, 10, 11);\nint f(${CTX}) { return 0; }`)[0]!;
  assert.match(many, /static assertion failed: BPF_HASH\(name\[, key\[, leaf\[, size\]\]\]\) takes 1 to 4 arguments/);
  assert.match(many, /prog\.c:1:1: note: in expansion of macro/);
});

test('KFUNC_PROBE, KRETFUNC_PROBE and LSM_PROBE are fentry, fexit and LSM programs on their functions', () => {
  const o = bcc(`
BPF_HASH(counts, u32);
KFUNC_PROBE(vfs_read, void *file, char *buf, unsigned long count) { u32 k = count; counts.increment(k); return 0; }
KRETFUNC_PROBE(vfs_write, void *file, const char *buf, unsigned long count, void *pos, long ret) { u32 k = ret; counts.increment(k); return 0; }
LSM_PROBE(file_open, void *file) { return 0; }
`);
  assert.deepEqual(o.probes.map((p) => [p.name, p.type, p.attach]), [
    ['kfunc__vmlinux__vfs_read', 'TRACING', { kind: 'fentry', target: 'vfs_read' }],
    ['kretfunc__vmlinux__vfs_write', 'TRACING', { kind: 'fexit', target: 'vfs_write' }],
    ['lsm__file_open', 'LSM', { kind: 'lsm', target: 'file_open' }],
  ]);
  assert.deepEqual(o.programs.map((p) => p.expectedAttachType), ['TRACE_FENTRY', 'TRACE_FEXIT', 'LSM_MAC']);
});

test('storage, redirect, perf_submit_skb, sockmap and cgroup-array methods call their helpers', { skip: noBtf }, () => {
  const o = bcc(`
struct d { u32 x; };
BPF_SK_STORAGE(sks, u64);
BPF_TASK_STORAGE(tks, u64);
BPF_INODE_STORAGE(iks, u64);
BPF_DEVMAP(dm, 4);
BPF_XSKMAP(xsk, 4);
BPF_PERF_OUTPUT(events);
BPF_CGROUP_ARRAY(cg, 1);
BPF_SOCKHASH(sh, u32, 8);
int storage(${CTX}) {
  void *p = (void *)ctx->args[0];
  u64 *a = sks.sk_storage_get(p, 0, BPF_SK_STORAGE_GET_F_CREATE);
  u64 *b = tks.task_storage_get(p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
  u64 *c = iks.inode_storage_get(p, 0, 0);
  sks.sk_storage_delete(p);
  tks.task_storage_delete(p);
  iks.inode_storage_delete(p);
  return (a != 0) + (b != 0) + (c != 0);
}
int redirect(struct xdp_md *ctx) { if (xsk.lookup(&ctx->rx_queue_index)) return xsk.redirect_map(ctx->rx_queue_index, 0); return dm.redirect_map(1, 0); }
int skb(struct __sk_buff *skb) { struct d v = {}; events.perf_submit_skb(skb, skb->len, &v, sizeof(v)); return cg.check_current_task(0); }
int ops(struct bpf_sock_ops *skops) { u32 k = 1; sh.sock_hash_update(skops, &k, 0); return 0; }
`, { btf });
  const H = HELPERS;
  const by = (n: string) => calls(o.programs.find((p) => p.name === n)!);
  assert.deepEqual(by('storage'), [H.sk_storage_get, H.task_storage_get, H.inode_storage_get, H.sk_storage_delete, H.task_storage_delete, H.inode_storage_delete]);
  assert.deepEqual(by('redirect'), [H.map_lookup_elem, H.redirect_map, H.redirect_map]);
  assert.deepEqual(by('skb'), [H.perf_event_output, H.current_task_under_cgroup]);
  assert.deepEqual(by('ops'), [H.sock_hash_update]);
  // perf_submit_skb puts the packet length in the flags' upper 32 bits.
  assert.ok(o.programs.find((p) => p.name === 'skb')!.insns.some((i) => i.code === 0x67 && i.imm === 32), 'no skb_len << 32');
  assert.deepEqual(o.probes.map((p) => p.type), ['RAW_TRACEPOINT', 'XDP', 'SOCKET_FILTER', 'SOCK_OPS']);
});

test('bpf_trace_printk: string values go on the stack, a format/value mismatch is a warning; small leaves increment plainly', () => {
  const o = bcc(`
BPF_ARRAY(a8, u8, 4);
int f(${CTX}) {
  bpf_trace_printk("a %d %d\\n", 1);
  bpf_trace_printk("100%% %s\\n", "x");
  a8.increment(1);
  return 0;
}`);
  assert.deepEqual(o.warnings.map((d) => formatDiagnostic(d).split('\n')[0]), ['prog.c:4:20: warning: bpf_trace_printk format has 2 conversions but 1 value follows']);
  assert.deepEqual(calls(o.programs[0]!), [HELPERS.trace_printk, HELPERS.trace_printk, HELPERS.map_lookup_elem]);
  assert.ok(!o.programs[0]!.insns.some((i) => (i.code & 0x07) === 0x03 && (i.code & 0xe0) === 0xc0), 'an atomic on a 1-byte leaf');
});

test('a kretprobe with argument parameters is refused with the reason', () => {
  assert.match(errors(`int kretprobe__vfs_read(struct pt_regs *ctx, void *file) { return 0; }`)[0]!,
    /^prog\.c:1:52: error: 'kretprobe__vfs_read' is a return probe: the function's arguments are gone by then/);
});

test('a syscall tracepoint\'s pointer arguments are __user: reading through one is an error', () => {
  const fmt = parseTracepointFormat(`name: sys_enter_openat
ID: 2
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;
\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;
\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;

print fmt: "x"
`, 'syscalls', 'sys_enter_openat');
  const prog = `TRACEPOINT_PROBE(syscalls, sys_enter_openat) {
  char buf[16];
  bpf_probe_read_user_str(buf, sizeof(buf), args->filename);
  return buf[0] READ;
}`;
  assert.equal(bcc(prog.replace('READ', ''), { tracepointFormat: () => fmt }).programs.length, 1);
  assert.match(errors(prog.replace('READ', '+ args->filename[1]'), { tracepointFormat: () => fmt })[0]!,
    /^prog\.c:4:33: error: 'args->filename' points to user memory \(__user\): read it with bpf_probe_read_user\(\)/);
});
