// USDT (user statically-defined tracing, <sys/sdt.h> DTRACE_PROBE / STAP_PROBE): probes compiled
// into a binary as a nop plus an ELF note in .note.stapsdt that says where the nop is, which
// semaphore (if any) gates the argument computation, and where each argument lives. Attaching is a
// uprobe at the nop; the semaphore is raised by the kernel through the uprobe's ref_ctr_offset
// while the probe is attached (so a SIGKILLed tracer leaves no raised semaphore behind).
import { ElfFile, resolveBinary, readMaps, type ElfNote } from '../elf/index.js';
import { Link } from './link.js';
import type { Attachable } from './tracepoint.js';
import { attachUprobe, type ProbeMechanism } from './uprobe.js';
import { parseUsdtArgs, type UsdtArgSpec } from './usdt_args.js';

const NT_STAPSDT = 3;

export interface UsdtProbe {
  provider: string;
  name: string;
  /** The binary or library it is in. */
  path: string;
  /** The probe's address (ELF virtual address, after the .stapsdt.base prelink adjustment). */
  pc: bigint;
  /** The file offset of pc: where the uprobe goes. */
  offset: bigint;
  /** The note's recorded .stapsdt.base address. */
  base: bigint;
  /** Semaphore address (0 when the probe has none), and its file offset for ref_ctr_offset. */
  semaphore: bigint;
  semaphoreOffset?: number;
  /** The argument string as written in the note, and parsed (undefined when it does not parse). */
  argString: string;
  args?: UsdtArgSpec[];
  /** Why args is undefined. */
  argError?: string;
  /** The file is position-independent (PIE or a library): pc is not the run-time address. */
  pie: boolean;
}

/** Decode one stapsdt note (64-bit): pc, base, semaphore, then provider, name, args as C strings. */
export function decodeStapsdtNote(n: ElfNote): { pc: bigint; base: bigint; semaphore: bigint; provider: string; name: string; argString: string } | undefined {
  if (n.name !== 'stapsdt' || n.type !== NT_STAPSDT || n.desc.length < 24) return undefined;
  const d = n.desc;
  const strs = d.toString('latin1', 24).split('\0');
  return {
    pc: d.readBigUInt64LE(0), base: d.readBigUInt64LE(8), semaphore: d.readBigUInt64LE(16),
    provider: strs[0] ?? '', name: strs[1] ?? '', argString: strs[2] ?? '',
  };
}

/** Every USDT probe location in an ELF file (one entry per location: a probe may appear many times). */
export function readUsdtProbes(path: string): UsdtProbe[] {
  const elf = new ElfFile(path);
  try {
    const baseSec = elf.section('.stapsdt.base');
    const out: UsdtProbe[] = [];
    for (const n of elf.notes('.note.stapsdt')) {
      const raw = decodeStapsdtNote(n);
      if (!raw) continue;
      // Prelinking moves the binary; the note still holds link-time addresses and its own idea
      // of where .stapsdt.base was, so the difference is the shift.
      const pc = baseSec && raw.base ? raw.pc + (baseSec.addr - raw.base) : raw.pc;
      const off = elf.vaddrToOffset(pc);
      if (off === undefined) continue;
      const p: UsdtProbe = {
        provider: raw.provider, name: raw.name, path, pc, offset: BigInt(off), base: raw.base,
        semaphore: raw.semaphore, argString: raw.argString, pie: elf.isPie,
      };
      if (raw.semaphore) p.semaphoreOffset = elf.vaddrToOffset(raw.semaphore);
      try {
        p.args = parseUsdtArgs(raw.argString);
      } catch (e) {
        p.argError = (e as Error).message;
      }
      out.push(p);
    }
    return out;
  } finally {
    elf.close();
  }
}

/** The USDT probes of a binary or library by name (see resolveBinary), or of a process: its executable and libraries. */
export function listUsdtProbes(target: { binary?: string; pid?: number }): UsdtProbe[] {
  if (target.binary) return readUsdtProbes(resolveBinary(target.binary, target.pid));
  if (target.pid === undefined) throw new Error('listUsdtProbes: give a binary or a pid');
  const out: UsdtProbe[] = [];
  const seen = new Set<string>();
  for (const m of readMaps(target.pid)) {
    if (!m.path.startsWith('/') || !m.perms.includes('x') || seen.has(m.path)) continue;
    seen.add(m.path);
    try {
      out.push(...readUsdtProbes(m.path));
    } catch { /* not ELF or unreadable */ }
  }
  return out;
}

