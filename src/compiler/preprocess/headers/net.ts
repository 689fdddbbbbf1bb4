// Networking: address families and socket options (linux/socket.h, asm-generic/socket.h,
// uapi/linux/in.h, in6.h), link layer (if_ether.h, if_vlan.h, if.h, if_packet.h), IP/TCP/UDP/ICMP
// constants, tc and XDP verdict flags, netfilter verdicts, the sk_buff header accessors and the
// socket casts and member aliases of net/sock.h, net/inet_sock.h, net/inet_timewait_sock.h,
// linux/tcp.h. Enum constants of the kernel (IPPROTO_*, TCP_ESTABLISHED, TCPF_*, SOCK_STREAM,
// XDP_PASS, IFF_UP, ...) come from BTF and are not defined here.
import { aliasDefs, defs, guarded, includes, type DefTable, type MemberAliases } from './util.js';

const FAMILIES: DefTable = [
  ['AF_UNSPEC', 0], ['AF_UNIX', 1], ['AF_LOCAL', 1], ['AF_INET', 2], ['AF_AX25', 3], ['AF_IPX', 4],
  ['AF_APPLETALK', 5], ['AF_NETROM', 6], ['AF_BRIDGE', 7], ['AF_ATMPVC', 8], ['AF_X25', 9],
  ['AF_INET6', 10], ['AF_ROSE', 11], ['AF_DECnet', 12], ['AF_NETBEUI', 13], ['AF_SECURITY', 14],
  ['AF_KEY', 15], ['AF_NETLINK', 16], ['AF_ROUTE', 'AF_NETLINK'], ['AF_PACKET', 17], ['AF_ASH', 18],
  ['AF_ECONET', 19], ['AF_ATMSVC', 20], ['AF_RDS', 21], ['AF_SNA', 22], ['AF_IRDA', 23],
  ['AF_PPPOX', 24], ['AF_WANPIPE', 25], ['AF_LLC', 26], ['AF_IB', 27], ['AF_MPLS', 28], ['AF_CAN', 29],
  ['AF_TIPC', 30], ['AF_BLUETOOTH', 31], ['AF_IUCV', 32], ['AF_RXRPC', 33], ['AF_ISDN', 34],
  ['AF_PHONET', 35], ['AF_IEEE802154', 36], ['AF_CAIF', 37], ['AF_ALG', 38], ['AF_NFC', 39],
  ['AF_VSOCK', 40], ['AF_KCM', 41], ['AF_QIPCRTR', 42], ['AF_SMC', 43], ['AF_XDP', 44], ['AF_MCTP', 45],
  ['AF_MAX', 46],
  ['PF_UNSPEC', 'AF_UNSPEC'], ['PF_UNIX', 'AF_UNIX'], ['PF_LOCAL', 'AF_LOCAL'], ['PF_INET', 'AF_INET'],
  ['PF_AX25', 'AF_AX25'], ['PF_IPX', 'AF_IPX'], ['PF_APPLETALK', 'AF_APPLETALK'], ['PF_NETROM', 'AF_NETROM'],
  ['PF_BRIDGE', 'AF_BRIDGE'], ['PF_ATMPVC', 'AF_ATMPVC'], ['PF_X25', 'AF_X25'], ['PF_INET6', 'AF_INET6'],
  ['PF_ROSE', 'AF_ROSE'], ['PF_DECnet', 'AF_DECnet'], ['PF_NETBEUI', 'AF_NETBEUI'],
  ['PF_SECURITY', 'AF_SECURITY'], ['PF_KEY', 'AF_KEY'], ['PF_NETLINK', 'AF_NETLINK'], ['PF_ROUTE', 'AF_ROUTE'],
  ['PF_PACKET', 'AF_PACKET'], ['PF_ASH', 'AF_ASH'], ['PF_ECONET', 'AF_ECONET'], ['PF_ATMSVC', 'AF_ATMSVC'],
  ['PF_RDS', 'AF_RDS'], ['PF_SNA', 'AF_SNA'], ['PF_IRDA', 'AF_IRDA'], ['PF_PPPOX', 'AF_PPPOX'],
  ['PF_WANPIPE', 'AF_WANPIPE'], ['PF_LLC', 'AF_LLC'], ['PF_IB', 'AF_IB'], ['PF_MPLS', 'AF_MPLS'],
  ['PF_CAN', 'AF_CAN'], ['PF_TIPC', 'AF_TIPC'], ['PF_BLUETOOTH', 'AF_BLUETOOTH'], ['PF_IUCV', 'AF_IUCV'],
  ['PF_RXRPC', 'AF_RXRPC'], ['PF_ISDN', 'AF_ISDN'], ['PF_PHONET', 'AF_PHONET'],
  ['PF_IEEE802154', 'AF_IEEE802154'], ['PF_CAIF', 'AF_CAIF'], ['PF_ALG', 'AF_ALG'], ['PF_NFC', 'AF_NFC'],
  ['PF_VSOCK', 'AF_VSOCK'], ['PF_KCM', 'AF_KCM'], ['PF_QIPCRTR', 'AF_QIPCRTR'], ['PF_SMC', 'AF_SMC'],
  ['PF_XDP', 'AF_XDP'], ['PF_MCTP', 'AF_MCTP'], ['PF_MAX', 'AF_MAX'],
];

