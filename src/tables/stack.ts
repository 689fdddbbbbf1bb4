// Stack traces: walk a STACK_TRACE map's stack ids into addresses, and addresses into names.
// Kernel addresses are named from /proc/kallsyms (sys/kallsyms.ts). User addresses need the
// process's ELF objects and their symbol tables; that lives in its own module, which plugs in
// here as a UserSymbolizer, so this file stays free of ELF parsing.
import type { StackTraceTable } from '../maps/index.js';
import { kallsyms, type Kallsyms, type KsymOptions } from '../sys/kallsyms.js';
import { UserSymbolizer as ElfUserSymbolizer } from '../elf/symbolize.js';

/** What a user-space symbolizer says about an address in a process. */
export interface UserSymbol {
  /** The function's name (demangled if the symbolizer does that); undefined when unknown. */
  name?: string;
  /** Bytes from the start of the function (or of the module when the name is unknown). */
  offset?: bigint;
  /** Path of the object the address falls in ("/usr/lib/x86_64-linux-gnu/libc.so.6"). */
  module?: string;
}

/**
 * The injection point for user-space symbols (the ELF module implements it): given a process and
 * an address in it, what is there. Return undefined when nothing is known.
 */
export interface UserSymbolizer {
  symbolize(pid: number, addr: bigint): UserSymbol | undefined;
}

export interface SymOptions extends KsymOptions {
  /** The symbolizer for user addresses (default: the one set with setUserSymbolizer). */
  userSymbolizer?: UserSymbolizer;
}

// By default, user frames are symbolized from the process's mappings and ELF symbol tables.
let defaultUserSymbolizer: UserSymbolizer | undefined = new ElfUserSymbolizer();
/** Install the user-space symbolizer sym() and StackTraces use unless told otherwise. */
export function setUserSymbolizer(s: UserSymbolizer | undefined): void { defaultUserSymbolizer = s; }

/**
 * BCC's BPF.sym(): an address as "name", "name+0x1f" (showOffset), "name [libc.so.6]" (showModule,
 * the object's base name). A pid below zero means the kernel (ksym). "[unknown]" when nothing
 * is known; with showModule and a known object, "[unknown] [libc.so.6]".
 */
export function sym(addr: bigint | number, pid: number, opts: SymOptions = {}): string {
  if (pid < 0) return kallsyms().ksym(addr, opts);
  const s = (opts.userSymbolizer ?? defaultUserSymbolizer)?.symbolize(pid, BigInt(addr));
  let out = s?.name ?? '[unknown]';
  if (opts.showOffset && s?.name !== undefined && s.offset !== undefined) out += `+0x${s.offset.toString(16)}`;
  if (opts.showModule && s?.module) out += ` [${s.module.slice(s.module.lastIndexOf('/') + 1)}]`;
  return out;
}

/** One frame of a symbolized stack. */
export interface StackFrame {
  addr: bigint;
  /** "vfs_read", "vfs_read+0x1f [kernel]"... as the options asked; "[unknown]" when nothing is known. */
  name: string;
}

export interface StackTracesOptions {
  /** Kernel symbols to use (default: the running kernel's, read once). */
  kallsyms?: Kallsyms;
  userSymbolizer?: UserSymbolizer;
}

/**
 * A STACK_TRACE map as BCC's StackTrace table: `walk(id)` gives a stack's addresses innermost
 * first, stopping at the first zero; `kernelStack`/`userStack` give names.
 */
export class StackTraces {
  constructor(readonly map: StackTraceTable, private opts: StackTracesOptions = {}) {}

  get name(): string { return this.map.name; }

  /**
   * The addresses of a stack (innermost first). Ids below zero are bpf_get_stackid's errors
   * (-EFAULT: no stack, -EEXIST: a collision without BPF_F_REUSE_STACKID) and, like ids the map
   * does not hold, give an empty list. With `resolve`, each address is mapped through it.
   */
  walk(stackId: number | bigint): bigint[];
  walk<T>(stackId: number | bigint, resolve: (addr: bigint) => T): T[];
  walk<T>(stackId: number | bigint, resolve?: (addr: bigint) => T): (bigint | T)[] {
    const id = Number(stackId);
    const ips = id < 0 ? undefined : this.map.get(id);
    if (!ips) return [];
    return resolve ? ips.map(resolve) : ips;
  }

  /** A kernel stack's frames by name (ksym), innermost first. */
  kernelStack(stackId: number | bigint, opts: KsymOptions = {}): string[] {
    const k = this.opts.kallsyms ?? kallsyms();
    return this.walk(stackId, (a) => k.ksym(a, opts));
  }

  /** A user stack's frames by name, through the user symbolizer; "[unknown]" without one. */
  userStack(stackId: number | bigint, pid: number, opts: KsymOptions = {}): string[] {
    const userSymbolizer = this.opts.userSymbolizer ?? defaultUserSymbolizer;
    return this.walk(stackId, (a) => sym(a, Math.max(0, pid), { ...opts, userSymbolizer }));
  }

  /** Frames with addresses and names: kernel ones when pid is undefined or negative. */
  frames(stackId: number | bigint, pid?: number, opts: KsymOptions = {}): StackFrame[] {
    const names = pid === undefined || pid < 0 ? this.kernelStack(stackId, opts) : this.userStack(stackId, pid, opts);
    return this.walk(stackId).map((addr, i) => ({ addr, name: names[i]! }));
  }

  /** The stack ids the map holds. */
  keys(): IterableIterator<number> { return this.map.keys(); }
  delete(stackId: number): boolean { return this.map.delete(stackId); }
  clear(): void { this.map.clear(); }
  close(): void { this.map.close(); }
  [Symbol.dispose](): void { this.close(); }
}
