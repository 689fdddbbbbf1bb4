// The built-in virtual headers: what `#include <linux/sched.h>` and friends read. tsbcc takes
// every kernel type, and every kernel enum constant, from the running kernel's BTF, so these
// headers hold only what BTF cannot: the kernel's macros, a few static inline helpers, integer
// typedefs, libbpf's and BCC's program-side headers, and BCC's packet header structs.
//
// A public header (linux/fs.h) is a list of #includes of internal fragments (tsbcc/fs.h, ...),
// each include-guarded, so a program including many headers reads each fragment once and a
// diagnostic inside a macro points at a fragment with a telling name. A kernel-style name tsbcc has
// no content for (linux/anything.h, net/..., asm/..., ...) is an empty header: its types come
// from BTF. Any other name (stdio.h, ...) is not built in.
//
// Some content depends on the kernel (constants that are enum constants in some kernels and macros
// in others, DNAME_INLINE_LEN, the REQ_* and GFP flags derived from enum bit numbers): pass that
// kernel's BTF to get headers for it; without it they describe a current 6.x kernel.
import type { Btf } from '../../btf/reader.js';
import { BCC_HELPERS_H, BCC_PROTO_H } from './headers/bcc.js';
import { BLK_H } from './headers/block.js';
import { COMPILER_H } from './headers/compiler.js';
import { blkFactsH, gfpFactsH, kernelFactsH } from './headers/facts.js';
import { FS_H } from './headers/fs.js';
import { BITS_H, BYTEORDER_H, ERRNO_H, KERNEL_H, STDDEF_FRAG_H, TYPES_H, UAPI_H } from './headers/kernel.js';
import { BPF_ARGS_H, BPF_CORE_READ_H, BPF_ENDIAN_H, BPF_HELPERS_H, BPF_TRACING_H, BPF_UAPI_H } from './headers/libbpf.js';
import { HELPER_DEFS } from './helper_defs.js';
import { LIMITS_H, STDBOOL_H, STDDEF_H, STDINT_H, STRING_H } from './headers/libc.js';
import { MM_H } from './headers/mm.js';
import { NETDEV_H, NETPROTO_H, SKBUFF_H, SOCK_H, SOCKET_H } from './headers/net.js';
import { PTRACE_H } from './headers/ptrace.js';
import { CURRENT_H, SCHED_H, SIGNAL_H } from './headers/sched.js';

export { BTF_FALLBACKS } from './headers/facts.js';
export { MEMBER_ALIASES } from './headers/net.js';

/**
 * The header BCC puts in front of every program (BCC's clang front end includes its helpers.h
 * implicitly): a driver compiling in BCC mode includes this first, so PT_REGS_*, bpf_log2l,
 * lock_xadd, TRACEPOINT_PROBE, ... work without any #include, as they do in BCC.
 */
export const BCC_PRELUDE = 'bcc/helpers.h';

/** Internal fragments that do not depend on the kernel. */
const STATIC_FRAGMENTS: Readonly<Record<string, string>> = {
  'tsbcc/compiler.h': COMPILER_H,
  'tsbcc/types.h': TYPES_H,
  'tsbcc/stddef.h': STDDEF_FRAG_H,
  'tsbcc/bits.h': BITS_H,
  'tsbcc/limits.h': LIMITS_H,
  'tsbcc/errno.h': ERRNO_H,
  'tsbcc/byteorder.h': BYTEORDER_H,
  'tsbcc/uapi.h': UAPI_H,
  'tsbcc/kernel.h': KERNEL_H,
  'tsbcc/ptrace.h': PTRACE_H,
  'tsbcc/signal.h': SIGNAL_H,
  'tsbcc/sched.h': SCHED_H,
  'tsbcc/current.h': CURRENT_H,
  'tsbcc/fs.h': FS_H,
  'tsbcc/blk.h': BLK_H,
  'tsbcc/mm.h': MM_H,
  'tsbcc/socket.h': SOCKET_H,
  'tsbcc/netdev.h': NETDEV_H,
  'tsbcc/netproto.h': NETPROTO_H,
  'tsbcc/skbuff.h': SKBUFF_H,
  'tsbcc/sock.h': SOCK_H,
  'tsbcc/bpf_args.h': BPF_ARGS_H,
  'tsbcc/bpf_endian.h': BPF_ENDIAN_H,
  'tsbcc/bpf_uapi.h': BPF_UAPI_H,
};

/** Internal fragments generated from the kernel's BTF. */
const FACT_FRAGMENTS: Readonly<Record<string, (btf?: Btf) => string>> = {
  'tsbcc/kernel_facts.h': kernelFactsH,
  'tsbcc/blk_facts.h': blkFactsH,
  'tsbcc/gfp_facts.h': gfpFactsH,
};

