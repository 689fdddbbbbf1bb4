// tracefs: where it is (mounting it as root if it is not), tracepoint ids and listings.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { native } from './native.js';
import { isErrno, explain, NotSupportedError } from './errors.js';
import { nearestNames } from '../util/names.js';

const CANDIDATES = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];
let root: string | undefined;

/** The tracefs mount point. Mounts tracefs at /sys/kernel/tracing when nothing is mounted. */
export function tracefsRoot(): string {
  if (root) return root;
  for (const dir of CANDIDATES) {
    if (existsSync(join(dir, 'events'))) return (root = dir);
  }
  try {
    native.mount('tracefs', CANDIDATES[0]!, 'tracefs');
  } catch (e) {
    if (isErrno(e, 'ENOENT', 'ENODEV')) throw new NotSupportedError('tracefs is not available in this kernel', e);
    throw explain(e, `tracefs is not mounted and mounting it at ${CANDIDATES[0]} failed`);
  }
  return (root = CANDIDATES[0]!);
}

export const tracefsPath = (...parts: string[]): string => join(tracefsRoot(), ...parts);

/** Thrown when a tracepoint does not exist; names it and suggests near matches. */
export class TracepointNotFoundError extends Error {
  override readonly name = 'TracepointNotFoundError';
  constructor(readonly category: string, readonly event: string, readonly suggestions: string[]) {
    super(`tracepoint ${category}:${event} does not exist` +
      (suggestions.length ? ` (did you mean ${suggestions.join(', ')}?)` : ''));
  }
}

/** "sched:sched_switch" or ("sched", "sched_switch") -> [category, event] */
export function splitTracepoint(spec: string, event?: string): [string, string] {
  if (event !== undefined) return [spec, event];
  const i = spec.indexOf(':');
  if (i <= 0) throw new Error(`tracepoint "${spec}" must be written category:event (e.g. sched:sched_switch)`);
  return [spec.slice(0, i), spec.slice(i + 1)];
}

/** The perf id of a tracepoint (events/<cat>/<event>/id). */
export function tracepointId(category: string, event: string): number {
  if (!/^[\w.-]+$/.test(category) || !/^[\w.-]+$/.test(event)) {
    throw new TracepointNotFoundError(category, event, []);
  }
  try {
    return Number(readFileSync(tracefsPath('events', category, event, 'id'), 'latin1'));
  } catch (e) {
    if (isErrno(e, 'ENOENT')) throw new TracepointNotFoundError(category, event, nearTracepoints(category, event));
    throw explain(e, `reading the id of tracepoint ${category}:${event}`);
  }
}

export function tracepointExists(category: string, event: string): boolean {
  return existsSync(tracefsPath('events', category, event, 'id'));
}

/** Every tracepoint as "category:event". */
export function listTracepoints(): string[] {
  const out: string[] = [];
  const events = tracefsPath('events');
  for (const cat of readdirSync(events)) {
    const dir = join(events, cat);
    if (!statSync(dir).isDirectory()) continue;
    for (const ev of readdirSync(dir)) {
      if (existsSync(join(dir, ev, 'id'))) out.push(`${cat}:${ev}`);
    }
  }
  return out;
}

/** Up to three names closest to `want`. */
export function nearest(want: string, names: Iterable<string>, max = 3): string[] {
  return nearestNames(want, names, max);
}

function nearTracepoints(category: string, event: string): string[] {
  try {
    return nearest(`${category}:${event}`, listTracepoints());
  } catch {
    return [];
  }
}
