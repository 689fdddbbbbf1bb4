// syscount: count system calls by syscall number (and their latency), from raw_syscalls.
#include <uapi/linux/ptrace.h>
#include <linux/sched.h>

struct data_t {
    u64 count;
    u64 total_ns;
};

BPF_HASH(start, u64, u64);
BPF_HASH(data, u32, struct data_t);

static __always_inline int wanted(void) {
#ifdef FILTER_PARENT
    struct task_struct *t = (struct task_struct *)bpf_get_current_task();
    return t->real_parent->tgid == FILTER_PARENT;
#else
    return 1;
#endif
}

TRACEPOINT_PROBE(raw_syscalls, sys_enter) {
    if (!wanted())
        return 0;
    u64 pid_tgid = bpf_get_current_pid_tgid();
    u64 t = bpf_ktime_get_ns();
    start.update(&pid_tgid, &t);
    return 0;
}

TRACEPOINT_PROBE(raw_syscalls, sys_exit) {
    if (!wanted())
        return 0;
    u64 pid_tgid = bpf_get_current_pid_tgid();
    u64 *start_ns = start.lookup(&pid_tgid);
    if (!start_ns)
        return 0;
    u32 key = args->id;
    struct data_t zero = {};
    struct data_t *val = data.lookup_or_try_init(&key, &zero);
    if (val) {
        __sync_fetch_and_add(&val->count, 1);
        __sync_fetch_and_add(&val->total_ns, bpf_ktime_get_ns() - *start_ns);
    }
    start.delete(&pid_tgid);
    return 0;
}
