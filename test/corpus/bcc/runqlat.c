// runqlat: run queue (scheduler) latency as a histogram, from the sched tracepoints.
#include <linux/sched.h>

BPF_HASH(start, u32, u64);
BPF_HISTOGRAM(dist);
BPF_ARRAY(samples, u64, 1);

static __always_inline int trace_enqueue(u32 pid) {
    if (pid == 0)
        return 0;
    u64 ts = bpf_ktime_get_ns();
    start.update(&pid, &ts);
    return 0;
}

TRACEPOINT_PROBE(sched, sched_wakeup) {
    return trace_enqueue(args->pid);
}

TRACEPOINT_PROBE(sched, sched_wakeup_new) {
    return trace_enqueue(args->pid);
}

TRACEPOINT_PROBE(sched, sched_switch) {
    // The previous task is still runnable: it queues again.
    if (args->prev_state == TASK_RUNNING)
        trace_enqueue(args->prev_pid);
    u32 pid = args->next_pid;
    u64 *tsp = start.lookup(&pid);
    if (tsp == 0)
        return 0;
    u64 delta = bpf_ktime_get_ns() - *tsp;
    delta /= 1000;
    dist.increment(bpf_log2l(delta));
    samples.atomic_increment(0);
    start.delete(&pid);
    return 0;
}
