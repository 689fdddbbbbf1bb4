// http_filter: a socket filter keeping IPv4 TCP packets whose payload starts like HTTP.
#define IP_TCP 6
/* Where the IP header starts: after the Ethernet header on a packet socket. */
#ifndef L2_HLEN
#define L2_HLEN 14
#endif

BPF_ARRAY(seen, u64, 2);

int http_filter(struct __sk_buff *skb) {
    u64 proto = load_byte(skb, L2_HLEN + 9);
    if (proto != IP_TCP)
        return 0;
    u32 ip_hlen = (load_byte(skb, L2_HLEN) & 0x0f) << 2;
    u32 tcp_off = L2_HLEN + ip_hlen;
    u32 tcp_hlen = (load_byte(skb, tcp_off + 12) >> 4) << 2;
    u32 payload = tcp_off + tcp_hlen;
    seen.increment(0);
    if (load_byte(skb, payload) == 'G' && load_byte(skb, payload + 1) == 'E' && load_byte(skb, payload + 2) == 'T') {
        seen.increment(1);
        return -1;
    }
    if (load_word(skb, payload) == 0x48545450) { /* "HTTP" */
        seen.increment(1);
        return -1;
    }
    return 0;
}
