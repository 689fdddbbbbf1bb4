// execsnoop: trace new processes (execve), with their parent, command, file name and return value.
#include <uapi/linux/ptrace.h>
#include <linux/sched.h>

#define ARGSIZE 128

enum event_type { EVENT_ARG, EVENT_RET };

struct data_t {
    u32 pid;
    u32 ppid;
    u32 uid;
    int type;
    int retval;
    char comm[TASK_COMM_LEN];
    char argv[ARGSIZE];
};

BPF_PERF_OUTPUT(events);

static __always_inline u32 parent_of(void) {
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    return task->real_parent->tgid;
}

TRACEPOINT_PROBE(syscalls, sys_enter_execve) {
    struct data_t data = {};
    data.pid = bpf_get_current_pid_tgid() >> 32;
    data.ppid = parent_of();
#ifdef FILTER_PARENT
    if (data.ppid != FILTER_PARENT)
        return 0;
#endif
    data.uid = bpf_get_current_uid_gid() & 0xffffffff;
    data.type = EVENT_ARG;
    bpf_get_current_comm(&data.comm, sizeof(data.comm));
    bpf_probe_read_user_str(&data.argv, sizeof(data.argv), args->filename);
    events.perf_submit(args, &data, sizeof(data));
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_exit_execve) {
    struct data_t data = {};
    data.pid = bpf_get_current_pid_tgid() >> 32;
    data.ppid = parent_of();
#ifdef FILTER_PARENT
    if (data.ppid != FILTER_PARENT)
        return 0;
#endif
    data.type = EVENT_RET;
    data.retval = args->ret;
    bpf_get_current_comm(&data.comm, sizeof(data.comm));
    events.perf_submit(args, &data, sizeof(data));
    return 0;
}
