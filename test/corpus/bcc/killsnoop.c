// killsnoop: trace signals sent by kill(2): sender, target, signal, result.
#include <uapi/linux/ptrace.h>
#include <linux/sched.h>

struct val_t {
    u32 pid;
    int sig;
    int tpid;
    char comm[TASK_COMM_LEN];
};

struct data_t {
    u32 pid;
    int tpid;
    int sig;
    int ret;
    char comm[TASK_COMM_LEN];
};

BPF_HASH(infotmp, u32, struct val_t);
BPF_PERF_OUTPUT(events);

TRACEPOINT_PROBE(syscalls, sys_enter_kill) {
    u64 pid_tgid = bpf_get_current_pid_tgid();
    u32 tid = (u32)pid_tgid;
    struct val_t val = {.pid = pid_tgid >> 32};
#ifdef FILTER_TGID
    if (val.pid != FILTER_TGID)
        return 0;
#endif
    if (bpf_get_current_comm(&val.comm, sizeof(val.comm)) == 0) {
        val.tpid = args->pid;
        val.sig = args->sig;
        infotmp.update(&tid, &val);
    }
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_exit_kill) {
    u32 tid = (u32)bpf_get_current_pid_tgid();
    struct val_t *valp = infotmp.lookup(&tid);
    if (valp == 0)
        return 0;
    struct data_t data = {};
    bpf_probe_read_kernel(&data.comm, sizeof(data.comm), valp->comm);
    data.pid = valp->pid;
    data.tpid = valp->tpid;
    data.ret = args->ret;
    data.sig = valp->sig;
    events.perf_submit(args, &data, sizeof(data));
    infotmp.delete(&tid);
    return 0;
}
