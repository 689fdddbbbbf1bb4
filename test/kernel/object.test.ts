// C source to a running kernel program, all by tsbcc: compile a libbpf-style program (BTF-defined
// maps, SEC() sections, helper calls, tracepoint context), load it, attach it, read its maps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { compileObject } from '../../src/compiler/object.js';
import { loadObject, VerifierError } from '../../src/load/index.js';
import { attachTracepoint } from '../../src/attach/index.js';
import { Btf } from '../../src/btf/reader.js';
import { features } from '../../src/sys/index.js';
import { PerfBuffer } from '../../src/events/index.js';
import type { HashTable, PerfEventArray } from '../../src/maps/index.js';
import { Workload } from '../fixtures/workload.js';

const skip = (process.getuid?.() !== 0 || !existsSync('/sys/kernel/btf/vmlinux')) && 'needs root and kernel BTF';

const COUNTER = `
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>

/* The record of syscalls:sys_enter_getppid (see its format file): the program may read no further. */
struct getppid_args { u64 common; int nr; };

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, u32);
  __type(value, u64);
} counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int count_getppid(struct getppid_args *ctx)
{
  u32 tgid = bpf_get_current_pid_tgid() >> 32;
  u64 one = 1, *v;

  if (ctx->nr != 110)          /* __NR_getppid, read from the tracepoint's context */
    return 0;
  v = bpf_map_lookup_elem(&counts, &tgid);
  if (v)
    __sync_fetch_and_add(v, 1);
  else
    bpf_map_update_elem(&counts, &tgid, &one, BPF_NOEXIST);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

test('a C program compiled by tsbcc counts exactly N getppid calls for the child', { skip, timeout: 30000 }, () => {
  const spec = compileObject(COUNTER, { filename: 'counter.c', btf: Btf.vmlinux(), isaV4: features.haveIsaV4(), jmp32: features.haveJmp32() });
  assert.deepEqual(spec.programs.map((p) => [p.name, p.type, p.attachTo]), [['count_getppid', 'TRACEPOINT', 'syscalls:sys_enter_getppid']]);
  assert.deepEqual(spec.maps.map((m) => [m.name, m.keySize, m.valueSize, m.maxEntries]), [['counts', 4, 8, 1024]]);
  using obj = loadObject(spec);
  using wl = new Workload();
  const N = 777;
  let pid: number;
  {
    using _l = attachTracepoint(obj.program('count_getppid'), spec.programs[0]!.attachTo!);
    pid = wl.runSync(N).pid;
  }
  const key = Buffer.alloc(4);
  key.writeUInt32LE(pid);
  assert.equal(obj.map<HashTable>('counts').get(key)?.readBigUInt64LE(0), BigInt(N));
});

const EVENTS = `
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>

struct event { u32 pid; u32 tgid; u64 nr; char comm[16]; };
struct getppid_args { u64 common; int nr; };

