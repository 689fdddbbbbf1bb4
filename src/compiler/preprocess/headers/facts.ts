// The parts of the built-in headers that depend on the kernel being compiled for, read from its
// BTF: constants that are enum constants in some kernels and macros in others, sizes that changed,
// and flag macros the kernel derives from enum bit numbers. Without BTF the headers describe the
// kernel generation tsbcc was written against (6.x with BTF enums for these).
import type { Btf } from '../../../btf/reader.js';
import { findMember, resolve } from '../../../btf/query.js';
import { Kind } from '../../../btf/types.js';
import { guarded } from './util.js';

/**
 * Names that are enum constants in recent kernels' BTF but macros in older ones: defined only when
 * the kernel's BTF lacks the enumerator, since a macro would hide the enum constant.
 */
export const BTF_FALLBACKS: readonly (readonly [string, string])[] = [
  ['TASK_COMM_LEN', '16'],
  ['false', '0'],
  ['true', '1'],
];

/** The __REQ_* bit numbers of enum req_flag_bits in 6.18, used when no BTF is given. */
const REQ_BITS_DEFAULT = [
  'FAILFAST_DEV', 'FAILFAST_TRANSPORT', 'FAILFAST_DRIVER', 'SYNC', 'META', 'PRIO', 'NOMERGE', 'IDLE',
  'INTEGRITY', 'FUA', 'PREFLUSH', 'RAHEAD', 'BACKGROUND', 'NOWAIT', 'POLLED', 'ALLOC_CACHE', 'SWAP', 'DRV',
  'FS_PRIVATE', 'ATOMIC', 'P2PDMA', 'NOUNMAP',
];

/** The ___GFP_*_BIT numbers of 6.18, used when no BTF is given. */
const GFP_BITS_DEFAULT = [
  'DMA', 'HIGHMEM', 'DMA32', 'MOVABLE', 'RECLAIMABLE', 'HIGH', 'IO', 'FS', 'ZERO', 'DIRECT_RECLAIM',
  'KSWAPD_RECLAIM', 'WRITE', 'NOWARN', 'RETRY_MAYFAIL', 'NOFAIL', 'NORETRY', 'MEMALLOC', 'COMP',
  'NOMEMALLOC', 'HARDWALL', 'THISNODE', 'ACCOUNT', 'ZEROTAGS', 'NO_OBJ_EXT',
];

/** DNAME_INLINE_LEN of 6.14+ on 64-bit (5 words), used when no BTF is given. */
const DNAME_INLINE_LEN_DEFAULT = 40;

/** Names of the values of the enum that holds `member`, matching a pattern; undefined if absent. */
function enumSiblings(btf: Btf, member: string, re: RegExp): string[] | undefined {
  const e = btf.enumerator(member);
  if (!e) return undefined;
  const t = btf.type(e.id);
  if (t.kind !== Kind.ENUM && t.kind !== Kind.ENUM64) return undefined;
  return t.values.map((v) => v.name).filter((n) => re.test(n));
}

function arrayLen(btf: Btf, struct: string, member: string, kind: number = Kind.STRUCT): number | undefined {
  const id = btf.find(struct, kind);
  if (id === undefined) return undefined;
  const m = findMember(btf, id, member);
  if (!m) return undefined;
  const t = btf.type(resolve(btf, m.type));
  return t.kind === Kind.ARRAY ? t.nelems : undefined;
}

/** tsbcc/kernel_facts.h */
export function kernelFactsH(btf?: Btf): string {
  let body = '';
  if (btf) {
    for (const [name, value] of BTF_FALLBACKS) {
      if (!btf.enumerator(name)) body += `#define ${name} ${value}\n`;
    }
  }
  const dname = btf
    ? arrayLen(btf, 'dentry', 'd_iname') ?? arrayLen(btf, 'shortname_store', 'string', Kind.UNION) ?? DNAME_INLINE_LEN_DEFAULT
    : DNAME_INLINE_LEN_DEFAULT;
  body += `#define DNAME_INLINE_LEN ${dname}\n`;
  return guarded('__TSBCC_KERNEL_FACTS_H', '\n' + body);
}

/** tsbcc/blk_facts.h: REQ_<flag> for each __REQ_<flag> bit of enum req_flag_bits. */
export function blkFactsH(btf?: Btf): string {
  const bits = btf
    ? (enumSiblings(btf, '__REQ_SYNC', /^__REQ_\w+$/) ?? []).filter((n) => n !== '__REQ_NR_BITS').map((n) => n.slice(6))
    : REQ_BITS_DEFAULT;
  let body = '';
  for (const b of bits) body += `#define REQ_${b} (1ULL << __REQ_${b})\n`;
  return guarded('__TSBCC_BLK_FACTS_H', '\n' + body);
}

/** tsbcc/gfp_facts.h: __GFP_* and the common GFP_* masks from the ___GFP_*_BIT enum (6.10+). */
export function gfpFactsH(btf?: Btf): string {
  const found = btf ? enumSiblings(btf, '___GFP_IO_BIT', /^___GFP_\w+_BIT$/) : undefined;
  const bits = btf
    ? (found ?? []).map((n) => n.slice(7, -4)).filter((n) => n !== 'LAST' && n !== 'UNUSED')
    : GFP_BITS_DEFAULT;
  let body = '';
  for (const b of bits) body += `#define ___GFP_${b} (1U << ___GFP_${b}_BIT)\n#define __GFP_${b} ___GFP_${b}\n`;
  const has = new Set(bits);
  if (['DIRECT_RECLAIM', 'KSWAPD_RECLAIM', 'HIGH', 'IO', 'FS', 'HARDWALL'].every((b) => has.has(b))) {
    body += String.raw`#define __GFP_RECLAIM (___GFP_DIRECT_RECLAIM | ___GFP_KSWAPD_RECLAIM)
#define GFP_ATOMIC (__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_NOIO (__GFP_RECLAIM)
#define GFP_NOFS (__GFP_RECLAIM | __GFP_IO)
#define GFP_USER (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_DMA __GFP_DMA
#define GFP_DMA32 __GFP_DMA32
#define GFP_HIGHUSER (GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE (GFP_HIGHUSER | __GFP_MOVABLE)
`;
    if (has.has('ACCOUNT')) body += '#define GFP_KERNEL_ACCOUNT (GFP_KERNEL | __GFP_ACCOUNT)\n';
  }
  return guarded('__TSBCC_GFP_FACTS_H', '\n' + body);
}
