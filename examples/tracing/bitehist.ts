// bitehist, as BCC's examples/tracing/bitehist.py: a histogram of block I/O sizes, in kbytes,
// as a power-of-two histogram and a linear one, printed when Ctrl-C (or SIGTERM) ends tracing.
//
//   sudo node dist/examples/tracing/bitehist.js [--kprobe | --tracepoint]
//
// BCC probes the kernel function that accounts a finished request (__blk_account_io_done before
// 6.4, blk_account_io_done before 5.16, else blk_mq_end_request) and reads req->__data_len. Where
// the kernel has no kprobes, the block:block_rq_complete tracepoint sees each completed request;
// its nr_sector field, in 512-byte sectors, gives the size.
import { BPF, type TypedTable } from '../../src/index.js';
import { chooseHook, completionFunction, fail, untilInterrupted } from '../lib/hooks.js';

const KPROBE = `
#include <uapi/linux/ptrace.h>
#include <linux/blk-mq.h>

BPF_HISTOGRAM(dist);
BPF_HISTOGRAM(dist_linear);

int trace_req_done(struct pt_regs *ctx, struct request *req)
{
    dist.increment(bpf_log2l(req->__data_len / 1024));
    dist_linear.increment(req->__data_len / 1024);
    return 0;
}
`;

const TRACEPOINT = `
BPF_HISTOGRAM(dist);
BPF_HISTOGRAM(dist_linear);

TRACEPOINT_PROBE(block, block_rq_complete)
{
    u64 kbytes = (u64)args->nr_sector * 512 / 1024;
    dist.increment(bpf_log2l(kbytes));
    dist_linear.increment(kbytes);
    return 0;
}
`;

let b: BPF;
try {
  if (chooseHook() === 'kprobe') {
    b = new BPF({ text: KPROBE });
    b.attachKprobe({ event: completionFunction(), fnName: 'trace_req_done' });
  } else {
    b = new BPF({ text: TRACEPOINT });
  }
} catch (e) {
  fail(e);
}

console.log('Tracing... Hit Ctrl-C to end.');
await untilInterrupted().stopped;
console.log();
console.log('log2 histogram');
console.log('~~~~~~~~~~~~~~');
b.getTable<TypedTable>('dist').printLog2Hist('kbytes');
console.log();
console.log('linear histogram');
console.log('~~~~~~~~~~~~~~~~');
b.getTable<TypedTable>('dist_linear').printLinearHist('kbytes');
b.close();
