// task_switch: count context switches by (previous pid, next pid).
struct key_t {
    u32 prev_pid;
    u32 curr_pid;
};

BPF_HASH(stats, struct key_t, u64, 1024);
BPF_ARRAY(total, u64, 1);

TRACEPOINT_PROBE(sched, sched_switch) {
    struct key_t key = {};
    key.prev_pid = args->prev_pid;
    key.curr_pid = args->next_pid;
    u64 zero = 0, *val;
    val = stats.lookup_or_try_init(&key, &zero);
    if (val)
        (*val)++;
    total.atomic_increment(0);
    return 0;
}
