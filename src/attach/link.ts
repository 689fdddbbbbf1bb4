// An attachment: closing it detaches. Every kind tsbcc makes is fd-based, so the kernel
// also detaches when the process dies, SIGKILL included.
import { native } from '../sys/index.js';

export class Link {
  private fds: number[];
  constructor(readonly kind: string, readonly target: string, fds: number[]) {
    this.fds = fds;
  }

  get closed(): boolean { return this.fds.length === 0; }

  /** The bpf_link or perf event fd that holds the attachment. */
  get fd(): number {
    if (!this.fds.length) throw new Error(`${this.kind} link to ${this.target} is closed`);
    return this.fds[0]!;
  }

  close(): void {
    // Link first, then the perf event under it.
    for (const fd of this.fds) native.close(fd);
    this.fds = [];
  }

  [Symbol.dispose](): void { this.close(); }

  toString(): string { return `${this.kind}:${this.target}`; }
}
