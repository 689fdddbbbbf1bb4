/* Shaped like tcpconnect: kprobe arguments, struct sock chains, byte order, a ring buffer. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_core_read.h>

#define AF_INET 2 /* as libbpf-tools' tcpconnect.h defines it */

struct event {
  union { __u32 saddr_v4; __u8 saddr_v6[16]; };
  union { __u32 daddr_v4; __u8 daddr_v6[16]; };
  char task[16];
  __u64 ts_us;
  __u32 af;
  __u32 pid;
  __u32 uid;
  __u16 dport;
};

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

SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(tcp_v4_connect, struct sock *sk)
{
  u32 tid = (u32)bpf_get_current_pid_tgid();
  bpf_map_update_elem(&sockets, &tid, &sk, 0);
  return 0;
}

SEC("kretprobe/tcp_v4_connect")
int BPF_KRETPROBE(tcp_v4_connect_ret, int ret)
{
  u64 pid_tgid = bpf_get_current_pid_tgid();
  u32 tid = pid_tgid;
  struct sock **skpp = bpf_map_lookup_elem(&sockets, &tid);
  struct sock *sk;
  struct event *e;
  if (!skpp)
    return 0;
  if (ret)
    goto end;
  sk = *skpp;
  e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e)
    goto end;
  e->af = AF_INET;
  e->pid = pid_tgid >> 32;
  e->uid = bpf_get_current_uid_gid();
  e->ts_us = bpf_ktime_get_ns() / 1000;
  BPF_CORE_READ_INTO(&e->saddr_v4, sk, __sk_common.skc_rcv_saddr);
  BPF_CORE_READ_INTO(&e->daddr_v4, sk, __sk_common.skc_daddr);
  e->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
  bpf_get_current_comm(e->task, sizeof(e->task));
  bpf_ringbuf_submit(e, 0);
end:
  bpf_map_delete_elem(&sockets, &tid);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
