/* tc classifier (cls_bpf, direct action): __sk_buff with direct packet access and bounds
 * checks, IPv4 TCP/UDP port matching against a hash of rules, skb->mark and tc_classid set,
 * per-rule hit counters, TC_ACT_* return codes (defined here: vmlinux.h has no macros). */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define ETH_P_IP 0x0800
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

struct rule_key {
  u16 port;
  u8 proto;
  u8 pad;
};

struct rule {
  u32 mark;
  u32 classid;
  u64 hits;
  u8 drop;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, struct rule_key);
  __type(value, struct rule);
} rules SEC(".maps");

SEC("tc")
int tc_classify(struct __sk_buff *skb)
{
  void *data_end = (void *)(long)skb->data_end;
  void *data = (void *)(long)skb->data;
  struct ethhdr *eth = data;
  struct iphdr *iph;
  struct rule_key key = {};
  struct rule *r;
  u16 dport;
  u32 off;

  if (skb->protocol != bpf_htons(ETH_P_IP))
    return TC_ACT_OK;
  if ((void *)(eth + 1) > data_end)
    return TC_ACT_OK;
  iph = (struct iphdr *)(eth + 1);
  if ((void *)(iph + 1) > data_end)
    return TC_ACT_OK;
  if (iph->frag_off & bpf_htons(0x1FFF))
    return TC_ACT_OK;
  off = sizeof(*eth) + iph->ihl * 4;

  switch (iph->protocol) {
  case IPPROTO_TCP: {
    struct tcphdr *th = data + off;
    if (off > 60 + sizeof(*eth) || (void *)(th + 1) > data_end)
      return TC_ACT_OK;
    dport = th->dest;
    break;
  }
  case IPPROTO_UDP: {
    struct udphdr *uh = data + off;
    if (off > 60 + sizeof(*eth) || (void *)(uh + 1) > data_end)
      return TC_ACT_OK;
    dport = uh->dest;
    break;
  }
  default:
    return TC_ACT_OK;
  }

  key.port = bpf_ntohs(dport);
  key.proto = iph->protocol;
  r = bpf_map_lookup_elem(&rules, &key);
  if (!r)
    return TC_ACT_OK;
  __sync_fetch_and_add(&r->hits, 1);
  if (r->drop)
    return TC_ACT_SHOT;
  skb->mark = r->mark;
  skb->tc_classid = r->classid;
  return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
