// The core of the kernel's headers that every kernel header pulls in one way or another
// (linux/types.h, linux/kernel.h, linux/errno.h, asm/page.h, linux/byteorder): macros and the
// integer typedefs, for x86_64. Kernel types themselves come from BTF.
import { defs, guarded, includes, type DefTable } from './util.js';

/** tsbcc/types.h: the kernel's integer typedefs (include/uapi/asm-generic/int-ll64.h, linux/types.h). */
export const TYPES_H = guarded('__TSBCC_TYPES_H', String.raw`
typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __s8 s8;
typedef __u8 u8;
typedef __s16 s16;
typedef __u16 u16;
typedef __s32 s32;
typedef __u32 u32;
typedef __s64 s64;
typedef __u64 u64;
typedef __u16 __le16;
typedef __u16 __be16;
typedef __u32 __le32;
typedef __u32 __be32;
typedef __u64 __le64;
typedef __u64 __be64;
typedef __u16 __sum16;
typedef __u32 __wsum;
typedef unsigned long __kernel_ulong_t;
typedef long __kernel_long_t;
typedef unsigned long __kernel_size_t;
typedef long __kernel_ssize_t;
typedef __kernel_size_t size_t;
typedef __kernel_ssize_t ssize_t;
typedef long ptrdiff_t;
typedef unsigned long uintptr_t;
typedef long intptr_t;
typedef __u8 u_int8_t;
typedef __s8 int8_t;
typedef __u16 u_int16_t;
typedef __s16 int16_t;
typedef __u32 u_int32_t;
typedef __s32 int32_t;
typedef __u8 uint8_t;
typedef __u16 uint16_t;
typedef __u32 uint32_t;
typedef __u64 uint64_t;
typedef __u64 u_int64_t;
typedef __s64 int64_t;
typedef unsigned char u_char;
typedef unsigned short u_short;
typedef unsigned int u_int;
typedef unsigned long u_long;
typedef unsigned char unchar;
typedef unsigned short ushort;
typedef unsigned int uint;
typedef unsigned long ulong;
`);