// What the public headers include. A kernel header gets the whole of the kernel's common macros,
// since in the kernel nearly every header reaches linux/kernel.h, linux/sched.h, linux/fs.h and the
// rest through its own includes, and BCC programs rely on that; uapi headers get only the base.
const UAPI = ['tsbcc/uapi.h'];
const KERNEL = ['tsbcc/kernel.h', 'tsbcc/sched.h', 'tsbcc/current.h', 'tsbcc/fs.h', 'tsbcc/blk.h', 'tsbcc/mm.h', 'tsbcc/ptrace.h'];
const NET = [...KERNEL, 'tsbcc/skbuff.h'];
const SOCK = [...NET, 'tsbcc/sock.h'];
const UAPI_NET = [...UAPI, 'tsbcc/socket.h', 'tsbcc/netdev.h', 'tsbcc/netproto.h'];
const BPF = [...KERNEL, 'tsbcc/bpf_uapi.h'];

const GROUPS: readonly (readonly [readonly string[], readonly string[]])[] = [
  [KERNEL, [
    'linux/kernel.h', 'linux/module.h', 'linux/init.h', 'linux/version.h', 'linux/compiler.h',
    'linux/compiler_types.h', 'linux/stddef.h', 'linux/limits.h', 'linux/const.h', 'linux/bits.h',
    'linux/bitops.h', 'linux/log2.h', 'linux/math.h', 'linux/math64.h', 'linux/minmax.h', 'linux/err.h',
    'linux/errno.h', 'linux/string.h', 'linux/printk.h', 'linux/bug.h', 'linux/build_bug.h',
    'linux/byteorder/generic.h', 'linux/swab.h', 'linux/time.h', 'linux/time64.h', 'linux/ktime.h',
    'linux/timekeeping.h', 'linux/jiffies.h', 'linux/timer.h', 'linux/hrtimer.h', 'linux/delay.h',
    'linux/atomic.h', 'linux/spinlock.h', 'linux/mutex.h', 'linux/rwsem.h', 'linux/semaphore.h',
    'linux/wait.h', 'linux/completion.h', 'linux/workqueue.h', 'linux/rcupdate.h', 'linux/list.h',
    'linux/rbtree.h', 'linux/xarray.h', 'linux/radix-tree.h', 'linux/refcount.h', 'linux/kref.h',
    'linux/uaccess.h', 'linux/percpu.h', 'linux/smp.h', 'linux/cpumask.h', 'linux/cpu.h',
    'linux/irq.h', 'linux/irqdesc.h', 'linux/interrupt.h', 'linux/hardirq.h', 'linux/preempt.h',
    'linux/sched.h', 'linux/sched/signal.h', 'linux/sched/task.h', 'linux/sched/mm.h',
    'linux/sched/task_stack.h', 'linux/sched/cputime.h', 'linux/sched/clock.h', 'linux/signal.h',
    'linux/ptrace.h', 'linux/kthread.h', 'linux/init_task.h', 'linux/nsproxy.h', 'linux/pid_namespace.h',
    'linux/pid.h', 'linux/ns_common.h', 'linux/user_namespace.h', 'linux/utsname.h', 'linux/cred.h',
    'linux/capability.h', 'linux/uidgid.h', 'linux/security.h', 'linux/lsm_hooks.h', 'linux/cgroup.h',
    'linux/cgroup-defs.h', 'linux/oom.h', 'linux/kasan.h', 'linux/virtio.h', 'linux/ftrace.h',
    'linux/tracepoint.h', 'linux/perf_event.h', 'linux/kvm_host.h', 'linux/tty.h', 'linux/random.h',
    'linux/binfmts.h', 'linux/elf.h', 'linux/audit.h', 'linux/ipc.h', 'linux/shm.h', 'linux/sem.h',
    'linux/msg.h', 'linux/futex.h', 'linux/syscalls.h', 'linux/crypto.h', 'linux/kernel_stat.h',
    'linux/fs.h', 'linux/dcache.h', 'linux/namei.h', 'linux/path.h', 'linux/mount.h', 'linux/file.h',
    'linux/fdtable.h', 'linux/fs_struct.h', 'linux/stat.h', 'linux/fcntl.h', 'linux/uio.h', 'linux/aio.h',
    'linux/pagemap.h', 'linux/writeback.h', 'linux/buffer_head.h', 'linux/fsnotify.h', 'linux/nfs_fs.h',
    'linux/blkdev.h', 'linux/blk-mq.h', 'linux/blk_types.h', 'linux/bio.h', 'linux/genhd.h', 'linux/kdev_t.h',
    'linux/mm.h', 'linux/mm_types.h', 'linux/mmzone.h', 'linux/gfp.h', 'linux/slab.h', 'linux/slub_def.h',
    'linux/slab_def.h', 'linux/vmalloc.h', 'linux/highmem.h', 'linux/swap.h', 'linux/mman.h',
    'linux/hugetlb.h', 'linux/memcontrol.h', 'linux/compaction.h', 'linux/scatterlist.h',
    'asm/ptrace.h', 'asm/page.h', 'asm/page_types.h', 'asm/current.h', 'asm/processor.h',
    'asm/byteorder.h', 'asm/signal.h', 'asm/bitsperlong.h',
  ]],
  [NET, [
    'linux/skbuff.h', 'linux/netdevice.h', 'linux/net.h', 'linux/socket.h', 'linux/in.h', 'linux/in6.h',
    'linux/ip.h', 'linux/icmp.h', 'linux/icmpv6.h', 'linux/if.h', 'linux/if_ether.h', 'linux/if_vlan.h',
    'linux/if_packet.h', 'linux/if_link.h', 'linux/if_arp.h', 'linux/ethtool.h', 'linux/etherdevice.h',
    'linux/inet.h', 'linux/netfilter.h', 'linux/netfilter_ipv4.h', 'linux/netfilter_ipv6.h',
    'linux/pkt_cls.h', 'linux/pkt_sched.h', 'linux/netlink.h', 'linux/rtnetlink.h',
    'net/net_namespace.h', 'net/dst.h', 'net/flow.h', 'net/xdp.h', 'net/checksum.h', 'net/neighbour.h',
    'net/netlink.h', 'net/genetlink.h', 'net/rtnetlink.h', 'net/sch_generic.h', 'net/pkt_cls.h',
    'net/netfilter/nf_conntrack.h',
  ]],
  [SOCK, [
    'net/sock.h', 'net/inet_sock.h', 'net/inet_connection_sock.h', 'net/inet_timewait_sock.h',
    'net/request_sock.h', 'net/tcp.h', 'net/tcp_states.h', 'net/udp.h', 'net/ip.h', 'net/ipv6.h',
    'net/route.h', 'net/inet_hashtables.h', 'net/inet6_hashtables.h', 'net/inet_common.h', 'net/af_unix.h',
    'net/mptcp.h', 'net/tls.h', 'linux/tcp.h', 'linux/udp.h', 'linux/ipv6.h',
  ]],
  [BPF, ['linux/bpf.h', 'linux/filter.h', 'linux/btf.h']],
  [[...UAPI, 'tsbcc/bpf_uapi.h'], ['uapi/linux/bpf.h', 'uapi/linux/bpf_common.h', 'linux/bpf_common.h']],
  [[...UAPI, 'tsbcc/ptrace.h'], ['uapi/linux/ptrace.h', 'uapi/asm/ptrace.h']],
  [[...UAPI, 'tsbcc/ptrace.h', 'tsbcc/bpf_uapi.h'], ['uapi/linux/bpf_perf_event.h', 'linux/bpf_perf_event.h']],
  [UAPI, [
    'uapi/linux/limits.h', 'uapi/linux/errno.h', 'uapi/linux/time.h', 'uapi/linux/perf_event.h',
    'uapi/linux/capability.h', 'uapi/linux/utsname.h', 'uapi/linux/version.h',
  ]],
  [[...UAPI, 'tsbcc/fs.h'], [
    'uapi/linux/fs.h', 'uapi/linux/stat.h', 'uapi/linux/fcntl.h', 'uapi/linux/mount.h', 'uapi/linux/openat2.h',
    'linux/openat2.h',
  ]],
  [[...UAPI, 'tsbcc/sched.h'], ['uapi/linux/sched.h', 'uapi/linux/signal.h', 'uapi/asm/signal.h']],
  [[...UAPI, 'tsbcc/mm.h'], ['uapi/linux/mman.h', 'uapi/asm-generic/mman-common.h']],
  [UAPI_NET, [
    'uapi/linux/in.h', 'uapi/linux/in6.h', 'uapi/linux/ip.h', 'uapi/linux/ipv6.h', 'uapi/linux/tcp.h',
    'uapi/linux/udp.h', 'uapi/linux/icmp.h', 'uapi/linux/icmpv6.h', 'uapi/linux/if.h',
    'uapi/linux/if_ether.h', 'uapi/linux/if_packet.h', 'uapi/linux/if_vlan.h', 'uapi/linux/if_link.h',
    'uapi/linux/if_arp.h', 'uapi/linux/pkt_cls.h', 'uapi/linux/pkt_sched.h', 'uapi/linux/netfilter.h',
    'uapi/linux/socket.h', 'uapi/linux/net.h', 'uapi/linux/ethtool.h', 'uapi/linux/netlink.h',
  ]],
  [['tsbcc/compiler.h', 'tsbcc/types.h'], ['linux/types.h', 'uapi/linux/types.h', 'asm/types.h', 'uapi/asm/types.h']],
  [['tsbcc/compiler.h', 'tsbcc/errno.h'], ['asm-generic/errno.h', 'asm-generic/errno-base.h', 'asm/errno.h', 'uapi/asm-generic/errno.h']],
  // vmlinux.h is every kernel type, which tsbcc reads from BTF.
  [[], ['vmlinux.h']],
];

