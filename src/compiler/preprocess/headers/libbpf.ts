// libbpf's program-side headers: bpf/bpf_helpers.h, bpf/bpf_tracing.h, bpf/bpf_core_read.h,
// bpf/bpf_endian.h. Like libbpf's they define only their own names (a libbpf-style program
// defines kernel macros itself, since vmlinux.h carries none), so they include no kernel macros.
//
// tsbcc compiles against the running kernel's BTF, so CO-RE reads are plain member accesses that
// the BCC dialect reads from kernel memory: BPF_CORE_READ(t, a, b) is (t)->a->b. The
// bpf_core_*_exists/size/offset queries stay builtins, answered by the compiler from BTF.
import { defs, guarded } from './util.js';

/** tsbcc/bpf_args.h: counting and applying variadic macro arguments (as libbpf spells them). */
export const BPF_ARGS_H = guarded('__TSBCC_BPF_ARGS_H', String.raw`
#define ___bpf_concat(a, b) a ## b
#define ___bpf_apply(fn, n) ___bpf_concat(fn, n)
#define ___bpf_nth(_, _1, _2, _3, _4, _5, _6, _7, _8, _9, _a, _b, _c, N, ...) N
#define ___bpf_narg(...) ___bpf_nth(_, ##__VA_ARGS__, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
`);

/** tsbcc/bpf_endian.h: byte swaps usable on constants (case labels) and on values. */
export const BPF_ENDIAN_H = guarded('__TSBCC_BPF_ENDIAN_H', '#include <tsbcc/byteorder.h>\n' + String.raw`
#define __bpf_htons(x) __builtin_bswap16(x)
#define __bpf_ntohs(x) __builtin_bswap16(x)
#define __bpf_htonl(x) __builtin_bswap32(x)
#define __bpf_ntohl(x) __builtin_bswap32(x)
#define __bpf_cpu_to_be64(x) __builtin_bswap64(x)
#define __bpf_be64_to_cpu(x) __builtin_bswap64(x)
#define __bpf_constant_htons(x) ___constant_swab16(x)
#define __bpf_constant_ntohs(x) ___constant_swab16(x)
#define __bpf_constant_htonl(x) ___constant_swab32(x)
#define __bpf_constant_ntohl(x) ___constant_swab32(x)
#define __bpf_constant_cpu_to_be64(x) ___constant_swab64(x)
#define __bpf_constant_be64_to_cpu(x) ___constant_swab64(x)
#define bpf_htons(x) (__builtin_constant_p(x) ? __bpf_constant_htons(x) : __bpf_htons(x))
#define bpf_ntohs(x) (__builtin_constant_p(x) ? __bpf_constant_ntohs(x) : __bpf_ntohs(x))
#define bpf_htonl(x) (__builtin_constant_p(x) ? __bpf_constant_htonl(x) : __bpf_htonl(x))
#define bpf_ntohl(x) (__builtin_constant_p(x) ? __bpf_constant_ntohl(x) : __bpf_ntohl(x))
#define bpf_cpu_to_be64(x) (__builtin_constant_p(x) ? __bpf_constant_cpu_to_be64(x) : __bpf_cpu_to_be64(x))
#define bpf_be64_to_cpu(x) (__builtin_constant_p(x) ? __bpf_constant_be64_to_cpu(x) : __bpf_be64_to_cpu(x))
/* BCC's names for the 64-bit swaps. */
#define bpf_htonll(x) bpf_cpu_to_be64(x)
#define bpf_ntohll(x) bpf_be64_to_cpu(x)
`);

