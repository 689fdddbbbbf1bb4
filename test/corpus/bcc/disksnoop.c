// disksnoop: trace block device I/O with its latency (kprobes on the request start and completion).
#include <uapi/linux/ptrace.h>
#include <linux/blk-mq.h>
#include <linux/blkdev.h>

BPF_HASH(start, struct request *);
BPF_PERF_OUTPUT(events);

struct data_t {
    u64 len;
    u64 delta_us;
    u32 flags;
};

void trace_start(struct pt_regs *ctx, struct request *req) {
    u64 ts = bpf_ktime_get_ns();
    start.update(&req, &ts);
}

void trace_completion(struct pt_regs *ctx, struct request *req) {
    u64 *tsp = start.lookup(&req);
    if (tsp != 0) {
        struct data_t data = {};
        data.len = req->__data_len;
        data.flags = req->cmd_flags;
        data.delta_us = (bpf_ktime_get_ns() - *tsp) / 1000;
        events.perf_submit(ctx, &data, sizeof(data));
        start.delete(&req);
    }
}
