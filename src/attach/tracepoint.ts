// Tracepoints (perf event + bpf_link, or PERF_EVENT_IOC_SET_BPF on older kernels) and raw tracepoints.
import { bpf, native, explain, features, perfEventOpen, perfSetBpf, perfEnable, PerfType, PERF_SAMPLE_RAW,
  AttachType, splitTracepoint, tracepointId } from '../sys/index.js';
import { Link } from './link.js';

export interface Attachable { readonly fd: number; readonly name: string }

/** Attach a TRACEPOINT program to "category:event" (or category, event). */
export function attachTracepoint(prog: Attachable, spec: string, event?: string): Link {
  const [cat, ev] = splitTracepoint(spec, event);
  const id = tracepointId(cat, ev);
  let pfd: number;
  try {
    pfd = perfEventOpen({ type: PerfType.TRACEPOINT, config: id, samplePeriod: 1, sampleType: PERF_SAMPLE_RAW, wakeupEvents: 1 }, -1, 0);
  } catch (e) {
    throw explain(e, `opening tracepoint ${cat}:${ev}`);
  }
  try {
    if (features.havePerfEventLink()) {
      const link = bpf.linkCreate({ progFd: prog.fd, targetFd: pfd, attachType: AttachType.PERF_EVENT });
      return new Link('tracepoint', `${cat}:${ev}`, [link, pfd]);
    }
    perfSetBpf(pfd, prog.fd);
    perfEnable(pfd);
    return new Link('tracepoint', `${cat}:${ev}`, [pfd]);
  } catch (e) {
    native.close(pfd);
    throw explain(e, `attaching program ${prog.name || '(unnamed)'} to tracepoint ${cat}:${ev}`);
  }
}

/** Attach a RAW_TRACEPOINT program to a tracepoint by its bare name (e.g. "sched_switch"). */
export function attachRawTracepoint(prog: Attachable, name: string): Link {
  try {
    return new Link('raw_tracepoint', name, [bpf.rawTracepointOpen(name, prog.fd)]);
  } catch (e) {
    const err = explain(e, `attaching program ${prog.name || '(unnamed)'} to raw tracepoint ${name}`);
    if ((err as { code?: string }).code === 'ENOENT') err.message = `raw tracepoint ${name} does not exist`;
    throw err;
  }
}
