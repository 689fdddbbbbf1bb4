/* tcplife-shaped: tracepoint sock/inet_sock_set_state through its trace_event_raw_* struct,
 * birth time and owner keyed by the socket address, byte counters read from struct tcp_sock
 * with BPF_CORE_READ at close, addresses copied out of the context with bpf_probe_read_kernel
 * (a memcpy from ctx+off is a modified-ctx dereference the verifier rejects), the record sent
 * with bpf_ringbuf_output. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define TCP_SYN_SENT 2
#define TCP_LAST_ACK 9
#define TCP_CLOSE 7
#define TASK_COMM_LEN 16

struct ident {
  u32 pid;
  char comm[TASK_COMM_LEN];
};

struct event {
  u8 saddr[16];
  u8 daddr[16];
  u64 ts_us;
  u64 span_us;
  u64 rx_b;
  u64 tx_b;
  u32 pid;
  u16 sport;
  u16 dport;
  u16 family;
  char comm[TASK_COMM_LEN];
};

const volatile u16 target_family = 0;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, struct sock *);
  __type(value, u64);
} birth SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, struct sock *);
  __type(value, struct ident);
} idents SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("tracepoint/sock/inet_sock_set_state")
int inet_sock_set_state(struct trace_event_raw_inet_sock_set_state *args)
{
  struct sock *sk = (struct sock *)args->skaddr;
  struct tcp_sock *tp = (struct tcp_sock *)sk;
  int newstate = args->newstate;
  u64 ts, *start, id = bpf_get_current_pid_tgid();
  struct ident *identp, ident = {};
  struct event ev = {};

  if (args->protocol != IPPROTO_TCP)
    return 0;
  if (target_family && target_family != args->family)
    return 0;
  if (newstate < TCP_SYN_SENT || newstate == TCP_SYN_SENT || newstate == TCP_LAST_ACK) {
    ts = bpf_ktime_get_ns();
    bpf_map_update_elem(&birth, &sk, &ts, BPF_ANY);
    ident.pid = id >> 32;
    bpf_get_current_comm(&ident.comm, sizeof(ident.comm));
    bpf_map_update_elem(&idents, &sk, &ident, BPF_ANY);
  }
  if (newstate != TCP_CLOSE)
    return 0;

  start = bpf_map_lookup_elem(&birth, &sk);
  if (!start)
    return 0;
  ts = bpf_ktime_get_ns();
  ev.ts_us = ts / 1000;
  ev.span_us = (ts - *start) / 1000;
  ev.rx_b = BPF_CORE_READ(tp, bytes_received);
  ev.tx_b = BPF_CORE_READ(tp, bytes_acked);
  ev.sport = args->sport;
  ev.dport = args->dport;
  ev.family = args->family;
  identp = bpf_map_lookup_elem(&idents, &sk);
  if (identp) {
    ev.pid = identp->pid;
    __builtin_memcpy(ev.comm, identp->comm, sizeof(ev.comm));
  }
  if (args->family == AF_INET) {
    bpf_probe_read_kernel(ev.saddr, sizeof(args->saddr), args->saddr);
    bpf_probe_read_kernel(ev.daddr, sizeof(args->daddr), args->daddr);
  } else {
    bpf_probe_read_kernel(ev.saddr, sizeof(ev.saddr), args->saddr_v6);
    bpf_probe_read_kernel(ev.daddr, sizeof(ev.daddr), args->daddr_v6);
  }
  bpf_ringbuf_output(&events, &ev, sizeof(ev), 0);
  bpf_map_delete_elem(&birth, &sk);
  bpf_map_delete_elem(&idents, &sk);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
