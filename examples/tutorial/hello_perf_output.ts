// Tutorial lesson 4 (BCC's lesson 7, hello_perf_output.py): events as C structs through a perf
// buffer instead of trace_pipe. The program fills a struct data_t (pid, time, command name) on
// every clone() and submits it; the TypeScript side receives it decoded, as an object with
// those fields.
//
//   sudo node dist/examples/tutorial/hello_perf_output.js [--kprobe | --tracepoint]
import { BPF, type BccEventTable } from '../../src/index.js';
import { chooseHook, fail, untilInterrupted } from '../lib/hooks.js';

const prog = `
#include <linux/sched.h>

// define output data structure in C
struct data_t {
    u32 pid;
    u64 ts;
    char comm[TASK_COMM_LEN];
};
BPF_PERF_OUTPUT(events);

int hello(void *ctx) {
    struct data_t data = {};

    data.pid = bpf_get_current_pid_tgid();
    data.ts = bpf_ktime_get_ns();
    bpf_get_current_comm(&data.comm, sizeof(data.comm));

    events.perf_submit(ctx, &data, sizeof(data));

    return 0;
}
`;

/** struct data_t as the table decodes it: u64 arrives as bigint, char[] as a string. */
type Data = { pid: number; ts: bigint; comm: string };

let b: BPF;
try {
  b = new BPF({ text: prog });
  if (chooseHook() === 'kprobe') {
    b.attachKprobe({ event: b.getSyscallFnname('clone'), fnName: 'hello' });
  } else {
    b.attachTracepoint({ tp: 'syscalls:sys_enter_clone', fnName: 'hello' });
    b.attachTracepoint({ tp: 'syscalls:sys_enter_clone3', fnName: 'hello' });
  }
} catch (e) {
  fail(e);
}

// header
console.log(`${'TIME(s)'.padEnd(18)} ${'COMM'.padEnd(16)} ${'PID'.padEnd(6)} MESSAGE`);

// process event
let start = 0n;
function printEvent(event: Data): void {
  if (start === 0n) start = event.ts;
  const timeS = Number(event.ts - start) / 1e9;
  console.log(`${timeS.toFixed(9).padEnd(18)} ${event.comm.padEnd(16)} ${String(event.pid).padEnd(6)} Hello, perf_output!`);
}

// loop with callback to printEvent
b.getTable<BccEventTable<Data>>('events').openPerfBuffer(printEvent);
const { signal } = untilInterrupted(() => b.close());
while (!signal.aborted) await b.perfBufferPoll(200);
