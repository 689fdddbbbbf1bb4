// An attachment: closing it detaches. Every kind tsbcc makes is fd-based, so the kernel
// also detaches when the process dies, SIGKILL included.
import { native } from '../sys/index.js';

export class Link {
  private fds: number[];
  private onClose?: () => void;
  /**
   * `onClose` runs after the fds are closed: what must be undone once nothing holds the attachment
   * any more (removing a tracefs probe event, which the kernel refuses while a perf event uses it).
   */
  constructor(readonly kind: string, readonly target: string, fds: number[], onClose?: () => void) {
    this.fds = fds;
    this.onClose = onClose;
  }

  get closed(): boolean { return this.fds.length === 0 && !this.onClose; }

  /** Every fd the link holds (bpf_link fds before the perf event fds under them). */
  get allFds(): readonly number[] { return this.fds; }

  /** The bpf_link or perf event fd that holds the attachment. */
  get fd(): number {
    if (!this.fds.length) throw new Error(`${this.kind} link to ${this.target} is closed`);
    return this.fds[0]!;
  }

  close(): void {
    // Link first, then the perf event under it.
    const fds = this.fds, after = this.onClose;
    this.fds = [];
    this.onClose = undefined;
    for (const fd of fds) native.close(fd);
    after?.();
  }

  [Symbol.dispose](): void { this.close(); }

  /** One Link that takes over several (their fds and close actions); closing it closes them all. */
  static combine(kind: string, target: string, links: Link[]): Link {
    const fds: number[] = [], after: (() => void)[] = [];
    for (const l of links) {
      fds.push(...l.fds);
      if (l.onClose) after.push(l.onClose);
      l.fds = [];
      l.onClose = undefined;
    }
    return new Link(kind, target, fds, after.length ? () => { for (const a of after) a(); } : undefined);
  }

  toString(): string { return `${this.kind}:${this.target}`; }
}