export interface UsdtOptions {
  /** Binary or library (path, "c"-style library name, or command), or omit with pid to search the process. */
  binary?: string;
  /** Provider; any when omitted. */
  provider?: string;
  name: string;
  /** Only this process (and its semaphore). */
  pid?: number;
  mechanism?: ProbeMechanism;
}

/** Attach a KPROBE-type program at every location of a USDT probe; one Link holds them all. */
export function attachUsdt(prog: Attachable, o: UsdtOptions): Link {
  const probes = findUsdtProbe(o);
  const links: Link[] = [];
  try {
    for (const p of probes) {
      links.push(attachUprobe(prog, { binary: p.path, offset: p.offset, pid: o.pid, refCtrOffset: p.semaphoreOffset, mechanism: o.mechanism }));
    }
  } catch (e) {
    for (const l of links) l.close();
    throw e;
  }
  return Link.combine('usdt', `${probes[0]!.path}:${probes[0]!.provider}:${o.name}`, links);
}

/** Every location of one probe; a one-line error naming what the binary has when there is none. */
function findUsdtProbe(o: { binary?: string; provider?: string; name: string; pid?: number }): UsdtProbe[] {
  const all = listUsdtProbes({ binary: o.binary, pid: o.pid });
  const where = o.binary ?? `pid ${o.pid}`;
  const want = `${o.provider ? `${o.provider}:` : ''}${o.name}`;
  const probes = all.filter((p) => p.name === o.name && (!o.provider || p.provider === o.provider));
  if (!probes.length) {
    const have = [...new Set(all.map((p) => `${p.provider}:${p.name}`))];
    throw new Error(`no USDT probe ${want} in ${where}` +
      (have.length ? ` (it has ${have.slice(0, 8).join(', ')}${have.length > 8 ? ', ...' : ''})` : ' (it has no USDT probes)'));
  }
  return probes;
}

/**
 * The argument specs of every location of a USDT probe, as compileBcc's `usdt` option takes them
 * for the function attached to it ({ [fn]: usdtSpecsFor(...) }): what bpf_usdt_readarg compiles from.
 * Throws one line when the probe is missing or a location's arguments do not parse.
 */
export function usdtSpecsFor(binary: string | undefined, provider: string | undefined, name: string, pid?: number): UsdtArgSpec[][] {
  return usdtContextFor(binary, provider, name, pid).locations;
}

/** A USDT probe as the code reading its arguments needs it (compileBcc's usdt option takes this too). */
export interface UsdtContext {
  /** "provider:name". */
  probe: string;
  /** Each location's argument specs. */
  locations: UsdtArgSpec[][];
  /**
   * Each location's address in the traced process (PT_REGS_IP at the probe): what the generated code
   * switches on when locations keep an argument in different places. Known for a non-PIE binary,
   * and for a PIE binary or library mapped in the given pid; otherwise absent.
   */
  addresses?: bigint[];
}

/** usdtSpecsFor with the probe's name and, where they can be known, its locations' run-time addresses. */
export function usdtContextFor(binary: string | undefined, provider: string | undefined, name: string, pid?: number): UsdtContext {
  const probes = findUsdtProbe({ binary, provider, name, pid });
  const locations = probes.map((p) => {
    if (!p.args) throw new Error(`USDT probe ${p.provider}:${p.name} in ${p.path}: ${p.argError}`);
    return p.args;
  });
  const maps = pid !== undefined && probes.some((p) => p.pie) ? readMaps(pid) : [];
  const addresses: bigint[] = [];
  for (const p of probes) {
    if (!p.pie) { addresses.push(p.pc); continue; }
    const m = maps.find((x) => x.path === p.path && p.offset >= x.offset && p.offset < x.offset + (x.end - x.start));
    if (!m) break;
    addresses.push(m.start + (p.offset - m.offset));
  }
  const ctx: UsdtContext = { probe: `${probes[0]!.provider}:${probes[0]!.name}`, locations };
  if (addresses.length === probes.length) ctx.addresses = addresses;
  return ctx;
}