/** bpf/bpf_helpers.h */
export const BPF_HELPERS_H = guarded('__TSBCC_LIBBPF_HELPERS_H', '#include <tsbcc/bpf_args.h>\n#include <bpf/bpf_helper_defs.h>\n' + String.raw`
#ifndef NULL
#define NULL ((void *)0)
#endif
#ifndef barrier
#define barrier() asm volatile("" ::: "memory")
#endif
/* Map definitions in the .maps section (BTF-defined maps). */
#define __uint(name, val) int (*name)[val]
#define __type(name, val) __typeof__(val) *name
#define __array(name, val) __typeof__(val) *name[]
#define __ulong(name, val) enum { ___bpf_concat(__unique_value, __LINE__) = val } name

#ifndef SEC
#define SEC(name) __attribute__((section(name), used))
#endif
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif
#ifndef __weak
#define __weak __attribute__((weak))
#endif
#define __hidden __attribute__((visibility("hidden")))
#define __ksym __attribute__((section(".ksyms")))
#define __kconfig __attribute__((section(".kconfig")))
#define __kptr_untrusted __attribute__((btf_type_tag("kptr_untrusted")))
#define __kptr __attribute__((btf_type_tag("kptr")))
#define __percpu_kptr __attribute__((btf_type_tag("percpu_kptr")))
#define __uptr __attribute__((btf_type_tag("uptr")))
#define __arg_ctx __attribute__((btf_decl_tag("arg:ctx")))
#define __arg_nonnull __attribute__((btf_decl_tag("arg:nonnull")))
#define __arg_nullable __attribute__((btf_decl_tag("arg:nullable")))
#define __arg_trusted __attribute__((btf_decl_tag("arg:trusted")))
#define __arg_untrusted __attribute__((btf_decl_tag("arg:untrusted")))
#define __arg_arena __attribute__((btf_decl_tag("arg:arena")))
#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
#ifndef offsetof
#define offsetof(TYPE, MEMBER) __builtin_offsetof(TYPE, MEMBER)
#endif
#ifndef container_of
#define container_of(ptr, type, member) ({				\
	void *__mptr = (void *)(ptr);					\
	((type *)((char *)__mptr - offsetof(type, member))); })
#endif
#ifndef KERNEL_VERSION
#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#endif
#define barrier_var(var) asm volatile("" : "+r"(var))
#define __bpf_unreachable() __builtin_trap()

/* tsbcc's bpf_trace_printk takes the format and the arguments, as BCC's does. */
#define bpf_printk(fmt, ...) bpf_trace_printk(fmt, ##__VA_ARGS__)
`);

