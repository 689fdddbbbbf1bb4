// statsnoop: trace stat-family calls (statx, newfstatat, newstat) with the path and result.
#include <uapi/linux/ptrace.h>
struct val_t {
    const char *fname;
};

struct data_t {
    u32 pid;
    int ret;
    char fname[128];
};

BPF_HASH(args_filename, u32, struct val_t);
BPF_PERF_OUTPUT(events);

static __always_inline int trace_entry(const char *filename) {
    u32 pid = bpf_get_current_pid_tgid() >> 32;
#ifdef FILTER_TGID
    if (pid != FILTER_TGID)
        return 0;
#endif
    u32 tid = bpf_get_current_pid_tgid();
    struct val_t val = {.fname = filename};
    args_filename.update(&tid, &val);
    return 0;
}

static __always_inline int trace_return(void *ctx, long ret) {
    u32 tid = bpf_get_current_pid_tgid();
    struct val_t *valp = args_filename.lookup(&tid);
    if (valp == 0)
        return 0;
    struct data_t data = {.pid = bpf_get_current_pid_tgid() >> 32};
    bpf_probe_read_user_str(&data.fname, sizeof(data.fname), valp->fname);
    data.ret = ret;
    events.perf_submit(ctx, &data, sizeof(data));
    args_filename.delete(&tid);
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_enter_statx) { return trace_entry(args->filename); }
TRACEPOINT_PROBE(syscalls, sys_exit_statx) { return trace_return(args, args->ret); }
TRACEPOINT_PROBE(syscalls, sys_enter_newfstatat) { return trace_entry(args->filename); }
TRACEPOINT_PROBE(syscalls, sys_exit_newfstatat) { return trace_return(args, args->ret); }
TRACEPOINT_PROBE(syscalls, sys_enter_newstat) { return trace_entry(args->filename); }
TRACEPOINT_PROBE(syscalls, sys_exit_newstat) { return trace_return(args, args->ret); }
