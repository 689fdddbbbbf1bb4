// trace_pipe for the BPF class: BCC's trace_readline/trace_fields are "give me the next line",
// blocking. Here the pipe is read on the event loop (TracePipe) into a queue, and the next line is
// a promise that settles when one arrives, when a timeout passes, or when the reader closes.
import { TracePipe, type TraceLine } from '../events/trace_pipe.js';

/** One trace_pipe event, as BCC's trace_fields() splits it. */
export interface TraceFields {
  /** The task's comm. */
  task: string;
  pid: number;
  cpu: number;
  /** irqs-off / need-resched / hardirq-softirq / preempt-depth columns, as the kernel prints them. */
  flags: string;
  /** Seconds since boot. */
  ts: number;
  /** The text the program printed (after "bpf_trace_printk: "). */
  msg: string;
}

export interface TraceReadOptions {
  /** Give up after this many milliseconds and return undefined (default: wait until a line comes). */
  timeoutMs?: number;
  /** Return a line only if one is already waiting (BCC's nonblocking=True). */
  nonblocking?: boolean;
}

export class TraceReader {
  private pipe: TracePipe;
  private lines: TraceLine[] = [];
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor() {
    this.pipe = new TracePipe((l) => {
      this.lines.push(l);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** The next event line, or undefined (timeout, nonblocking with nothing waiting, or closed). */
  async next(o: TraceReadOptions = {}): Promise<TraceLine | undefined> {
    if (!this.lines.length && !this.closed) this.lines.push(...this.pipe.readLines());
    if (this.lines.length || o.nonblocking || this.closed) return this.lines.shift();
    await new Promise<void>((resolve) => {
      const done = (): void => {
        if (t) clearTimeout(t);
        const i = this.waiters.indexOf(done);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve();
      };
      const t = o.timeoutMs !== undefined && o.timeoutMs >= 0 ? setTimeout(done, o.timeoutMs) : undefined;
      this.waiters.push(done);
    });
    return this.lines.shift();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pipe.close();
    for (const w of this.waiters.splice(0)) w();
  }
}

export function traceFieldsOf(l: TraceLine): TraceFields {
  return { task: l.task, pid: l.pid, cpu: l.cpu, flags: l.flags, ts: l.ts, msg: l.msg };
}
