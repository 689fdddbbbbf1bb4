// CPU sets as the kernel lists them ("0-3,5,7-8").
import { readFileSync } from 'node:fs';

export function parseCpuList(text: string): number[] {
  const cpus: number[] = [];
  for (const part of text.trim().split(',')) {
    if (!part) continue;
    const [lo, hi] = part.split('-').map(Number);
    for (let c = lo!; c <= (hi ?? lo!); c++) cpus.push(c);
  }
  return cpus;
}

let possible: number[] | undefined;
/** CPUs the kernel could ever bring up: per-CPU map values have one slot for each. */
export function possibleCpus(): number[] {
  return (possible ??= parseCpuList(readFileSync('/sys/devices/system/cpu/possible', 'latin1')));
}

export function onlineCpus(): number[] {
  return parseCpuList(readFileSync('/sys/devices/system/cpu/online', 'latin1'));
}

/** Number of possible CPUs (the size of per-CPU value arrays). */
export const numPossibleCpus = (): number => Math.max(...possibleCpus()) + 1;