const SOCKOPTS: DefTable = [
  ['SOL_IP', 0], ['SOL_SOCKET', 1], ['SOL_TCP', 6], ['SOL_UDP', 17], ['SOL_IPV6', 41], ['SOL_ICMPV6', 58],
  ['SOL_SCTP', 132], ['SOL_UDPLITE', 136], ['SOL_RAW', 255], ['SOL_PACKET', 263], ['SOL_NETLINK', 270],
  ['SOL_TLS', 282], ['SOL_XDP', 283], ['SOL_MPTCP', 284],
  ['SO_DEBUG', 1], ['SO_REUSEADDR', 2], ['SO_TYPE', 3], ['SO_ERROR', 4], ['SO_DONTROUTE', 5],
  ['SO_BROADCAST', 6], ['SO_SNDBUF', 7], ['SO_RCVBUF', 8], ['SO_SNDBUFFORCE', 32], ['SO_RCVBUFFORCE', 33],
  ['SO_KEEPALIVE', 9], ['SO_OOBINLINE', 10], ['SO_NO_CHECK', 11], ['SO_PRIORITY', 12], ['SO_LINGER', 13],
  ['SO_BSDCOMPAT', 14], ['SO_REUSEPORT', 15], ['SO_PASSCRED', 16], ['SO_PEERCRED', 17],
  ['SO_RCVLOWAT', 18], ['SO_SNDLOWAT', 19], ['SO_RCVTIMEO_OLD', 20], ['SO_SNDTIMEO_OLD', 21],
  ['SO_BINDTODEVICE', 25], ['SO_ATTACH_FILTER', 26], ['SO_DETACH_FILTER', 27], ['SO_PEERNAME', 28],
  ['SO_TIMESTAMP_OLD', 29], ['SO_ACCEPTCONN', 30], ['SO_PEERSEC', 31], ['SO_PASSSEC', 34],
  ['SO_TIMESTAMPNS_OLD', 35], ['SO_MARK', 36], ['SO_TIMESTAMPING_OLD', 37], ['SO_PROTOCOL', 38],
  ['SO_DOMAIN', 39], ['SO_RXQ_OVFL', 40], ['SO_WIFI_STATUS', 41], ['SO_PEEK_OFF', 42], ['SO_NOFCS', 43],
  ['SO_LOCK_FILTER', 44], ['SO_SELECT_ERR_QUEUE', 45], ['SO_BUSY_POLL', 46], ['SO_MAX_PACING_RATE', 47],
  ['SO_BPF_EXTENSIONS', 48], ['SO_INCOMING_CPU', 49], ['SO_ATTACH_BPF', 50],
  ['SO_DETACH_BPF', 'SO_DETACH_FILTER'], ['SO_ATTACH_REUSEPORT_CBPF', 51], ['SO_ATTACH_REUSEPORT_EBPF', 52],
  ['SO_CNX_ADVICE', 53], ['SO_MEMINFO', 55], ['SO_INCOMING_NAPI_ID', 56], ['SO_COOKIE', 57],
  ['SO_PEERGROUPS', 59], ['SO_ZEROCOPY', 60], ['SO_TXTIME', 61], ['SO_BINDTOIFINDEX', 62],
  ['SO_TIMESTAMP_NEW', 63], ['SO_TIMESTAMPNS_NEW', 64], ['SO_TIMESTAMPING_NEW', 65],
  ['SO_RCVTIMEO_NEW', 66], ['SO_SNDTIMEO_NEW', 67], ['SO_DETACH_REUSEPORT_BPF', 68],
  ['SO_PREFER_BUSY_POLL', 69], ['SO_BUSY_POLL_BUDGET', 70], ['SO_NETNS_COOKIE', 71], ['SO_BUF_LOCK', 72],
  ['SO_RESERVE_MEM', 73], ['SO_TXREHASH', 74], ['SO_RCVMARK', 75],
  ['SO_TIMESTAMP', 'SO_TIMESTAMP_OLD'], ['SO_TIMESTAMPNS', 'SO_TIMESTAMPNS_OLD'],
  ['SO_TIMESTAMPING', 'SO_TIMESTAMPING_OLD'], ['SO_RCVTIMEO', 'SO_RCVTIMEO_OLD'], ['SO_SNDTIMEO', 'SO_SNDTIMEO_OLD'],
  ['SOCK_CLOEXEC', 'O_CLOEXEC'], ['SOCK_NONBLOCK', 'O_NONBLOCK'], ['SOCK_TYPE_MASK', '0xf'],
  ['MSG_OOB', 1], ['MSG_PEEK', 2], ['MSG_DONTROUTE', 4], ['MSG_TRYHARD', 4], ['MSG_CTRUNC', 8],
  ['MSG_PROBE', '0x10'], ['MSG_TRUNC', '0x20'], ['MSG_DONTWAIT', '0x40'], ['MSG_EOR', '0x80'],
  ['MSG_WAITALL', '0x100'], ['MSG_FIN', '0x200'], ['MSG_SYN', '0x400'], ['MSG_CONFIRM', '0x800'],
  ['MSG_RST', '0x1000'], ['MSG_ERRQUEUE', '0x2000'], ['MSG_NOSIGNAL', '0x4000'], ['MSG_MORE', '0x8000'],
  ['MSG_WAITFORONE', '0x10000'], ['MSG_BATCH', '0x40000'], ['MSG_EOF', 'MSG_FIN'],
  ['MSG_ZEROCOPY', '0x4000000'], ['MSG_FASTOPEN', '0x20000000'], ['MSG_CMSG_CLOEXEC', '0x40000000'],
  ['SCM_RIGHTS', '0x01'], ['SCM_CREDENTIALS', '0x02'], ['SCM_SECURITY', '0x03'],
  ['IP_TOS', 1], ['IP_TTL', 2], ['IP_HDRINCL', 3], ['IP_OPTIONS', 4], ['IP_ROUTER_ALERT', 5],
  ['IP_RECVOPTS', 6], ['IP_RETOPTS', 7], ['IP_PKTINFO', 8], ['IP_PKTOPTIONS', 9], ['IP_MTU_DISCOVER', 10],
  ['IP_RECVERR', 11], ['IP_RECVTTL', 12], ['IP_RECVTOS', 13], ['IP_MTU', 14], ['IP_FREEBIND', 15],
  ['IP_IPSEC_POLICY', 16], ['IP_XFRM_POLICY', 17], ['IP_PASSSEC', 18], ['IP_TRANSPARENT', 19],
  ['IP_ORIGDSTADDR', 20], ['IP_MINTTL', 21], ['IP_NODEFRAG', 22], ['IP_CHECKSUM', 23],
  ['IP_BIND_ADDRESS_NO_PORT', 24], ['IP_RECVFRAGSIZE', 25], ['IP_MULTICAST_IF', 32],
  ['IP_MULTICAST_TTL', 33], ['IP_MULTICAST_LOOP', 34], ['IP_ADD_MEMBERSHIP', 35], ['IP_DROP_MEMBERSHIP', 36],
  ['IP_MULTICAST_ALL', 49], ['IP_UNICAST_IF', 50], ['IP_LOCAL_PORT_RANGE', 51], ['IP_PROTOCOL', 52],
  ['IPV6_ADDRFORM', 1], ['IPV6_CHECKSUM', 7], ['IPV6_NEXTHOP', 9], ['IPV6_FLOWINFO', 11],
  ['IPV6_UNICAST_HOPS', 16], ['IPV6_MULTICAST_IF', 17], ['IPV6_MULTICAST_HOPS', 18],
  ['IPV6_MULTICAST_LOOP', 19], ['IPV6_ADD_MEMBERSHIP', 20], ['IPV6_DROP_MEMBERSHIP', 21],
  ['IPV6_ROUTER_ALERT', 22], ['IPV6_MTU_DISCOVER', 23], ['IPV6_MTU', 24], ['IPV6_RECVERR', 25],
  ['IPV6_V6ONLY', 26], ['IPV6_RECVPKTINFO', 49], ['IPV6_PKTINFO', 50], ['IPV6_RECVHOPLIMIT', 51],
  ['IPV6_HOPLIMIT', 52], ['IPV6_TCLASS', 67], ['IPV6_TRANSPARENT', 75], ['IPV6_FREEBIND', 78],
  ['INADDR_ANY', '((unsigned long int) 0x00000000)'], ['INADDR_BROADCAST', '((unsigned long int) 0xffffffff)'],
  ['INADDR_NONE', '((unsigned long int) 0xffffffff)'], ['INADDR_LOOPBACK', '0x7f000001'],
  ['IN_LOOPBACKNET', 127],
  ['TCP_NODELAY', 1], ['TCP_MAXSEG', 2], ['TCP_CORK', 3], ['TCP_KEEPIDLE', 4], ['TCP_KEEPINTVL', 5],
  ['TCP_KEEPCNT', 6], ['TCP_SYNCNT', 7], ['TCP_LINGER2', 8], ['TCP_DEFER_ACCEPT', 9],
  ['TCP_WINDOW_CLAMP', 10], ['TCP_INFO', 11], ['TCP_QUICKACK', 12], ['TCP_CONGESTION', 13],
  ['TCP_MD5SIG', 14], ['TCP_THIN_LINEAR_TIMEOUTS', 16], ['TCP_THIN_DUPACK', 17], ['TCP_USER_TIMEOUT', 18],
  ['TCP_REPAIR', 19], ['TCP_REPAIR_QUEUE', 20], ['TCP_QUEUE_SEQ', 21], ['TCP_REPAIR_OPTIONS', 22],
  ['TCP_FASTOPEN', 23], ['TCP_TIMESTAMP', 24], ['TCP_NOTSENT_LOWAT', 25], ['TCP_CC_INFO', 26],
  ['TCP_SAVE_SYN', 27], ['TCP_SAVED_SYN', 28], ['TCP_REPAIR_WINDOW', 29], ['TCP_FASTOPEN_CONNECT', 30],
  ['TCP_ULP', 31], ['TCP_MD5SIG_EXT', 32], ['TCP_FASTOPEN_KEY', 33], ['TCP_FASTOPEN_NO_COOKIE', 34],
  ['TCP_ZEROCOPY_RECEIVE', 35], ['TCP_INQ', 36], ['TCP_TX_DELAY', 37],
  ['TCP_MSS_DEFAULT', '536U'], ['TCP_MSS_DESIRED', '1220U'],
];

