// trace_pipe: the kernel's trace output, where bpf_trace_printk writes. Read without blocking the loop.
import { openSync, closeSync, constants } from 'node:fs';
import { native, tracefsPath, explain, type Watcher } from '../sys/index.js';
import { AsyncQueue } from './queue.js';

export interface TraceLine {
  task: string;
  pid: number;
  /** The tgid, when the record-tgid trace option is on. */
  tgid?: number;
  cpu: number;
  /** irqs-off, need-resched, hardirq/softirq, preempt depth... as the kernel prints them. */
  flags: string;
  /** Seconds since boot. */
  ts: number;
  /** The event name (bpf_trace_printk for BPF output). */
  event: string;
  msg: string;
  raw: string;
}

// "           <...>-1234    [001] d..31  1234.567890: bpf_trace_printk: msg" (the tgid "( 1234)" is optional)
const LINE = /^\s*(.*?)-(\d+)\s+(?:\(\s*(\d+|-+)\)\s+)?\[(\d+)\]\s+(?:(\S+)\s+)?(\d+\.\d+):\s+([^:\s]+):\s?(.*)$/;

/** Parse one trace_pipe line; undefined for lines that are not events (e.g. "CPU:1 [LOST 5 EVENTS]"). */
export function parseTraceLine(raw: string): TraceLine | undefined {
  const m = LINE.exec(raw);
  if (!m) return undefined;
  const tgid = m[3] && /^\d+$/.test(m[3]) ? Number(m[3]) : undefined;
  return { task: m[1]!, pid: Number(m[2]), tgid, cpu: Number(m[4]), flags: m[5] ?? '', ts: Number(m[6]),
    event: m[7]!, msg: m[8]!, raw };
}

export type TraceCallback = (line: TraceLine) => void;

/**
 * Lines from trace_pipe, delivered to a callback or through `for await`. trace_pipe is consuming:
 * a line read here is gone for every other reader, as with BCC's trace_print.
 */
export class TracePipe implements AsyncIterable<TraceLine> {
  private fd: number;
  private watcher?: Watcher;
  private pending = '';
  private readonly chunk = Buffer.allocUnsafe(64 * 1024);
  private queue?: AsyncQueue<TraceLine>;

  constructor(private callback?: TraceCallback, opts: { filter?: (l: TraceLine) => boolean } = {}) {
    const path = tracefsPath('trace_pipe');
    try {
      this.fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (e) {
      throw explain(e, `opening ${path}`);
    }
    if (!callback) this.queue = new AsyncQueue(() => this.close());
    const filter = opts.filter;
    this.watcher = native.watch(this.fd, 1, () => {
      for (const line of this.readLines()) {
        if (filter && !filter(line)) continue;
        if (this.queue) this.queue.push(line);
        else this.callback!(line);
      }
    });
  }

  /** Everything available now, parsed. */
  readLines(): TraceLine[] {
    const out: TraceLine[] = [];
    for (;;) {
      if (this.fd < 0) return out;
      const n = native.read(this.fd, this.chunk);
      if (n <= 0) break;
      this.pending += this.chunk.toString('utf8', 0, n);
      let nl;
      while ((nl = this.pending.indexOf('\n')) >= 0) {
        const line = parseTraceLine(this.pending.slice(0, nl));
        this.pending = this.pending.slice(nl + 1);
        if (line) out.push(line);
      }
    }
    return out;
  }

  [Symbol.asyncIterator](): AsyncIterator<TraceLine> {
    if (!this.queue) throw new Error('this trace pipe delivers to a callback; open it without one to iterate');
    return this.queue.iterator();
  }

  close(): void {
    this.watcher?.stop();
    this.watcher = undefined;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.queue?.end();
  }

  [Symbol.dispose](): void { this.close(); }
}
