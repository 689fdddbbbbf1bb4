// Kprobes on a kernel that has them (run in a QEMU guest with Debian's kernel, see test/vm/):
// kprobe and kretprobe count exact calls of a syscall's kernel function made by a child, with its
// return value; a regex attaches to several functions; the tracefs fallback counts the same and
// removes its events; kprobe_multi when the kernel has it. Skips itself where there are no kprobes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { Assembler, R0, R1, R2, R6, R7, R10 } from '../../src/isa/asm.js';
import { loadProgram } from '../../src/load/index.js';
import { createMap, type ArrayTable } from '../../src/maps/index.js';
import { attachKprobe, attachKretprobe, attachKprobeMulti, haveKprobeMulti, getSyscallFnname, numOpenKprobes,
  listProbeEvents, PROBE_GROUP } from '../../src/attach/index.js';
import { pendingCleanups } from '../../src/attach/cleanup.js';
import { bpf, tracefsPath } from '../../src/sys/index.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Workload } from '../fixtures/workload.js';
import { commFilter } from '../fixtures/programs.js';

const skip = (process.getuid?.() !== 0 && 'needs root') ||
  (!existsSync('/sys/bus/event_source/devices/kprobe') && 'no kprobes in this kernel (/sys/bus/event_source/devices/kprobe missing): run under test/vm');

/**
 * For tasks named `comm`: counts[0] += 1 and counts[1] += PT_REGS_RC(ctx) (rax, offset 80 in the
 * x86_64 pt_regs) — the return value in a kretprobe.
 */
function counter(countsFd: number, comm: string) {
  const a = new Assembler();
  a.mov64(R6, R1);
  commFilter(a, comm, 'out');
  const add = (k: number, label: string) =>
    a.st('w', R10, -4, k).ldMapFd(R1, countsFd).mov64(R2, R10).alu64Imm('add', R2, -4)
      .call('map_lookup_elem').jmpImm('jeq', R0, 0, label).atomic('add', 'dw', R0, R7, 0).label(label);
  a.mov64Imm(R7, 1);
  add(0, 'c0');
  a.ldx('dw', R7, R6, 80);
  add(1, 'c1');
  a.label('out').mov64Imm(R0, 0).exit();
  return loadProgram({ type: 'KPROBE', insns: a.assemble(), name: 'kcount', license: 'GPL' });
}

const N = 500;

function table() {
  return createMap({ type: 'ARRAY', keySize: 4, valueSize: 8, maxEntries: 2 }) as ArrayTable;
}
const read = (t: ArrayTable) => [0, 1].map((k) => t.get(k)!.readBigUInt64LE(0));

test('kprobe and kretprobe on the getppid syscall count every call and see its result', { skip, timeout: 600000 }, () => {
  const fn = getSyscallFnname('getppid');
  using wl = new Workload();
  using entry = table();
  using ret = table();
  using pe = counter(entry.fd, wl.comm);
  using pr = counter(ret.fd, wl.comm);
  const before = numOpenKprobes();
  {
    using k = attachKprobe(pe, fn);
    using r = attachKretprobe(pr, fn);
    assert.equal(k.kind, 'kprobe');
    assert.equal(r.kind, 'kretprobe');
    assert.equal(numOpenKprobes(), before + 2);
    wl.runSync(N);
  }
  assert.equal(numOpenKprobes(), before);
  assert.equal(read(entry)[0], BigInt(N));
  // getppid() returns the workload's parent: this process.
  assert.deepEqual(read(ret), [BigInt(N), BigInt(N) * BigInt(process.pid)]);
  wl.runSync(10); // detached
  assert.equal(read(entry)[0], BigInt(N));
});

/** counts[0] += 1 for calls made by process `tgid`. */
function tgidCounter(countsFd: number, tgid: number, multi = false) {
  const a = new Assembler();
  a.call('get_current_pid_tgid').alu64Imm('rsh', R0, 32).jmpImm('jne', R0, tgid, 'out')
    .st('w', R10, -4, 0).ldMapFd(R1, countsFd).mov64(R2, R10).alu64Imm('add', R2, -4)
    .call('map_lookup_elem').jmpImm('jeq', R0, 0, 'out').mov64Imm(R1, 1).atomic('add', 'dw', R0, R1, 0)
    .label('out').mov64Imm(R0, 0).exit();
  return loadProgram({ type: 'KPROBE', insns: a.assemble(), name: 'kcount_tgid', license: 'GPL',
    expectedAttachType: multi ? 'TRACE_KPROBE_MULTI' : undefined });
}

/** N read(2) calls by this process: each goes through ksys_read and vfs_read. */
function readNTimes(n: number): void {
  const fd = openSync('/proc/self/stat', 'r');
  const buf = Buffer.alloc(64);
  try {
    for (let i = 0; i < n; i++) readSync(fd, buf, 0, 64, null); // read(2), not pread64(2)
  } finally {
    closeSync(fd);
  }
}

