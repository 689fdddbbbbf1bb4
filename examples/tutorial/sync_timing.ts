// Tutorial lesson 3 (BCC's lesson 4, sync_timing.py): a map kept between events. Each sync()
// looks up when the previous one happened (BPF_HASH(last)); if it was under a second ago, it
// prints how long ago, in milliseconds, through trace_pipe.
//
//   sudo node dist/examples/tutorial/sync_timing.js [--kprobe | --tracepoint]
//   (in another terminal: sync; sync)
import { BPF } from '../../src/index.js';
import { chooseHook, fail, untilInterrupted } from '../lib/hooks.js';

const prog = `
BPF_HASH(last);

int do_trace(void *ctx) {
    u64 ts, *tsp, delta, key = 0;

    // attempt to read stored timestamp
    tsp = last.lookup(&key);
    if (tsp != NULL) {
        delta = bpf_ktime_get_ns() - *tsp;
        if (delta < 1000000000) {
            // output if time is less than 1 second
            bpf_trace_printk("sync_timing %d\\n", delta / 1000000);
        }
        last.delete(&key);
    }

    // update stored timestamp
    ts = bpf_ktime_get_ns();
    last.update(&key, &ts);
    return 0;
}
`;

let b: BPF;
try {
  b = new BPF({ text: prog });
  if (chooseHook() === 'kprobe') b.attachKprobe({ event: b.getSyscallFnname('sync'), fnName: 'do_trace' });
  else b.attachTracepoint({ tp: 'syscalls:sys_enter_sync', fnName: 'do_trace' });
} catch (e) {
  fail(e);
}
const { signal } = untilInterrupted(() => b.close());
console.log("Tracing for quick sync's... Ctrl-C to end");

// format output
let start = 0;
while (!signal.aborted) {
  const f = await b.traceFields({ timeoutMs: 200 });
  const m = f && /^sync_timing (\d+)$/.exec(f.msg);
  if (!f || !m) continue; // a timeout, or another program's line
  if (start === 0) start = f.ts;
  console.log(`At time ${(f.ts - start).toFixed(2)} s: multiple syncs detected, last ${m[1]} ms ago`);
}