const LINK: DefTable = [
  ['ETH_ALEN', 6], ['ETH_TLEN', 2], ['ETH_HLEN', 14], ['ETH_ZLEN', 60], ['ETH_DATA_LEN', 1500],
  ['ETH_FRAME_LEN', 1514], ['ETH_FCS_LEN', 4], ['ETH_MIN_MTU', 68], ['ETH_MAX_MTU', '0xFFFFU'],
  ['ETH_P_LOOP', '0x0060'], ['ETH_P_PUP', '0x0200'], ['ETH_P_PUPAT', '0x0201'], ['ETH_P_TSN', '0x22F0'],
  ['ETH_P_ERSPAN2', '0x22EB'], ['ETH_P_IP', '0x0800'], ['ETH_P_X25', '0x0805'], ['ETH_P_ARP', '0x0806'],
  ['ETH_P_BPQ', '0x08FF'], ['ETH_P_BATMAN', '0x4305'], ['ETH_P_DEC', '0x6000'], ['ETH_P_TEB', '0x6558'],
  ['ETH_P_RARP', '0x8035'], ['ETH_P_ATALK', '0x809B'], ['ETH_P_AARP', '0x80F3'], ['ETH_P_8021Q', '0x8100'],
  ['ETH_P_ERSPAN', '0x88BE'], ['ETH_P_IPX', '0x8137'], ['ETH_P_IPV6', '0x86DD'], ['ETH_P_PAUSE', '0x8808'],
  ['ETH_P_SLOW', '0x8809'], ['ETH_P_WCCP', '0x883E'], ['ETH_P_MPLS_UC', '0x8847'], ['ETH_P_MPLS_MC', '0x8848'],
  ['ETH_P_ATMMPOA', '0x884c'], ['ETH_P_PPP_DISC', '0x8863'], ['ETH_P_PPP_SES', '0x8864'],
  ['ETH_P_LINK_CTL', '0x886c'], ['ETH_P_ATMFATE', '0x8884'], ['ETH_P_PAE', '0x888E'],
  ['ETH_P_PROFINET', '0x8892'], ['ETH_P_REALTEK', '0x8899'], ['ETH_P_AOE', '0x88A2'],
  ['ETH_P_ETHERCAT', '0x88A4'], ['ETH_P_8021AD', '0x88A8'], ['ETH_P_802_EX1', '0x88B5'],
  ['ETH_P_PREAUTH', '0x88C7'], ['ETH_P_TIPC', '0x88CA'], ['ETH_P_LLDP', '0x88CC'], ['ETH_P_MRP', '0x88E3'],
  ['ETH_P_MACSEC', '0x88E5'], ['ETH_P_8021AH', '0x88E7'], ['ETH_P_MVRP', '0x88F5'], ['ETH_P_1588', '0x88F7'],
  ['ETH_P_NCSI', '0x88F8'], ['ETH_P_PRP', '0x88FB'], ['ETH_P_CFM', '0x8902'], ['ETH_P_FCOE', '0x8906'],
  ['ETH_P_IBOE', '0x8915'], ['ETH_P_TDLS', '0x890D'], ['ETH_P_FIP', '0x8914'], ['ETH_P_80221', '0x8917'],
  ['ETH_P_HSR', '0x892F'], ['ETH_P_NSH', '0x894F'], ['ETH_P_LOOPBACK', '0x9000'], ['ETH_P_QINQ1', '0x9100'],
  ['ETH_P_QINQ2', '0x9200'], ['ETH_P_QINQ3', '0x9300'], ['ETH_P_EDSA', '0xDADA'], ['ETH_P_DSA_8021Q', '0xDADB'],
  ['ETH_P_IFE', '0xED3E'], ['ETH_P_AF_IUCV', '0xFBFB'], ['ETH_P_802_3_MIN', '0x0600'],
  ['ETH_P_802_3', '0x0001'], ['ETH_P_AX25', '0x0002'], ['ETH_P_ALL', '0x0003'], ['ETH_P_802_2', '0x0004'],
  ['ETH_P_SNAP', '0x0005'], ['ETH_P_DDCMP', '0x0006'], ['ETH_P_WAN_PPP', '0x0007'], ['ETH_P_PPP_MP', '0x0008'],
  ['ETH_P_LOCALTALK', '0x0009'], ['ETH_P_CAN', '0x000C'], ['ETH_P_CANFD', '0x000D'], ['ETH_P_PPPTALK', '0x0010'],
  ['ETH_P_TR_802_2', '0x0011'], ['ETH_P_MOBITEX', '0x0015'], ['ETH_P_CONTROL', '0x0016'], ['ETH_P_IRDA', '0x0017'],
  ['ETH_P_ECONET', '0x0018'], ['ETH_P_HDLC', '0x0019'], ['ETH_P_ARCNET', '0x001A'], ['ETH_P_DSA', '0x001B'],
  ['ETH_P_TRAILER', '0x001C'], ['ETH_P_PHONET', '0x00F5'], ['ETH_P_IEEE802154', '0x00F6'],
  ['ETH_P_CAIF', '0x00F7'], ['ETH_P_XDSA', '0x00F8'], ['ETH_P_MAP', '0x00F9'], ['ETH_P_MCTP', '0x00FA'],
  ['VLAN_HLEN', 4], ['VLAN_ETH_HLEN', 18], ['VLAN_ETH_ZLEN', 64], ['VLAN_ETH_DATA_LEN', 1500],
  ['VLAN_ETH_FRAME_LEN', 1518], ['VLAN_PRIO_MASK', '0xe000'], ['VLAN_PRIO_SHIFT', 13],
  ['VLAN_CFI_MASK', '0x1000'], ['VLAN_VID_MASK', '0x0fff'], ['VLAN_N_VID', 4096],
  ['IFNAMSIZ', 16], ['IFALIASZ', 256], ['IF_NAMESIZE', 16], ['ALTIFNAMSIZ', 128], ['MAX_ADDR_LEN', 32],
  ['PACKET_HOST', 0], ['PACKET_BROADCAST', 1], ['PACKET_MULTICAST', 2], ['PACKET_OTHERHOST', 3],
  ['PACKET_OUTGOING', 4], ['PACKET_LOOPBACK', 5], ['PACKET_USER', 6], ['PACKET_KERNEL', 7],
  ['NET_RX_SUCCESS', 0], ['NET_RX_DROP', 1],
  ['TC_ACT_UNSPEC', '(-1)'], ['TC_ACT_OK', 0], ['TC_ACT_RECLASSIFY', 1], ['TC_ACT_SHOT', 2],
  ['TC_ACT_PIPE', 3], ['TC_ACT_STOLEN', 4], ['TC_ACT_QUEUED', 5], ['TC_ACT_REPEAT', 6],
  ['TC_ACT_REDIRECT', 7], ['TC_ACT_TRAP', 8], ['TC_ACT_VALUE_MAX', 'TC_ACT_TRAP'],
  ['TC_H_MAJ_MASK', '(0xFFFF0000U)'], ['TC_H_MIN_MASK', '(0x0000FFFFU)'], ['TC_H_UNSPEC', '(0U)'],
  ['TC_H_ROOT', '(0xFFFFFFFFU)'], ['TC_H_INGRESS', '(0xFFFFFFF1U)'], ['TC_H_CLSACT', 'TC_H_INGRESS'],
  ['TC_H_MIN_PRIORITY', '0xFFE0U'], ['TC_H_MIN_INGRESS', '0xFFF2U'], ['TC_H_MIN_EGRESS', '0xFFF3U'],
  ['XDP_FLAGS_UPDATE_IF_NOEXIST', '(1U << 0)'], ['XDP_FLAGS_SKB_MODE', '(1U << 1)'],
  ['XDP_FLAGS_DRV_MODE', '(1U << 2)'], ['XDP_FLAGS_HW_MODE', '(1U << 3)'], ['XDP_FLAGS_REPLACE', '(1U << 4)'],
  ['XDP_FLAGS_MODES', '(XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE | XDP_FLAGS_HW_MODE)'],
  ['XDP_FLAGS_MASK', '(XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_MODES | XDP_FLAGS_REPLACE)'],
  ['NF_DROP', 0], ['NF_ACCEPT', 1], ['NF_STOLEN', 2], ['NF_QUEUE', 3], ['NF_REPEAT', 4], ['NF_STOP', 5],
  ['NF_MAX_VERDICT', 'NF_STOP'], ['NF_VERDICT_MASK', '0x000000ff'],
];

