// vfsreadlat, as BCC's examples/tracing/vfsreadlat.py: a histogram of read latency in
// microseconds, printed (and cleared) every INTERVAL seconds, COUNT times or until Ctrl-C.
//
//   sudo node dist/examples/tracing/vfsreadlat.js [--kprobe | --tracepoint] [INTERVAL [COUNT]]
//
// BCC times vfs_read with a kprobe at its entry and a kretprobe at its return, keyed by thread id.
// Where the kernel has no kprobes, the read(2) system call's tracepoints (syscalls:sys_enter_read,
// syscalls:sys_exit_read) time the same work from the system call's side: every read() goes through
// vfs_read; what differs is the kernel's own vfs_read calls (none of them seen there), and pread,
// readv and friends, which are other system calls.
import { setTimeout as sleep } from 'node:timers/promises';
import { BPF, type TypedTable } from '../../src/index.js';
import { chooseHook, fail, plainArgs, untilInterrupted } from '../lib/hooks.js';

const COMMON = `
BPF_HASH(start, u32);
BPF_HISTOGRAM(dist);

static void entry(void)
{
    u32 pid;
    u64 ts;

    pid = bpf_get_current_pid_tgid();
    ts = bpf_ktime_get_ns();
    start.update(&pid, &ts);
}

static void done(void)
{
    u32 pid;
    u64 *tsp, delta;

    pid = bpf_get_current_pid_tgid();
    tsp = start.lookup(&pid);

    if (tsp != 0) {
        delta = bpf_ktime_get_ns() - *tsp;
        dist.increment(bpf_log2l(delta / 1000));
        start.delete(&pid);
    }
}
`;

const KPROBE = `
#include <uapi/linux/ptrace.h>
${COMMON}
int do_entry(struct pt_regs *ctx) { entry(); return 0; }
int do_return(struct pt_regs *ctx) { done(); return 0; }
`;

const TRACEPOINT = `
${COMMON}
TRACEPOINT_PROBE(syscalls, sys_enter_read) { entry(); return 0; }
TRACEPOINT_PROBE(syscalls, sys_exit_read) { done(); return 0; }
`;

function usage(): never {
  console.log('USAGE: vfsreadlat [--kprobe | --tracepoint] [interval [count]]');
  process.exit(1);
}

// arguments
const args = plainArgs();
let interval = 5;
let count = -1;
if (args.length > 0) {
  interval = Number(args[0]);
  if (!Number.isInteger(interval) || interval <= 0) usage();
  if (args.length > 1) {
    count = Number(args[1]);
    if (!Number.isInteger(count)) usage();
  }
}

let b: BPF;
try {
  if (chooseHook() === 'kprobe') {
    b = new BPF({ text: KPROBE });
    b.attachKprobe({ event: 'vfs_read', fnName: 'do_entry' });
    b.attachKretprobe({ event: 'vfs_read', fnName: 'do_return' });
  } else {
    b = new BPF({ text: TRACEPOINT });
  }
} catch (e) {
  fail(e);
}

// header
console.log('Tracing... Hit Ctrl-C to end.');

// output
const { signal, release } = untilInterrupted();
const dist = b.getTable<TypedTable>('dist');
for (let loop = 1; count <= 0 || loop <= count; loop++) {
  await sleep(interval * 1000, undefined, { signal }).catch(() => {});
  console.log();
  dist.printLog2Hist('usecs');
  dist.clear();
  if (signal.aborted) break;
}
b.close();
release();
