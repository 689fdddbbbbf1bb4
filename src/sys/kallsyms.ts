// /proc/kallsyms: kernel symbols by name and by address.
//
// Stack traces ask for thousands of addresses, so the table is built for that: one pass over the
// text records each symbol's address as two u32 halves in typed arrays (no bigint, no object per
// line), text symbols are sorted by address once, and an address is found by binary search over
// numbers. Names and symbol objects are made only for what is asked.
import { readFileSync } from 'node:fs';

export interface KernelSymbol {
  name: string;
  address: bigint;
  type: string;
  module?: string;
}

export interface KsymOptions {
  /** Append "+0x<offset>" (BCC's show_offset). */
  showOffset?: boolean;
  /** Append " [module]", "[kernel]" for the kernel image (BCC's show_module). */
  showModule?: boolean;
}

export class Kallsyms {
  private readonly text: string;
  /** Per symbol, in file order: where its line starts, the address halves, and the type letter. */
  private readonly lineStart: Uint32Array;
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly types: Uint8Array;
  private readonly count: number;
  /** Text symbols' indexes sorted by address. */
  private readonly sorted: Uint32Array;
  private byNameIndex?: Map<string, number>;
  private readonly cache = new Map<number, KernelSymbol>();

  constructor(text: string) {
    this.text = text;
    const cap = countLines(text);
    this.lineStart = new Uint32Array(cap);
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.types = new Uint8Array(cap);
    const textIdx = new Uint32Array(cap);
    let n = 0, nText = 0, pos = 0, sortedAlready = true;
    while (pos < text.length) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = text.length;
      const sp1 = text.indexOf(' ', pos);
      if (sp1 > pos && sp1 < end) {
        // Addresses are 16 hex digits on 64-bit kernels; shorter ones are split the same way.
        const digits = sp1 - pos;
        const split = Math.max(pos, sp1 - 8);
        this.hi[n] = digits > 8 ? parseInt(text.slice(pos, split), 16) : 0;
        this.lo[n] = parseInt(text.slice(split, sp1), 16);
        const type = text.charCodeAt(sp1 + 1);
        this.types[n] = type;
        this.lineStart[n] = pos;
        if (type === 0x74 /* t */ || type === 0x54 /* T */ || type === 0x77 /* w */ || type === 0x57 /* W */) {
          if (nText > 0 && sortedAlready && this.cmp(textIdx[nText - 1]!, n) > 0) sortedAlready = false;
          textIdx[nText++] = n;
        }
        n++;
      }
      pos = end + 1;
    }
    this.count = n;
    const sorted = textIdx.slice(0, nText);
    if (!sortedAlready) {
      // Module symbols follow the kernel image's, in load order: sort (stable, by address).
      const arr = Array.from(sorted);
      arr.sort((a, b) => this.cmp(a, b) || a - b);
      sorted.set(arr);
    }
    this.sorted = sorted;
  }

  private cmp(a: number, b: number): number {
    return this.hi[a]! - this.hi[b]! || this.lo[a]! - this.lo[b]!;
  }

  private addressOf(i: number): bigint {
    return (BigInt(this.hi[i]!) << 32n) | BigInt(this.lo[i]!);
  }

  /** The symbol at index i, made on first use. */
  private symbol(i: number): KernelSymbol {
    let s = this.cache.get(i);
    if (s) return s;
    const start = this.lineStart[i]!;
    let end = this.text.indexOf('\n', start);
    if (end < 0) end = this.text.length;
    const nameStart = this.text.indexOf(' ', this.text.indexOf(' ', start) + 1) + 1;
    const tab = this.text.indexOf('\t', nameStart);
    const hasModule = tab >= 0 && tab < end;
    const name = this.text.slice(nameStart, hasModule ? tab : end);
    const module = hasModule ? this.text.slice(tab + 1, end).replace(/^\[|\]$/g, '') : undefined;
    s = { name, address: this.addressOf(i), type: String.fromCharCode(this.types[i]!), module };
    this.cache.set(i, s);
    return s;
  }

  private nameIndex(): Map<string, number> {
    if (this.byNameIndex) return this.byNameIndex;
    const m = new Map<string, number>();
    const t = this.text;
    for (let i = 0; i < this.count; i++) {
      const start = this.lineStart[i]!;
      const nameStart = t.indexOf(' ', t.indexOf(' ', start) + 1) + 1;
      let end = nameStart;
      for (let c = t.charCodeAt(end); end < t.length && c !== 10 && c !== 9; c = t.charCodeAt(++end));
      const name = t.slice(nameStart, end);
      if (!m.has(name)) m.set(name, i);
    }
    return (this.byNameIndex = m);
  }

  /** Number of symbols. */
  get size(): number { return this.count; }

  /** Addresses read as zero without root (kptr_restrict): then only names are usable. */
  get addressesVisible(): boolean {
    for (const i of this.sorted) if (this.hi[i] !== 0 || this.lo[i] !== 0) return true;
    return false;
  }

  /** The symbol of that name (the first, when several share it). */
  lookup(name: string): KernelSymbol | undefined {
    const i = this.nameIndex().get(name);
    return i === undefined ? undefined : this.symbol(i);
  }

  has(name: string): boolean {
    return this.nameIndex().has(name);
  }

  names(): IterableIterator<string> {
    return this.nameIndex().keys();
  }

  /** Names of the symbols whose type letter is one of `types` (e.g. "tTwW": functions), without
   *  building a symbol object for each (for near-name suggestions over ~100k symbols). */
  namesOfType(types: string): string[] {
    const want = new Set([...types].map((c) => c.charCodeAt(0)));
    const out: string[] = [];
    for (const [name, i] of this.nameIndex()) if (want.has(this.types[i]!)) out.push(name);
    return out;
  }

  /** The text symbol containing addr (the last one starting at or below it), with the offset into it. */
  resolve(addr: bigint): { symbol: KernelSymbol; offset: bigint } | undefined {
    if (addr < 0n || addr >= 1n << 64n) return undefined;
    const ahi = Number(addr >> 32n), alo = Number(addr & 0xffffffffn);
    const s = this.sorted, hi = this.hi, lo = this.lo;
    let l = 0, h = s.length - 1, found = -1;
    while (l <= h) {
      const mid = (l + h) >>> 1, i = s[mid]!;
      if (hi[i]! < ahi || (hi[i] === ahi && lo[i]! <= alo)) { found = mid; l = mid + 1; } else h = mid - 1;
    }
    if (found < 0) return undefined;
    const i = s[found]!;
    if (hi[i] === 0 && lo[i] === 0) return undefined; // addresses hidden
    const symbol = this.symbol(i);
    return { symbol, offset: addr - symbol.address };
  }

  /**
   * An address as BCC's ksym() prints it: "vfs_read", with showOffset "vfs_read+0x1f", with
   * showModule "vfs_read [kernel]" or "xfs_iread [xfs]"; "[unknown]" when no symbol holds it.
   */
  ksym(addr: bigint | number, opts: KsymOptions = {}): string {
    const r = this.resolve(BigInt(addr));
    if (!r) return '[unknown]';
    let s = r.symbol.name;
    if (opts.showOffset) s += `+0x${r.offset.toString(16)}`;
    if (opts.showModule) s += ` [${r.symbol.module ?? 'kernel'}]`;
    return s;
  }

  /** A kernel symbol's address (BCC's ksymname); -1n when there is no such symbol. */
  ksymname(name: string): bigint {
    return this.lookup(name)?.address ?? -1n;
  }
}

function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

let cached: Kallsyms | undefined;
/** The running kernel's symbols, read once. */
export function kallsyms(): Kallsyms {
  return (cached ??= new Kallsyms(readFileSync('/proc/kallsyms', 'latin1')));
}

/** Read /proc/kallsyms again (modules loaded or unloaded since). */
export function reloadKallsyms(): Kallsyms {
  cached = undefined;
  return kallsyms();
}

/** BCC's BPF.ksym(): an address as a kernel symbol name, from the running kernel's symbols. */
export const ksym = (addr: bigint | number, opts: KsymOptions = {}): string => kallsyms().ksym(addr, opts);
/** BCC's BPF.ksymname(): a kernel symbol's address, -1n when unknown. */
export const ksymname = (name: string): bigint => kallsyms().ksymname(name);