const PROTO: DefTable = [
  ['IPVERSION', 4], ['MAXTTL', 255], ['IPDEFTTL', 64], ['IP_CE', '0x8000'], ['IP_DF', '0x4000'],
  ['IP_MF', '0x2000'], ['IP_OFFSET', '0x1FFF'],
  ['IPTOS_TOS_MASK', '0x1E'], ['IPTOS_PREC_MASK', '0xE0'], ['IPTOS_ECN_MASK', '0x03'],
  ['NEXTHDR_HOP', 0], ['NEXTHDR_IPV4', 4], ['NEXTHDR_TCP', 6], ['NEXTHDR_UDP', 17], ['NEXTHDR_IPV6', 41],
  ['NEXTHDR_ROUTING', 43], ['NEXTHDR_FRAGMENT', 44], ['NEXTHDR_GRE', 47], ['NEXTHDR_ESP', 50],
  ['NEXTHDR_AUTH', 51], ['NEXTHDR_ICMP', 58], ['NEXTHDR_NONE', 59], ['NEXTHDR_DEST', 60],
  ['NEXTHDR_SCTP', 132], ['NEXTHDR_MOBILITY', 135], ['NEXTHDR_MAX', 255],
  ['ICMP_ECHOREPLY', 0], ['ICMP_DEST_UNREACH', 3], ['ICMP_SOURCE_QUENCH', 4], ['ICMP_REDIRECT', 5],
  ['ICMP_ECHO', 8], ['ICMP_TIME_EXCEEDED', 11], ['ICMP_PARAMETERPROB', 12], ['ICMP_TIMESTAMP', 13],
  ['ICMP_TIMESTAMPREPLY', 14], ['ICMP_INFO_REQUEST', 15], ['ICMP_INFO_REPLY', 16], ['ICMP_ADDRESS', 17],
  ['ICMP_ADDRESSREPLY', 18], ['NR_ICMP_TYPES', 18],
  ['ICMP_NET_UNREACH', 0], ['ICMP_HOST_UNREACH', 1], ['ICMP_PROT_UNREACH', 2], ['ICMP_PORT_UNREACH', 3],
  ['ICMP_FRAG_NEEDED', 4], ['ICMP_SR_FAILED', 5], ['ICMP_EXC_TTL', 0], ['ICMP_EXC_FRAGTIME', 1],
  ['ICMPV6_DEST_UNREACH', 1], ['ICMPV6_PKT_TOOBIG', 2], ['ICMPV6_TIME_EXCEED', 3], ['ICMPV6_PARAMPROB', 4],
  ['ICMPV6_ECHO_REQUEST', 128], ['ICMPV6_ECHO_REPLY', 129], ['ICMPV6_MGM_QUERY', 130],
  ['ICMPV6_MGM_REPORT', 131], ['ICMPV6_MGM_REDUCTION', 132],
  ['TCPHDR_FIN', '0x01'], ['TCPHDR_SYN', '0x02'], ['TCPHDR_RST', '0x04'], ['TCPHDR_PSH', '0x08'],
  ['TCPHDR_ACK', '0x10'], ['TCPHDR_URG', '0x20'], ['TCPHDR_ECE', '0x40'], ['TCPHDR_CWR', '0x80'],
  ['TCPHDR_SYN_ECN', '(TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR)'],
  ['TCP_INFINITE_SSTHRESH', '0x7fffffff'],
];

