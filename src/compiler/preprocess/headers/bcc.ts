// BCC's own headers: bcc/helpers.h (what BCC puts in front of every program, less the map macros,
// helper declarations and rewriter builtins, which belong to the dialect) and bcc/proto.h (packet
// header structs for BCC's cursor-based packet parsing: not kernel types, so defined here).
import { guarded, includes } from './util.js';

/** bcc/helpers.h: what BCC's helpers.h gives a program, directly or through its includes
 *  (uapi/linux/bpf.h, uapi/linux/if_packet.h, linux/version.h, linux/log2.h, asm/page.h); not the
 *  rest of the kernel's macros (min, max, swap, current, ...), which a program that includes no
 *  kernel header may well define for itself. */
export const BCC_HELPERS_H = guarded('__TSBCC_BCC_HELPERS_H', includes(
  'tsbcc/uapi.h', 'tsbcc/bits.h', 'tsbcc/bpf_uapi.h', 'tsbcc/netdev.h', 'tsbcc/ptrace.h', 'tsbcc/bpf_endian.h') + String.raw`
#ifndef BPF_MAX_STACK_DEPTH
#define BPF_MAX_STACK_DEPTH 127
#endif
#ifndef SEC
#define SEC(NAME) __attribute__((section(NAME), used))
#endif
#ifndef BCC_SEC
#define BCC_SEC(NAME) __attribute__((section(NAME), used))
#endif
#ifndef CUR_CPU_IDENTIFIER
#define CUR_CPU_IDENTIFIER BPF_F_CURRENT_CPU
#endif

#ifndef TRACEPOINT_PROBE
#define TRACEPOINT_PROBE(category, event) \
int tracepoint__##category##__##event(struct tracepoint__##category##__##event *args)
#endif
#ifndef RAW_TRACEPOINT_PROBE
#define RAW_TRACEPOINT_PROBE(event) \
int raw_tracepoint__##event(struct bpf_raw_tracepoint_args *ctx)
#endif

/* A tracepoint's __data_loc field: offset in the low 16 bits, length in the high 16. */
#define TP_DATA_LOC_READ_CONST(dst, field, length)					\
	do {										\
		unsigned short __tp_off = args->data_loc_##field & 0xFFFF;		\
		bpf_probe_read_kernel((void *)(dst), (length), (char *)args + __tp_off);	\
	} while (0)
#define TP_DATA_LOC_READ(dst, field)							\
	do {										\
		unsigned short __tp_off = args->data_loc_##field & 0xFFFF;		\
		unsigned short __tp_len = args->data_loc_##field >> 16;		\
		bpf_probe_read_kernel((void *)(dst), __tp_len, (char *)args + __tp_off);	\
	} while (0)
#define TP_DATA_LOC_READ_STR(dst, field, length)					\
	do {										\
		unsigned short __tp_off = args->data_loc_##field & 0xFFFF;		\
		bpf_probe_read_kernel_str((void *)(dst), (length), (char *)args + __tp_off);	\
	} while (0)

/* Packet parsing: hand out the cursor and move it past a header. */
#define cursor_advance(_cursor, _len) ({ void *_tmp = _cursor; _cursor += _len; _tmp; })

#define MASK(_n) ((_n) < 64 ? (1ull << (_n)) - 1 : ((u64)-1LL))
#define lock_xadd(ptr, val) ((void)__sync_fetch_and_add(ptr, val))

/* floor(log2(v)), and 0 for 0: a binary search over the bit position. */
static __always_inline unsigned int bpf_log2(unsigned int v)
{
	unsigned int r = 0, s;
	s = (v > 0xFFFF) << 4; v >>= s; r |= s;
	s = (v > 0xFF) << 3; v >>= s; r |= s;
	s = (v > 0xF) << 2; v >>= s; r |= s;
	s = (v > 0x3) << 1; v >>= s; r |= s;
	return r | (v >> 1);
}

/* BCC's histogram slot of a 64-bit value: floor(log2(v)) + 1, and 1 for 0 and 1. */
static __always_inline unsigned int bpf_log2l(unsigned long v)
{
	unsigned int hi = v >> 32;
	return hi ? bpf_log2(hi) + 33 : bpf_log2((unsigned int)v) + 1;
}
`);

