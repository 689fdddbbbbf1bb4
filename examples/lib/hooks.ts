// What the examples share: which kind of hook to use on this kernel, and a clean exit on Ctrl-C.
//
// BCC's examples hook kernel functions with kprobes. Kernels built without CONFIG_KPROBES (and
// refusing fentry) cannot do that, so each example also carries the tracepoint that sees the
// same events and uses it there. `--kprobe` or `--tracepoint` on the command line forces one.
import { haveKprobes } from '../../src/attach/index.js';
import { BPF } from '../../src/index.js';

export type HookKind = 'kprobe' | 'tracepoint';

export { haveKprobes };

/** The block request-completion function this kernel has (as BCC's bitehist and disksnoop pick it). */
export function completionFunction(): string {
  for (const fn of ['__blk_account_io_done', 'blk_account_io_done']) {
    if (BPF.getKprobeFunctions(`^${fn}$`).length) return fn;
  }
  return 'blk_mq_end_request';
}

/**
 * The hook an example should use: `--kprobe` / `--tracepoint` from argv when given, else kprobes
 * when the kernel has them (as BCC's example does), else the tracepoint equivalent.
 * The choice goes to stderr, so stdout holds just what the example prints as BCC's does.
 */
export function chooseHook(argv: string[] = process.argv.slice(2)): HookKind {
  let kind: HookKind;
  if (argv.includes('--kprobe')) kind = 'kprobe';
  else if (argv.includes('--tracepoint')) kind = 'tracepoint';
  else kind = haveKprobes() ? 'kprobe' : 'tracepoint';
  const why = argv.includes('--kprobe') || argv.includes('--tracepoint') ? 'as asked'
    : kind === 'kprobe' ? 'this kernel has kprobes' : 'this kernel has no kprobes';
  process.stderr.write(`(using the ${kind} hooks: ${why})\n`);
  return kind;
}

/** The arguments that are not hook flags (vfsreadlat's interval and count). */
export function plainArgs(argv: string[] = process.argv.slice(2)): string[] {
  return argv.filter((a) => a !== '--kprobe' && a !== '--tracepoint');
}

/**
 * Run `onStop` once on the first SIGINT or SIGTERM (BCC's `except KeyboardInterrupt`), and
 * resolve `stopped` then; `signal` aborts at the same time, for loops that poll. Node stays
 * running until then; `release()` lets it go without a signal (for examples that end on their own).
 */
export function untilInterrupted(onStop: () => void = () => {}): { stopped: Promise<void>; signal: AbortSignal; release(): void } {
  const ac = new AbortController();
  // Signal handlers alone do not keep Node running: a timer does, until the signal comes.
  const keepAlive = setInterval(() => {}, 1 << 30);
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => { resolveStopped = resolve; });
  const release = (): void => {
    clearInterval(keepAlive);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
  const stop = (): void => {
    release();
    try {
      onStop();
    } finally {
      ac.abort();
      resolveStopped();
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { stopped, signal: ac.signal, release };
}

/** Print one line for a fatal error (a kprobe the kernel refuses, no root...) and exit 1. */
export function fail(e: unknown): never {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