/** struct sock's own members are __sk_common's: net/sock.h names them with macros. */
export const SOCK_ALIASES: MemberAliases = {
  struct: 'sock',
  aliases: [
    ['sk_node', '__sk_common.skc_node'], ['sk_nulls_node', '__sk_common.skc_nulls_node'],
    ['sk_refcnt', '__sk_common.skc_refcnt'], ['sk_tx_queue_mapping', '__sk_common.skc_tx_queue_mapping'],
    ['sk_rx_queue_mapping', '__sk_common.skc_rx_queue_mapping'],
    ['sk_dontcopy_begin', '__sk_common.skc_dontcopy_begin'], ['sk_dontcopy_end', '__sk_common.skc_dontcopy_end'],
    ['sk_hash', '__sk_common.skc_hash'], ['sk_portpair', '__sk_common.skc_portpair'],
    ['sk_num', '__sk_common.skc_num'], ['sk_dport', '__sk_common.skc_dport'],
    ['sk_addrpair', '__sk_common.skc_addrpair'], ['sk_daddr', '__sk_common.skc_daddr'],
    ['sk_rcv_saddr', '__sk_common.skc_rcv_saddr'], ['sk_family', '__sk_common.skc_family'],
    ['sk_state', '__sk_common.skc_state'], ['sk_reuse', '__sk_common.skc_reuse'],
    ['sk_reuseport', '__sk_common.skc_reuseport'], ['sk_ipv6only', '__sk_common.skc_ipv6only'],
    ['sk_net_refcnt', '__sk_common.skc_net_refcnt'], ['sk_bound_dev_if', '__sk_common.skc_bound_dev_if'],
    ['sk_bind_node', '__sk_common.skc_bind_node'], ['sk_prot', '__sk_common.skc_prot'],
    ['sk_net', '__sk_common.skc_net'], ['sk_v6_daddr', '__sk_common.skc_v6_daddr'],
    ['sk_v6_rcv_saddr', '__sk_common.skc_v6_rcv_saddr'], ['sk_cookie', '__sk_common.skc_cookie'],
    ['sk_incoming_cpu', '__sk_common.skc_incoming_cpu'], ['sk_flags', '__sk_common.skc_flags'],
    ['sk_rxhash', '__sk_common.skc_rxhash'],
    ['sk_rmem_alloc', 'sk_backlog.rmem_alloc'],
  ],
};

