// Sampling perf events (software clocks, hardware counters) running a PERF_EVENT program at each
// sample: one perf event per CPU (or one for a task), each with its bpf_link. What `profile` uses.
import { explain, isErrno, NotSupportedError, perfEventOpen, onlineCpus, PerfType } from '../sys/index.js';
import { Link } from './link.js';
import type { Attachable } from './tracepoint.js';
import { bindProgram } from './probe_pmu.js';

export interface PerfEventOptions {
  /** PerfType.SOFTWARE, HARDWARE, ... */
  type: number;
  /** PerfCountSw.CPU_CLOCK, PerfCountHw.CPU_CYCLES, ... */
  config: number | bigint;
  /** A sample every this many events (nanoseconds for the clocks). */
  samplePeriod?: number | bigint;
  /** Or this many samples per second (the kernel adjusts the period). */
  sampleFreq?: number;
  /** One CPU only (default: every online CPU). */
  cpu?: number;
  /** One process only (default: all). With no `cpu`, one event follows it across CPUs. */
  pid?: number;
}

const TYPE_NAMES: Record<number, string> = { [PerfType.HARDWARE]: 'hardware', [PerfType.SOFTWARE]: 'software', [PerfType.HW_CACHE]: 'hardware cache', [PerfType.RAW]: 'raw' };

/** Attach a PERF_EVENT program to a sampling event on each CPU; the Link holds them all. */
export function attachPerfEvent(prog: Attachable, o: PerfEventOptions): Link {
  if ((o.samplePeriod === undefined) === (o.sampleFreq === undefined)) throw new Error('attachPerfEvent: give exactly one of samplePeriod and sampleFreq');
  const what = `${TYPE_NAMES[o.type] ?? `type ${o.type}`} perf event ${o.config}`;
  const cpus = o.cpu !== undefined ? [o.cpu] : o.pid !== undefined ? [-1] : onlineCpus();
  const fds: number[] = [];
  try {
    for (const cpu of cpus) {
      let pfd: number;
      try {
        pfd = perfEventOpen({ type: o.type, config: o.config, samplePeriod: o.sampleFreq ?? o.samplePeriod, freq: o.sampleFreq !== undefined },
          o.pid ?? -1, cpu);
      } catch (e) {
        if (isErrno(e, 'ENOENT', 'EOPNOTSUPP') && o.type !== PerfType.SOFTWARE) {
          throw new NotSupportedError(`cannot open ${what}: this machine has no such counter (a VM without a PMU?)`, e);
        }
        if (isErrno(e, 'ESRCH')) throw new Error(`cannot open ${what}: no process with pid ${o.pid}`);
        if (isErrno(e, 'EINVAL') && o.sampleFreq !== undefined) throw explain(e, `opening ${what} at ${o.sampleFreq} Hz (above kernel.perf_event_max_sample_rate?)`);
        throw explain(e, `opening ${what}${cpu >= 0 ? ` on CPU ${cpu}` : ''}`);
      }
      fds.push(...bindProgram(prog, pfd, `${what}${cpu >= 0 ? ` on CPU ${cpu}` : ''}`));
    }
  } catch (e) {
    new Link('perf_event', what, fds).close();
    throw e;
  }
  return new Link('perf_event', `${what}${o.pid !== undefined ? ` pid ${o.pid}` : ''} on ${cpus[0] === -1 ? 'any CPU' : `${cpus.length} CPU(s)`}`, fds);
}