struct {
  __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
  __uint(key_size, sizeof(u32));
  __uint(value_size, sizeof(u32));
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int send(struct getppid_args *ctx)
{
  struct event e = {};
  u64 id = bpf_get_current_pid_tgid();
  e.pid = (u32)id;
  e.tgid = id >> 32;
  e.nr = ctx->nr;
  bpf_get_current_comm(&e.comm, sizeof(e.comm));
  bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

test('a C program compiled by tsbcc sends perf events with the right contents', { skip, timeout: 30000 }, async () => {
  const spec = compileObject(EVENTS, { filename: 'events.c', btf: Btf.vmlinux(), isaV4: features.haveIsaV4(), jmp32: features.haveJmp32() });
  using obj = loadObject(spec);
  using wl = new Workload();
  const got: { pid: number; nr: bigint; comm: string }[] = [];
  using pb = new PerfBuffer(obj.map<PerfEventArray>('events'), (d) => {
    got.push({ pid: d.readUInt32LE(4), nr: d.readBigUInt64LE(8), comm: d.toString('latin1', 16, 32).replace(/\0.*$/, '') });
  });
  const N = 50;
  let pid: number;
  {
    using _l = attachTracepoint(obj.program('send'), 'syscalls:sys_enter_getppid');
    pid = (await wl.run(N)).pid;
  }
  pb.poll();
  const mine = got.filter((g) => g.pid === pid);
  assert.equal(mine.length, N);
  for (const g of mine) {
    assert.equal(g.nr, 110n);
    assert.equal(g.comm, wl.comm);
  }
});

test('compile errors in a program come back located', { skip }, () => {
  assert.throws(() => compileObject(COUNTER.replace('ctx->nr', 'ctx->nrr'), { filename: 'counter.c', btf: Btf.vmlinux(), isaV4: features.haveIsaV4(), jmp32: features.haveJmp32() }),
    /counter\.c:21:12: error: no member named 'nrr' in 'struct getppid_args'; did you mean 'nr'\?/);
});

const GLOBALS = `
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>

const volatile u32 targ_tgid = 0;     /* set from user space before loading (.rodata, frozen) */
u64 calls = 0;                        /* .bss */
u64 weights[4] = { 1, 10, 100, 1000 };/* .data */
u64 total;

SEC("tracepoint/syscalls/sys_enter_getppid")
int count(void *ctx)
{
  u32 tgid = bpf_get_current_pid_tgid() >> 32;
  if (targ_tgid && tgid != targ_tgid)
    return 0;
  __sync_fetch_and_add(&calls, 1);
  total += weights[calls & 3];
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

test('global variables: .rodata set before load, .bss and .data read back', { skip, timeout: 30000 }, () => {
  const spec = compileObject(GLOBALS, { filename: 'globals.c', btf: Btf.vmlinux(), isaV4: features.haveIsaV4(), jmp32: features.haveJmp32() });
  assert.deepEqual(spec.maps.map((m) => m.name).sort(), ['.bss', '.data', '.rodata']);
  using wl = new Workload();
  const N = 10;
  // First load: filter on this test process, which makes no getppid calls — the workload's are ignored.
  using obj = loadObject(spec, { globals: { targ_tgid: process.pid } });
  {
    using _l = attachTracepoint(obj.program('count'), 'syscalls:sys_enter_getppid');
    wl.runSync(N); // another process: filtered out
  }
  const bss = obj.map<HashTable>('.bss');
  const zero = Buffer.alloc(4);
  const calls = (b: Buffer) => b.readBigUInt64LE(spec.globals!.find((g) => g.name === 'calls')!.offset);
  assert.equal(calls(bss.get(zero)!), 0n);
  // The frozen .rodata cannot be changed from user space any more.
  const rodata = obj.map<HashTable>('.rodata');
  assert.throws(() => rodata.set(zero, Buffer.alloc(rodata.valueSize)), /EPERM/);
  using all = loadObject(spec);
  {
    using _l = attachTracepoint(all.program('count'), 'syscalls:sys_enter_getppid');
    wl.runSync(N);
  }
  const v = all.map<HashTable>('.bss').get(zero)!;
  const n = calls(v);
  assert.ok(n >= BigInt(N), `calls ${n}`);
  const total = v.readBigUInt64LE(spec.globals!.find((g) => g.name === 'total')!.offset);
  // total sums weights[calls & 3] after each increment: for n calls that is a fixed function of n.
  let want = 0n;
  for (let i = 1n; i <= n; i++) want += [1n, 10n, 100n, 1000n][Number(i & 3n)]!;
  assert.equal(total, want);
  const data = all.map<HashTable>('.data').get(zero)!;
  assert.equal(data.readBigUInt64LE(spec.globals!.find((g) => g.name === 'weights')!.offset + 8), 10n);
});

const PARENT = `
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>

struct seen { u32 tgid; u32 ppid; u64 start; char comm[16]; };

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, u32);
  __type(value, struct seen);
} seen SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int who(void *ctx)
{
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  struct seen s = {};
  u32 tgid = task->tgid;                       /* kernel memory: read with bpf_probe_read_kernel */
  s.tgid = tgid;
  s.ppid = task->real_parent->tgid;            /* a chain of kernel pointers */
  s.start = task->start_time;
  for (int i = 0; i < 16; i++) s.comm[i] = task->comm[i];
  bpf_map_update_elem(&seen, &tgid, &s, BPF_ANY);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

test('kernel pointer chains in a tracepoint program read the right values (implicit probe reads)', { skip, timeout: 30000 }, () => {
  const spec = compileObject(PARENT, { filename: 'parent.c', btf: Btf.vmlinux(), isaV4: features.haveIsaV4(), jmp32: features.haveJmp32() });
  using obj = loadObject(spec);
  using wl = new Workload();
  let pid: number;
  {
    using _l = attachTracepoint(obj.program('who'), 'syscalls:sys_enter_getppid');
    pid = wl.runSync(3).pid;
  }
  const key = Buffer.alloc(4);
  key.writeUInt32LE(pid);
  const v = obj.map<HashTable>('seen').get(key);
  assert.ok(v, 'no entry for the workload');
  assert.equal(v.readUInt32LE(0), pid);
  assert.equal(v.readUInt32LE(4), process.pid, 'task->real_parent->tgid is the test process');
  assert.ok(v.readBigUInt64LE(8) > 0n, 'task->start_time');
  assert.equal(v.toString('latin1', 16, 32).replace(/\0.*$/s, ''), wl.comm);
});

test('a verifier rejection names the C line it stopped at (line_info from tsbcc)', { skip }, () => {
  const src = `
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
SEC("tracepoint/syscalls/sys_enter_getppid")
int bad(void *ctx)
{
  u64 id = bpf_get_current_pid_tgid();
  char *p = (char *)id;
  u64 v = 0;
  bpf_probe_read_kernel(&v, sizeof(v), p);
  return *(char *)&v + ((char *)ctx)[id & 0xffff];
}
char LICENSE[] SEC("license") = "GPL";
`;
  const spec = compileObject(src, { filename: 'bad.c', btf: Btf.vmlinux(), isaV4: features.haveIsaV4(), jmp32: features.haveJmp32() });
  let err: unknown;
  try { loadObject(spec).close(); } catch (e) { err = e; }
  assert.ok(err instanceof VerifierError, String(err));
  assert.deepEqual(err.source, { file: 'bad.c', line: 11, text: 'return *(char *)&v + ((char *)ctx)[id & 0xffff];' });
  assert.match(err.message, /\n  at bad\.c:11: return \*\(char \*\)&v/);
  assert.match(err.log, /; u64 id = bpf_get_current_pid_tgid\(\); @ bad\.c:7/);
});

const STRINGS = `
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>

struct out { char a[8]; char b[4]; u32 n; u32 same; };

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, u32);
  __type(value, struct out);
} outm SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int strs(void *ctx)
{
  u32 k = 0;
  struct out o = {};
  const char *greeting = "hi there";
  for (int i = 0; i < 8; i++) o.a[i] = greeting[i];
  __builtin_memcpy(o.b, "xyz", 4);
  o.n = sizeof("four");
  o.same = "hi there" == greeting;   /* identical literals share storage, as with clang */
  bpf_map_update_elem(&outm, &k, &o, BPF_ANY);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

test('string literals as values live in a read-only section map and read back right', { skip, timeout: 30000 }, () => {
  const spec = compileObject(STRINGS, { filename: 'strings.c', btf: Btf.vmlinux(), isaV4: features.haveIsaV4(), jmp32: features.haveJmp32() });
  const sec = spec.maps.find((m) => m.name === '.rodata.str1.1');
  assert.ok(sec?.freeze && sec.initial, 'a frozen .rodata.str1.1 map holds the literals');
  assert.equal(sec.initial.toString('latin1').split('\0').filter(Boolean).join('|'), 'hi there|xyz');
  using wl = new Workload();
  using obj = loadObject(spec);
  {
    using _l = attachTracepoint(obj.program('strs'), 'syscalls:sys_enter_getppid');
    wl.runSync(1);
  }
  const v = obj.map<HashTable>('outm').get(Buffer.alloc(4))!;
  assert.equal(v.subarray(0, 8).toString('latin1'), 'hi there');
  assert.equal(v.subarray(8, 12).toString('latin1'), 'xyz\0');
  assert.equal(v.readUInt32LE(12), 5);
  assert.equal(v.readUInt32LE(16), 1);
});

const SUBPROGRAMS = `
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 4);
  __type(key, u32);
  __type(value, u64);
} acc SEC(".maps");

