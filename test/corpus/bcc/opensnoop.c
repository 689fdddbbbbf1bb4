// opensnoop: trace openat() calls: who opened which path, and the result.
#include <uapi/linux/ptrace.h>
#include <linux/sched.h>

struct val_t {
    u64 id;
    char comm[TASK_COMM_LEN];
    const char *fname;
    int flags;
};

struct data_t {
    u64 id;
    u64 ts;
    int ret;
    int flags;
    char comm[TASK_COMM_LEN];
    char fname[128];
};

BPF_HASH(infotmp, u64, struct val_t);
BPF_PERF_OUTPUT(events);

TRACEPOINT_PROBE(syscalls, sys_enter_openat) {
    struct val_t val = {};
    u64 id = bpf_get_current_pid_tgid();
#ifdef FILTER_TGID
    if ((id >> 32) != FILTER_TGID)
        return 0;
#endif
    if (bpf_get_current_comm(&val.comm, sizeof(val.comm)) == 0) {
        val.id = id;
        val.fname = args->filename;
        val.flags = args->flags;
        infotmp.update(&id, &val);
    }
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_exit_openat) {
    u64 id = bpf_get_current_pid_tgid();
    struct val_t *valp = infotmp.lookup(&id);
    if (valp == 0)
        return 0;
    struct data_t data = {};
    bpf_probe_read_kernel(&data.comm, sizeof(data.comm), valp->comm);
    bpf_probe_read_user_str(&data.fname, sizeof(data.fname), valp->fname);
    data.id = valp->id;
    data.flags = valp->flags;
    data.ts = bpf_ktime_get_ns() / 1000;
    data.ret = args->ret;
    events.perf_submit(args, &data, sizeof(data));
    infotmp.delete(&id);
    return 0;
}