/** bpf/bpf_tracing.h: program signatures that name their arguments (x86_64). */
export const BPF_TRACING_H = guarded('__TSBCC_LIBBPF_TRACING_H', '#include <tsbcc/bpf_args.h>\n#include <tsbcc/ptrace.h>\n' + String.raw`
/* fentry/fexit/tp_btf/raw_tp/lsm: the context is an array of u64 arguments. */
#define ___bpf_ctx_cast0() ctx
#define ___bpf_ctx_cast1(x) ___bpf_ctx_cast0(), (void *)ctx[0]
#define ___bpf_ctx_cast2(x, ...) ___bpf_ctx_cast1(__VA_ARGS__), (void *)ctx[1]
#define ___bpf_ctx_cast3(x, ...) ___bpf_ctx_cast2(__VA_ARGS__), (void *)ctx[2]
#define ___bpf_ctx_cast4(x, ...) ___bpf_ctx_cast3(__VA_ARGS__), (void *)ctx[3]
#define ___bpf_ctx_cast5(x, ...) ___bpf_ctx_cast4(__VA_ARGS__), (void *)ctx[4]
#define ___bpf_ctx_cast6(x, ...) ___bpf_ctx_cast5(__VA_ARGS__), (void *)ctx[5]
#define ___bpf_ctx_cast7(x, ...) ___bpf_ctx_cast6(__VA_ARGS__), (void *)ctx[6]
#define ___bpf_ctx_cast8(x, ...) ___bpf_ctx_cast7(__VA_ARGS__), (void *)ctx[7]
#define ___bpf_ctx_cast9(x, ...) ___bpf_ctx_cast8(__VA_ARGS__), (void *)ctx[8]
#define ___bpf_ctx_cast10(x, ...) ___bpf_ctx_cast9(__VA_ARGS__), (void *)ctx[9]
#define ___bpf_ctx_cast11(x, ...) ___bpf_ctx_cast10(__VA_ARGS__), (void *)ctx[10]
#define ___bpf_ctx_cast12(x, ...) ___bpf_ctx_cast11(__VA_ARGS__), (void *)ctx[11]
#define ___bpf_ctx_cast(...) ___bpf_apply(___bpf_ctx_cast, ___bpf_narg(__VA_ARGS__))(__VA_ARGS__)

#define BPF_PROG(name, ...)						\
name(unsigned long long *ctx);						\
static __always_inline __typeof__(name(0))				\
____##name(unsigned long long *ctx, ##__VA_ARGS__);				\
__typeof__(name(0)) name(unsigned long long *ctx)			\
{									\
	return ____##name(___bpf_ctx_cast(__VA_ARGS__));			\
}									\
static __always_inline __typeof__(name(0))				\
____##name(unsigned long long *ctx, ##__VA_ARGS__)

/* kprobes and uprobes: arguments from registers. */
#define ___bpf_kprobe_args0() ctx
#define ___bpf_kprobe_args1(x) ___bpf_kprobe_args0(), (void *)PT_REGS_PARM1(ctx)
#define ___bpf_kprobe_args2(x, ...) ___bpf_kprobe_args1(__VA_ARGS__), (void *)PT_REGS_PARM2(ctx)
#define ___bpf_kprobe_args3(x, ...) ___bpf_kprobe_args2(__VA_ARGS__), (void *)PT_REGS_PARM3(ctx)
#define ___bpf_kprobe_args4(x, ...) ___bpf_kprobe_args3(__VA_ARGS__), (void *)PT_REGS_PARM4(ctx)
#define ___bpf_kprobe_args5(x, ...) ___bpf_kprobe_args4(__VA_ARGS__), (void *)PT_REGS_PARM5(ctx)
#define ___bpf_kprobe_args6(x, ...) ___bpf_kprobe_args5(__VA_ARGS__), (void *)PT_REGS_PARM6(ctx)
#define ___bpf_kprobe_args(...) ___bpf_apply(___bpf_kprobe_args, ___bpf_narg(__VA_ARGS__))(__VA_ARGS__)

#define BPF_KPROBE(name, ...)					\
name(struct pt_regs *ctx);						\
static __always_inline __typeof__(name(0))				\
____##name(struct pt_regs *ctx, ##__VA_ARGS__);				\
__typeof__(name(0)) name(struct pt_regs *ctx)				\
{									\
	return ____##name(___bpf_kprobe_args(__VA_ARGS__));			\
}									\
static __always_inline __typeof__(name(0))				\
____##name(struct pt_regs *ctx, ##__VA_ARGS__)

#define ___bpf_kretprobe_args0() ctx
#define ___bpf_kretprobe_args1(x) ___bpf_kretprobe_args0(), (void *)PT_REGS_RC(ctx)
#define ___bpf_kretprobe_args(...) ___bpf_apply(___bpf_kretprobe_args, ___bpf_narg(__VA_ARGS__))(__VA_ARGS__)

#define BPF_KRETPROBE(name, ...)					\
name(struct pt_regs *ctx);						\
static __always_inline __typeof__(name(0))				\
____##name(struct pt_regs *ctx, ##__VA_ARGS__);				\
__typeof__(name(0)) name(struct pt_regs *ctx)				\
{									\
	return ____##name(___bpf_kretprobe_args(__VA_ARGS__));			\
}									\
static __always_inline __typeof__(name(0)) ____##name(struct pt_regs *ctx, ##__VA_ARGS__)

/* System calls through x86_64's wrapper: the arguments are in the user's pt_regs. */
#define ___bpf_syswrap_args0() ctx
#define ___bpf_syswrap_args1(x) ___bpf_syswrap_args0(), (void *)PT_REGS_PARM1_CORE_SYSCALL(regs)
#define ___bpf_syswrap_args2(x, ...) ___bpf_syswrap_args1(__VA_ARGS__), (void *)PT_REGS_PARM2_CORE_SYSCALL(regs)
#define ___bpf_syswrap_args3(x, ...) ___bpf_syswrap_args2(__VA_ARGS__), (void *)PT_REGS_PARM3_CORE_SYSCALL(regs)
#define ___bpf_syswrap_args4(x, ...) ___bpf_syswrap_args3(__VA_ARGS__), (void *)PT_REGS_PARM4_CORE_SYSCALL(regs)
#define ___bpf_syswrap_args5(x, ...) ___bpf_syswrap_args4(__VA_ARGS__), (void *)PT_REGS_PARM5_CORE_SYSCALL(regs)
#define ___bpf_syswrap_args6(x, ...) ___bpf_syswrap_args5(__VA_ARGS__), (void *)PT_REGS_PARM6_CORE_SYSCALL(regs)
#define ___bpf_syswrap_args(...) ___bpf_apply(___bpf_syswrap_args, ___bpf_narg(__VA_ARGS__))(__VA_ARGS__)

#define BPF_KSYSCALL(name, ...)					\
name(struct pt_regs *ctx);						\
static __always_inline __typeof__(name(0))				\
____##name(struct pt_regs *ctx, ##__VA_ARGS__);				\
__typeof__(name(0)) name(struct pt_regs *ctx)				\
{									\
	struct pt_regs *regs = PT_REGS_SYSCALL_REGS(ctx);		\
	return ____##name(___bpf_syswrap_args(__VA_ARGS__));			\
}									\
static __always_inline __typeof__(name(0))				\
____##name(struct pt_regs *ctx, ##__VA_ARGS__)

#define BPF_KPROBE_SYSCALL BPF_KSYSCALL
#define BPF_UPROBE(name, ...) BPF_KPROBE(name, ##__VA_ARGS__)
#define BPF_URETPROBE(name, ...) BPF_KRETPROBE(name, ##__VA_ARGS__)
`);

