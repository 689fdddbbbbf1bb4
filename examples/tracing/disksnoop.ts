// disksnoop, as BCC's examples/tracing/disksnoop.py: one line per block I/O request as it
// completes: when (seconds since boot), type (R read, W write, M metadata/no data), size in
// bytes and latency from issue to completion in milliseconds.
//
//   sudo node dist/examples/tracing/disksnoop.js [--kprobe | --tracepoint]
//
// BCC probes blk_mq_start_request (issue) and the request-accounting function (completion) and
// keys the start time by the request pointer. Where the kernel has no kprobes, the tracepoints
// block:block_rq_issue and block:block_rq_complete do the same, keyed by device and sector
// (a request has no pointer there), and the W flag comes from the rwbs text the kernel fills in.
// Messages travel through trace_pipe, as in BCC; lines from other programs are skipped.
import { BPF } from '../../src/index.js';
import { chooseHook, completionFunction, fail, untilInterrupted } from '../lib/hooks.js';

/** REQ_WRITE, from include/linux/blk_types.h (REQ_OP_WRITE is 1: the low bit of cmd_flags). */
const REQ_WRITE = 1;

const KPROBE = `
#include <uapi/linux/ptrace.h>
#include <linux/blk-mq.h>

BPF_HASH(start, struct request *);

void trace_start(struct pt_regs *ctx, struct request *req) {
    // stash start timestamp by request ptr
    u64 ts = bpf_ktime_get_ns();
    start.update(&req, &ts);
}

void trace_completion(struct pt_regs *ctx, struct request *req) {
    u64 *tsp, delta;
    tsp = start.lookup(&req);
    if (tsp != 0) {
        delta = bpf_ktime_get_ns() - *tsp;
        bpf_trace_printk("%d %x %d\\n", req->__data_len, req->cmd_flags, delta / 1000);
        start.delete(&req);
    }
}
`;

const TRACEPOINT = `
#define REQ_WRITE ${REQ_WRITE}

struct req_key {
    u32 dev;
    u64 sector;
};

BPF_HASH(start, struct req_key);

TRACEPOINT_PROBE(block, block_rq_issue) {
    // stash start timestamp by device and sector
    struct req_key key = { .dev = args->dev, .sector = args->sector };
    u64 ts = bpf_ktime_get_ns();
    start.update(&key, &ts);
    return 0;
}

TRACEPOINT_PROBE(block, block_rq_complete) {
    struct req_key key = { .dev = args->dev, .sector = args->sector };
    u64 *tsp, delta;
    tsp = start.lookup(&key);
    if (tsp != 0) {
        delta = bpf_ktime_get_ns() - *tsp;
        // rwbs is "W", "WS", "FWS", "R", "RA", ...: a W in the first three letters is a write
        u32 flags = 0;
        if (args->rwbs[0] == 'W' || args->rwbs[1] == 'W' || args->rwbs[2] == 'W')
            flags = REQ_WRITE;
        bpf_trace_printk("%d %x %d\\n", args->nr_sector * 512, flags, delta / 1000);
        start.delete(&key);
    }
    return 0;
}
`;

let b: BPF;
try {
  if (chooseHook() === 'kprobe') {
    b = new BPF({ text: KPROBE });
    if (BPF.getKprobeFunctions('^blk_start_request$').length) b.attachKprobe({ event: 'blk_start_request', fnName: 'trace_start' });
    b.attachKprobe({ event: 'blk_mq_start_request', fnName: 'trace_start' });
    b.attachKprobe({ event: completionFunction(), fnName: 'trace_completion' });
  } else {
    b = new BPF({ text: TRACEPOINT });
  }
} catch (e) {
  fail(e);
}

const { signal } = untilInterrupted(() => b.close());

// header
console.log(`${'TIME(s)'.padEnd(18)} ${'T'.padEnd(2)} ${'BYTES'.padEnd(7)} ${'LAT(ms)'.padStart(8)}`);

// format output
while (!signal.aborted) {
  const f = await b.traceFields({ timeoutMs: 200 });
  if (!f) continue;
  const m = /^(\d+) ([0-9a-f]+) (\d+)$/.exec(f.msg.trim());
  if (!m) continue; // another program's trace_printk
  const [, bytes, bflags, us] = m;
  const type = Number.parseInt(bflags!, 16) & REQ_WRITE ? 'W' : bytes === '0' ? 'M' : 'R'; // see blk_fill_rwbs()
  const ms = Number(us) / 1000;
  console.log(`${f.ts.toFixed(9).padEnd(18)} ${type.padEnd(2)} ${bytes!.padEnd(7)} ${ms.toFixed(2).padStart(8)}`);
}
