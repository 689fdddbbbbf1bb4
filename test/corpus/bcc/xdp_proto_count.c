// xdp_proto_count: count packets per IP protocol at the driver, pass them all.
#include <uapi/linux/if_ether.h>
#include <uapi/linux/ip.h>

BPF_PERCPU_ARRAY(proto_count, u64, 256);

int xdp_count(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return XDP_PASS;
    if (eth->h_proto != htons(ETH_P_IP))
        return XDP_PASS;
    struct iphdr *iph = (void *)(eth + 1);
    if ((void *)(iph + 1) > data_end)
        return XDP_PASS;
    u32 proto = iph->protocol;
    u64 *v = proto_count.lookup(&proto);
    if (v)
        *v += 1;
    return XDP_PASS;
}
