// perf_event_open(2): attributes laid out as in linux/perf_event.h, and the ioctls tsbcc uses.
import { native } from './native.js';

export const PerfType = { HARDWARE: 0, SOFTWARE: 1, TRACEPOINT: 2, HW_CACHE: 3, RAW: 4, BREAKPOINT: 5 } as const;

export const PerfCountSw = {
  CPU_CLOCK: 0, TASK_CLOCK: 1, PAGE_FAULTS: 2, CONTEXT_SWITCHES: 3, CPU_MIGRATIONS: 4,
  PAGE_FAULTS_MIN: 5, PAGE_FAULTS_MAJ: 6, ALIGNMENT_FAULTS: 7, EMULATION_FAULTS: 8, DUMMY: 9, BPF_OUTPUT: 10,
} as const;

export const PerfCountHw = {
  CPU_CYCLES: 0, INSTRUCTIONS: 1, CACHE_REFERENCES: 2, CACHE_MISSES: 3, BRANCH_INSTRUCTIONS: 4,
  BRANCH_MISSES: 5, BUS_CYCLES: 6, STALLED_CYCLES_FRONTEND: 7, STALLED_CYCLES_BACKEND: 8, REF_CPU_CYCLES: 9,
} as const;

export const PERF_SAMPLE_RAW = 1 << 10;
/** read_format: read() also returns the count of samples lost to a full ring (kernel 6.0+). */
export const PERF_FORMAT_LOST = 1 << 4;
export const PERF_FLAG_FD_CLOEXEC = 1 << 3;

/** ioctl request numbers (_IO/_IOW('$', n)) for x86_64 and the other common 64-bit ABIs. */
export const PerfIoc = {
  ENABLE: 0x2400,
  DISABLE: 0x2401,
  SET_BPF: 0x40042408,
  PAUSE_OUTPUT: 0x40042409,
} as const;

/** Record types in a perf ring (struct perf_event_header.type). */
export const PerfRecord = { LOST: 2, SAMPLE: 9 } as const;

export interface PerfEventAttr {
  type: number;
  config?: bigint | number;
  /** sample_period, or sample_freq when freq is set. */
  samplePeriod?: bigint | number;
  freq?: boolean;
  sampleType?: number;
  readFormat?: number;
  disabled?: boolean;
  inherit?: boolean;
  excludeKernel?: boolean;
  excludeUser?: boolean;
  excludeHv?: boolean;
  excludeIdle?: boolean;
  /** Wake the reader after this many events, or after this many bytes when watermark is set. */
  wakeupEvents?: number;
  watermark?: boolean;
  config1?: bigint | number;
  config2?: bigint | number;
}

const ATTR_SIZE = 128; // PERF_ATTR_SIZE_VER8

export function encodePerfEventAttr(a: PerfEventAttr): Buffer {
  const b = Buffer.alloc(ATTR_SIZE);
  b.writeUInt32LE(a.type, 0);
  b.writeUInt32LE(ATTR_SIZE, 4);
  b.writeBigUInt64LE(BigInt(a.config ?? 0), 8);
  b.writeBigUInt64LE(BigInt(a.samplePeriod ?? 0), 16);
  b.writeBigUInt64LE(BigInt(a.sampleType ?? 0), 24);
  b.writeBigUInt64LE(BigInt(a.readFormat ?? 0), 32);
  let flags = 0n;
  const bit = (on: boolean | undefined, n: number) => { if (on) flags |= 1n << BigInt(n); };
  bit(a.disabled, 0); bit(a.inherit, 1); bit(a.excludeUser, 4); bit(a.excludeKernel, 5);
  bit(a.excludeHv, 6); bit(a.excludeIdle, 7); bit(a.freq, 10); bit(a.watermark, 14);
  b.writeBigUInt64LE(flags, 40);
  b.writeUInt32LE(a.wakeupEvents ?? 0, 48);
  b.writeBigUInt64LE(BigInt(a.config1 ?? 0), 56);
  b.writeBigUInt64LE(BigInt(a.config2 ?? 0), 64);
  return b;
}

/** pid -1 with a cpu means every task on that cpu; cpu -1 with a pid means that task on any cpu. */
export function perfEventOpen(a: PerfEventAttr, pid: number, cpu: number, groupFd = -1): number {
  return native.perfEventOpen(encodePerfEventAttr(a), pid, cpu, groupFd, PERF_FLAG_FD_CLOEXEC);
}

export const perfEnable = (fd: number): void => { native.ioctl(fd, PerfIoc.ENABLE, 0); };
export const perfDisable = (fd: number): void => { native.ioctl(fd, PerfIoc.DISABLE, 0); };
export const perfSetBpf = (fd: number, progFd: number): void => { native.ioctl(fd, PerfIoc.SET_BPF, progFd); };