struct pair { u64 a; u32 b; };

static __noinline u64 mix(u64 a, u64 b) { return a * 31 + b; }
static __noinline int bump(u64 *slot, u64 by) { if (!slot) return -1; *slot += by; return 0; }
static __noinline u64 sum(struct pair *p) { return p->a + p->b; }
static __noinline int neg(int x) { return -x; }

SEC("tracepoint/syscalls/sys_enter_getppid")
int subs(void *ctx)
{
  u32 k = 0;
  u64 *v = bpf_map_lookup_elem(&acc, &k);
  if (!v) return 0;
  bump(v, mix(2, 3));                       /* a map value pointer into a subprogram: += 65 */
  struct pair p = { .a = 1000, .b = 7 };
  k = 1;
  u64 *w = bpf_map_lookup_elem(&acc, &k);
  if (w) *w = sum(&p) + mix(1, 1);           /* a pointer to the caller's stack: 1007 + 32 */
  k = 2;
  u64 *x = bpf_map_lookup_elem(&acc, &k);
  if (x) *x = (u64)(s64)neg(5);              /* a signed int result comes back sign-extended */
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

test('__noinline functions become BPF-to-BPF calls that the verifier accepts and that compute right', { skip, timeout: 30000 }, () => {
  const spec = compileObject(SUBPROGRAMS, { filename: 'subs.c', btf: Btf.vmlinux(), isaV4: features.haveIsaV4(), jmp32: features.haveJmp32() });
  const prog = spec.programs.find((p) => p.name === 'subs')!;
  // Four subprograms after the program, each called through a pseudo call (src_reg 1).
  assert.equal(prog.insns.filter((i) => i.code === 0x85 && i.src === 1).length, 5);
  assert.equal(prog.funcInfo!.length, 5 * 8, 'one func_info record per function');
  using wl = new Workload();
  using obj = loadObject(spec);
  {
    using _l = attachTracepoint(obj.program('subs'), 'syscalls:sys_enter_getppid');
    wl.runSync(3);
  }
  const acc = obj.map<HashTable>('acc');
  const at = (k: number) => acc.get(Buffer.from([k, 0, 0, 0]))!.readBigUInt64LE(0);
  const calls = at(0) / 65n;
  assert.ok(calls >= 3n && at(0) % 65n === 0n, `acc[0] = ${at(0)}`);
  assert.equal(at(1), 1039n);
  assert.equal(at(2), BigInt.asUintN(64, -5n));
});

test('a helper the program type may not call is a located error, decided by probing the kernel', { skip }, () => {
  const src = `
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
SEC("tracepoint/syscalls/sys_enter_getppid")
int t(void *ctx)
{
  char buf[4];
  bpf_get_current_comm(buf, sizeof(buf));
  return bpf_skb_load_bytes(ctx, 0, buf, 4);
}
char LICENSE[] SEC("license") = "GPL";
`;
  const opts = { filename: 'helpers.c', btf: Btf.vmlinux(), helperAvailable: features.haveHelper };
  assert.throws(() => compileObject(src, opts), (e: unknown) => {
    const d = (e as { diagnostics: { message: string; loc?: { offset: number } }[] }).diagnostics;
    assert.equal(d.length, 1);
    assert.match(d[0]!.message, /^bpf_skb_load_bytes\(\) is not available to tracepoint programs on this kernel/);
    assert.equal(src.slice(d[0]!.loc!.offset).split('\n')[0], 'return bpf_skb_load_bytes(ctx, 0, buf, 4);');
    return true;
  });
  // The same call is fine in a socket filter.
  compileObject(src.replace('SEC("tracepoint/syscalls/sys_enter_getppid")', 'SEC("socket")').replace('bpf_get_current_comm(buf, sizeof(buf));', ''), opts);
});

test('static locals keep their value across runs (they live in .bss/.data like globals)', { skip, timeout: 30000 }, () => {
  const src = `
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, u32); __type(value, u64); } last SEC(".maps");
SEC("tracepoint/syscalls/sys_enter_getppid")
int tick(void *ctx)
{
  static u64 calls;
  static u64 weights[4] = { 1, 10, 100, 1000 };
  static u64 sum;
  u32 k = 0;
  char comm[16];
  bpf_get_current_comm(comm, sizeof(comm));
  for (int i = 0; i < 16; i++)
    if (comm[i] != COMM[i]) return 0;
  calls++;
  sum += weights[calls & 3];
  bpf_map_update_elem(&last, &k, &sum, BPF_ANY);
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;
  using wl = new Workload();
  const N = 6;
  const spec = compileObject(src, { filename: 'statics.c', btf: Btf.vmlinux(), defines: { COMM: JSON.stringify(wl.comm) } });
  using obj = loadObject(spec);
  {
    using _l = attachTracepoint(obj.program('tick'), 'syscalls:sys_enter_getppid');
    wl.runSync(N);
  }
  let want = 0n;
  for (let i = 1n; i <= BigInt(N); i++) want += [1n, 10n, 100n, 1000n][Number(i & 3n)]!;
  assert.equal(obj.map<HashTable>('last').get(Buffer.alloc(4))!.readBigUInt64LE(0), want);
});
