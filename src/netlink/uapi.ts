// Numbers from the kernel's uapi headers: linux/netlink.h, linux/rtnetlink.h, linux/if_link.h,
// linux/pkt_sched.h, linux/pkt_cls.h, linux/tc_act/tc_bpf.h. Written out by hand; each group
// names its header.

// linux/netlink.h
export const NETLINK_ROUTE = 0;
export const NLMSG_HDRLEN = 16;
export const NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3;
export const NLM_F_REQUEST = 0x01, NLM_F_MULTI = 0x02, NLM_F_ACK = 0x04, NLM_F_ECHO = 0x08;
/** GET requests. */
export const NLM_F_ROOT = 0x100, NLM_F_MATCH = 0x200, NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
/** NEW requests. */
export const NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400, NLM_F_APPEND = 0x800;
/** In acks: the request was cut to its header; TLVs (extended ack) follow. */
export const NLM_F_CAPPED = 0x100, NLM_F_ACK_TLVS = 0x200;
export const NLA_F_NESTED = 0x8000, NLA_TYPE_MASK = 0x3fff;
export const NETLINK_CAP_ACK = 10, NETLINK_EXT_ACK = 11;
/** enum nlmsgerr_attrs */
export const NLMSGERR_ATTR_MSG = 1, NLMSGERR_ATTR_OFFS = 2;

// linux/rtnetlink.h
export const RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_SETLINK = 19;
export const RTM_NEWQDISC = 36, RTM_DELQDISC = 37, RTM_GETQDISC = 38;
export const RTM_NEWTFILTER = 44, RTM_DELTFILTER = 45, RTM_GETTFILTER = 46;
export const RTM_NEWACTION = 48, RTM_DELACTION = 49, RTM_GETACTION = 50;
/** struct ifinfomsg (16 bytes), struct tcmsg (20 bytes), struct tcamsg (4 bytes). */
export const IFINFOMSG_LEN = 16, TCMSG_LEN = 20, TCAMSG_LEN = 4;
/** enum rtattr_type_t for tc messages (TCA_*). */
export const TCA_KIND = 1, TCA_OPTIONS = 2, TCA_CHAIN = 11;
/** Action tables: TCA_ACT_TAB holds actions numbered from 1. */
export const TCA_ACT_TAB = 1, TCA_ROOT_FLAGS = 2;

// linux/if_link.h
export const IFLA_IFNAME = 3, IFLA_XDP = 43;
export const IFLA_XDP_FD = 1, IFLA_XDP_ATTACHED = 2, IFLA_XDP_FLAGS = 3, IFLA_XDP_PROG_ID = 4,
  IFLA_XDP_DRV_PROG_ID = 5, IFLA_XDP_SKB_PROG_ID = 6, IFLA_XDP_HW_PROG_ID = 7, IFLA_XDP_EXPECTED_FD = 8;
export const XDP_FLAGS_UPDATE_IF_NOEXIST = 1, XDP_FLAGS_SKB_MODE = 2, XDP_FLAGS_DRV_MODE = 4,
  XDP_FLAGS_HW_MODE = 8, XDP_FLAGS_REPLACE = 16;
export const XDP_ATTACHED_NONE = 0, XDP_ATTACHED_DRV = 1, XDP_ATTACHED_SKB = 2, XDP_ATTACHED_HW = 3,
  XDP_ATTACHED_MULTI = 4;

// linux/pkt_sched.h
export const TC_H_ROOT = 0xffffffff, TC_H_INGRESS = 0xfffffff1, TC_H_CLSACT = TC_H_INGRESS;
export const TC_H_MIN_INGRESS = 0xfff2, TC_H_MIN_EGRESS = 0xfff3;
export const TC_H_MAJ_MASK = 0xffff0000, TC_H_MIN_MASK = 0x0000ffff;
/** TC_H_MAKE(maj, min) */
export const tcHandle = (maj: number, min: number): number => (((maj & TC_H_MAJ_MASK) | (min & TC_H_MIN_MASK)) >>> 0);

// linux/pkt_cls.h
export const TCA_BPF_ACT = 1, TCA_BPF_CLASSID = 3, TCA_BPF_FD = 6, TCA_BPF_NAME = 7, TCA_BPF_FLAGS = 8,
  TCA_BPF_FLAGS_GEN = 9, TCA_BPF_TAG = 10, TCA_BPF_ID = 11;
export const TCA_BPF_FLAG_ACT_DIRECT = 1;
export const TCA_MATCHALL_CLASSID = 1, TCA_MATCHALL_ACT = 2, TCA_MATCHALL_FLAGS = 3;
export const TCA_ACT_KIND = 1, TCA_ACT_OPTIONS = 2, TCA_ACT_INDEX = 3;
/** Verdicts (TC_ACT_*). */
export const TC_ACT_UNSPEC = -1, TC_ACT_OK = 0, TC_ACT_RECLASSIFY = 1, TC_ACT_SHOT = 2, TC_ACT_PIPE = 3;

// linux/tc_act/tc_bpf.h
export const TCA_ACT_BPF_PARMS = 2, TCA_ACT_BPF_FD = 5, TCA_ACT_BPF_NAME = 6, TCA_ACT_BPF_ID = 9;
/** struct tc_act_bpf = tc_gen: index, capab, action, refcnt, bindcnt (5 x u32). */
export const TC_ACT_BPF_LEN = 20;