/** Public headers whose text is a fragment of its own. */
const OWN_TEXT: Readonly<Record<string, string>> = {
  'bpf/bpf_helpers.h': BPF_HELPERS_H,
  'bpf/bpf_helper_defs.h': HELPER_DEFS,
  'bpf/bpf_tracing.h': BPF_TRACING_H,
  'bpf/bpf_core_read.h': BPF_CORE_READ_H,
  'bpf/bpf_endian.h': '#include <tsbcc/bpf_endian.h>\n',
  'bcc/helpers.h': BCC_HELPERS_H,
  'bcc/proto.h': BCC_PROTO_H,
  'stdint.h': STDINT_H,
  'stddef.h': STDDEF_H,
  'stdbool.h': STDBOOL_H,
  'limits.h': '#include <tsbcc/limits.h>\n',
  'errno.h': '#include <tsbcc/errno.h>\n',
  'string.h': STRING_H,
};

const PUBLIC: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  for (const [frags, names] of GROUPS) {
    const text = frags.map((f) => `#include <${f}>\n`).join('');
    for (const n of names) {
      if (m.has(n)) throw new Error(`built-in header ${n} listed twice`);
      m.set(n, text || '/* Types and enum constants come from the kernel\'s BTF. */\n');
    }
  }
  for (const [n, text] of Object.entries(OWN_TEXT)) {
    if (m.has(n)) throw new Error(`built-in header ${n} listed twice`);
    m.set(n, text);
  }
  return m;
})();

