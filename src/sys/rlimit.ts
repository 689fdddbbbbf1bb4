// RLIMIT_MEMLOCK: kernels before 5.11 charge BPF memory to it; later ones use memory cgroups.
import { release } from 'node:os';
import { native } from './native.js';

const RLIMIT_MEMLOCK = 8;
let done = false;

export function kernelVersion(rel = release()): [number, number, number] {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(rel);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : [0, 0, 0];
}

/** Raise RLIMIT_MEMLOCK to unlimited where the kernel still charges it. Idempotent. */
export function raiseMemlockIfNeeded(): void {
  if (done) return;
  done = true;
  const [maj, min] = kernelVersion();
  if (maj > 5 || (maj === 5 && min >= 11)) return;
  try {
    native.setrlimit(RLIMIT_MEMLOCK, -1, -1);
  } catch {
    // Without CAP_SYS_RESOURCE the loads below will say EPERM themselves.
  }
}
