// tsbcc/blk.h: block layer request ops and flags, disks and device numbers (linux/blk_types.h,
// linux/blkdev.h, linux/blk-mq.h, linux/bio.h, linux/kdev_t.h). The REQ_* flag bits are the
// kernel's enum req_flag_bits, read from BTF: see kernel_facts (tsbcc/blk_facts.h).
import { guarded } from './util.js';

export const BLK_H = guarded('__TSBCC_BLK_H', '#include <tsbcc/blk_facts.h>\n' + String.raw`
#define SECTOR_SHIFT 9
#define SECTOR_SIZE (1 << SECTOR_SHIFT)
#define PAGE_SECTORS_SHIFT (PAGE_SHIFT - SECTOR_SHIFT)
#define PAGE_SECTORS (1 << PAGE_SECTORS_SHIFT)
#define DISK_NAME_LEN 32
#define BDEVNAME_SIZE 32

/* The low REQ_OP_BITS of bio.bi_opf / request.cmd_flags hold the enum req_op; flags above. */
#define REQ_OP_BITS 8
#define REQ_OP_MASK ((1 << REQ_OP_BITS) - 1)
#define REQ_FAILFAST_MASK (REQ_FAILFAST_DEV | REQ_FAILFAST_TRANSPORT | REQ_FAILFAST_DRIVER)
#define REQ_NOMERGE_FLAGS (REQ_NOMERGE | REQ_PREFLUSH | REQ_FUA)

#define bio_op(bio) ((bio)->bi_opf & REQ_OP_MASK)
#define req_op(req) ((req)->cmd_flags & REQ_OP_MASK)
#define op_is_write(op) (!!((op) & 1))
#define op_is_sync(op) (((op) & REQ_OP_MASK) == REQ_OP_READ || ((op) & (REQ_SYNC | REQ_FUA | REQ_PREFLUSH)))
#define op_is_discard(op) (((op) & REQ_OP_MASK) == REQ_OP_DISCARD)
#define op_is_flush(op) ((op) & (REQ_FUA | REQ_PREFLUSH))
#define bio_data_dir(bio) (op_is_write(bio_op(bio)) ? WRITE : READ)
#define rq_data_dir(rq) (op_is_write(req_op(rq)) ? WRITE : READ)
#define bio_sectors(bio) ((bio)->bi_iter.bi_size >> SECTOR_SHIFT)
#define bio_end_sector(bio) ((bio)->bi_iter.bi_sector + bio_sectors(bio))
#define blk_rq_pos(rq) ((rq)->__sector)
#define blk_rq_bytes(rq) ((rq)->__data_len)
#define blk_rq_sectors(rq) (blk_rq_bytes(rq) >> SECTOR_SHIFT)

#define MINORBITS 20
#define MINORMASK ((1U << MINORBITS) - 1)
#define MAJOR(dev) ((unsigned int) ((dev) >> MINORBITS))
#define MINOR(dev) ((unsigned int) ((dev) & MINORMASK))
#define MKDEV(ma, mi) (((ma) << MINORBITS) | (mi))
#define disk_devt(disk) MKDEV((disk)->major, (disk)->first_minor)
#define bio_dev(bio) disk_devt((bio)->bi_bdev->bd_disk)
`);