/** Directories of the kernel's include trees: an unknown header under one is empty. */
const KERNEL_PREFIXES = [
  'linux/', 'uapi/', 'net/', 'asm/', 'asm-generic/', 'bcc/', 'trace/', 'kvm/', 'scsi/', 'crypto/', 'keys/',
  'xen/', 'rdma/', 'sound/', 'drm/', 'video/', 'acpi/', 'media/', 'clocksource/', 'target/', 'soc/', 'ras/',
  'vdso/', 'misc/', 'memory/', 'math-emu/', 'pcmcia/', 'dt-bindings/', 'ufs/', 'kunit/',
];

/** Every name with content of its own: public headers, then the internal tsbcc/ fragments. */
export const BUILTIN_HEADER_NAMES: readonly string[] = Object.freeze([
  ...PUBLIC.keys(),
  ...Object.keys(STATIC_FRAGMENTS),
  ...Object.keys(FACT_FRAGMENTS),
]);

/** Whether `name` is under a kernel include directory (and so resolves, if only to nothing). */
export function isKernelHeaderName(name: string): boolean {
  return KERNEL_PREFIXES.some((p) => name.startsWith(p));
}

const factCache = new WeakMap<Btf, Map<string, string>>();
const noBtfFacts = new Map<string, string>();

/**
 * The C text of the built-in header `name` as in `#include <name>`: its content, '' for a kernel
 * header tsbcc has no content for (its types come from BTF), or undefined if `name` is not a
 * built-in header (the preprocessor then reports it missing). Give the kernel's BTF to tailor the
 * few kernel-dependent definitions to it.
 */
export function builtinHeader(name: string, btf?: Btf): string | undefined {
  const pub = PUBLIC.get(name);
  if (pub !== undefined) return pub;
  const frag = STATIC_FRAGMENTS[name];
  if (frag !== undefined) return frag;
  const fact = FACT_FRAGMENTS[name];
  if (fact !== undefined) {
    const cache = btf ? (factCache.get(btf) ?? factCache.set(btf, new Map()).get(btf)!) : noBtfFacts;
    let text = cache.get(name);
    if (text === undefined) cache.set(name, (text = fact(btf)));
    return text;
  }
  return isKernelHeaderName(name) ? '' : undefined;
}

/** A `builtinHeader` for the preprocessor's options, bound to one kernel's BTF. */
export function builtinHeaders(btf?: Btf): (name: string) => string | undefined {
  return (name) => builtinHeader(name, btf);
}
