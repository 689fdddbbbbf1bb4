// User-space probes: a KPROBE-type program run at an instruction of a binary or library (uprobe) or
// when a function returns (uretprobe). The place is a symbol (or every symbol matching a regex), an
// ELF virtual address, or a file offset; an optional pid limits it to one process.
// Made with the perf uprobe PMU (nothing to clean up: the kernel removes it with the fd), or through
// tracefs uprobe_events (removed on close, at exit and by the next tsbcc after a SIGKILL).
import { explain, isErrno, NotSupportedError } from '../sys/index.js';
import { ElfFile, SymbolType, resolveBinary, type ElfSymbol } from '../elf/index.js';
import { nearestNames } from '../util/names.js';
import { Link } from './link.js';
import type { Attachable } from './tracepoint.js';
import { probePmu, openPmuProbe, bindProgram, pmuDir } from './probe_pmu.js';
import { createProbeEvent, haveProbeEvents, uniqueEventName, closeAtExit, PROBE_GROUP } from './probe_events.js';

export type ProbeMechanism = 'auto' | 'pmu' | 'tracefs';

export interface UprobeOptions {
  /** Path, library name ("c", "pthread") or command name ($PATH). */
  binary: string;
  /**
   * Function name, bare ("malloc") or versioned ("malloc@@GLIBC_2.2.5"). An IFUNC symbol (glibc's
   * memcpy, strlen, ...) is its resolver, which runs once at load: probe the implementation
   * (e.g. __memmove_avx_unaligned_erms) to see calls.
   */
  symbol?: string;
  /** Every defined function whose name matches (BCC's sym_re). */
  symRe?: RegExp | string;
  /** An ELF virtual address in the binary (as `nm` prints it). */
  address?: bigint | number;
  /** A file offset (what the kernel takes). */
  offset?: bigint | number;
  /** Added to the symbol's address (BCC's sym_off). */
  symOffset?: number;
  /** Only this process (default: every process that maps the binary). */
  pid?: number;
  retprobe?: boolean;
  /** USDT semaphore (file offset of the counter the kernel increments while the probe is attached). */
  refCtrOffset?: number;
  /** bpf_get_attach_cookie() value (bpf_link only). */
  cookie?: bigint;
  /** 'auto' (default): the uprobe PMU, else tracefs. */
  mechanism?: ProbeMechanism;
}

/** One resolved place: the file and the offset in it, with a label for messages. */
export interface UprobeTarget { path: string; offset: bigint; label: string }

let open = 0;
/** How many uprobe attachments (one per place) are open in this process. */
export const numOpenUprobes = (): number => open;

/** Resolve the options to concrete places (several for symRe). Throws one-line errors. */
export function resolveUprobeTargets(o: UprobeOptions): UprobeTarget[] {
  const path = resolveBinary(o.binary, o.pid);
  const given = [o.symbol, o.symRe, o.address, o.offset].filter((x) => x !== undefined).length;
  if (given !== 1) throw new Error(`uprobe on ${path}: give exactly one of symbol, symRe, address, offset`);
  if (o.offset !== undefined) return [{ path, offset: BigInt(o.offset), label: `${path}:0x${BigInt(o.offset).toString(16)}` }];
  let elf: ElfFile;
  try {
    elf = new ElfFile(path);
  } catch (e) {
    if (isErrno(e, 'EACCES', 'EPERM', 'ENOENT', 'EISDIR')) throw explain(e, `opening ${path}`);
    throw e;
  }
  try {
    const at = (vaddr: bigint, label: string): UprobeTarget => {
      const off = elf.vaddrToOffset(vaddr);
      if (off === undefined) throw new Error(`${label}: address 0x${vaddr.toString(16)} is not in a loadable segment of ${path}`);
      return { path, offset: BigInt(off), label };
    };
    if (o.address !== undefined) return [at(BigInt(o.address), `${path}:0x${BigInt(o.address).toString(16)}`)];
    const extra = BigInt(o.symOffset ?? 0);
    const isCode = (s: ElfSymbol) => s.shndx !== 0 && s.value !== 0n && (s.type === SymbolType.FUNC || s.type === SymbolType.GNU_IFUNC);
    if (o.symbol !== undefined) {
      const s = elf.findSymbol(o.symbol);
      if (!s || s.shndx === 0) {
        const names = new Set(elf.symbols().filter(isCode).map((x) => x.name));
        const near = nearestNames(o.symbol, names);
        throw new Error(`no symbol "${o.symbol}" in ${path}` + (names.size ? '' : ' (it has no symbol table)') +
          (near.length ? `; did you mean ${near.join(', ')}?` : ''));
      }
      return [at(s.value + extra, `${path}:${o.symbol}${extra ? `+${extra}` : ''}`)];
    }
    const re = typeof o.symRe === 'string' ? new RegExp(o.symRe) : o.symRe!;
    const seen = new Set<bigint>(), out: UprobeTarget[] = [];
    for (const s of elf.symbols()) {
      if (!isCode(s) || !re.test(s.name) || seen.has(s.value)) continue;
      seen.add(s.value);
      out.push(at(s.value + extra, `${path}:${s.name}`));
    }
    if (!out.length) throw new Error(`no function in ${path} matches /${re.source}/`);
    return out;
  } finally {
    elf.close();
  }
}