/** bcc/proto.h: field names and bit widths as BCC's, laid out in wire order. */
export const BCC_PROTO_H = guarded('__TSBCC_BCC_PROTO_H', includes('bcc/helpers.h', 'tsbcc/netdev.h') + String.raw`
/* BCC rewrites accesses through these (marked "packet") into packet loads. */
#define BPF_PACKET_HEADER __attribute__((packed)) __attribute__((deprecated("packet")))

struct ethernet_t {
	unsigned long long dst:48;
	unsigned long long src:48;
	unsigned int type:16;
} BPF_PACKET_HEADER;

struct dot1q_t {
	unsigned short pri:3;
	unsigned short cfi:1;
	unsigned short vlanid:12;
	unsigned short type;
} BPF_PACKET_HEADER;

struct arp_t {
	unsigned short htype;
	unsigned short ptype;
	unsigned char hlen;
	unsigned char plen;
	unsigned short oper;
	unsigned long long sha:48;
	unsigned long long spa:32;
	unsigned long long tha:48;
	unsigned int tpa;
} BPF_PACKET_HEADER;

struct ip_t {
	unsigned char ver:4;
	unsigned char hlen:4;
	unsigned char tos;
	unsigned short tlen;
	unsigned short identification;
	unsigned short ffo_unused:1;
	unsigned short df:1;
	unsigned short mf:1;
	unsigned short foffset:13;
	unsigned char ttl;
	unsigned char nextp;
	unsigned short hchecksum;
	unsigned int src;
	unsigned int dst;
} BPF_PACKET_HEADER;

struct icmp_t {
	unsigned char type;
	unsigned char code;
	unsigned short checksum;
} BPF_PACKET_HEADER;

struct ip6_t {
	unsigned int ver:4;
	unsigned int priority:8;
	unsigned int flow_label:20;
	unsigned short payload_len;
	unsigned char next_header;
	unsigned char hop_limit;
	unsigned long long src_hi;
	unsigned long long src_lo;
	unsigned long long dst_hi;
	unsigned long long dst_lo;
} BPF_PACKET_HEADER;

struct ip6_opt_t {
	unsigned char next_header;
	unsigned char ext_len;
	unsigned char pad[6];
} BPF_PACKET_HEADER;

struct icmp6_t {
	unsigned char type;
	unsigned char code;
	unsigned short checksum;
} BPF_PACKET_HEADER;

struct udp_t {
	unsigned short sport;
	unsigned short dport;
	unsigned short length;
	unsigned short crc;
} BPF_PACKET_HEADER;

struct tcp_t {
	unsigned short src_port;
	unsigned short dst_port;
	unsigned int seq_num;
	unsigned int ack_num;
	unsigned char offset:4;
	unsigned char reserved:4;
	unsigned char flag_cwr:1;
	unsigned char flag_ece:1;
	unsigned char flag_urg:1;
	unsigned char flag_ack:1;
	unsigned char flag_psh:1;
	unsigned char flag_rst:1;
	unsigned char flag_syn:1;
	unsigned char flag_fin:1;
	unsigned short rcv_wnd;
	unsigned short cksum;
	unsigned short urg_ptr;
} BPF_PACKET_HEADER;

struct vxlan_t {
	unsigned int rsv1:4;
	unsigned int iflag:1;
	unsigned int rsv2:3;
	unsigned int rsv3:24;
	unsigned int key:24;
	unsigned int rsv4:8;
} BPF_PACKET_HEADER;

struct vxlan_gbp_t {
	unsigned int gflag:1;
	unsigned int rsv1:3;
	unsigned int iflag:1;
	unsigned int rsv2:3;
	unsigned int rsv3:1;
	unsigned int dflag:1;
	unsigned int rsv4:1;
	unsigned int aflag:1;
	unsigned int rsv5:3;
	unsigned int tag:16;
	unsigned int key:24;
	unsigned int rsv6:8;
} BPF_PACKET_HEADER;
`);
