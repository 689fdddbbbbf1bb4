/* tcprtt-shaped: BPF_KPROBE on tcp_rcv_established, struct sock cast to struct tcp_sock for
 * srtt_us, address and port filters on sk->__sk_common fields (byte order with bpf_ntohs),
 * a log2 histogram (or an average) in a global array in .bss. Loads here (kprobe programs
 * load without kprobes); attaching needs a kprobe kernel. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#define AF_INET 2
#define MAX_SLOTS 27

const volatile bool targ_show_ext = false;
const volatile u16 targ_sport = 0;
const volatile u16 targ_dport = 0;
const volatile u32 targ_saddr = 0;
const volatile u32 targ_daddr = 0;
const volatile bool targ_ms = false;

u64 slots[MAX_SLOTS] = {};
u64 latency = 0;
u64 cnt = 0;

SEC("kprobe/tcp_rcv_established")
int BPF_KPROBE(tcp_rcv, struct sock *sk)
{
  const struct inet_sock *inet = (struct inet_sock *)sk;
  struct tcp_sock *ts;
  u64 slot, srtt;

  if (BPF_CORE_READ(sk, __sk_common.skc_family) != AF_INET)
    return 0;
  if (targ_sport && targ_sport != BPF_CORE_READ(inet, inet_sport))
    return 0;
  if (targ_dport && targ_dport != BPF_CORE_READ(sk, __sk_common.skc_dport))
    return 0;
  if (targ_saddr && targ_saddr != BPF_CORE_READ(inet, inet_saddr))
    return 0;
  if (targ_daddr && targ_daddr != BPF_CORE_READ(sk, __sk_common.skc_daddr))
    return 0;

  ts = (struct tcp_sock *)sk;
  srtt = BPF_CORE_READ(ts, srtt_us) >> 3;
  if (targ_ms)
    srtt /= 1000U;
  slot = 0;
  for (u64 v = srtt; v > 1 && slot < MAX_SLOTS - 1; v >>= 1)
    slot++;
  __sync_fetch_and_add(&slots[slot], 1);
  if (targ_show_ext) {
    __sync_fetch_and_add(&latency, srtt);
    __sync_fetch_and_add(&cnt, 1);
  }
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