/** asm-generic/errno-base.h, asm-generic/errno.h and the kernel-internal linux/errno.h. */
const ERRNO: DefTable = [
  ['EPERM', 1], ['ENOENT', 2], ['ESRCH', 3], ['EINTR', 4], ['EIO', 5], ['ENXIO', 6], ['E2BIG', 7],
  ['ENOEXEC', 8], ['EBADF', 9], ['ECHILD', 10], ['EAGAIN', 11], ['ENOMEM', 12], ['EACCES', 13],
  ['EFAULT', 14], ['ENOTBLK', 15], ['EBUSY', 16], ['EEXIST', 17], ['EXDEV', 18], ['ENODEV', 19],
  ['ENOTDIR', 20], ['EISDIR', 21], ['EINVAL', 22], ['ENFILE', 23], ['EMFILE', 24], ['ENOTTY', 25],
  ['ETXTBSY', 26], ['EFBIG', 27], ['ENOSPC', 28], ['ESPIPE', 29], ['EROFS', 30], ['EMLINK', 31],
  ['EPIPE', 32], ['EDOM', 33], ['ERANGE', 34], ['EDEADLK', 35], ['ENAMETOOLONG', 36], ['ENOLCK', 37],
  ['ENOSYS', 38], ['ENOTEMPTY', 39], ['ELOOP', 40], ['EWOULDBLOCK', 'EAGAIN'], ['ENOMSG', 42],
  ['EIDRM', 43], ['ECHRNG', 44], ['EL2NSYNC', 45], ['EL3HLT', 46], ['EL3RST', 47], ['ELNRNG', 48],
  ['EUNATCH', 49], ['ENOCSI', 50], ['EL2HLT', 51], ['EBADE', 52], ['EBADR', 53], ['EXFULL', 54],
  ['ENOANO', 55], ['EBADRQC', 56], ['EBADSLT', 57], ['EDEADLOCK', 'EDEADLK'], ['EBFONT', 59],
  ['ENOSTR', 60], ['ENODATA', 61], ['ETIME', 62], ['ENOSR', 63], ['ENONET', 64], ['ENOPKG', 65],
  ['EREMOTE', 66], ['ENOLINK', 67], ['EADV', 68], ['ESRMNT', 69], ['ECOMM', 70], ['EPROTO', 71],
  ['EMULTIHOP', 72], ['EDOTDOT', 73], ['EBADMSG', 74], ['EOVERFLOW', 75], ['ENOTUNIQ', 76],
  ['EBADFD', 77], ['EREMCHG', 78], ['ELIBACC', 79], ['ELIBBAD', 80], ['ELIBSCN', 81], ['ELIBMAX', 82],
  ['ELIBEXEC', 83], ['EILSEQ', 84], ['ERESTART', 85], ['ESTRPIPE', 86], ['EUSERS', 87],
  ['ENOTSOCK', 88], ['EDESTADDRREQ', 89], ['EMSGSIZE', 90], ['EPROTOTYPE', 91], ['ENOPROTOOPT', 92],
  ['EPROTONOSUPPORT', 93], ['ESOCKTNOSUPPORT', 94], ['EOPNOTSUPP', 95], ['EPFNOSUPPORT', 96],
  ['EAFNOSUPPORT', 97], ['EADDRINUSE', 98], ['EADDRNOTAVAIL', 99], ['ENETDOWN', 100],
  ['ENETUNREACH', 101], ['ENETRESET', 102], ['ECONNABORTED', 103], ['ECONNRESET', 104],
  ['ENOBUFS', 105], ['EISCONN', 106], ['ENOTCONN', 107], ['ESHUTDOWN', 108], ['ETOOMANYREFS', 109],
  ['ETIMEDOUT', 110], ['ECONNREFUSED', 111], ['EHOSTDOWN', 112], ['EHOSTUNREACH', 113],
  ['EALREADY', 114], ['EINPROGRESS', 115], ['ESTALE', 116], ['EUCLEAN', 117], ['ENOTNAM', 118],
  ['ENAVAIL', 119], ['EISNAM', 120], ['EREMOTEIO', 121], ['EDQUOT', 122], ['ENOMEDIUM', 123],
  ['EMEDIUMTYPE', 124], ['ECANCELED', 125], ['ENOKEY', 126], ['EKEYEXPIRED', 127],
  ['EKEYREVOKED', 128], ['EKEYREJECTED', 129], ['EOWNERDEAD', 130], ['ENOTRECOVERABLE', 131],
  ['ERFKILL', 132], ['EHWPOISON', 133],
  // Kernel-internal (never seen by user space, but returned by the functions programs trace).
  ['ERESTARTSYS', 512], ['ERESTARTNOINTR', 513], ['ERESTARTNOHAND', 514], ['ENOIOCTLCMD', 515],
  ['ERESTART_RESTARTBLOCK', 516], ['EPROBE_DEFER', 517], ['EOPENSTALE', 518], ['ENOPARAM', 519],
  ['EBADHANDLE', 521], ['ENOTSYNC', 522], ['EBADCOOKIE', 523], ['ENOTSUPP', 524], ['ETOOSMALL', 525],
  ['ESERVERFAULT', 526], ['EBADTYPE', 527], ['EJUKEBOX', 528], ['EIOCBQUEUED', 529],
  ['ERECALLCONFLICT', 530], ['ENOGRACE', 531],
];

/** tsbcc/errno.h */
export const ERRNO_H = guarded('__TSBCC_ERRNO_H', '\n' + defs(ERRNO) + String.raw`
#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) unlikely((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
#define IS_ERR(ptr) IS_ERR_VALUE((unsigned long)(ptr))
#define IS_ERR_OR_NULL(ptr) (unlikely(!(ptr)) || IS_ERR_VALUE((unsigned long)(ptr)))
#define PTR_ERR(ptr) ((long)(ptr))
#define ERR_PTR(error) ((void *)(long)(error))
#define ERR_CAST(ptr) ((void *)(ptr))
`);

