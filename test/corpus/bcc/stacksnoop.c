// stacksnoop-style: count kernel stacks that lead to a syscall, with BPF_STACK_TRACE.
#include <linux/sched.h>

struct key_t {
    u32 pid;
    int kernel_stack;
    char comm[TASK_COMM_LEN];
};

BPF_STACK_TRACE(stack_traces, 1024);
BPF_HASH(counts, struct key_t, u64, 1024);

TRACEPOINT_PROBE(syscalls, sys_enter_getppid) {
    struct key_t key = {.pid = bpf_get_current_pid_tgid() >> 32};
    key.kernel_stack = stack_traces.get_stackid(args, 0);
    bpf_get_current_comm(&key.comm, sizeof(key.comm));
    counts.increment(key);
    return 0;
}
