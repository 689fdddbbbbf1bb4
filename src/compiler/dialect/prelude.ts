// The BCC prelude: what BCC puts in front of every program (its helpers.h with the map macros and
// helper declarations) — here bcc/helpers.h from the built-in headers plus the dialect's part:
// BPF_HASH & co. as map declarations the checker knows as BCC tables, bpf_trace_printk, load_*.
//
// A table is a global in SEC(".maps") whose struct holds `key` and `value` pointer members (the C
// types, as __type() does for libbpf maps) and max_entries/map_flags as `int (*)[N]` members; the
// attribute bcc_table(kind, macro) names its BCC table kind ("hash", "array", ...) and the macro
// that declared it, for diagnostics. BCC's default key and leaf type is u64, size 10240.

import { usdtRegsStructC } from './usdt.js';

/** Name of the prelude header (a built-in header the dialect adds). */
export const BCC_DIALECT_H = 'bcc/dialect.h';
/** Name of the generated header with the TRACEPOINT_PROBE argument structs. */
export const BCC_TRACEPOINTS_H = 'bcc/tracepoints.h';

/** A macro with optional trailing arguments: NAME(a[, b[, c]]) dispatching on the argument count. */
function defaults(name: string, params: string[], required: number, body: (args: string[]) => string, dflt: string[]): string {
  const lines: string[] = [];
  for (let n = required; n <= params.length; n++) {
    const given = params.slice(0, n);
    const args = params.map((p, i) => (i < n ? p : dflt[i]!));
    lines.push(`#define ${name}${n}(${given.join(', ')}) ${body(args)}`);
  }
  // Up to 4 arguments too many still land on a slot that says so.
  const slots = Array.from({ length: params.length + 4 }, (_, i) => `_${i + 1}`);
  lines.push(`#define ${name}X(${slots.join(', ')}, NAME, ...) NAME`);
  const sig = params.map((p, i) => (i === 0 ? p.slice(1) : i < required ? `, ${p.slice(1)}` : `[, ${p.slice(1)}`)).join('') + ']'.repeat(params.length - required);
  const count = required === params.length ? `${required}` : `${required} to ${params.length}`;
  lines.push(`#define __bcc_arity_${name}(...) _Static_assert(0, "${name}(${sig}) takes ${count} argument${params.length === 1 ? '' : 's'}")`);
  const choices: string[] = Array(4).fill(`__bcc_arity_${name}`);
  for (let n = params.length; n >= 1; n--) choices.push(n >= required ? `${name}${n}` : `__bcc_arity_${name}`);
  lines.push(`#define ${name}(...) ${name}X(__VA_ARGS__, ${choices.join(', ')})(__VA_ARGS__)`);
  return lines.join('\n');
}

const T = (kind: string, macro: string, key: string, leaf: string, name: string, size: string, flags = '0', extra = '') =>
  `__BCC_TABLE(${kind}, ${macro}, ${key}, ${leaf}, ${name}, ${size}, ${flags}, ${extra || '"", ""'})`;