/** struct inet_sock starts with a struct sock named sk (net/inet_sock.h). */
export const INET_ALIASES: MemberAliases = {
  struct: 'inet_sock',
  aliases: [
    ['inet_daddr', 'sk.__sk_common.skc_daddr'], ['inet_rcv_saddr', 'sk.__sk_common.skc_rcv_saddr'],
    ['inet_dport', 'sk.__sk_common.skc_dport'], ['inet_num', 'sk.__sk_common.skc_num'],
  ],
};

/** struct inet_request_sock (net/inet_sock.h). */
export const INET_REQ_ALIASES: MemberAliases = {
  struct: 'inet_request_sock',
  aliases: [
    ['ir_loc_addr', 'req.__req_common.skc_rcv_saddr'], ['ir_rmt_addr', 'req.__req_common.skc_daddr'],
    ['ir_num', 'req.__req_common.skc_num'], ['ir_rmt_port', 'req.__req_common.skc_dport'],
    ['ir_v6_rmt_addr', 'req.__req_common.skc_v6_daddr'], ['ir_v6_loc_addr', 'req.__req_common.skc_v6_rcv_saddr'],
    ['ir_iif', 'req.__req_common.skc_bound_dev_if'], ['ir_cookie', 'req.__req_common.skc_cookie'],
  ],
};

