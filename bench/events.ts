// Benchmark: how fast do events get from a BPF program to a JavaScript callback?
//
// A C workload (test/fixtures/syscall_loop.c) calls getppid(2) N times as fast as it can; a
// program on syscalls:sys_enter_getppid emits a 24-byte event per call, filtered to the
// workload's pid so that nothing else on the machine is counted. For each reader this prints the
// events per second delivered to a callback, the events lost (as the reader counted them) and
// those lost silently (N - received - lost), and the slowdown of the traced program (its ns per
// call traced over untraced, both measured right after each other in this run). BCC's Python API
// runs on the same workload as the reference, when it is installed.
//
//   npm run bench        (= tsc -p . && node dist/bench/events.js)
//   node dist/bench/events.js [--n 2000000] [--json] [--only REGEX] [--no-bcc] [--runs K] [--stats] [--experiments]
//   node --cpu-prof dist/bench/events.js --only 'perf default' --no-bcc     (profile one reader)
//
// BCC needs python3-bpfcc, kernel headers and /lib/modules/$(uname -r)/{build,source}; without
// them the benchmark prints "BCC: not available (reason)" and carries on.
import { parseArgs } from 'node:util';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Assembler, R0, R1, R2, R3, R4, R5, R6, R7, R8, R10 } from '../src/isa/asm.js';
import { loadProgram } from '../src/load/index.js';
import { createMap, type ArrayTable, type PerCpuTable, type PerfEventArray, type RingBufMap } from '../src/maps/index.js';
import { attachTracepoint } from '../src/attach/index.js';
import { PerfBuffer, RingBuffer, type PerfBufferOptions, type RingBufferOptions } from '../src/events/index.js';
import { bpf, native, numPossibleCpus, StatsType } from '../src/sys/index.js';
import { workloadBinary } from '../test/fixtures/workload.js';

const TRACEPOINT = 'syscalls:sys_enter_getppid';
const EVENT_SIZE = 24; // { u32 pid; u32 tgid; u64 ktime_ns; u64 syscall_nr }
const BPF_F_CURRENT_CPU = 0xffffffffn;
const BPF_RB_NO_WAKEUP = 1;

// ---------------------------------------------------------------------------------------------
// The workload, started in two steps so that its pid is known (and the filter set) before its
// first getppid: `sh` prints a line, waits for one on stdin, then execs the workload (same pid).

interface Workload { pid: number; nsPerCall: number }
interface Launched { pid: number; go(): void; kill(): void; done: Promise<Workload> }

function launch(n: number): Promise<Launched> {
  const child: ChildProcess = spawn('/bin/sh', ['-c', 'echo ready; read go; exec "$0" "$1"', workloadBinary(), String(n)],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolveLaunch, rejectLaunch) => {
    let out = '';
    let ready = false;
    let resolveDone!: (w: Workload) => void, rejectDone!: (e: Error) => void;
    const done = new Promise<Workload>((res, rej) => { resolveDone = res; rejectDone = rej; });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (!ready && out.includes('ready\n')) {
        ready = true;
        out = out.slice(out.indexOf('ready\n') + 6);
        resolveLaunch({ pid: child.pid!, go: () => child.stdin!.end('go\n'), kill: () => child.kill(), done });
      }
    });
    child.on('error', (e) => { rejectLaunch(e); rejectDone(e); });
    child.on('close', (code) => {
      if (code !== 0 || !ready) {
        const e = new Error(`workload exited with ${code}`);
        rejectLaunch(e);
        return rejectDone(e);
      }
      const [pid, ns] = out.trim().split(' ');
      if (Number(pid) !== child.pid) return rejectDone(new Error(`workload pid ${pid}, expected ${child.pid}`));
      resolveDone({ pid: Number(pid), nsPerCall: Number(ns) });
    });
  });
}

async function untraced(n: number): Promise<number> {
  const w = await launch(n);
  w.go();
  return (await w.done).nsPerCall;
}

// ---------------------------------------------------------------------------------------------
// The programs, hand-assembled. All start the same way: leave unless the caller's tgid is the one
// in target[0]; then build the event at fp-24 and emit it (or just count, for the baseline).

