// softirqs: soft interrupt time as a histogram per softirq vector.
typedef struct entry_key {
    u32 pid;
    u32 cpu;
} entry_key_t;

typedef struct irq_key {
    u32 vec;
    u64 slot;
} irq_key_t;

BPF_HASH(start, entry_key_t, u64);
BPF_HISTOGRAM(dist, irq_key_t);
BPF_ARRAY(vec_counts, u64, 16);

TRACEPOINT_PROBE(irq, softirq_entry) {
    u64 ts = bpf_ktime_get_ns();
    entry_key_t key = {};
    key.pid = bpf_get_current_pid_tgid();
    key.cpu = bpf_get_smp_processor_id();
    start.update(&key, &ts);
    return 0;
}

TRACEPOINT_PROBE(irq, softirq_exit) {
    entry_key_t entry_key = {};
    entry_key.pid = bpf_get_current_pid_tgid();
    entry_key.cpu = bpf_get_smp_processor_id();
    u64 *tsp = start.lookup(&entry_key);
    if (tsp == 0)
        return 0;
    u64 delta = (bpf_ktime_get_ns() - *tsp) / 1000;
    irq_key_t key = {.vec = args->vec, .slot = bpf_log2l(delta)};
    dist.atomic_increment(key);
    int v = args->vec;
    if (v >= 0 && v < 16)
        vec_counts.increment(v);
    start.delete(&entry_key);
    return 0;
}
