/* socket filter (SO_ATTACH_BPF): packet bytes read with bpf_skb_load_bytes at offsets computed
 * from the IPv4 header, counters per IP protocol in an array map, TCP packets to a watched port
 * kept whole and everything else truncated to zero bytes (dropped). */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define IPPROTO_TCP 6

const volatile u16 watched_port = 80;

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 256);
  __type(key, u32);
  __type(value, u64);
} proto_count SEC(".maps");

SEC("socket")
int socket_filter(struct __sk_buff *skb)
{
  u8 proto, vihl;
  u16 dport;
  u32 key, ihl;
  u64 *count;

  if (skb->protocol != bpf_htons(ETH_P_IP))
    return 0;
  if (bpf_skb_load_bytes(skb, ETH_HLEN + offsetof(struct iphdr, protocol), &proto, 1) < 0)
    return 0;
  key = proto;
  count = bpf_map_lookup_elem(&proto_count, &key);
  if (count)
    __sync_fetch_and_add(count, 1);
  if (proto != IPPROTO_TCP)
    return 0;
  if (bpf_skb_load_bytes(skb, ETH_HLEN, &vihl, 1) < 0)
    return 0;
  ihl = (vihl & 0xF) << 2;
  if (bpf_skb_load_bytes(skb, ETH_HLEN + ihl + offsetof(struct tcphdr, dest), &dport, sizeof(dport)) < 0)
    return 0;
  if (bpf_ntohs(dport) != watched_port)
    return 0;
  return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