/** Attach at one resolved place; returns the fds (link first) and an undo for a tracefs event. */
function attachOne(prog: Attachable, t: UprobeTarget, o: UprobeOptions): { fds: number[]; remove?: () => void; event?: string } {
  const kind = o.retprobe ? 'uretprobe' : 'uprobe';
  const mech = o.mechanism ?? 'auto';
  const tried: string[] = [];
  if (mech !== 'tracefs') {
    const pmu = probePmu('uprobe');
    if (pmu) {
      let pfd: number;
      try {
        pfd = openPmuProbe(pmu, { retprobe: !!o.retprobe, target: t.path, offset: t.offset, refCtrOffset: o.refCtrOffset, pid: o.pid });
      } catch (e) {
        throw probeOpenError(e, kind, t, o);
      }
      return { fds: bindProgram(prog, pfd, `${kind} ${t.label}`, o.cookie) };
    }
    tried.push(`no uprobe PMU (${pmuDir('uprobe')} missing)`);
    if (mech === 'pmu') throw new NotSupportedError(`cannot attach ${kind} to ${t.label}: ${tried.join('; ')}`);
  }
  if (!haveProbeEvents('uprobe_events')) {
    tried.push('no tracefs uprobe_events (kernel built without CONFIG_UPROBE_EVENTS)');
    throw new NotSupportedError(`cannot attach ${kind} to ${t.label}: ${tried.join(' and ')}`);
  }
  if (/\s/.test(t.path)) throw new Error(`cannot attach ${kind} to ${t.label} through tracefs: the path contains white space`);
  const name = uniqueEventName(!!o.retprobe, t.label.split(/[/:]/).pop() ?? 'uprobe');
  const ref = o.refCtrOffset ? `(0x${o.refCtrOffset.toString(16)})` : '';
  let ev;
  try {
    ev = createProbeEvent('uprobe_events', name, `${o.retprobe ? 'r' : 'p'}:${PROBE_GROUP}/${name} ${t.path}:0x${t.offset.toString(16)}${ref}`, o.pid ?? -1);
  } catch (e) {
    throw probeOpenError(e, kind, t, o);
  }
  try {
    return { fds: bindProgram(prog, ev.pfd, `${kind} ${t.label}`, o.cookie), remove: ev.remove, event: ev.name };
  } catch (e) {
    ev.remove();
    throw e;
  }
}

function probeOpenError(e: unknown, kind: string, t: UprobeTarget, o: UprobeOptions): Error {
  if (isErrno(e, 'ESRCH') && o.pid !== undefined) return new Error(`cannot attach ${kind} to ${t.label}: no process with pid ${o.pid}`);
  if (isErrno(e, 'ENOENT')) return new Error(`cannot attach ${kind} to ${t.label}: ${t.path} does not exist`);
  return explain(e, `attaching ${kind} to ${t.label}`);
}

/**
 * Attach a KPROBE-type program as a uprobe (or uretprobe with `retprobe`). One Link holds every
 * place (symRe can match many); closing it detaches all of them.
 */
export function attachUprobe(prog: Attachable, o: UprobeOptions): Link {
  const targets = resolveUprobeTargets(o);
  const fds: number[] = [], removes: (() => void)[] = [], events: string[] = [];
  let n = 0;
  let unregister: (() => void) | undefined;
  const undo = () => {
    let failed: unknown;
    for (const r of removes) { try { r(); } catch (e) { failed ??= e; } }
    open -= n;
    n = 0;
    unregister?.();
    if (failed) throw failed;
  };
  try {
    for (const t of targets) {
      const r = attachOne(prog, t, o);
      fds.push(...r.fds);
      if (r.remove) removes.push(r.remove);
      if (r.event) events.push(r.event);
      n++;
      open++;
    }
  } catch (e) {
    try { new Link('uprobe', '', fds, undo).close(); } catch { /* the first error matters */ }
    throw e;
  }
  const label = targets.length === 1 ? targets[0]!.label : `${targets[0]!.path} (${targets.length} functions)`;
  const link = new Link(o.retprobe ? 'uretprobe' : 'uprobe', label, fds, undo);
  if (events.length) unregister = closeAtExit(link, 'uprobe_events', events);
  return link;
}

/** attachUprobe with `retprobe: true`: runs when the function returns (PT_REGS_RC has its result). */
export function attachUretprobe(prog: Attachable, o: Omit<UprobeOptions, 'retprobe'>): Link {
  return attachUprobe(prog, { ...o, retprobe: true });
}
