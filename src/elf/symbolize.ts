// User-space symbolization for stack traces (BCC's `b.sym(addr, pid)`): the mapping that holds the
// address (from /proc/<pid>/maps), the file offset inside it, the ELF address there, and the
// function symbol around it. Symbol tables are built once per module file and shared by processes.
import { statSync } from 'node:fs';
import { ElfFile, SymbolType } from './reader.js';
import { readMaps, type Mapping } from './resolve.js';

export interface UserSymbol {
  /** The function name, or undefined when the module has no symbol covering the address. */
  name?: string;
  /** Bytes from the start of the function (or from the start of the module when unnamed). */
  offset: bigint;
  /** The file the address is in, or undefined for anonymous memory (JIT code) and unmapped addresses. */
  module?: string;
}

interface ModuleSymbols {
  elf: { offsetToVaddr(off: number): bigint | undefined };
  /** Function symbols sorted by address. */
  starts: bigint[];
  syms: { name: string; size: bigint }[];
}

function loadModule(path: string): ModuleSymbols | undefined {
  let elf: ElfFile;
  try {
    elf = new ElfFile(path);
  } catch {
    return undefined;
  }
  try {
    const byAddr = new Map<bigint, { name: string; size: bigint }>();
    for (const s of elf.symbols()) {
      if (s.shndx === 0 || s.value === 0n || (s.type !== SymbolType.FUNC && s.type !== SymbolType.GNU_IFUNC)) continue;
      const prev = byAddr.get(s.value);
      // Prefer the sized, global-looking name among aliases at one address.
      if (!prev || (prev.size === 0n && s.size > 0) || (prev.name.startsWith('_') && !s.name.startsWith('_'))) {
        byAddr.set(s.value, { name: s.name, size: BigInt(s.size) });
      }
    }
    const starts = [...byAddr.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // Keep the segment table only; the fd is closed.
    const segs = elf.segments.filter((p) => p.type === 1).map((p) => ({ ...p }));
    const offsetToVaddr = (off: number): bigint | undefined => {
      for (const p of segs) if (off >= p.offset && off < p.offset + p.filesz) return p.vaddr + BigInt(off - p.offset);
      return undefined;
    };
    return { elf: { offsetToVaddr }, starts, syms: starts.map((a) => byAddr.get(a)!) };
  } finally {
    elf.close();
  }
}

/** Resolves user addresses of many processes; keeps each process's maps and each module's symbols. */
export class UserSymbolizer {
  private modules = new Map<string, ModuleSymbols | undefined>();
  private maps = new Map<number, Mapping[]>();

  /** Forget a process's mappings (call after it exec'd or loaded libraries). */
  forget(pid: number): void { this.maps.delete(pid); }

  symbolize(pid: number, addr: bigint | number): UserSymbol {
    const a = BigInt(addr);
    let m = this.find(pid, a, false);
    if (!m) m = this.find(pid, a, true); // the process may have mapped more since we looked
    if (!m || !m.path.startsWith('/')) return { offset: a, module: m?.path || undefined };
    const fileOff = Number(a - m.start + m.offset);
    const mod = this.module(pid, m);
    const vaddr = mod?.elf.offsetToVaddr(fileOff);
    if (!mod || vaddr === undefined) return { offset: BigInt(fileOff), module: m.path };
    const i = upperBound(mod.starts, vaddr) - 1;
    if (i < 0) return { offset: BigInt(fileOff), module: m.path };
    const sym = mod.syms[i]!, off = vaddr - mod.starts[i]!;
    // An address past a sized symbol's end belongs to no known function.
    if (sym.size > 0n && off >= sym.size) return { offset: BigInt(fileOff), module: m.path };
    return { name: sym.name, offset: off, module: m.path };
  }

  private find(pid: number, a: bigint, refresh: boolean): Mapping | undefined {
    let maps = refresh ? undefined : this.maps.get(pid);
    if (!maps) {
      try {
        maps = readMaps(pid);
      } catch {
        return undefined;
      }
      this.maps.set(pid, maps);
    }
    return maps.find((m) => a >= m.start && a < m.end);
  }

  private module(pid: number, m: Mapping): ModuleSymbols | undefined {
    // Through /proc/<pid>/root the path is the process's own view (containers, chroots).
    const viaRoot = `/proc/${pid}/root${m.path}`;
    let path = m.path, key: string;
    try {
      const st = statSync(viaRoot);
      path = viaRoot;
      key = `${st.dev}:${st.ino}:${st.mtimeMs}`;
    } catch {
      key = m.path;
    }
    if (!this.modules.has(key)) this.modules.set(key, loadModule(path));
    return this.modules.get(key);
  }
}

function upperBound(a: bigint[], v: bigint): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= v) lo = mid + 1; else hi = mid;
  }
  return lo;
}

const shared = new UserSymbolizer();

/** The function, offset and module of a user-space address in process `pid` (cached per module). */
export function symbolizeUser(pid: number, addr: bigint | number): UserSymbol {
  return shared.symbolize(pid, addr);
}

/** "name+0x1a [module]" as BCC tools print frames; "[unknown]" for what has no name. */
export function formatUserSymbol(s: UserSymbol, showOffset = true, showModule = false): string {
  let out = s.name ? (showOffset ? `${s.name}+0x${s.offset.toString(16)}` : s.name) : '[unknown]';
  if (showModule && s.module) out += ` [${s.module.split('/').pop()}]`;
  return out;
}