/** struct inet_timewait_sock (net/inet_timewait_sock.h). */
export const TW_ALIASES: MemberAliases = {
  struct: 'inet_timewait_sock',
  aliases: [
    ['tw_family', '__tw_common.skc_family'], ['tw_state', '__tw_common.skc_state'],
    ['tw_reuse', '__tw_common.skc_reuse'], ['tw_reuseport', '__tw_common.skc_reuseport'],
    ['tw_ipv6only', '__tw_common.skc_ipv6only'], ['tw_bound_dev_if', '__tw_common.skc_bound_dev_if'],
    ['tw_node', '__tw_common.skc_nulls_node'], ['tw_bind_node', '__tw_common.skc_bind_node'],
    ['tw_refcnt', '__tw_common.skc_refcnt'], ['tw_hash', '__tw_common.skc_hash'],
    ['tw_prot', '__tw_common.skc_prot'], ['tw_net', '__tw_common.skc_net'],
    ['tw_daddr', '__tw_common.skc_daddr'], ['tw_v6_daddr', '__tw_common.skc_v6_daddr'],
    ['tw_rcv_saddr', '__tw_common.skc_rcv_saddr'], ['tw_v6_rcv_saddr', '__tw_common.skc_v6_rcv_saddr'],
    ['tw_dport', '__tw_common.skc_dport'], ['tw_num', '__tw_common.skc_num'],
    ['tw_cookie', '__tw_common.skc_cookie'], ['tw_dr', '__tw_common.skc_tw_dr'],
  ],
};

export const MEMBER_ALIASES: readonly MemberAliases[] = [SOCK_ALIASES, INET_ALIASES, INET_REQ_ALIASES, TW_ALIASES];

/** tsbcc/socket.h: address families, socket levels and options, message flags. */
export const SOCKET_H = guarded('__TSBCC_SOCKET_H', '\n' + defs(FAMILIES) + defs(SOCKOPTS));

/** tsbcc/netdev.h: link layer, device names, packet types, tc/XDP/netfilter verdicts. */
export const NETDEV_H = guarded('__TSBCC_NETDEV_H', '\n' + defs(LINK) + String.raw`
#define TC_H_MAJ(h) ((h) & TC_H_MAJ_MASK)
#define TC_H_MIN(h) ((h) & TC_H_MIN_MASK)
#define TC_H_MAKE(maj, min) (((maj) & TC_H_MAJ_MASK) | ((min) & TC_H_MIN_MASK))
`);

/** tsbcc/netproto.h: IP, IPv6, ICMP and TCP header constants. */
export const NETPROTO_H = guarded('__TSBCC_NETPROTO_H', '\n' + defs(PROTO));

