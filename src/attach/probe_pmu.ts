// The perf "kprobe" and "uprobe" PMUs (kernel 4.17+): a probe made by perf_event_open alone, with no
// tracefs event, that the kernel removes when the fd closes — so even SIGKILL leaves nothing behind.
// Also the common last step of every probe: a bpf_link on the perf event (or PERF_EVENT_IOC_SET_BPF).
import { existsSync, readFileSync } from 'node:fs';
import { bpf, native, explain, features, perfEventOpen, perfSetBpf, perfEnable, AttachType } from '../sys/index.js';
import type { Attachable } from './tracepoint.js';

export type ProbePmuName = 'kprobe' | 'uprobe';

export interface ProbePmu {
  type: number;
  /** config bit that makes it a return probe. */
  retprobeBit: number;
  /** uprobe only: the first config bit of ref_ctr_offset (USDT semaphores), when the kernel has it. */
  refCtrShift?: number;
}

const pmus = new Map<ProbePmuName, ProbePmu | null>();
export const pmuDir = (name: ProbePmuName): string => `/sys/bus/event_source/devices/${name}`;

/** The kprobe or uprobe PMU, or undefined when this kernel has none. */
export function probePmu(name: ProbePmuName): ProbePmu | undefined {
  if (!pmus.has(name)) {
    const dir = pmuDir(name);
    let pmu: ProbePmu | null = null;
    if (existsSync(`${dir}/type`)) {
      const bit = (field: string): number | undefined => {
        try {
          const m = /^config:(\d+)/.exec(readFileSync(`${dir}/format/${field}`, 'latin1'));
          return m ? Number(m[1]) : undefined;
        } catch {
          return undefined;
        }
      };
      pmu = { type: Number(readFileSync(`${dir}/type`, 'latin1')), retprobeBit: bit('retprobe') ?? 0, refCtrShift: bit('ref_ctr_offset') };
    }
    pmus.set(name, pmu);
  }
  return pmus.get(name) ?? undefined;
}

export interface PmuProbeSpec {
  retprobe: boolean;
  /** kprobe: function name; uprobe: path of the binary. */
  target: string;
  /** kprobe: offset into the function (or address when target is ""); uprobe: file offset. */
  offset: bigint;
  refCtrOffset?: number;
  pid?: number;
}

/** Open a probe perf event through the PMU. Throws the raw errno error; callers explain it. */
export function openPmuProbe(pmu: ProbePmu, s: PmuProbeSpec): number {
  let config = s.retprobe ? 1n << BigInt(pmu.retprobeBit) : 0n;
  if (s.refCtrOffset) {
    if (pmu.refCtrShift === undefined) throw new Error('this kernel\'s uprobe PMU has no ref_ctr_offset (USDT semaphores need kernel 4.20+)');
    config |= BigInt(s.refCtrOffset) << BigInt(pmu.refCtrShift);
  }
  const str = Buffer.from(`${s.target}\0`, 'latin1');
  const ptr = s.target ? native.addressOf(str) : 0n;
  const pid = s.pid ?? -1;
  const fd = perfEventOpen({ type: pmu.type, config, config1: ptr, config2: s.offset, samplePeriod: 1, wakeupEvents: 1 },
    pid, pid >= 0 ? -1 : 0);
  void str.length; // a use after the call: `str` stays alive until perf_event_open has copied it
  return fd;
}

/**
 * Run `prog` on perf event `pfd`: a bpf_link when the kernel has perf-event links, otherwise
 * PERF_EVENT_IOC_SET_BPF + enable. Returns the fds to hold (link first). Closes pfd on failure.
 */
export function bindProgram(prog: Attachable, pfd: number, what: string, cookie?: bigint): number[] {
  try {
    if (features.havePerfEventLink()) {
      return [bpf.linkCreate({ progFd: prog.fd, targetFd: pfd, attachType: AttachType.PERF_EVENT, bpfCookie: cookie }), pfd];
    }
    perfSetBpf(pfd, prog.fd);
    perfEnable(pfd);
    return [pfd];
  } catch (e) {
    native.close(pfd);
    throw explain(e, `attaching program ${prog.name || '(unnamed)'} to ${what}`);
  }
}