/** The prelude's text. */
export function bccDialectHeader(): string {
  const maps = [
    defaults('BPF_HASH', ['_name', '_key', '_leaf', '_size'], 1, ([n, k, l, s]) => T('"hash"', 'BPF_HASH', k!, l!, n!, s!), ['', 'u64', 'u64', '10240']),
    defaults('BPF_ARRAY', ['_name', '_leaf', '_size'], 1, ([n, l, s]) => T('"array"', 'BPF_ARRAY', 'int', l!, n!, s!), ['', 'u64', '10240']),
    defaults('BPF_HISTOGRAM', ['_name', '_key', '_size'], 1, ([n, k, s]) => T('"histogram"', 'BPF_HISTOGRAM', k!, 'u64', n!, s!), ['', 'int', '64']),
    defaults('BPF_PERCPU_HASH', ['_name', '_key', '_leaf', '_size'], 1, ([n, k, l, s]) => T('"percpu_hash"', 'BPF_PERCPU_HASH', k!, l!, n!, s!), ['', 'u64', 'u64', '10240']),
    defaults('BPF_PERCPU_ARRAY', ['_name', '_leaf', '_size'], 1, ([n, l, s]) => T('"percpu_array"', 'BPF_PERCPU_ARRAY', 'int', l!, n!, s!), ['', 'u64', '10240']),
    defaults('BPF_LRU_HASH', ['_name', '_key', '_leaf', '_size'], 1, ([n, k, l, s]) => T('"lru_hash"', 'BPF_LRU_HASH', k!, l!, n!, s!), ['', 'u64', 'u64', '10240']),
    defaults('BPF_PERCPU_LRU_HASH', ['_name', '_key', '_leaf', '_size'], 1, ([n, k, l, s]) => T('"lru_percpu_hash"', 'BPF_PERCPU_LRU_HASH', k!, l!, n!, s!), ['', 'u64', 'u64', '10240']),
    defaults('BPF_LPM_TRIE', ['_name', '_key', '_leaf', '_size'], 1, ([n, k, l, s]) => T('"lpm_trie"', 'BPF_LPM_TRIE', k!, l!, n!, s!, 'BPF_F_NO_PREALLOC'), ['', 'u64', 'u64', '10240']),
    defaults('BPF_SK_STORAGE', ['_name', '_leaf'], 2, ([n, l]) => T('"sk_storage"', 'BPF_SK_STORAGE', 'int', l!, n!, '0', 'BPF_F_NO_PREALLOC'), []),
    defaults('BPF_TASK_STORAGE', ['_name', '_leaf'], 2, ([n, l]) => T('"task_storage"', 'BPF_TASK_STORAGE', 'int', l!, n!, '0', 'BPF_F_NO_PREALLOC'), []),
    defaults('BPF_INODE_STORAGE', ['_name', '_leaf'], 2, ([n, l]) => T('"inode_storage"', 'BPF_INODE_STORAGE', 'int', l!, n!, '0', 'BPF_F_NO_PREALLOC'), []),
  ];
  return String.raw`#ifndef __TSBCC_BCC_DIALECT_H
#define __TSBCC_BCC_DIALECT_H
#include <bcc/helpers.h>
#include <bpf/bpf_helper_defs.h>
#include <bpf/bpf_tracing.h>
#include <${BCC_TRACEPOINTS_H}>

/* Flags BCC programs pass by name (uapi/linux/bpf.h). */
#ifndef BPF_ANY
#define BPF_ANY 0
#define BPF_NOEXIST 1
#define BPF_EXIST 2
#define BPF_F_LOCK 4
#endif
#ifndef BPF_F_NO_PREALLOC
#define BPF_F_NO_PREALLOC (1U << 0)
#define BPF_F_NO_COMMON_LRU (1U << 1)
#define BPF_F_NUMA_NODE (1U << 2)
#define BPF_F_RDONLY (1U << 3)
#define BPF_F_WRONLY (1U << 4)
#define BPF_F_STACK_BUILD_ID (1U << 5)
#define BPF_F_ZERO_SEED (1U << 6)
#define BPF_F_RDONLY_PROG (1U << 7)
#define BPF_F_WRONLY_PROG (1U << 8)
#define BPF_F_MMAPABLE (1U << 10)
#define BPF_F_INNER_MAP (1U << 12)
#endif
#ifndef BPF_F_CURRENT_CPU
#define BPF_F_CURRENT_CPU 0xffffffffULL
#endif
#ifndef BPF_F_USER_STACK
#define BPF_F_SKIP_FIELD_MASK 0xffULL
#define BPF_F_USER_STACK (1ULL << 8)
#define BPF_F_FAST_STACK_CMP (1ULL << 9)
#define BPF_F_REUSE_STACKID (1ULL << 10)
#define BPF_F_USER_BUILD_ID (1ULL << 11)
#endif
#ifndef BPF_LOCAL_STORAGE_GET_F_CREATE
#define BPF_LOCAL_STORAGE_GET_F_CREATE (1ULL << 0)
#define BPF_SK_STORAGE_GET_F_CREATE BPF_LOCAL_STORAGE_GET_F_CREATE
#endif
#ifndef BPF_RB_NO_WAKEUP
#define BPF_RB_NO_WAKEUP (1ULL << 0)
#define BPF_RB_FORCE_WAKEUP (1ULL << 1)
#endif

/* One BCC table: key and leaf types kept as pointer members, sizes as array lengths. */
#define __BCC_TABLE(_kind, _macro, _key, _leaf, _name, _max_entries, _flags, _what, _arg) \
struct { _key *key; _leaf *value; int (*max_entries)[_max_entries]; int (*map_flags)[_flags]; } _name \
  __attribute__((section(".maps"), used, bcc_table(_kind, #_macro, _what, _arg)))

#define BPF_F_TABLE(_table_type, _key_type, _leaf_type, _name, _max_entries, _flags) \
  ${T('_table_type', 'BPF_TABLE', '_key_type', '_leaf_type', '_name', '_max_entries', '_flags')}
#define BPF_TABLE(_table_type, _key_type, _leaf_type, _name, _max_entries) \
  BPF_F_TABLE(_table_type, _key_type, _leaf_type, _name, _max_entries, 0)
/* Pinned: shared with other processes through a path in bpffs (opened if it exists, else created and pinned). */
#define BPF_TABLE_PINNED7(_table_type, _key_type, _leaf_type, _name, _max_entries, _pinned, _flags) \
  ${T('_table_type', 'BPF_TABLE_PINNED', '_key_type', '_leaf_type', '_name', '_max_entries', '_flags', '"pin", _pinned')}
#define BPF_TABLE_PINNED6(_table_type, _key_type, _leaf_type, _name, _max_entries, _pinned) \
  BPF_TABLE_PINNED7(_table_type, _key_type, _leaf_type, _name, _max_entries, _pinned, 0)
#define BPF_TABLE_PINNEDX(_1, _2, _3, _4, _5, _6, _7, NAME, ...) NAME
#define BPF_TABLE_PINNED(...) BPF_TABLE_PINNEDX(__VA_ARGS__, BPF_TABLE_PINNED7, BPF_TABLE_PINNED6)(__VA_ARGS__)
/* Public (exported to other BCC programs) and shared (within the namespace): recorded for the loader. */
#define BPF_TABLE_PUBLIC(_table_type, _key_type, _leaf_type, _name, _max_entries) \
  ${T('_table_type', 'BPF_TABLE_PUBLIC', '_key_type', '_leaf_type', '_name', '_max_entries', '0', '"share", "public"')}
#define BPF_TABLE_SHARED(_table_type, _key_type, _leaf_type, _name, _max_entries) \
  ${T('_table_type', 'BPF_TABLE_SHARED', '_key_type', '_leaf_type', '_name', '_max_entries', '0', '"share", "shared"')}

${maps.join('\n')}

#define BPF_PERF_OUTPUT(_name) ${T('"perf_output"', 'BPF_PERF_OUTPUT', 'int', 'u32', '_name', '0')}
#define BPF_PERF_ARRAY(_name, _max_entries) ${T('"perf_array"', 'BPF_PERF_ARRAY', 'int', 'u32', '_name', '_max_entries')}
#define BPF_RINGBUF_OUTPUT(_name, _num_pages) ${T('"ringbuf"', 'BPF_RINGBUF_OUTPUT', 'int', 'int', '_name', '((_num_pages) * 4096)')}
struct bpf_stacktrace { u64 ip[BPF_MAX_STACK_DEPTH]; };
#define BPF_STACK_TRACE(_name, _max_entries) ${T('"stacktrace"', 'BPF_STACK_TRACE', 'int', 'struct bpf_stacktrace', '_name', '_max_entries')}
#define BPF_PROG_ARRAY(_name, _max_entries) ${T('"prog"', 'BPF_PROG_ARRAY', 'u32', 'u32', '_name', '_max_entries')}
#define BPF_QUEUE(_name, _leaf_type, _max_entries) ${T('"queue"', 'BPF_QUEUE', 'int', '_leaf_type', '_name', '_max_entries')}
#define BPF_STACK(_name, _leaf_type, _max_entries) ${T('"stack"', 'BPF_STACK', 'int', '_leaf_type', '_name', '_max_entries')}
#define BPF_CGROUP_ARRAY(_name, _max_entries) ${T('"cgroup_array"', 'BPF_CGROUP_ARRAY', 'int', 'u32', '_name', '_max_entries')}
#define BPF_DEVMAP(_name, _max_entries) ${T('"devmap"', 'BPF_DEVMAP', 'int', 'int', '_name', '_max_entries')}
#define BPF_CPUMAP(_name, _max_entries) ${T('"cpumap"', 'BPF_CPUMAP', 'u32', 'u32', '_name', '_max_entries')}
#define BPF_XSKMAP(_name, _max_entries) ${T('"xskmap"', 'BPF_XSKMAP', 'int', 'int', '_name', '_max_entries')}
#define BPF_SOCKMAP(_name, _max_entries) ${T('"sockmap"', 'BPF_SOCKMAP', 'int', 'int', '_name', '_max_entries')}
#define BPF_SOCKHASH(_name, _key_type, _max_entries) ${T('"sockhash"', 'BPF_SOCKHASH', '_key_type', 'int', '_name', '_max_entries')}
#define BPF_ARRAY_OF_MAPS(_name, _inner_map_name, _max_entries) ${T('"array_of_maps"', 'BPF_ARRAY_OF_MAPS', 'int', 'int', '_name', '_max_entries', '0', '"inner", #_inner_map_name')}
#define BPF_HASH_OF_MAPS(_name, _key_type, _inner_map_name, _max_entries) ${T('"hash_of_maps"', 'BPF_HASH_OF_MAPS', '_key_type', 'int', '_name', '_max_entries', '0', '"inner", #_inner_map_name')}
#define BPF_CGROUP_STORAGE(_name, _leaf_type) ${T('"cgroup_storage"', 'BPF_CGROUP_STORAGE', 'struct bpf_cgroup_storage_key', '_leaf_type', '_name', '0')}
#define BPF_PERCPU_CGROUP_STORAGE(_name, _leaf_type) ${T('"percpu_cgroup_storage"', 'BPF_PERCPU_CGROUP_STORAGE', 'struct bpf_cgroup_storage_key', '_leaf_type', '_name', '0')}

/* Probes by macro, as BCC names them: the function name carries the attach point. */
#define KFUNC_PROBE(event, ...) int BPF_PROG(kfunc__vmlinux__##event, ##__VA_ARGS__)
#define KRETFUNC_PROBE(event, ...) int BPF_PROG(kretfunc__vmlinux__##event, ##__VA_ARGS__)
#define KMOD_RET(event, ...) int BPF_PROG(kmod_ret__vmlinux__##event, ##__VA_ARGS__)
#define LSM_PROBE(event, ...) int BPF_PROG(lsm__##event, ##__VA_ARGS__)

/* x86_64 struct pt_regs by register name: what bpf_usdt_readarg's generated code reads (usdt.ts). */
${usdtRegsStructC()}

/* Socket filter packet loads (BCC: LD_ABS), through bpf_skb_load_bytes: network byte order to host. */
#define load_byte(skb, off) ({ u8 __lb = 0; bpf_skb_load_bytes((skb), (off), &__lb, 1); (u64)__lb; })
#define load_half(skb, off) ({ u16 __lh = 0; bpf_skb_load_bytes((skb), (off), &__lh, 2); (u64)__builtin_bswap16(__lh); })
#define load_word(skb, off) ({ u32 __lw = 0; bpf_skb_load_bytes((skb), (off), &__lw, 4); (u64)__builtin_bswap32(__lw); })

#endif
`;
}