/** tsbcc/skbuff.h: header accessors on a kernel struct sk_buff (linux/skbuff.h, linux/ip.h, ...).
 *  On 64-bit kernels the header fields are offsets from skb->head. */
export const SKBUFF_H = guarded('__TSBCC_SKBUFF_H', includes('tsbcc/socket.h', 'tsbcc/netdev.h', 'tsbcc/netproto.h') + String.raw`
static inline unsigned char *skb_network_header(const struct sk_buff *skb)
{
	return skb->head + skb->network_header;
}
static inline unsigned char *skb_transport_header(const struct sk_buff *skb)
{
	return skb->head + skb->transport_header;
}
static inline unsigned char *skb_mac_header(const struct sk_buff *skb)
{
	return skb->head + skb->mac_header;
}
static inline struct iphdr *ip_hdr(const struct sk_buff *skb)
{
	return (struct iphdr *)skb_network_header(skb);
}
static inline struct ipv6hdr *ipv6_hdr(const struct sk_buff *skb)
{
	return (struct ipv6hdr *)skb_network_header(skb);
}
static inline struct tcphdr *tcp_hdr(const struct sk_buff *skb)
{
	return (struct tcphdr *)skb_transport_header(skb);
}
static inline struct udphdr *udp_hdr(const struct sk_buff *skb)
{
	return (struct udphdr *)skb_transport_header(skb);
}
static inline struct icmphdr *icmp_hdr(const struct sk_buff *skb)
{
	return (struct icmphdr *)skb_transport_header(skb);
}
static inline struct ethhdr *eth_hdr(const struct sk_buff *skb)
{
	return (struct ethhdr *)skb_mac_header(skb);
}
#define skb_network_offset(skb) ((int)((skb)->network_header - ((skb)->data - (skb)->head)))
#define skb_transport_offset(skb) ((int)((skb)->transport_header - ((skb)->data - (skb)->head)))
#define skb_end_pointer(skb) ((skb)->head + (skb)->end)
#define skb_shinfo(skb) ((struct skb_shared_info *)skb_end_pointer(skb))
#define skb_headlen(skb) ((skb)->len - (skb)->data_len)
#define skb_rx_queue_recorded(skb) ((skb)->queue_mapping != 0)
#define skb_get_rx_queue(skb) ((skb)->queue_mapping - 1)
#define skb_get_queue_mapping(skb) ((skb)->queue_mapping)
#define ip_hdrlen(skb) (ip_hdr(skb)->ihl * 4)
#define tcp_hdrlen(skb) (tcp_hdr(skb)->doff * 4)
#define tcp_flag_byte(th) (((u_int8_t *)th)[13])
#define tcp_flag_word(tp) (((union tcp_word_hdr *)(tp))->words[3])
#define TCP_SKB_CB(__skb) ((struct tcp_skb_cb *)&((__skb)->cb[0]))
`);

/** tsbcc/sock.h: socket casts and member aliases (net/sock.h, net/inet_sock.h,
 *  net/inet_connection_sock.h, net/inet_timewait_sock.h, linux/tcp.h, linux/udp.h, linux/ipv6.h). */
export const SOCK_H = guarded('__TSBCC_SOCK_H', includes('tsbcc/skbuff.h') +
  aliasDefs(SOCK_ALIASES) + aliasDefs(INET_ALIASES) + aliasDefs(INET_REQ_ALIASES) + aliasDefs(TW_ALIASES) + String.raw`
static inline struct inet_sock *inet_sk(const struct sock *sk)
{
	return (struct inet_sock *)sk;
}
static inline struct inet_connection_sock *inet_csk(const struct sock *sk)
{
	return (struct inet_connection_sock *)sk;
}
static inline struct tcp_sock *tcp_sk(const struct sock *sk)
{
	return (struct tcp_sock *)sk;
}
static inline struct udp_sock *udp_sk(const struct sock *sk)
{
	return (struct udp_sock *)sk;
}
static inline struct inet_timewait_sock *inet_twsk(const struct sock *sk)
{
	return (struct inet_timewait_sock *)sk;
}
static inline struct request_sock *inet_reqsk(const struct sock *sk)
{
	return (struct request_sock *)sk;
}
static inline struct inet_request_sock *inet_rsk(const struct request_sock *sk)
{
	return (struct inet_request_sock *)sk;
}
#define inet6_sk(sk) (inet_sk(sk)->pinet6)
#define sk_fullsock(sk) ((1 << (sk)->__sk_common.skc_state) & ~(TCPF_TIME_WAIT | TCPF_NEW_SYN_RECV))
#define sock_net(sk) ((sk)->__sk_common.skc_net.net)
#define sk_is_tcp(sk) ((sk)->sk_type == SOCK_STREAM && (sk)->sk_protocol == IPPROTO_TCP)
#define sk_is_udp(sk) ((sk)->sk_type == SOCK_DGRAM && (sk)->sk_protocol == IPPROTO_UDP)
`);
