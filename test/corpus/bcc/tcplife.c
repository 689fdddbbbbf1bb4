// tcplife: TCP sessions with their duration, from sock:inet_sock_set_state.
#include <uapi/linux/ptrace.h>
#include <linux/sched.h>

#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_CLOSE 7
#define AF_INET 2

struct id_t {
    u32 pid;
    char task[TASK_COMM_LEN];
};

struct ipv4_data_t {
    u64 ts_us;
    u64 span_us;
    u32 pid;
    u32 saddr;
    u32 daddr;
    u16 lport;
    u16 dport;
    char task[TASK_COMM_LEN];
};

BPF_HASH(birth, const void *, u64);
BPF_HASH(whoami, const void *, struct id_t);
BPF_PERF_OUTPUT(ipv4_events);

TRACEPOINT_PROBE(sock, inet_sock_set_state) {
    if (args->protocol != IPPROTO_TCP)
        return 0;
    u32 pid = bpf_get_current_pid_tgid() >> 32;
    const void *sk = args->skaddr;
    u16 lport = args->sport;
    u16 dport = args->dport;
#ifdef FILTER_PORT
    if (lport != FILTER_PORT && dport != FILTER_PORT)
        return 0;
#endif
    if (args->newstate < TCP_FIN_WAIT1) {
        u64 ts = bpf_ktime_get_ns();
        birth.update(&sk, &ts);
    }
    if (args->newstate == TCP_SYN_SENT || args->newstate == TCP_LAST_ACK) {
        struct id_t me = {.pid = pid};
        bpf_get_current_comm(&me.task, sizeof(me.task));
        whoami.update(&sk, &me);
    }
    if (args->newstate != TCP_CLOSE)
        return 0;
    u64 *tsp = birth.lookup(&sk);
    if (tsp == 0) {
        whoami.delete(&sk);
        return 0;
    }
    u64 delta_us = (bpf_ktime_get_ns() - *tsp) / 1000;
    struct id_t *mep = whoami.lookup(&sk);
    if (args->family == AF_INET) {
        struct ipv4_data_t data4 = {};
        data4.span_us = delta_us;
        data4.ts_us = bpf_ktime_get_ns() / 1000;
        bpf_probe_read_kernel(&data4.saddr, sizeof(data4.saddr), args->saddr);
        bpf_probe_read_kernel(&data4.daddr, sizeof(data4.daddr), args->daddr);
        data4.lport = lport;
        data4.dport = dport;
        if (mep == 0) {
            data4.pid = pid;
            bpf_get_current_comm(&data4.task, sizeof(data4.task));
        } else {
            data4.pid = mep->pid;
            bpf_probe_read_kernel(&data4.task, sizeof(data4.task), (void *)mep->task);
        }
        ipv4_events.perf_submit(args, &data4, sizeof(data4));
    }
    birth.delete(&sk);
    whoami.delete(&sk);
    return 0;
}