type Emit = (a: Assembler) => void;

function program(target: ArrayTable, emit: Emit | 'count', counter?: PerCpuTable) {
  const a = new Assembler();
  a.mov64(R6, R1)
    .st('w', R10, -4, 0)
    .ldMapFd(R1, target.fd)
    .mov64(R2, R10).alu64Imm('add', R2, -4)
    .call('map_lookup_elem')
    .jmpImm('jeq', R0, 0, 'out')
    .ldx('w', R7, R0, 0)
    .call('get_current_pid_tgid')
    .mov64(R8, R0).alu64Imm('rsh', R8, 32)
    .jmp('jne', R8, R7, 'out');
  if (emit === 'count') {
    bump(a, counter!);
  } else {
    a.stx('dw', R10, R0, -24) // pid in the low half, tgid in the high half
      .call('ktime_get_ns')
      .stx('dw', R10, R0, -16)
      .ldx('w', R1, R6, 8) // int __syscall_nr
      .stx('dw', R10, R1, -8);
    emit(a);
  }
  a.label('out').mov64Imm(R0, 0).exit();
  return a.assemble();
}

/** counter[0] += 1 (a PERCPU_ARRAY of u64). */
function bump(a: Assembler, counter: PerCpuTable): void {
  a.st('w', R10, -28, 0)
    .ldMapFd(R1, counter.fd)
    .mov64(R2, R10).alu64Imm('add', R2, -28)
    .call('map_lookup_elem')
    .jmpImm('jeq', R0, 0, 'out')
    .mov64Imm(R1, 1)
    .atomic('add', 'dw', R0, R1, 0);
}

const perfOutput = (events: PerfEventArray): Emit => (a) => {
  a.mov64(R1, R6)
    .ldMapFd(R2, events.fd)
    .ld64Imm(R3, BPF_F_CURRENT_CPU)
    .mov64(R4, R10).alu64Imm('add', R4, -EVENT_SIZE)
    .mov64Imm(R5, EVENT_SIZE)
    .call('perf_event_output');
};

/** ringbuf_output(rb, &event, 24, flags); on failure lost[0] += 1. */
const ringOutput = (rb: RingBufMap, flags: number, lost: PerCpuTable): Emit => (a) => {
  a.ldMapFd(R1, rb.fd)
    .mov64(R2, R10).alu64Imm('add', R2, -EVENT_SIZE)
    .mov64Imm(R3, EVENT_SIZE)
    .mov64Imm(R4, flags)
    .call('ringbuf_output')
    .jmpImm('jeq', R0, 0, 'out');
  bump(a, lost);
};

// ---------------------------------------------------------------------------------------------
// Measuring one reader.

interface Result {
  reader: string;
  impl: 'tsbcc' | 'bcc';
  n: number;
  received: number;
  lost: number;
  /** N - received - lost: events that vanished without being counted anywhere. */
  silent: number;
  /** Events that reached the callback but were not from the workload (should be 0). */
  foreign: number;
  eventsPerSec: number;
  seconds: number;
  nsPerCallUntraced: number;
  nsPerCallTraced: number;
  slowdown: number;
  /** CPU time of the reading process per event delivered, in ns. */
  readerCpuNsPerEvent: number;
  /** Drains that delivered at least one event (wakeups or timer ticks with work), when known. */
  batches?: number;
  /** Average run time of the BPF program in ns (with --stats only; stats add their own cost). */
  progNsPerRun?: number;
  note?: string;
}

interface Reader {
  received(): number;
  lost(): number;
  foreign(): number;
  poll(): void;
  close(): void;
  batches?(): number;
}

interface Config {
  name: string;
  note: string;
  setup(target: ArrayTable, n: number): { insns: ReturnType<typeof program>; open(pid: () => number): Reader; close(): void };
}

const percpuCounter = (name: string) =>
  createMap({ type: 'PERCPU_ARRAY', keySize: 4, valueSize: 8, maxEntries: 1, name }) as PerCpuTable;

