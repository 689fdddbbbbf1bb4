/* cgroup skb egress/ingress accounting: bytes and packets per direction and IP version in a
 * per-CPU array, the cgroup id per socket cookie in an LRU hash, direct packet reads of the
 * IPv4 header (read-only in cgroup_skb), a rate cap that returns 0 (drop) past a byte budget. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD

enum { DIR_EGRESS, DIR_INGRESS, NR_DIRS };

struct counters {
  u64 packets;
  u64 bytes;
  u64 v4;
  u64 v6;
  u64 icmp;
};

const volatile u64 byte_budget = 0;

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, NR_DIRS);
  __type(key, u32);
  __type(value, struct counters);
} stats SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 4096);
  __type(key, u64);
  __type(value, u64);
} sock_bytes SEC(".maps");

static __always_inline int account(struct __sk_buff *skb, u32 dir)
{
  void *data_end = (void *)(long)skb->data_end;
  void *data = (void *)(long)skb->data;
  struct counters *c;
  u64 cookie, *b, len = skb->len;

  c = bpf_map_lookup_elem(&stats, &dir);
  if (!c)
    return 1;
  c->packets++;
  c->bytes += len;
  if (skb->protocol == bpf_htons(ETH_P_IP)) {
    struct iphdr *iph = data;
    c->v4++;
    if ((void *)(iph + 1) <= data_end && iph->protocol == 1)
      c->icmp++;
  } else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
    c->v6++;
  }

  cookie = bpf_get_socket_cookie(skb);
  b = bpf_map_lookup_elem(&sock_bytes, &cookie);
  if (!b) {
    bpf_map_update_elem(&sock_bytes, &cookie, &len, BPF_ANY);
    return 1;
  }
  __sync_fetch_and_add(b, len);
  if (byte_budget && *b > byte_budget)
    return 0;
  return 1;
}

SEC("cgroup_skb/egress")
int cgroup_egress(struct __sk_buff *skb)
{
  return account(skb, DIR_EGRESS);
}

SEC("cgroup_skb/ingress")
int cgroup_ingress(struct __sk_buff *skb)
{
  return account(skb, DIR_INGRESS);
}

char LICENSE[] SEC("license") = "GPL";
