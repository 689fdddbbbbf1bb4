// biolatency: block I/O latency (issue to completion) as a power-of-2 histogram, per disk.
typedef struct disk_key {
    u32 dev;
    u64 slot;
} disk_key_t;

struct start_key {
    u32 dev;
    u32 pad;
    u64 sector;
};

BPF_HASH(start, struct start_key, u64);
BPF_HISTOGRAM(dist, disk_key_t);

TRACEPOINT_PROBE(block, block_rq_issue) {
    struct start_key key = {};
    key.dev = args->dev;
    key.sector = args->sector;
    u64 ts = bpf_ktime_get_ns();
    start.update(&key, &ts);
    return 0;
}

TRACEPOINT_PROBE(block, block_rq_complete) {
    struct start_key key = {};
    key.dev = args->dev;
    key.sector = args->sector;
    u64 *tsp = start.lookup(&key);
    if (tsp == 0)
        return 0;
    u64 delta = (bpf_ktime_get_ns() - *tsp) / 1000;
    disk_key_t dkey = {};
    dkey.dev = args->dev;
    dkey.slot = bpf_log2l(delta);
    dist.increment(dkey);
    start.delete(&key);
    return 0;
}