/**
 * Count drains that delivered something, by wrapping the reader's drain method (a private one:
 * the watcher and timer call it through \`this\`, so the wrapper sees every call). Diagnostic only.
 */
function countBatches(obj: object, method: string): () => number {
  const o = obj as Record<string, unknown>;
  const orig = o[method];
  if (typeof orig !== 'function') return () => NaN;
  let batches = 0;
  o[method] = function (this: unknown, ...args: unknown[]) {
    const k = (orig as (...a: unknown[]) => number).apply(this, args);
    if (k > 0) batches++;
    return k;
  };
  return () => batches;
}

/** The callback every reader gets: count, and check the event is the workload's. */
function counter(pid: () => number) {
  const c = { received: 0, foreign: 0, cb: (data: Buffer) => {} };
  c.cb = (data: Buffer) => {
    c.received++;
    if (data.readUInt32LE(4) !== pid()) c.foreign++;
  };
  return c;
}

function perfConfig(name: string, note: string, opts: PerfBufferOptions): Config {
  return {
    name, note,
    setup(target) {
      const events = createMap({ type: 'PERF_EVENT_ARRAY', keySize: 4, valueSize: 4, maxEntries: numPossibleCpus(), name: 'events' }) as PerfEventArray;
      return {
        insns: program(target, perfOutput(events)),
        open(pid) {
          const c = counter(pid);
          const pb = new PerfBuffer(events, c.cb, opts);
          const batches = countBatches(pb, 'drainRing');
          return { received: () => pb.received, lost: () => pb.lost, foreign: () => c.foreign, poll: () => pb.poll(), close: () => pb.close(), batches };
        },
        close: () => events.close(),
      };
    },
  };
}

function ringConfig(name: string, note: string, size: number, flags: number, opts: RingBufferOptions = {}): Config {
  return {
    name, note,
    setup(target) {
      const rb = createMap({ type: 'RINGBUF', keySize: 0, valueSize: 0, maxEntries: size, name: 'rb' }) as RingBufMap;
      const lost = percpuCounter('rb_lost');
      return {
        insns: program(target, ringOutput(rb, flags, lost)),
        open(pid) {
          const c = counter(pid);
          const r = new RingBuffer(rb, c.cb, { lostCounter: lost, ...opts });
          const batches = countBatches(r, 'poll');
          return {
            received: () => r.received, lost: () => r.lost, foreign: () => c.foreign, poll: () => r.poll(),
            close: () => r.close(), batches,
          };
        },
        close: () => { rb.close(); lost.close(); },
      };
    },
  };
}

const baseline: Config = {
  name: 'baseline (count only)', note: 'program attached, filters and counts in a per-CPU array, emits nothing',
  setup(target) {
    const count = percpuCounter('count');
    return {
      insns: program(target, 'count', count),
      open: () => ({
        received: () => Number(count.sum(0)), lost: () => 0, foreign: () => 0, poll: () => {}, close: () => {},
      }),
      close: () => count.close(),
    };
  },
};

/** Extra configurations for investigating costs (--experiments). */
const EXPERIMENTS: Config[] = [
  perfConfig('perf 1024 pages wm 3/4', '4 MiB/CPU, wakeup at 3/4 full: as few wakeups as the perf ring allows', { pageCount: 1024, wakeupBytes: 3 << 20 }),
  perfConfig('perf 64 pages', '64 pages/CPU (256 KiB), wakeup at 1/4 full', { pageCount: 64 }),
  ringConfig('ringbuf 4 MiB no delay', 'flags 0, drained the moment the kernel wakes the reader', 4 << 20, 0, { wakeupDelayMs: 0 }),
  ringConfig('ringbuf 16 MiB NO_WAKEUP', 'BPF_RB_NO_WAKEUP, 16 MiB, drained by a 50 ms timer', 16 << 20, BPF_RB_NO_WAKEUP, { flushIntervalMs: 50 }),
];

