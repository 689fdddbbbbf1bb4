// An attachment: closing it detaches. Most kinds tsbcc makes are fd-based, so the kernel also
// detaches when the process dies, SIGKILL included; tracefs probe events additionally need
// removing, which the close action does (and the exit cleanup, see probe_events.ts).
import { native } from '../sys/index.js';

export class Link {
  private fds: number[];
  private onClose?: () => void;
  private parts: Link[] = [];
  /**
   * `onClose` runs after the fds are closed: what must be undone once nothing holds the attachment
   * any more (removing a tracefs probe event, which the kernel refuses while a perf event uses it).
   */
  constructor(readonly kind: string, readonly target: string, fds: number[], onClose?: () => void) {
    this.fds = fds;
    this.onClose = onClose;
  }

  get closed(): boolean { return this.fds.length === 0 && !this.onClose && this.parts.every((p) => p.closed); }

  /** Every fd the link holds (bpf_link fds before the perf event fds under them), its parts' included. */
  get allFds(): readonly number[] { return [...this.fds, ...this.parts.flatMap((p) => p.allFds)]; }

  /** The bpf_link or perf event fd that holds the attachment (the first one, for a combined link). */
  get fd(): number {
    const fd = this.allFds[0];
    if (fd === undefined) throw new Error(`${this.kind} link to ${this.target} is closed`);
    return fd;
  }

  close(): void {
    // Link first, then the perf event under it.
    const fds = this.fds, after = this.onClose, parts = this.parts;
    this.fds = [];
    this.onClose = undefined;
    this.parts = [];
    let failed: unknown;
    for (const p of parts) {
      try { p.close(); } catch (e) { failed ??= e; }
    }
    for (const fd of fds) native.close(fd);
    after?.();
    if (failed) throw failed;
  }

  [Symbol.dispose](): void { this.close(); }

  /**
   * One Link over several (e.g. every location of a USDT probe): closing it closes them all. The
   * parts stay links of their own, so cleanups registered for them still find them at exit.
   */
  static combine(kind: string, target: string, links: Link[]): Link {
    const l = new Link(kind, target, []);
    l.parts = links;
    return l;
  }

  toString(): string { return `${this.kind}:${this.target}`; }
}
