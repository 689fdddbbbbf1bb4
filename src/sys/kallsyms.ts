// /proc/kallsyms: kernel symbols by name and by address.
import { readFileSync } from 'node:fs';

export interface KernelSymbol {
  name: string;
  address: bigint;
  type: string;
  module?: string;
}

export class Kallsyms {
  private byName = new Map<string, KernelSymbol>();
  /** Text symbols sorted by address, for address -> symbol. */
  private sorted: KernelSymbol[] = [];

  constructor(text: string) {
    for (const line of text.split('\n')) {
      if (!line) continue;
      const sp1 = line.indexOf(' '), sp2 = line.indexOf(' ', sp1 + 1);
      const addr = BigInt('0x' + line.slice(0, sp1));
      const type = line.slice(sp1 + 1, sp2);
      let rest = line.slice(sp2 + 1);
      let module: string | undefined;
      const tab = rest.indexOf('\t');
      if (tab >= 0) {
        module = rest.slice(tab + 1).replace(/^\[|\]$/g, '');
        rest = rest.slice(0, tab);
      }
      const sym: KernelSymbol = { name: rest, address: addr, type, module };
      if (!this.byName.has(rest)) this.byName.set(rest, sym);
      if (type === 't' || type === 'T' || type === 'w' || type === 'W') this.sorted.push(sym);
    }
    this.sorted.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }

  /** Addresses read as zero without root (kptr_restrict): then only names are usable. */
  get addressesVisible(): boolean {
    return this.sorted.some((s) => s.address !== 0n);
  }

  lookup(name: string): KernelSymbol | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): IterableIterator<string> {
    return this.byName.keys();
  }

  /** The text symbol containing addr, with the offset into it. */
  resolve(addr: bigint): { symbol: KernelSymbol; offset: bigint } | undefined {
    const s = this.sorted;
    let lo = 0, hi = s.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]!.address <= addr) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (found < 0 || s[found]!.address === 0n) return undefined;
    return { symbol: s[found]!, offset: addr - s[found]!.address };
  }
}

let cached: Kallsyms | undefined;
/** The running kernel's symbols, read once. */
export function kallsyms(): Kallsyms {
  return (cached ??= new Kallsyms(readFileSync('/proc/kallsyms', 'latin1')));
}