/** tsbcc/byteorder.h: x86_64 is little-endian; swabs fold for constants and use bswap otherwise. */
export const BYTEORDER_H = guarded('__TSBCC_BYTEORDER_H', String.raw`
#ifndef __LITTLE_ENDIAN
#define __LITTLE_ENDIAN 1234
#endif
#ifndef __BIG_ENDIAN
#define __BIG_ENDIAN 4321
#endif
#ifndef __LITTLE_ENDIAN_BITFIELD
#define __LITTLE_ENDIAN_BITFIELD
#endif
#ifndef __ORDER_LITTLE_ENDIAN__
#define __ORDER_LITTLE_ENDIAN__ 1234
#endif
#ifndef __ORDER_BIG_ENDIAN__
#define __ORDER_BIG_ENDIAN__ 4321
#endif
#ifndef __BYTE_ORDER__
#define __BYTE_ORDER__ __ORDER_LITTLE_ENDIAN__
#endif

#define ___constant_swab16(x) ((unsigned short)(				\
	(((unsigned short)(x) & (unsigned short)0x00ffU) << 8) |		\
	(((unsigned short)(x) & (unsigned short)0xff00U) >> 8)))
#define ___constant_swab32(x) ((unsigned int)(					\
	(((unsigned int)(x) & 0x000000ffU) << 24) |				\
	(((unsigned int)(x) & 0x0000ff00U) << 8) |				\
	(((unsigned int)(x) & 0x00ff0000U) >> 8) |				\
	(((unsigned int)(x) & 0xff000000U) >> 24)))
#define ___constant_swab64(x) ((unsigned long long)(				\
	(((unsigned long long)(x) & 0x00000000000000ffULL) << 56) |		\
	(((unsigned long long)(x) & 0x000000000000ff00ULL) << 40) |		\
	(((unsigned long long)(x) & 0x0000000000ff0000ULL) << 24) |		\
	(((unsigned long long)(x) & 0x00000000ff000000ULL) << 8) |		\
	(((unsigned long long)(x) & 0x000000ff00000000ULL) >> 8) |		\
	(((unsigned long long)(x) & 0x0000ff0000000000ULL) >> 24) |		\
	(((unsigned long long)(x) & 0x00ff000000000000ULL) >> 40) |		\
	(((unsigned long long)(x) & 0xff00000000000000ULL) >> 56)))

#define __swab16(x) (__builtin_constant_p((unsigned short)(x)) ? ___constant_swab16(x) : __builtin_bswap16((unsigned short)(x)))
#define __swab32(x) (__builtin_constant_p((unsigned int)(x)) ? ___constant_swab32(x) : __builtin_bswap32((unsigned int)(x)))
#define __swab64(x) (__builtin_constant_p((unsigned long long)(x)) ? ___constant_swab64(x) : __builtin_bswap64((unsigned long long)(x)))
#define swab16 __swab16
#define swab32 __swab32
#define swab64 __swab64

#define __constant_htonl(x) ___constant_swab32(x)
#define __constant_ntohl(x) ___constant_swab32(x)
#define __constant_htons(x) ___constant_swab16(x)
#define __constant_ntohs(x) ___constant_swab16(x)
#define __constant_cpu_to_be16(x) ___constant_swab16(x)
#define __constant_be16_to_cpu(x) ___constant_swab16(x)
#define __constant_cpu_to_be32(x) ___constant_swab32(x)
#define __constant_be32_to_cpu(x) ___constant_swab32(x)
#define __constant_cpu_to_be64(x) ___constant_swab64(x)
#define __constant_be64_to_cpu(x) ___constant_swab64(x)
#define __constant_cpu_to_le16(x) ((unsigned short)(x))
#define __constant_le16_to_cpu(x) ((unsigned short)(x))
#define __constant_cpu_to_le32(x) ((unsigned int)(x))
#define __constant_le32_to_cpu(x) ((unsigned int)(x))
#define __constant_cpu_to_le64(x) ((unsigned long long)(x))
#define __constant_le64_to_cpu(x) ((unsigned long long)(x))

#define __cpu_to_be16(x) __swab16(x)
#define __be16_to_cpu(x) __swab16(x)
#define __cpu_to_be32(x) __swab32(x)
#define __be32_to_cpu(x) __swab32(x)
#define __cpu_to_be64(x) __swab64(x)
#define __be64_to_cpu(x) __swab64(x)
#define __cpu_to_le16(x) ((unsigned short)(x))
#define __le16_to_cpu(x) ((unsigned short)(x))
#define __cpu_to_le32(x) ((unsigned int)(x))
#define __le32_to_cpu(x) ((unsigned int)(x))
#define __cpu_to_le64(x) ((unsigned long long)(x))
#define __le64_to_cpu(x) ((unsigned long long)(x))
#define cpu_to_be16 __cpu_to_be16
#define be16_to_cpu __be16_to_cpu
#define cpu_to_be32 __cpu_to_be32
#define be32_to_cpu __be32_to_cpu
#define cpu_to_be64 __cpu_to_be64
#define be64_to_cpu __be64_to_cpu
#define cpu_to_le16 __cpu_to_le16
#define le16_to_cpu __le16_to_cpu
#define cpu_to_le32 __cpu_to_le32
#define le32_to_cpu __le32_to_cpu
#define cpu_to_le64 __cpu_to_le64
#define le64_to_cpu __le64_to_cpu

#define ___htonl(x) __cpu_to_be32(x)
#define ___htons(x) __cpu_to_be16(x)
#define ___ntohl(x) __be32_to_cpu(x)
#define ___ntohs(x) __be16_to_cpu(x)
#ifndef htonl
#define htonl(x) ___htonl(x)
#endif
#ifndef ntohl
#define ntohl(x) ___ntohl(x)
#endif
#ifndef htons
#define htons(x) ___htons(x)
#endif
#ifndef ntohs
#define ntohs(x) ___ntohs(x)
#endif
`);