/** bpf/bpf_core_read.h */
export const BPF_CORE_READ_H = guarded('__TSBCC_LIBBPF_CORE_READ_H', '#include <tsbcc/bpf_args.h>\n' + String.raw`
/* The kinds the __builtin_preserve_* queries take (as clang numbers them). */
enum bpf_field_info_kind {
	BPF_FIELD_BYTE_OFFSET = 0,
	BPF_FIELD_BYTE_SIZE = 1,
	BPF_FIELD_EXISTS = 2,
	BPF_FIELD_SIGNED = 3,
	BPF_FIELD_LSHIFT_U64 = 4,
	BPF_FIELD_RSHIFT_U64 = 5,
};
enum bpf_type_id_kind {
	BPF_TYPE_ID_LOCAL = 0,
	BPF_TYPE_ID_TARGET = 1,
};
enum bpf_type_info_kind {
	BPF_TYPE_EXISTS = 0,
	BPF_TYPE_SIZE = 1,
	BPF_TYPE_MATCHES = 2,
};
enum bpf_enum_value_kind {
	BPF_ENUMVAL_EXISTS = 0,
	BPF_ENUMVAL_VALUE = 1,
};

#define __CORE_RELO(src, field, info) __builtin_preserve_field_info((src)->field, BPF_FIELD_##info)
#define BPF_CORE_READ_BITFIELD_PROBED(s, field) ((s)->field)
#define BPF_CORE_READ_BITFIELD(s, field) ((s)->field)
#define BPF_CORE_WRITE_BITFIELD(s, field, new_val) ((s)->field = (new_val))

/* bpf_core_field_*(s->f) or bpf_core_field_*(type, f). */
#define ___bpf_field_ref1(field) (field)
#define ___bpf_field_ref2(type, field) (((__typeof__(type) *)0)->field)
#define ___bpf_field_ref(...) ___bpf_apply(___bpf_field_ref, ___bpf_narg(__VA_ARGS__))(__VA_ARGS__)
#define bpf_core_field_exists(...) __builtin_preserve_field_info(___bpf_field_ref(__VA_ARGS__), BPF_FIELD_EXISTS)
#define bpf_core_field_size(...) __builtin_preserve_field_info(___bpf_field_ref(__VA_ARGS__), BPF_FIELD_BYTE_SIZE)
#define bpf_core_field_offset(...) __builtin_preserve_field_info(___bpf_field_ref(__VA_ARGS__), BPF_FIELD_BYTE_OFFSET)
#define bpf_core_type_id_local(...) __builtin_btf_type_id(*(__typeof__(__VA_ARGS__) *)0, BPF_TYPE_ID_LOCAL)
#define bpf_core_type_id_kernel(...) __builtin_btf_type_id(*(__typeof__(__VA_ARGS__) *)0, BPF_TYPE_ID_TARGET)
#define bpf_core_type_exists(...) __builtin_preserve_type_info(*(__typeof__(__VA_ARGS__) *)0, BPF_TYPE_EXISTS)
#define bpf_core_type_matches(...) __builtin_preserve_type_info(*(__typeof__(__VA_ARGS__) *)0, BPF_TYPE_MATCHES)
#define bpf_core_type_size(...) __builtin_preserve_type_info(*(__typeof__(__VA_ARGS__) *)0, BPF_TYPE_SIZE)
#define bpf_core_enum_value_exists(enum_type, enum_value) \
	__builtin_preserve_enum_value(*(__typeof__(enum_type) *)enum_value, BPF_ENUMVAL_EXISTS)
#define bpf_core_enum_value(enum_type, enum_value) \
	__builtin_preserve_enum_value(*(__typeof__(enum_type) *)enum_value, BPF_ENUMVAL_VALUE)

#define bpf_core_read(dst, sz, src) bpf_probe_read_kernel(dst, sz, (const void *)(src))
#define bpf_core_read_user(dst, sz, src) bpf_probe_read_user(dst, sz, (const void *)(src))
#define bpf_core_read_str(dst, sz, src) bpf_probe_read_kernel_str(dst, sz, (const void *)(src))
#define bpf_core_read_user_str(dst, sz, src) bpf_probe_read_user_str(dst, sz, (const void *)(src))
#define bpf_core_cast(ptr, type) ((__typeof__(type) *)(ptr))

/* An accessor chain a, b, c is ->a->b->c (each accessor may itself be a dotted path). */
#define ___core_chain1(a) ->a
#define ___core_chain2(a, b) ->a->b
#define ___core_chain3(a, b, c) ->a->b->c
#define ___core_chain4(a, b, c, d) ->a->b->c->d
#define ___core_chain5(a, b, c, d, e) ->a->b->c->d->e
#define ___core_chain6(a, b, c, d, e, f) ->a->b->c->d->e->f
#define ___core_chain7(a, b, c, d, e, f, g) ->a->b->c->d->e->f->g
#define ___core_chain8(a, b, c, d, e, f, g, h) ->a->b->c->d->e->f->g->h
#define ___core_chain9(a, b, c, d, e, f, g, h, i) ->a->b->c->d->e->f->g->h->i
#define ___core_chain10(a, b, c, d, e, f, g, h, i, j) ->a->b->c->d->e->f->g->h->i->j
#define ___core_chain(...) ___bpf_apply(___core_chain, ___bpf_narg(__VA_ARGS__))(__VA_ARGS__)

#define BPF_CORE_READ(src, a, ...) ((src) ___core_chain(a, ##__VA_ARGS__))
#define BPF_CORE_READ_INTO(dst, src, a, ...) \
	bpf_probe_read_kernel((void *)(dst), sizeof(*(dst)), (const void *)&((src) ___core_chain(a, ##__VA_ARGS__)))
#define BPF_CORE_READ_STR_INTO(dst, src, a, ...) \
	bpf_probe_read_kernel_str((void *)(dst), sizeof(*(dst)), (const void *)&((src) ___core_chain(a, ##__VA_ARGS__)))
/* User memory: the last access is read with bpf_probe_read_user. */
#define BPF_CORE_READ_USER(src, a, ...) ({						\
	__typeof__((src) ___core_chain(a, ##__VA_ARGS__)) __core_r;			\
	bpf_probe_read_user((void *)&__core_r, sizeof(__core_r),			\
		(const void *)&((src) ___core_chain(a, ##__VA_ARGS__)));		\
	__core_r; })
#define BPF_CORE_READ_USER_INTO(dst, src, a, ...) \
	bpf_probe_read_user((void *)(dst), sizeof(*(dst)), (const void *)&((src) ___core_chain(a, ##__VA_ARGS__)))
#define BPF_CORE_READ_USER_STR_INTO(dst, src, a, ...) \
	bpf_probe_read_user_str((void *)(dst), sizeof(*(dst)), (const void *)&((src) ___core_chain(a, ##__VA_ARGS__)))
#define BPF_PROBE_READ(src, a, ...) BPF_CORE_READ(src, a, ##__VA_ARGS__)
#define BPF_PROBE_READ_INTO(dst, src, a, ...) BPF_CORE_READ_INTO(dst, src, a, ##__VA_ARGS__)
#define BPF_PROBE_READ_STR_INTO(dst, src, a, ...) BPF_CORE_READ_STR_INTO(dst, src, a, ##__VA_ARGS__)
#define BPF_PROBE_READ_USER(src, a, ...) BPF_CORE_READ_USER(src, a, ##__VA_ARGS__)
#define BPF_PROBE_READ_USER_INTO(dst, src, a, ...) BPF_CORE_READ_USER_INTO(dst, src, a, ##__VA_ARGS__)
#define BPF_PROBE_READ_USER_STR_INTO(dst, src, a, ...) BPF_CORE_READ_USER_STR_INTO(dst, src, a, ##__VA_ARGS__)
`);

