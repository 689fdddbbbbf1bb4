/* tcpconnect-shaped: BPF_KPROBE/BPF_KRETPROBE on tcp_v4_connect and tcp_v6_connect, the socket
 * stashed by thread id, sk->__sk_common fields read with BPF_CORE_READ/BPF_CORE_READ_INTO,
 * bpf_ringbuf_reserve/submit of an event, byte order with bpf_ntohs, a port filter loop.
 * Loads here (kprobe programs load without kprobes); attaching needs a kprobe kernel. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#define AF_INET 2
#define AF_INET6 10
#define TASK_COMM_LEN 16
#define MAX_PORTS 8

struct event {
  union { u32 saddr_v4; u8 saddr_v6[16]; };
  union { u32 daddr_v4; u8 daddr_v6[16]; };
  char task[TASK_COMM_LEN];
  u64 ts_us;
  u32 af;
  u32 pid;
  u32 uid;
  u16 dport;
};

const volatile int filter_ports_len = 0;
const volatile u16 filter_ports[MAX_PORTS] = {};
const volatile uid_t filter_uid = -1;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, u32);
  __type(value, struct sock *);
} sockets SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline bool filter_port(u16 port)
{
  int i;

  if (filter_ports_len == 0)
    return false;
  for (i = 0; i < filter_ports_len && i < MAX_PORTS; i++) {
    if (port == filter_ports[i])
      return false;
  }
  return true;
}

static __always_inline int enter_tcp_connect(struct sock *sk)
{
  u64 pid_tgid = bpf_get_current_pid_tgid();
  u32 tid = pid_tgid;
  u32 uid = bpf_get_current_uid_gid();

  if (filter_uid != (uid_t)-1 && uid != filter_uid)
    return 0;
  bpf_map_update_elem(&sockets, &tid, &sk, 0);
  return 0;
}

static __always_inline int exit_tcp_connect(int ret, int ip_ver)
{
  u64 pid_tgid = bpf_get_current_pid_tgid();
  u32 tid = pid_tgid;
  struct sock **skpp, *sk;
  struct event *e;
  u16 dport;

  skpp = bpf_map_lookup_elem(&sockets, &tid);
  if (!skpp)
    return 0;
  if (ret)
    goto end;
  sk = *skpp;
  dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
  if (filter_port(dport))
    goto end;
  e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e)
    goto end;
  e->pid = pid_tgid >> 32;
  e->uid = bpf_get_current_uid_gid();
  e->ts_us = bpf_ktime_get_ns() / 1000;
  if (ip_ver == 4) {
    e->af = AF_INET;
    BPF_CORE_READ_INTO(&e->saddr_v4, sk, __sk_common.skc_rcv_saddr);
    BPF_CORE_READ_INTO(&e->daddr_v4, sk, __sk_common.skc_daddr);
  } else {
    e->af = AF_INET6;
    BPF_CORE_READ_INTO(&e->saddr_v6, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32);
    BPF_CORE_READ_INTO(&e->daddr_v6, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr32);
  }
  e->dport = bpf_ntohs(dport);
  bpf_get_current_comm(e->task, sizeof(e->task));
  bpf_ringbuf_submit(e, 0);
end:
  bpf_map_delete_elem(&sockets, &tid);
  return 0;
}

SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(tcp_v4_connect, struct sock *sk)
{
  return enter_tcp_connect(sk);
}

SEC("kretprobe/tcp_v4_connect")
int BPF_KRETPROBE(tcp_v4_connect_ret, int ret)
{
  return exit_tcp_connect(ret, 4);
}

SEC("kprobe/tcp_v6_connect")
int BPF_KPROBE(tcp_v6_connect, struct sock *sk)
{
  return enter_tcp_connect(sk);
}

SEC("kretprobe/tcp_v6_connect")
int BPF_KRETPROBE(tcp_v6_connect_ret, int ret)
{
  return exit_tcp_connect(ret, 6);
}

char LICENSE[] SEC("license") = "GPL";
