// tsbcc/compiler.h: the kernel's compiler annotations (linux/compiler*.h) and the C helpers every
// kernel header assumes. Each is guarded with #ifndef so that a program (or libbpf's headers)
// defining the same name first keeps its own.
import { guarded } from './util.js';

export const COMPILER_H = guarded('__TSBCC_COMPILER_H', String.raw`
/* Address-space and checker annotations: sparse's, kept as BTF type tags where the kernel's BTF
 * carries them (user, rcu, percpu) so the compiler knows a pointer's space; empty otherwise. */
#ifndef __user
#define __user __attribute__((btf_type_tag("user")))
#endif
#ifndef __rcu
#define __rcu __attribute__((btf_type_tag("rcu")))
#endif
#ifndef __percpu
#define __percpu __attribute__((btf_type_tag("percpu")))
#endif
#ifndef __kernel
#define __kernel
#endif
#ifndef __iomem
#define __iomem
#endif
#ifndef __force
#define __force
#endif
#ifndef __bitwise
#define __bitwise
#endif
#ifndef __safe
#define __safe
#endif
#ifndef __nocast
#define __nocast
#endif
#ifndef __chk_user_ptr
#define __chk_user_ptr(x) (void)0
#endif
#ifndef __acquires
#define __acquires(x)
#endif
#ifndef __releases
#define __releases(x)
#endif
#ifndef __must_hold
#define __must_hold(x)
#endif
#ifndef __acquire
#define __acquire(x) (void)0
#endif
#ifndef __release
#define __release(x) (void)0
#endif
#ifndef __cond_lock
#define __cond_lock(x, c) (c)
#endif

/* Function and variable attributes. */
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef noinline
#define noinline __attribute__((noinline))
#endif
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif
#ifndef __inline
#define __inline inline
#endif
#ifndef __inline__
#define __inline__ inline
#endif
#ifndef __must_check
#define __must_check __attribute__((warn_unused_result))
#endif
#ifndef __packed
#define __packed __attribute__((packed))
#endif
#ifndef __aligned
#define __aligned(x) __attribute__((aligned(x)))
#endif
#ifndef __maybe_unused
#define __maybe_unused __attribute__((unused))
#endif
#ifndef __always_unused
#define __always_unused __attribute__((unused))
#endif
#ifndef __used
#define __used __attribute__((used))
#endif
#ifndef __section
#define __section(s) __attribute__((section(s)))
#endif
#ifndef __weak
#define __weak __attribute__((weak))
#endif
#ifndef __cold
#define __cold __attribute__((cold))
#endif
#ifndef __pure
#define __pure __attribute__((pure))
#endif
#ifndef __noreturn
#define __noreturn __attribute__((noreturn))
#endif
#ifndef __visible
#define __visible
#endif
#ifndef __printf
#define __printf(a, b) __attribute__((format(printf, a, b)))
#endif
#ifndef __scanf
#define __scanf(a, b) __attribute__((format(scanf, a, b)))
#endif
#ifndef __deprecated
#define __deprecated
#endif
#ifndef __attribute_const__
#define __attribute_const__ __attribute__((const))
#endif
#ifndef __randomize_layout
#define __randomize_layout
#endif
#ifndef __no_randomize_layout
#define __no_randomize_layout
#endif
#ifndef __counted_by
#define __counted_by(member)
#endif
#ifndef __nonstring
#define __nonstring
#endif
#ifndef __fallthrough
#define __fallthrough
#endif
#ifndef fallthrough
#define fallthrough do {} while (0)
#endif
#ifndef notrace
#define notrace
#endif
#ifndef asmlinkage
#define asmlinkage
#endif
#ifndef __init
#define __init
#endif
#ifndef __exit
#define __exit
#endif
#ifndef __initdata
#define __initdata
#endif
#ifndef __read_mostly
#define __read_mostly
#endif
#ifndef __ro_after_init
#define __ro_after_init
#endif
#ifndef ____cacheline_aligned
#define ____cacheline_aligned __attribute__((aligned(SMP_CACHE_BYTES)))
#endif
#ifndef ____cacheline_aligned_in_smp
#define ____cacheline_aligned_in_smp ____cacheline_aligned
#endif
#ifndef __cacheline_aligned
#define __cacheline_aligned ____cacheline_aligned
#endif
#ifndef __cacheline_aligned_in_smp
#define __cacheline_aligned_in_smp ____cacheline_aligned
#endif
#ifndef L1_CACHE_SHIFT
#define L1_CACHE_SHIFT 6
#endif
#ifndef L1_CACHE_BYTES
#define L1_CACHE_BYTES (1 << L1_CACHE_SHIFT)
#endif
#ifndef SMP_CACHE_BYTES
#define SMP_CACHE_BYTES L1_CACHE_BYTES
#endif

/* Branch hints and compiler barriers. */
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif
#ifndef barrier
#define barrier() asm volatile("" ::: "memory")
#endif
#ifndef barrier_data
#define barrier_data(ptr) asm volatile("" : : "r"(ptr) : "memory")
#endif
#ifndef READ_ONCE
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#endif
#ifndef WRITE_ONCE
#define WRITE_ONCE(x, val) do { *(volatile __typeof__(x) *)&(x) = (val); } while (0)
#endif
#ifndef ACCESS_ONCE
#define ACCESS_ONCE(x) (*(volatile __typeof__(x) *)&(x))
#endif
#ifndef OPTIMIZER_HIDE_VAR
#define OPTIMIZER_HIDE_VAR(var) asm volatile("" : "+r"(var))
#endif
#ifndef smp_mb
#define mb() barrier()
#define rmb() barrier()
#define wmb() barrier()
#define smp_mb() barrier()
#define smp_rmb() barrier()
#define smp_wmb() barrier()
#endif

/* Preprocessor helpers. */
#ifndef __stringify
#define __stringify_1(...) #__VA_ARGS__
#define __stringify(...) __stringify_1(__VA_ARGS__)
#endif
#ifndef ___PASTE
#define ___PASTE(a, b) a##b
#define __PASTE(a, b) ___PASTE(a, b)
#endif
#ifndef __same_type
#define __same_type(a, b) __builtin_types_compatible_p(__typeof__(a), __typeof__(b))
#endif
#ifndef __is_constexpr
#define __is_constexpr(x) __builtin_constant_p(x)
#endif
#ifndef BUILD_BUG_ON
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON failed: " #cond)
#endif
#ifndef static_assert
#define static_assert(expr, ...) _Static_assert(expr, #expr)
#endif
`);
