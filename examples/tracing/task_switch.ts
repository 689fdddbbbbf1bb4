// task_switch, as BCC's examples/tracing/task_switch.py: count context switches by (previous
// thread, next thread) for about a second while this program sleeps 100 times, then print them:
// task_switch[ PREV-> NEXT]=COUNT.
//
//   sudo node dist/examples/tracing/task_switch.js [--kprobe | --tracepoint]
//
// BCC probes finish_task_switch (and its compiler-made clones, finish_task_switch.isra.0), where
// the current task is the one switched to and the first argument the one switched from. Where the
// kernel has no kprobes, the sched:sched_switch tracepoint gives both thread ids directly.
// (Ctrl-C or SIGTERM before the second is over prints what was counted so far.)
import { setTimeout as sleep } from 'node:timers/promises';
import { BPF, type TypedTable } from '../../src/index.js';
import { chooseHook, fail, untilInterrupted } from '../lib/hooks.js';

const KPROBE = `
#include <uapi/linux/ptrace.h>
#include <linux/sched.h>

struct key_t {
    u32 prev_pid;
    u32 curr_pid;
};

BPF_HASH(stats, struct key_t, u64, 1024);

int count_sched(struct pt_regs *ctx, struct task_struct *prev) {
    struct key_t key = {};
    u64 zero = 0, *val;

    key.curr_pid = bpf_get_current_pid_tgid();
    key.prev_pid = prev->pid;

    // could also use stats.increment(key);
    val = stats.lookup_or_try_init(&key, &zero);
    if (val) {
        (*val)++;
    }
    return 0;
}
`;

const TRACEPOINT = `
struct key_t {
    u32 prev_pid;
    u32 curr_pid;
};

BPF_HASH(stats, struct key_t, u64, 1024);

TRACEPOINT_PROBE(sched, sched_switch) {
    struct key_t key = {};
    u64 zero = 0, *val;

    key.curr_pid = args->next_pid;
    key.prev_pid = args->prev_pid;

    val = stats.lookup_or_try_init(&key, &zero);
    if (val) {
        (*val)++;
    }
    return 0;
}
`;

type Key = { prev_pid: number; curr_pid: number };

let b: BPF;
try {
  if (chooseHook() === 'kprobe') {
    b = new BPF({ text: KPROBE });
    b.attachKprobe({ eventRe: /^finish_task_switch$|^finish_task_switch\.isra\.\d$/, fnName: 'count_sched' });
  } else {
    b = new BPF({ text: TRACEPOINT });
  }
} catch (e) {
  fail(e);
}

// generate many schedule events
const { signal, release } = untilInterrupted();
for (let i = 0; i < 100 && !signal.aborted; i++) await sleep(10);

for (const [k, v] of b.getTable<TypedTable<Key, bigint>>('stats')) {
  console.log(`task_switch[${String(k.prev_pid).padStart(5)}->${String(k.curr_pid).padStart(5)}]=${v}`);
}
b.close();
release();
