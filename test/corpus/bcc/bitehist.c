// bitehist: block I/O size histogram in kbytes, and per-process I/O counts.
#include <linux/sched.h>

struct proc_key_t {
    char name[TASK_COMM_LEN];
    u64 slot;
};

BPF_HISTOGRAM(dist);
BPF_HISTOGRAM(dist_by_comm, struct proc_key_t);

TRACEPOINT_PROBE(block, block_rq_complete) {
    u32 kbytes = args->nr_sector / 2;
    dist.increment(bpf_log2l(kbytes));
    struct proc_key_t key = {.slot = bpf_log2l(kbytes)};
    bpf_get_current_comm(&key.name, sizeof(key.name));
    dist_by_comm.increment(key);
    return 0;
}
