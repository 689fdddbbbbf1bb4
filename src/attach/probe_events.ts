// tracefs probe events (kprobe_events / uprobe_events): the fallback when the kernel has no probe
// PMU, or when asked for. Each event gets a unique name in the "tsbcc" group —
// <p|r>_<what>_<pid>_<n> — is removed on close and at exit (closeAtExit), and, because SIGKILL
// runs no cleanup, events whose owning process is gone are swept before new ones are made.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { isErrno, explain, perfEventOpen, PerfType, tracefsPath } from '../sys/index.js';
import { registerCleanup } from './cleanup.js';
import type { Link } from './link.js';

export const PROBE_GROUP = 'tsbcc';
export type ProbeEventsFile = 'kprobe_events' | 'uprobe_events';

let counter = 0;

/** A unique event name: p_vfs_read_1234_0 (at most 63 characters, [A-Za-z0-9_] only). */
export function uniqueEventName(retprobe: boolean, what: string, pid = process.pid): string {
  const tail = `_${pid}_${counter++}`;
  const body = what.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 63 - 2 - tail.length);
  return `${retprobe ? 'r' : 'p'}_${body}${tail}`;
}

/** The owner pid encoded in one of our event names, or undefined for names that are not ours. */
export function eventOwner(name: string): number | undefined {
  const m = /^[pr]_\w*?_(\d+)_(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Is the tracefs control file there? (false: kernel built without kprobe/uprobe events) */
export function haveProbeEvents(file: ProbeEventsFile): boolean {
  try {
    return existsSync(tracefsPath(file));
  } catch {
    return false;
  }
}

/** Our events ("tsbcc/<name>") listed in kprobe_events or uprobe_events. */
export function listProbeEvents(file: ProbeEventsFile): string[] {
  let text: string;
  try {
    text = readFileSync(tracefsPath(file), 'latin1');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^[pr]\d*:([^/\s]+)\/(\S+)/.exec(line);
    if (m && m[1] === PROBE_GROUP) out.push(m[2]!);
  }
  return out;
}

function removeEvent(file: ProbeEventsFile, name: string): void {
  appendFileSync(tracefsPath(file), `-:${PROBE_GROUP}/${name}\n`);
}

/**
 * Remove tsbcc events left by processes that no longer exist (a SIGKILLed tracer cannot clean up).
 * Runs before every new tracefs probe; returns the names removed.
 */
export function removeStaleProbeEvents(file: ProbeEventsFile): string[] {
  const removed: string[] = [];
  for (const name of listProbeEvents(file)) {
    const owner = eventOwner(name);
    if (owner === undefined || owner === process.pid || existsSync(`/proc/${owner}`)) continue;
    try {
      removeEvent(file, name);
      removed.push(name);
    } catch { /* busy (someone holds it) or raced with another sweeper */ }
  }
  return removed;
}

export interface ProbeEvent {
  /** The perf event fd on the new tracefs event. */
  pfd: number;
  name: string;
  /** Removes the event; only after every fd on it is closed (the kernel says EBUSY before). */
  remove: () => void;
}

/**
 * Make `link` (which holds the perf fds of tracefs events `names`) close at exit and on signals —
 * closing the fds and then removing the events, in that order. Returns the unregister function,
 * which the link's own close action must call.
 */
export function closeAtExit(link: Link, file: ProbeEventsFile, names: string[]): () => void {
  return registerCleanup(`${file} ${names.length === 1 ? 'event' : 'events'} ${names.map((n) => `${PROBE_GROUP}/${n}`).join(', ')}`,
    () => link.close());
}

/**
 * Define `definition` (e.g. "p:tsbcc/p_vfs_read_12_0 vfs_read", written by the caller with `name`)
 * in `file`, open a perf event on it (`pid` filters a uprobe to one process), and register its removal.
 */
export function createProbeEvent(file: ProbeEventsFile, name: string, definition: string, pid = -1): ProbeEvent {
  removeStaleProbeEvents(file);
  try {
    appendFileSync(tracefsPath(file), `${definition}\n`);
  } catch (e) {
    throw explain(e, `writing "${definition}" to ${tracefsPath(file)}`);
  }
  const undo = () => {
    try {
      removeEvent(file, name);
    } catch (e) {
      if (!isErrno(e, 'ENOENT')) throw e;
    }
  };
  let pfd: number;
  try {
    const id = Number(readFileSync(tracefsPath('events', PROBE_GROUP, name, 'id'), 'latin1'));
    pfd = perfEventOpen({ type: PerfType.TRACEPOINT, config: id, samplePeriod: 1, wakeupEvents: 1 }, pid, pid >= 0 ? -1 : 0);
  } catch (e) {
    undo();
    throw explain(e, `opening tracefs event ${PROBE_GROUP}/${name}`);
  }
  return { pfd, name, remove: undo };
}
