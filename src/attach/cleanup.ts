// Teardown for attachments the kernel does not remove when the process dies: tracefs probe
// events (kprobe_events/uprobe_events), netlink tc filters and qdiscs, legacy (netlink) XDP.
// Each such attachment registers an undo action here when it is made and unregisters it when it
// is closed; whatever is still registered runs on normal exit, on an uncaught exception and on
// SIGINT/SIGTERM/SIGHUP (after which the process exits as the signal would have made it).
// SIGKILL cannot be caught: attachments that must survive it are fd-based (bpf_link, perf event).

type Undo = () => void;

const pending = new Map<number, { what: string; undo: Undo }>();
let nextId = 1;
let installed = false;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Run every pending undo action, newest first. Errors are reported on stderr, never thrown. */
export function runCleanups(): void {
  const entries = [...pending.entries()].reverse();
  pending.clear();
  for (const [, { what, undo }] of entries) {
    try { undo(); } catch (e) { process.stderr.write(`tsbcc: could not remove ${what}: ${(e as Error).message}\n`); }
  }
}

function onSignal(sig: NodeJS.Signals): void {
  runCleanups();
  uninstall();
  // Re-raise with the default disposition so the exit status says which signal ended us,
  // unless the application has its own handler, which then decides.
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runCleanups);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', runCleanups);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/**
 * Register `undo` (which removes `what`, e.g. "kprobe event p_vfs_read_123") to run at exit if the
 * attachment is still there. Returns a function that runs it now and unregisters it (idempotent):
 * call that from the attachment's close().
 */
export function registerCleanup(what: string, undo: Undo): () => void {
  const id = nextId++;
  pending.set(id, { what, undo });
  install();
  return () => {
    const e = pending.get(id);
    if (!e) return;
    pending.delete(id);
    if (pending.size === 0) uninstall();
    e.undo();
  };
}

/** How many persistent attachments are waiting for removal (for tests and diagnostics). */
export function pendingCleanups(): string[] {
  return [...pending.values()].map((e) => e.what);
}