test('eventRe attaches to every matching traceable function', { skip, timeout: 600000 }, () => {
  using counts = table();
  using p = tgidCounter(counts.fd, process.pid);
  {
    using l = attachKprobe(p, '', { eventRe: /^(ksys_read|vfs_read)$/ });
    assert.match(l.target, /\(2 functions\)$/);
    readNTimes(N);
  }
  // Both functions on every read; a few more reads by the runtime are tolerated.
  const n = read(counts)[0]!;
  assert.ok(n >= BigInt(2 * N) && n <= BigInt(2 * N) + 20n, `${n} calls for ${N} reads`);
});

test('the tracefs kprobe_events fallback counts the same and removes its events', { skip, timeout: 600000 }, () => {
  const fn = getSyscallFnname('getppid');
  using wl = new Workload();
  using entry = table();
  using ret = table();
  using pe = counter(entry.fd, wl.comm);
  using pr = counter(ret.fd, wl.comm);
  let mine: string[];
  {
    using _k = attachKprobe(pe, fn, { mechanism: 'tracefs' });
    using _r = attachKretprobe(pr, fn, { mechanism: 'tracefs', maxactive: 16 });
    mine = listProbeEvents('kprobe_events').filter((n) => n.includes(`_${process.pid}_`));
    assert.equal(mine.length, 2);
    assert.ok(existsSync(tracefsPath('events', PROBE_GROUP, mine[0]!, 'id')));
    assert.equal(pendingCleanups().filter((w) => w.startsWith('kprobe_events')).length, 2);
    wl.runSync(N);
  }
  assert.equal(read(entry)[0], BigInt(N));
  assert.deepEqual(read(ret), [BigInt(N), BigInt(N) * BigInt(process.pid)]);
  const left = listProbeEvents('kprobe_events');
  for (const n of mine) assert.ok(!left.includes(n), `${n} removed`);
  assert.equal(pendingCleanups().filter((w) => w.startsWith('kprobe_events')).length, 0);
});

test('kprobe_multi: one link for several functions', { skip: skip || (!haveKprobeMulti() && 'no kprobe_multi links in this kernel (built without CONFIG_FPROBE)'), timeout: 600000 }, () => {
  using counts = table();
  using p = tgidCounter(counts.fd, process.pid, true);
  {
    using l = attachKprobeMulti(p, ['ksys_read', 'vfs_read']);
    assert.equal(l.kind, 'kprobe_multi');
    readNTimes(N);
  }
  const n = read(counts)[0]!;
  assert.ok(n >= BigInt(2 * N) && n <= BigInt(2 * N) + 20n, `${n} calls for ${N} reads`);
});

test('errors on a kernel with kprobes are still one line', { skip, timeout: 600000 }, () => {
  using counts = table();
  using p = counter(counts.fd, 'nobody');
  assert.throws(() => attachKprobe(p, 'vfs_reed'), { message: /^no kernel function 'vfs_reed' \(not in \/proc\/kallsyms\); did you mean vfs_read/ });
});

test('SIGKILL: the PMU kprobe dies with its process; its tracefs kprobe event is swept by the next tracefs probe', { skip, timeout: 600000 }, async () => {
  const mod = (p: string) => JSON.stringify(new URL(p, import.meta.url).href);
  const script = `
    const { loadProgram } = await import(${mod('../../src/load/index.js')});
    const { attachKprobe, listProbeEvents } = await import(${mod('../../src/attach/index.js')});
    const { bpf } = await import(${mod('../../src/sys/index.js')});
    const prog = loadProgram({ type: 'KPROBE', insns: Buffer.from('b7000000000000009500000000000000', 'hex'), name: 'victim', license: 'GPL' });
    const pmu = attachKprobe(prog, 'vfs_read');
    attachKprobe(prog, 'vfs_write', { mechanism: 'tracefs' });
    const mine = listProbeEvents('kprobe_events').filter((n) => n.includes('_' + process.pid + '_'));
    console.log(bpf.linkInfo(pmu.allFds[0]).id + ' ' + mine.join(','));
    setInterval(() => {}, 1000);`;
  const c = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: c.stdout! }), 'line')) as [string];
  const [id, names] = line.split(' ');
  const event = names!;
  assert.ok([...bpf.linkIds()].includes(Number(id)));
  c.kill('SIGKILL');
  await once(c, 'exit');
  for (const end = Date.now() + 10000; [...bpf.linkIds()].includes(Number(id)) && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
  assert.ok(![...bpf.linkIds()].includes(Number(id)), 'the PMU kprobe link died with the process');
  assert.ok(listProbeEvents('kprobe_events').includes(event), 'the tracefs event outlives SIGKILL');
  using counts = table();
  using p = counter(counts.fd, 'nobody');
  {
    using _l = attachKprobe(p, 'vfs_read', { mechanism: 'tracefs' });
  }
  assert.ok(!listProbeEvents('kprobe_events').includes(event), `${event} swept`);
});