/** tsbcc/stddef.h: NULL, offsetof and KERNEL_VERSION (the preprocessor may predefine the last). */
export const STDDEF_FRAG_H = guarded('__TSBCC_STDDEF_FRAG_H', '\n' + String.raw`#ifndef NULL
#define NULL ((void *)0)
#endif
#ifndef offsetof
#define offsetof(TYPE, MEMBER) __builtin_offsetof(TYPE, MEMBER)
#endif
#ifndef KERNEL_VERSION
#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#endif
`);

/** tsbcc/bits.h: word and page sizes, bit masks and fixed-width limits of x86_64 (linux/bits.h,
 *  asm/page_types.h, linux/limits.h). */
export const BITS_H = guarded('__TSBCC_BITS_H', '\n' + String.raw`#define BITS_PER_LONG 64
#define BITS_PER_LONG_LONG 64
#define BITS_PER_BYTE 8
#define BIT(nr) (1UL << (nr))
#define BIT_ULL(nr) (1ULL << (nr))
#define BIT_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)
#define BIT_ULL_MASK(nr) (1ULL << ((nr) % BITS_PER_LONG_LONG))
#define BIT_ULL_WORD(nr) ((nr) / BITS_PER_LONG_LONG)
#define BITS_TO_LONGS(nr) (((nr) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define GENMASK(h, l) (((~0UL) - (1UL << (l)) + 1) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define GENMASK_ULL(h, l) (((~0ULL) - (1ULL << (l)) + 1) & (~0ULL >> (BITS_PER_LONG_LONG - 1 - (h))))

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define __PAGE_OFFSET_BASE_L5 0xff11000000000000UL
#define __PAGE_OFFSET_BASE_L4 0xffff888000000000UL
#define THREAD_SIZE_ORDER 2
#define THREAD_SIZE (PAGE_SIZE << THREAD_SIZE_ORDER)

#define U8_MAX ((u8)~0U)
#define S8_MAX ((s8)(U8_MAX >> 1))
#define S8_MIN ((s8)(-S8_MAX - 1))
#define U16_MAX ((u16)~0U)
#define S16_MAX ((s16)(U16_MAX >> 1))
#define S16_MIN ((s16)(-S16_MAX - 1))
#define U32_MAX ((u32)~0U)
#define U32_MIN ((u32)0)
#define S32_MAX ((s32)(U32_MAX >> 1))
#define S32_MIN ((s32)(-S32_MAX - 1))
#define U64_MAX ((u64)~0ULL)
#define S64_MAX ((s64)(U64_MAX >> 1))
#define S64_MIN ((s64)(-S64_MAX - 1))
#ifndef SIZE_MAX
#define SIZE_MAX (~(size_t)0)
#endif
`);

/** tsbcc/uapi.h: what every header, uapi ones included, brings along. */
export const UAPI_H = guarded('__TSBCC_UAPI_H', includes(
  'tsbcc/compiler.h', 'tsbcc/types.h', 'tsbcc/stddef.h', 'tsbcc/limits.h', 'tsbcc/kernel_facts.h', 'tsbcc/errno.h',
  'tsbcc/byteorder.h'));

/** tsbcc/kernel.h: what linux/kernel.h, linux/minmax.h, linux/math.h, linux/bits.h, linux/limits.h,
 *  linux/stddef.h, linux/time64.h and asm/page.h give every kernel source file. */
