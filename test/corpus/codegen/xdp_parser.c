/* XDP packet parser: ethhdr/vlan_hdr/iphdr/udphdr/tcphdr from BTF with data/data_end bounds checks,
 * a variable IPv4 header length (ihl * 4), per-CPU counters per IP protocol, UDP packets to a
 * blocked port dropped, byte order with bpf_htons. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

struct datarec {
  u64 packets;
  u64 bytes;
};

const volatile u16 blocked_port = 53;

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 256);
  __type(key, u32);
  __type(value, struct datarec);
} proto_stats SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, u32);
  __type(value, u64);
} dropped SEC(".maps");

SEC("xdp")
int xdp_parse(struct xdp_md *ctx)
{
  void *data_end = (void *)(long)ctx->data_end;
  void *data = (void *)(long)ctx->data;
  struct ethhdr *eth = data;
  struct iphdr *iph;
  struct datarec *rec;
  u16 h_proto;
  u32 key, ihl;
  u64 *d;

  if ((void *)(eth + 1) > data_end)
    return XDP_PASS;
  h_proto = eth->h_proto;
  data = eth + 1;
  if (h_proto == bpf_htons(ETH_P_8021Q) || h_proto == bpf_htons(ETH_P_8021AD)) {
    struct vlan_hdr *vh = data;
    if ((void *)(vh + 1) > data_end)
      return XDP_PASS;
    h_proto = vh->h_vlan_encapsulated_proto;
    data = vh + 1;
  }
  if (h_proto != bpf_htons(ETH_P_IP))
    return XDP_PASS;

  iph = data;
  if ((void *)(iph + 1) > data_end)
    return XDP_PASS;
  ihl = iph->ihl * 4;
  if (ihl < sizeof(*iph))
    return XDP_DROP;
  key = iph->protocol;
  rec = bpf_map_lookup_elem(&proto_stats, &key);
  if (rec) {
    rec->packets++;
    rec->bytes += data_end - (void *)eth;
  }

  if (iph->protocol == IPPROTO_UDP) {
    struct udphdr *udph = data + ihl;
    if ((void *)(udph + 1) > data_end)
      return XDP_PASS;
    if (udph->dest == bpf_htons(blocked_port)) {
      key = 0;
      d = bpf_map_lookup_elem(&dropped, &key);
      if (d)
        *d += 1;
      return XDP_DROP;
    }
  } else if (iph->protocol == IPPROTO_TCP) {
    struct tcphdr *tcph = data + ihl;
    if ((void *)(tcph + 1) > data_end)
      return XDP_PASS;
    if (tcph->syn && tcph->fin)
      return XDP_DROP;
  }
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
