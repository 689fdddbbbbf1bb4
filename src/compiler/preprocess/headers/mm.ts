// tsbcc/mm.h: memory-mapping flags and scatterlist helpers (linux/mm.h, uapi/asm-generic/mman*.h,
// linux/scatterlist.h). GFP flags come from BTF where the kernel has them as bit numbers (6.10+):
// see kernel_facts (tsbcc/gfp_facts.h).
import { defs, guarded, type DefTable } from './util.js';

const MM: DefTable = [
  ['VM_NONE', '0x00000000'], ['VM_READ', '0x00000001'], ['VM_WRITE', '0x00000002'],
  ['VM_EXEC', '0x00000004'], ['VM_SHARED', '0x00000008'], ['VM_MAYREAD', '0x00000010'],
  ['VM_MAYWRITE', '0x00000020'], ['VM_MAYEXEC', '0x00000040'], ['VM_MAYSHARE', '0x00000080'],
  ['VM_GROWSDOWN', '0x00000100'],
  ['PROT_NONE', '0x0'], ['PROT_READ', '0x1'], ['PROT_WRITE', '0x2'], ['PROT_EXEC', '0x4'], ['PROT_SEM', '0x8'],
  ['MAP_SHARED', '0x01'], ['MAP_PRIVATE', '0x02'], ['MAP_SHARED_VALIDATE', '0x03'], ['MAP_TYPE', '0x0f'],
  ['MAP_FIXED', '0x10'], ['MAP_ANONYMOUS', '0x20'], ['MAP_GROWSDOWN', '0x0100'], ['MAP_DENYWRITE', '0x0800'],
  ['MAP_EXECUTABLE', '0x1000'], ['MAP_LOCKED', '0x2000'], ['MAP_NORESERVE', '0x4000'],
  ['MAP_POPULATE', '0x008000'], ['MAP_NONBLOCK', '0x010000'], ['MAP_STACK', '0x020000'],
  ['MAP_HUGETLB', '0x040000'], ['MAP_SYNC', '0x080000'], ['MAP_FIXED_NOREPLACE', '0x100000'],
  ['MADV_NORMAL', 0], ['MADV_RANDOM', 1], ['MADV_SEQUENTIAL', 2], ['MADV_WILLNEED', 3],
  ['MADV_DONTNEED', 4], ['MADV_FREE', 8], ['MADV_REMOVE', 9], ['MADV_DONTFORK', 10], ['MADV_DOFORK', 11],
  ['MADV_MERGEABLE', 12], ['MADV_UNMERGEABLE', 13], ['MADV_HUGEPAGE', 14], ['MADV_NOHUGEPAGE', 15],
  ['MADV_DONTDUMP', 16], ['MADV_DODUMP', 17], ['MADV_WIPEONFORK', 18], ['MADV_KEEPONFORK', 19],
  ['MADV_COLD', 20], ['MADV_PAGEOUT', 21], ['MADV_POPULATE_READ', 22], ['MADV_POPULATE_WRITE', 23],
  ['MADV_HWPOISON', 100],
  ['SG_CHAIN', '0x01UL'], ['SG_END', '0x02UL'], ['SG_PAGE_LINK_MASK', '(SG_CHAIN | SG_END)'],
];

export const MM_H = guarded('__TSBCC_MM_H', '#include <tsbcc/gfp_facts.h>\n' + defs(MM) + String.raw`
/* A scatterlist entry's page_link holds the page pointer with two flag bits below it. */
#define sg_is_chain(sg) ((sg)->page_link & SG_CHAIN)
#define sg_is_last(sg) ((sg)->page_link & SG_END)
#define sg_chain_ptr(sg) ((struct scatterlist *)((sg)->page_link & ~SG_PAGE_LINK_MASK))
#define sg_page(sg) ((struct page *)((sg)->page_link & ~SG_PAGE_LINK_MASK))
`);
