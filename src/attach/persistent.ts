// A Link for attachments the kernel keeps after the process dies (netlink tc filters, legacy XDP):
// closing runs the undo; until then the undo is registered to run at exit and on SIGINT/SIGTERM/SIGHUP.
// SIGKILL cannot run it: what such a link made stays until someone removes it.
import { Link } from './link.js';
import { registerCleanup } from './cleanup.js';

export interface Closeable { close(): void }

export class PersistentLink extends Link {
  private undo: (() => void) | undefined;

  /**
   * `undo` removes the attachment; `holds` are closed after it (e.g. the netlink socket the undo
   * talks through, opened in the attachment's network namespace).
   */
  constructor(kind: string, target: string, undo: () => void, private holds: Closeable[] = []) {
    super(kind, target, []);
    this.undo = registerCleanup(`${kind} ${target}`, () => {
      try { undo(); } finally { for (const h of this.holds) h.close(); this.holds = []; }
    });
  }

  override get closed(): boolean { return this.undo === undefined; }

  override get fd(): number {
    throw new Error(`${this.kind} ${this.target} is held by the kernel, not by a file descriptor`);
  }

  /** Remove the attachment now. Idempotent. */
  override close(): void {
    const undo = this.undo;
    this.undo = undefined;
    undo?.();
  }
}
