// hardirqs: time spent in hard interrupt handlers, per handler name.
typedef struct irq_key {
    char name[32];
} irq_key_t;

BPF_PERCPU_ARRAY(start, u64, 1);
BPF_PERCPU_ARRAY(irqname, irq_key_t, 1);
BPF_HASH(dist, irq_key_t, u64);
BPF_HASH(counts, irq_key_t, u64);

TRACEPOINT_PROBE(irq, irq_handler_entry) {
    u32 idx = 0;
    u64 ts = bpf_ktime_get_ns();
    irq_key_t name = {};
    TP_DATA_LOC_READ_STR(&name.name, name, sizeof(name.name));
    irqname.update(&idx, &name);
    start.update(&idx, &ts);
    counts.increment(name);
    return 0;
}

TRACEPOINT_PROBE(irq, irq_handler_exit) {
    u32 idx = 0;
    u64 *tsp = start.lookup(&idx);
    irq_key_t *namep = irqname.lookup(&idx);
    if (!tsp || !namep || *tsp == 0)
        return 0;
    u64 delta = bpf_ktime_get_ns() - *tsp;
    irq_key_t key = *namep;
    dist.increment(key, delta);
    u64 zero = 0;
    start.update(&idx, &zero);
    return 0;
}