const CONFIGS: Config[] = [
  baseline,
  perfConfig('perf default', 'PerfBuffer defaults: 256 pages/CPU, wakeup at 1/4 full, 50 ms flush', {}),
  perfConfig('perf wakeupEvents=1', 'BCC-like: a wakeup per event, 64 pages/CPU', { wakeupEvents: 1, pageCount: 64 }),
  ringConfig('ringbuf 4 MiB', 'RINGBUF 4 MiB, flags 0, RingBuffer defaults (drain 1 ms after a wakeup)', 4 << 20, 0),
  ringConfig('ringbuf 256 KiB', 'RINGBUF 256 KiB, flags 0, RingBuffer defaults', 256 << 10, 0),
  ringConfig('ringbuf 4 MiB NO_WAKEUP', 'BPF_RB_NO_WAKEUP, drained by a 10 ms timer', 4 << 20, BPF_RB_NO_WAKEUP, { flushIntervalMs: 10 }),
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => Number(process.hrtime.bigint()); // CLOCK_MONOTONIC, ns

async function measure(cfg: Config, n: number): Promise<Result> {
  const nsUntraced = await untraced(n);
  const target = createMap({ type: 'ARRAY', keySize: 4, valueSize: 4, maxEntries: 1, name: 'target' }) as ArrayTable;
  const s = cfg.setup(target, n);
  const prog = loadProgram({ type: 'TRACEPOINT', insns: s.insns, name: 'bench_getppid' });
  let pid = 0;
  const reader = s.open(() => pid);
  const link = attachTracepoint(prog, TRACEPOINT);
  let w: Launched | undefined;
  try {
    w = await launch(n);
    pid = w.pid;
    const v = Buffer.alloc(4);
    v.writeUInt32LE(pid);
    target.set(0, v);
    const cpu0 = process.cpuUsage();
    const t0 = now();
    w.go();
    let finished = false;
    const done = w.done.then((r) => { finished = true; return r; });
    // Watch progress at ~1 ms granularity: the time of the last event is when the count last moved.
    let last = 0, tLast = t0, polledAfter = false;
    for (;;) {
      await sleep(1);
      const got = reader.received() + reader.lost();
      const t = now();
      if (got !== last) { last = got; tLast = t; }
      if (!finished) continue;
      if (!polledAfter) { reader.poll(); polledAfter = true; continue; }
      if (got >= n) break;
      if (t - tLast > 500e6) break; // nothing for 0.5 s: the rest is not coming
    }
    const cpu = process.cpuUsage(cpu0);
    const traced = (await done).nsPerCall;
    const info = prog.info();
    const received = reader.received(), lost = reader.lost();
    const seconds = (tLast - t0) / 1e9;
    return {
      reader: cfg.name, impl: 'tsbcc', n, received, lost, silent: n - received - lost, foreign: reader.foreign(),
      eventsPerSec: received / seconds, seconds,
      nsPerCallUntraced: nsUntraced, nsPerCallTraced: traced, slowdown: traced / nsUntraced,
      readerCpuNsPerEvent: received ? ((cpu.user + cpu.system) * 1e3) / received : 0,
      batches: reader.batches?.(),
      progNsPerRun: info.runCnt ? Number(info.runTimeNs) / Number(info.runCnt) : undefined,
      note: cfg.note,
    };
  } finally {
    w?.kill(); // a no-op once it has exited
    link.close();
    reader.close();
    prog.close();
    s.close();
    target.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The reference: BCC's Python API, in its own process, reading while we run the workload.

const PYTHON = '/usr/bin/python3';

const BCC_SCRIPT = String.raw`
import json, signal, sys, time
from bcc import BPF
mode, pages = sys.argv[1], int(sys.argv[2])
out = 'BPF_PERF_OUTPUT(events);' if mode == 'perf' else 'BPF_RINGBUF_OUTPUT(events, %d);' % pages
emit = 'events.perf_submit(args, &e, sizeof(e));' if mode == 'perf' else 'events.ringbuf_output(&e, sizeof(e), 0);'
b = BPF(text='''
struct event { u32 pid; u32 tgid; u64 ts; u64 nr; };
BPF_ARRAY(target, u32, 1);
%s
TRACEPOINT_PROBE(syscalls, sys_enter_getppid) {
  int k = 0;
  u32 *t = target.lookup(&k);
  if (!t) return 0;
  u64 id = bpf_get_current_pid_tgid();
  if ((id >> 32) != *t) return 0;
  struct event e = {};
  e.pid = id; e.tgid = id >> 32; e.ts = bpf_ktime_get_ns(); e.nr = args->__syscall_nr;
  %s
  return 0;
}
''' % (out, emit))
st = {'received': 0, 'lost': 0, 'last': 0}
def on_perf(cpu, data, size):
    st['received'] += 1
    st['last'] = time.monotonic_ns()
def on_ring(ctx, data, size):
    st['received'] += 1
    st['last'] = time.monotonic_ns()
def on_lost(n):
    st['lost'] += n
if mode == 'perf':
    b['events'].open_perf_buffer(on_perf, page_cnt=pages, lost_cb=on_lost)
    poll, consume = b.perf_buffer_poll, b.perf_buffer_consume
else:
    b['events'].open_ring_buffer(on_ring)
    poll, consume = b.ring_buffer_poll, b.ring_buffer_consume
stop = []
signal.signal(signal.SIGUSR1, lambda *a: stop.append(1))
print('ready', flush=True)
pid = int(sys.stdin.readline())
b['target'][b['target'].Key(0)] = b['target'].Leaf(pid)
cpu0 = time.process_time()
print('armed', flush=True)
while not stop:
    poll(100)
while True:
    before = st['received'] + st['lost']
    consume()
    if st['received'] + st['lost'] == before: break
st['cpu'] = time.process_time() - cpu0
print(json.dumps(st), flush=True)
`;

/** Why BCC can't run here, or undefined when it can. */
function bccUnavailable(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import bcc'], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) return `python3 cannot import bcc (${(r.stderr || r.error?.message || '').trim().split('\n').pop()}); apt-get install python3-bpfcc`;
  const p = spawnSync(PYTHON, ['-c', `from bcc import BPF\nBPF(text='int f(void *c) { return 0; }')`], { encoding: 'utf8', timeout: 60_000 });
  if (p.status !== 0) {
    const lines = (p.stderr || '').split('\n').map((l) => l.trim()).filter(Boolean);
    const why = lines.find((l) => /kernel headers|fatal error/i.test(l)) ?? lines.pop() ?? `exit ${p.status}`;
    return `BCC cannot compile a program: ${why.trim()} (needs linux-headers and /lib/modules/$(uname -r)/build)`;
  }
  return undefined;
}

/** Lines from a child's stdout, one at a time. */
function lineReader(child: ChildProcess, timeoutMs: number): () => Promise<string> {
  const lines: string[] = [];
  const waiting: ((l: string) => void)[] = [];
  let buf = '', closed = false;
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w(l); else lines.push(l);
    }
  });
  child.on('close', () => { closed = true; for (const w of waiting.splice(0)) w(''); });
  return () => {
    if (lines.length) return Promise.resolve(lines.shift()!);
    if (closed) return Promise.resolve('');
    return new Promise((resolve) => {
      const timer = setTimeout(() => { waiting.splice(waiting.indexOf(done), 1); resolve(''); }, timeoutMs);
      const done = (l: string) => { clearTimeout(timer); resolve(l); };
      waiting.push(done);
    });
  };
}

