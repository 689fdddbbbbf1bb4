// The few C library headers BPF programs include harmlessly: stdint.h, stddef.h, stdbool.h,
// limits.h, errno.h, string.h. Other libc headers (stdio.h, stdlib.h, ...) are not built in, so
// including one is reported as a missing header.
import { guarded, includes } from './util.js';

/** tsbcc/limits.h: uapi/linux/limits.h and the C limits of limits.h, spelled as the kernel does. */
export const LIMITS_H = guarded('__TSBCC_LIMITS_H', String.raw`
#define NR_OPEN 1024
#define NGROUPS_MAX 65536
#define ARG_MAX 131072
#define LINK_MAX 127
#define MAX_CANON 255
#define MAX_INPUT 255
#define NAME_MAX 255
#define PATH_MAX 4096
#define PIPE_BUF 4096
#define XATTR_NAME_MAX 255
#define XATTR_SIZE_MAX 65536
#define XATTR_LIST_MAX 65536
#define RTSIG_MAX 32
#ifndef CHAR_BIT
#define CHAR_BIT 8
#endif
#ifndef SCHAR_MAX
#define SCHAR_MAX 127
#define SCHAR_MIN (-128)
#define UCHAR_MAX 255
#define CHAR_MAX SCHAR_MAX
#define CHAR_MIN SCHAR_MIN
#endif
#ifndef INT_MAX
#define USHRT_MAX ((unsigned short)~0U)
#define SHRT_MAX ((short)(USHRT_MAX >> 1))
#define SHRT_MIN ((short)(-SHRT_MAX - 1))
#define INT_MAX ((int)(~0U >> 1))
#define INT_MIN (-INT_MAX - 1)
#define UINT_MAX (~0U)
#define LONG_MAX ((long)(~0UL >> 1))
#define LONG_MIN (-LONG_MAX - 1)
#define ULONG_MAX (~0UL)
#define LLONG_MAX ((long long)(~0ULL >> 1))
#define LLONG_MIN (-LLONG_MAX - 1)
#define ULLONG_MAX (~0ULL)
#endif
`);

export const STDINT_H = guarded('__TSBCC_STDINT_H', includes('tsbcc/types.h', 'tsbcc/limits.h') + String.raw`
typedef long long intmax_t;
typedef unsigned long long uintmax_t;
typedef __s8 int_least8_t;
typedef __s16 int_least16_t;
typedef __s32 int_least32_t;
typedef __s64 int_least64_t;
typedef __u8 uint_least8_t;
typedef __u16 uint_least16_t;
typedef __u32 uint_least32_t;
typedef __u64 uint_least64_t;
typedef __s8 int_fast8_t;
typedef long int_fast16_t;
typedef long int_fast32_t;
typedef __s64 int_fast64_t;
typedef __u8 uint_fast8_t;
typedef unsigned long uint_fast16_t;
typedef unsigned long uint_fast32_t;
typedef __u64 uint_fast64_t;

#define INT8_MIN (-128)
#define INT16_MIN (-32767-1)
#define INT32_MIN (-2147483647-1)
#define INT64_MIN (-9223372036854775807LL-1)
#define INT8_MAX (127)
#define INT16_MAX (32767)
#define INT32_MAX (2147483647)
#define INT64_MAX (9223372036854775807LL)
#define UINT8_MAX (255)
#define UINT16_MAX (65535)
#define UINT32_MAX (4294967295U)
#define UINT64_MAX (18446744073709551615ULL)
#define INTPTR_MIN (-9223372036854775807L-1)
#define INTPTR_MAX (9223372036854775807L)
#define UINTPTR_MAX (18446744073709551615UL)
#define INTMAX_MIN INT64_MIN
#define INTMAX_MAX INT64_MAX
#define UINTMAX_MAX UINT64_MAX
#define PTRDIFF_MIN INTPTR_MIN
#define PTRDIFF_MAX INTPTR_MAX
#ifndef SIZE_MAX
#define SIZE_MAX (~(size_t)0)
#endif
#define INT8_C(c) c
#define INT16_C(c) c
#define INT32_C(c) c
#define INT64_C(c) c ## LL
#define UINT8_C(c) c
#define UINT16_C(c) c
#define UINT32_C(c) c ## U
#define UINT64_C(c) c ## ULL
#define INTMAX_C(c) c ## LL
#define UINTMAX_C(c) c ## ULL
`);

export const STDDEF_H = guarded('__TSBCC_STDDEF_H', includes('tsbcc/types.h') + String.raw`
typedef int wchar_t;
#ifndef NULL
#define NULL ((void *)0)
#endif
#ifndef offsetof
#define offsetof(TYPE, MEMBER) __builtin_offsetof(TYPE, MEMBER)
#endif
`);

/** stdbool.h: true and false are the kernel's enum constants (BTF) unless this kernel lacks them. */
export const STDBOOL_H = guarded('__TSBCC_STDBOOL_H', includes('tsbcc/kernel_facts.h') + String.raw`
#ifndef bool
#define bool _Bool
#endif
#define __bool_true_false_are_defined 1
`);

export const STRING_H = guarded('__TSBCC_STRING_H', includes('tsbcc/types.h') + String.raw`
#define memcpy(dst, src, n) __builtin_memcpy(dst, src, n)
#define memset(dst, c, n) __builtin_memset(dst, c, n)
#define memmove(dst, src, n) __builtin_memmove(dst, src, n)
#define memcmp(a, b, n) __builtin_memcmp(a, b, n)
`);