/** tsbcc/bpf_uapi.h: the macros of uapi/linux/bpf.h and bpf_common.h (instruction fields, flags
 *  that are not enum constants). */
export const BPF_UAPI_H = guarded('__TSBCC_BPF_UAPI_H', '\n' + defs([
  ['BPF_LD', '0x00'], ['BPF_LDX', '0x01'], ['BPF_ST', '0x02'], ['BPF_STX', '0x03'], ['BPF_ALU', '0x04'],
  ['BPF_JMP', '0x05'], ['BPF_RET', '0x06'], ['BPF_MISC', '0x07'], ['BPF_JMP32', '0x06'], ['BPF_ALU64', '0x07'],
  ['BPF_W', '0x00'], ['BPF_H', '0x08'], ['BPF_B', '0x10'], ['BPF_DW', '0x18'],
  ['BPF_IMM', '0x00'], ['BPF_ABS', '0x20'], ['BPF_IND', '0x40'], ['BPF_MEM', '0x60'], ['BPF_LEN', '0x80'],
  ['BPF_MSH', '0xa0'], ['BPF_ATOMIC', '0xc0'], ['BPF_XADD', '0xc0'],
  ['BPF_ADD', '0x00'], ['BPF_SUB', '0x10'], ['BPF_MUL', '0x20'], ['BPF_DIV', '0x30'], ['BPF_OR', '0x40'],
  ['BPF_AND', '0x50'], ['BPF_LSH', '0x60'], ['BPF_RSH', '0x70'], ['BPF_NEG', '0x80'], ['BPF_MOD', '0x90'],
  ['BPF_XOR', '0xa0'], ['BPF_MOV', '0xb0'], ['BPF_ARSH', '0xc0'], ['BPF_END', '0xd0'],
  ['BPF_TO_LE', '0x00'], ['BPF_TO_BE', '0x08'], ['BPF_FROM_LE', 'BPF_TO_LE'], ['BPF_FROM_BE', 'BPF_TO_BE'],
  ['BPF_JA', '0x00'], ['BPF_JEQ', '0x10'], ['BPF_JGT', '0x20'], ['BPF_JGE', '0x30'], ['BPF_JSET', '0x40'],
  ['BPF_JNE', '0x50'], ['BPF_JSGT', '0x60'], ['BPF_JSGE', '0x70'], ['BPF_CALL', '0x80'], ['BPF_EXIT', '0x90'],
  ['BPF_JLT', '0xa0'], ['BPF_JLE', '0xb0'], ['BPF_JSLT', '0xc0'], ['BPF_JSLE', '0xd0'],
  ['BPF_K', '0x00'], ['BPF_X', '0x08'], ['BPF_FETCH', '0x01'], ['BPF_XCHG', '(0xe0 | BPF_FETCH)'],
  ['BPF_CMPXCHG', '(0xf0 | BPF_FETCH)'], ['BPF_MAXINSNS', 4096],
  ['BPF_CLASS(code)', '((code) & 0x07)'], ['BPF_SIZE(code)', '((code) & 0x18)'], ['BPF_MODE(code)', '((code) & 0xe0)'],
  ['BPF_OP(code)', '((code) & 0xf0)'], ['BPF_SRC(code)', '((code) & 0x08)'],
  ['MAX_BPF_REG', '__MAX_BPF_REG'], ['MAX_BPF_ATTACH_TYPE', '__MAX_BPF_ATTACH_TYPE'],
  ['BPF_F_ALLOW_OVERRIDE', '(1U << 0)'], ['BPF_F_ALLOW_MULTI', '(1U << 1)'], ['BPF_F_REPLACE', '(1U << 2)'],
  ['BPF_F_STRICT_ALIGNMENT', '(1U << 0)'], ['BPF_F_ANY_ALIGNMENT', '(1U << 1)'], ['BPF_F_TEST_RND_HI32', '(1U << 2)'],
  ['BPF_F_TEST_STATE_FREQ', '(1U << 3)'], ['BPF_F_SLEEPABLE', '(1U << 4)'], ['BPF_F_XDP_HAS_FRAGS', '(1U << 5)'],
  ['BPF_PSEUDO_MAP_FD', 1], ['BPF_PSEUDO_MAP_IDX', 5], ['BPF_PSEUDO_MAP_VALUE', 2], ['BPF_PSEUDO_MAP_IDX_VALUE', 6],
  ['BPF_PSEUDO_BTF_ID', 3], ['BPF_PSEUDO_FUNC', 4], ['BPF_PSEUDO_CALL', 1], ['BPF_PSEUDO_KFUNC_CALL', 2],
  ['BPF_F_QUERY_EFFECTIVE', '(1U << 0)'], ['BPF_F_TEST_RUN_ON_CPU', '(1U << 0)'],
  ['BPF_F_TEST_XDP_LIVE_FRAMES', '(1U << 1)'], ['BPF_BUILD_ID_SIZE', 20], ['BPF_OBJ_NAME_LEN', '16U'],
  ['BPF_F_REDIRECT_FLAGS', '(BPF_F_INGRESS | BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS)'],
  ['XDP_PACKET_HEADROOM', 256], ['BPF_TAG_SIZE', 8],
]));