export const KERNEL_H = guarded('__TSBCC_KERNEL_H',
  includes('tsbcc/uapi.h', 'tsbcc/bits.h') + String.raw`
#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))
#define FIELD_SIZEOF(t, f) sizeof_field(t, f)
#define typeof_member(T, m) __typeof__(((T *)0)->m)
#ifndef container_of
#define container_of(ptr, type, member) ({				\
	void *__mptr = (void *)(ptr);					\
	((type *)((char *)__mptr - offsetof(type, member))); })
#endif
#define container_of_const(ptr, type, member) container_of(ptr, type, member)


#define READ 0
#define WRITE 1

#define HZ CONFIG_HZ
#define USER_HZ 100
#define MSEC_PER_SEC 1000L
#define USEC_PER_MSEC 1000L
#define NSEC_PER_USEC 1000L
#define NSEC_PER_MSEC 1000000L
#define USEC_PER_SEC 1000000L
#define NSEC_PER_SEC 1000000000L
#define PSEC_PER_SEC 1000000000000LL
#define FSEC_PER_SEC 1000000000000000LL

#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define DIV_ROUND_UP_ULL(ll, d) DIV_ROUND_UP((unsigned long long)(ll), (d))
#define DIV_ROUND_CLOSEST(x, d) (((x) + ((d) / 2)) / (d))
#define roundup(x, y) ((((x) + ((y) - 1)) / (y)) * (y))
#define rounddown(x, y) ((x) - ((x) % (y)))
#define round_up(x, y) ((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)
#define round_down(x, y) ((x) & ~((__typeof__(x))((y) - 1)))
#define ALIGN(x, a) (((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ALIGN((x) - ((a) - 1), (a))
#define PAGE_ALIGN(addr) ALIGN(addr, PAGE_SIZE)
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define is_power_of_2(n) ((n) != 0 && (((n) & ((n) - 1)) == 0))
#define upper_32_bits(n) ((u32)(((n) >> 16) >> 16))
#define lower_32_bits(n) ((u32)((n) & 0xffffffff))

#define min(x, y) ({ __typeof__(x) __min_x = (x); __typeof__(y) __min_y = (y); __min_x < __min_y ? __min_x : __min_y; })
#define max(x, y) ({ __typeof__(x) __max_x = (x); __typeof__(y) __max_y = (y); __max_x > __max_y ? __max_x : __max_y; })
#define min3(x, y, z) min((__typeof__(x))min(x, y), z)
#define max3(x, y, z) max((__typeof__(x))max(x, y), z)
#define min_t(type, x, y) ({ type __min_tx = (x); type __min_ty = (y); __min_tx < __min_ty ? __min_tx : __min_ty; })
#define max_t(type, x, y) ({ type __max_tx = (x); type __max_ty = (y); __max_tx > __max_ty ? __max_tx : __max_ty; })
#define min_not_zero(x, y) ({ __typeof__(x) __mnz_x = (x); __typeof__(y) __mnz_y = (y); __mnz_x == 0 ? __mnz_y : ((__mnz_y == 0) ? __mnz_x : min(__mnz_x, __mnz_y)); })
#define clamp(val, lo, hi) min((__typeof__(val))max(val, lo), hi)
#define clamp_t(type, val, lo, hi) min_t(type, max_t(type, val, lo), hi)
#define clamp_val(val, lo, hi) clamp_t(__typeof__(val), val, lo, hi)
#define swap(a, b) do { __typeof__(a) __swap_tmp = (a); (a) = (b); (b) = __swap_tmp; } while (0)
#define abs(x) ({ __typeof__(x) __abs_x = (x); __abs_x < 0 ? -__abs_x : __abs_x; })

#define div_u64(dividend, divisor) ((u64)(dividend) / (u32)(divisor))
#define div_s64(dividend, divisor) ((s64)(dividend) / (s32)(divisor))
#define div64_u64(dividend, divisor) ((u64)(dividend) / (u64)(divisor))
#define div64_s64(dividend, divisor) ((s64)(dividend) / (s64)(divisor))
#define div64_ul(x, y) div64_u64(x, y)
#define do_div(n, base) ({ u32 __do_div_base = (base); u32 __do_div_rem = ((u64)(n)) % __do_div_base; (n) = ((u64)(n)) / __do_div_base; __do_div_rem; })
`);