async function measureBcc(name: string, mode: 'perf' | 'ringbuf', pages: number, n: number, note: string): Promise<Result> {
  const nsUntraced = await untraced(n);
  const py = spawn(PYTHON, ['-c', BCC_SCRIPT, mode, String(pages)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  py.stderr!.on('data', (d) => (stderr += d));
  const next = lineReader(py, 120_000);
  let w: Launched | undefined;
  try {
    if ((await next()) !== 'ready') throw new Error(`BCC script failed: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    w = await launch(n);
    py.stdin!.write(`${w.pid}\n`);
    if ((await next()) !== 'armed') throw new Error(`BCC script failed: ${stderr.trim()}`);
    const t0 = now();
    w.go();
    const traced = (await w.done).nsPerCall;
    py.kill('SIGUSR1');
    const line = await next();
    if (!line.startsWith('{')) throw new Error(`BCC script gave no result: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const st = JSON.parse(line) as { received: number; lost: number; last: number; cpu: number };
    const seconds = (st.last - t0) / 1e9;
    return {
      reader: name, impl: 'bcc', n, received: st.received, lost: st.lost, silent: n - st.received - st.lost, foreign: 0,
      eventsPerSec: st.received / seconds, seconds,
      nsPerCallUntraced: nsUntraced, nsPerCallTraced: traced, slowdown: traced / nsUntraced,
      readerCpuNsPerEvent: st.received ? (st.cpu * 1e9) / st.received : 0, note,
    };
  } finally {
    w?.kill();
    py.kill();
  }
}

// ---------------------------------------------------------------------------------------------
// Output.

const fmtInt = (x: number) => Math.round(x).toLocaleString('en-US');
const fmtRate = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(0)}k`);

function table(results: Result[]): string {
  const stats = results.some((r) => r.progNsPerRun !== undefined);
  const head = ['reader', 'events/s', 'received', 'lost', 'silent', 'recv+lost==N', 'ns/call untraced', 'traced', 'slowdown',
    'reader CPU ns/ev', 'ev/drain', ...(stats ? ['prog ns/run'] : [])];
  const rows = results.map((r) => [
    `${r.impl === 'bcc' ? 'BCC ' : ''}${r.reader}`, r.reader.startsWith('baseline') ? '-' : fmtRate(r.eventsPerSec),
    fmtInt(r.received), fmtInt(r.lost), fmtInt(r.silent), r.silent === 0 && r.foreign === 0 ? 'yes' : `NO${r.foreign ? ` (${r.foreign} foreign)` : ''}`,
    r.nsPerCallUntraced.toFixed(1), r.nsPerCallTraced.toFixed(1), `${r.slowdown.toFixed(2)}x`,
    r.reader.startsWith('baseline') ? '-' : r.readerCpuNsPerEvent.toFixed(0),
    r.batches ? (r.received / r.batches).toFixed(0) : '-',
    ...(stats ? [r.progNsPerRun?.toFixed(0) ?? '-'] : []),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}

function median(xs: Result[]): Result {
  const s = [...xs].sort((a, b) => a.eventsPerSec - b.eventsPerSec);
  return s[Math.floor((s.length - 1) / 2)]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', short: 'n', default: '2000000' },
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
      'no-bcc': { type: 'boolean', default: false },
      runs: { type: 'string', default: '1' },
      stats: { type: 'boolean', default: false },
      experiments: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(`usage: node dist/bench/events.js [options]
  -n, --n N        getppid calls per measurement (default 2000000)
  --json           print the results as JSON
  --only REGEX     only the readers whose name matches (BCC ones match 'bcc' too)
  --no-bcc         skip the BCC reference
  --runs K         run each reader K times and keep the median by events/s (default 1)
  --stats          enable BPF run-time stats and show the program's ns per run (adds its own cost)
  --experiments    also run the extra configurations used to investigate costs`);
    return;
  }
  const n = Number(values.n);
  const runs = Number(values.runs);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--n must be a positive integer, not ${values.n}`);
  if (process.getuid?.() !== 0) throw new Error('this benchmark needs root (bpf, tracepoints)');
  const only = values.only ? new RegExp(values.only, 'i') : undefined;
  const log = (s: string) => { if (!values.json) console.log(s); };
  const results: Result[] = [];
  const once = async (name: string, f: () => Promise<Result>) => {
    const rs: Result[] = [];
    for (let i = 0; i < runs; i++) rs.push(await f());
    const r = median(rs);
    results.push(r);
    if (!values.json) process.stderr.write(`  ${r.impl} ${name}: ${fmtRate(r.eventsPerSec)} ev/s, lost ${r.lost}, silent ${r.silent}, slowdown ${r.slowdown.toFixed(2)}x\n`);
  };

  // Run-time stats cost two clock reads per program run: only on request, and they show in the slowdown.
  const statsFd = values.stats ? bpf.enableStats(StatsType.RUN_TIME) : undefined;
  log(`tsbcc events benchmark: ${fmtInt(n)} getppid calls on ${TRACEPOINT}, ${EVENT_SIZE}-byte events, ` +
    `${numPossibleCpus()} CPUs, load average ${loadavg()[0]!.toFixed(2)}, node ${process.version}`);
  for (const cfg of values.experiments ? [...CONFIGS, ...EXPERIMENTS] : CONFIGS) {
    if (!only || only.test(cfg.name)) await once(cfg.name, () => measure(cfg, n));
  }

  let bcc: string | undefined = values['no-bcc'] ? 'disabled by --no-bcc' : bccUnavailable();
  const bccRuns: [string, 'perf' | 'ringbuf', number, string][] = [
    ['perf_buffer page_cnt=64', 'perf', 64, 'BPF_PERF_OUTPUT, open_perf_buffer(page_cnt=64), perf_buffer_poll'],
    ['ring_buffer 4 MiB', 'ringbuf', 1024, 'BPF_RINGBUF_OUTPUT(events, 1024), ring_buffer_poll'],
  ];
  if (!bcc) {
    for (const [name, mode, pages, note] of bccRuns) {
      if (only && !only.test(name) && !only.test('bcc')) continue;
      try {
        await once(name, () => measureBcc(name, mode, pages, n, note));
      } catch (e) {
        bcc = (e as Error).message;
        break;
      }
    }
  }

  if (statsFd !== undefined) native.close(statsFd);
  if (values.json) {
    console.log(JSON.stringify({ n, cpus: numPossibleCpus(), node: process.version, bcc: bcc ?? 'available', results }, null, 2));
    return;
  }
  console.log();
  console.log(table(results));
  const un = results.map((r) => r.nsPerCallUntraced);
  if (un.length > 1 && Math.max(...un) > 1.3 * Math.min(...un)) {
    console.log(`\nWARNING: the untraced workload ran at ${Math.min(...un).toFixed(0)}..${Math.max(...un).toFixed(0)} ns/call: ` +
      'something else was using the CPUs or tracing syscalls (see bpftool prog, uptime); compare rows with care.');
  }
  console.log();
  console.log('  lost: drops the reader reported; silent: N - received - lost, drops nobody counted;');
  console.log('  slowdown: the workload\'s ns per getppid traced / untraced (untraced measured just before);');
  console.log('  reader CPU: CPU time of the reading process (all its threads) per event; ev/drain: events per drain that found work.');
  for (const r of results) if (r.note) console.log(`  ${r.impl === 'bcc' ? 'BCC ' : ''}${r.reader}: ${r.note}`);
  console.log();
  if (bcc) console.log(`BCC: not available (${bcc})`);
  const bccOf = (r: Result) => results.find((x) => x.impl === 'bcc' && x.reader.slice(0, 4) === r.reader.slice(0, 4));
  const tsbccRuns = results.filter((r) => r.impl === 'tsbcc' && !r.reader.startsWith('baseline'));
  const w = Math.max(0, ...tsbccRuns.map((r) => r.reader.length));
  for (const t of tsbccRuns) {
    const b = bccOf(t);
    if (!b) continue;
    console.log(`tsbcc ${t.reader.padEnd(w)} vs BCC ${b.reader}: ${(t.eventsPerSec / b.eventsPerSec).toFixed(1)}x the events/s, ` +
      `slowdown ${t.slowdown.toFixed(2)}x vs ${b.slowdown.toFixed(2)}x, uncounted losses ${t.silent} vs ${b.silent}`);
  }
  console.log();
  for (const r of tsbccRuns) {
    const miss = [r.eventsPerSec < 1e6 && 'events/s < 1M', r.silent !== 0 && 'silent losses', r.slowdown > 3 && 'slowdown > 3x'].filter(Boolean);
    console.log(`target (>= 1M ev/s, every drop counted, slowdown <= 3x) ${r.reader.padEnd(w)}: ${miss.length ? `MISSED (${miss.join(', ')})` : 'met'}`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
