// A small ELF64 little-endian reader: section and program headers, symbol tables (with GNU symbol
// versions, so names read `malloc@@GLIBC_2.2.5` as `nm -D` prints them), notes and the build-id.
// It reads only the parts asked for, through a file descriptor, so a 100 MB binary costs little.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export const ElfType = { REL: 1, EXEC: 2, DYN: 3, CORE: 4 } as const;
export const SectionType = {
  NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, HASH: 5, DYNAMIC: 6, NOTE: 7, NOBITS: 8, DYNSYM: 11,
  GNU_VERDEF: 0x6ffffffd, GNU_VERNEED: 0x6ffffffe, GNU_VERSYM: 0x6fffffff,
} as const;
export const SegmentType = { LOAD: 1, DYNAMIC: 2, INTERP: 3, NOTE: 4 } as const;
export const SymbolType = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4, TLS: 6, GNU_IFUNC: 10 } as const;
export const SymbolBind = { LOCAL: 0, GLOBAL: 1, WEAK: 2, GNU_UNIQUE: 10 } as const;
const SHN_UNDEF = 0;
const NT_GNU_BUILD_ID = 3;

export interface Section {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
}

export interface Segment {
  type: number;
  flags: number;
  offset: number;
  vaddr: bigint;
  filesz: number;
  memsz: number;
}

export interface ElfSymbol {
  /** The bare name (`malloc`). */
  name: string;
  /** With the GNU version when there is one: `malloc@@GLIBC_2.2.5` (default) or `memcpy@GLIBC_2.2.5`. */
  versionedName: string;
  version?: string;
  /** True for the default version (`@@`). */
  defaultVersion: boolean;
  value: bigint;
  size: number;
  type: number;
  bind: number;
  /** Section index; 0 means undefined (imported). */
  shndx: number;
  /** From .dynsym rather than .symtab. */
  dynamic: boolean;
}

export interface ElfNote {
  name: string;
  type: number;
  desc: Buffer;
  /** The section the note came from. */
  section: string;
}

/** The file is not ELF, or not a kind this reader handles; the message names the file. */
export class ElfError extends Error {
  override readonly name = 'ElfError';
}

export class ElfFile {
  readonly type: number;
  readonly machine: number;
  readonly entry: bigint;
  readonly sections: Section[] = [];
  readonly segments: Segment[] = [];
  private fd: number;
  private readonly size: number;
  private symCache = new Map<string, ElfSymbol[]>();

  /** Open `path`; throws ElfError (one line naming the file) when it is not a 64-bit little-endian ELF. */
  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    try {
      this.size = fstatSync(this.fd).size;
      if (this.size < 64) throw new ElfError(`${path} is not an ELF file`);
      const h = this.read(0, 64);
      if ( h.readUInt32BE(0) !== 0x7f454c46) throw new ElfError(`${path} is not an ELF file`);
      if (h[4] !== 2 || h[5] !== 1) throw new ElfError(`${path} is not a 64-bit little-endian ELF file`);
      this.type = h.readUInt16LE(16);
      this.machine = h.readUInt16LE(18);
      this.entry = h.readBigUInt64LE(24);
      const phoff = Number(h.readBigUInt64LE(32)), shoff = Number(h.readBigUInt64LE(40));
      const phentsize = h.readUInt16LE(54), phnum = h.readUInt16LE(56);
      const shentsize = h.readUInt16LE(58);
      let shnum = h.readUInt16LE(60), shstrndx = h.readUInt16LE(62);
      if (shoff && shnum === 0) { // more than 0xff00 sections: the real count is in section 0
        const s0 = this.read(shoff, 64);
        shnum = Number(s0.readBigUInt64LE(32));
        if (shstrndx === 0xffff) shstrndx = s0.readUInt32LE(40);
      }
      if (phoff) {
        const ph = this.read(phoff, phentsize * phnum);
        for (let i = 0; i < phnum; i++) {
          const o = i * phentsize;
          this.segments.push({
            type: ph.readUInt32LE(o), flags: ph.readUInt32LE(o + 4), offset: Number(ph.readBigUInt64LE(o + 8)),
            vaddr: ph.readBigUInt64LE(o + 16), filesz: Number(ph.readBigUInt64LE(o + 32)), memsz: Number(ph.readBigUInt64LE(o + 40)),
          });
        }
      }
      if (shoff && shnum) {
        const sh = this.read(shoff, shentsize * shnum);
        for (let i = 0; i < shnum; i++) {
          const o = i * shentsize;
          this.sections.push({
            index: i, name: '', type: sh.readUInt32LE(o + 4), flags: sh.readBigUInt64LE(o + 8), addr: sh.readBigUInt64LE(o + 16),
            offset: Number(sh.readBigUInt64LE(o + 24)), size: Number(sh.readBigUInt64LE(o + 32)), link: sh.readUInt32LE(o + 40),
            info: sh.readUInt32LE(o + 44), entsize: Number(sh.readBigUInt64LE(o + 56)),
            nameOff: sh.readUInt32LE(o),
          } as Section & { nameOff?: number });
        }
        const strtab = this.sections[shstrndx] ? this.contents(this.sections[shstrndx]!) : Buffer.alloc(0);
        for (const s of this.sections as (Section & { nameOff?: number })[]) {
          s.name = cstring(strtab, s.nameOff!);
          delete s.nameOff;
        }
      }
    } catch (e) {
      closeSync(this.fd);
      this.fd = -1;
      throw e;
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  [Symbol.dispose](): void { this.close(); }

  /** Position-independent (ET_DYN: shared libraries and PIE executables): addresses are relative to a load base. */
  get isPie(): boolean { return this.type === ElfType.DYN; }

  section(name: string): Section | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** The bytes of a section (empty for SHT_NOBITS). */
  contents(s: Section): Buffer {
    if (s.type === SectionType.NOBITS) return Buffer.alloc(0);
    return this.read(s.offset, s.size);
  }

  /** Read `length` bytes at file offset `offset`. */
  read(offset: number, length: number): Buffer {
    if (this.fd < 0) throw new Error(`${this.path}: ELF file is closed`);
    if (offset < 0 || offset + length > this.size) throw new ElfError(`${this.path}: truncated ELF file (wanted ${length} bytes at ${offset})`);
    const b = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, b, done, length - done, offset + done);
      if (n <= 0) break;
      done += n;
    }
    return b;
  }

  /**
   * The file offset that virtual address `vaddr` (as the ELF file's own addresses say it) is loaded
   * from: what a uprobe needs. Undefined when no PT_LOAD segment maps that address from the file.
   */
  vaddrToOffset(vaddr: bigint): number | undefined {
    for (const p of this.segments) {
      if (p.type !== SegmentType.LOAD) continue;
      if (vaddr >= p.vaddr && vaddr < p.vaddr + BigInt(p.filesz)) return Number(vaddr - p.vaddr) + p.offset;
    }
    // Fall back to section headers (objects without program headers).
    for (const s of this.sections) {
      if (s.addr === 0n || s.type === SectionType.NOBITS) continue;
      if (vaddr >= s.addr && vaddr < s.addr + BigInt(s.size)) return Number(vaddr - s.addr) + s.offset;
    }
    return undefined;
  }

  /** The inverse: the link-time virtual address a file offset is loaded at. */
  offsetToVaddr(offset: number): bigint | undefined {
    for (const p of this.segments) {
      if (p.type === SegmentType.LOAD && offset >= p.offset && offset < p.offset + p.filesz) return p.vaddr + BigInt(offset - p.offset);
    }
    return undefined;
  }

  /** Symbols of .symtab (`which: 'symtab'`) or .dynsym (`'dynsym'`); both by default, .symtab first. */
  symbols(which: 'symtab' | 'dynsym' | 'all' = 'all'): ElfSymbol[] {
    if (which === 'all') return [...this.symbols('symtab'), ...this.symbols('dynsym')];
    let cached = this.symCache.get(which);
    if (cached) return cached;
    const sec = this.sections.find((s) => s.type === (which === 'symtab' ? SectionType.SYMTAB : SectionType.DYNSYM));
    cached = sec ? this.readSymbols(sec) : [];
    this.symCache.set(which, cached);
    return cached;
  }

  /** Defined symbols named `name` (bare or versioned), function symbols first. */
  findSymbol(name: string): ElfSymbol | undefined {
    const bare = !name.includes('@');
    let best: ElfSymbol | undefined;
    for (const s of this.symbols()) {
      if (s.shndx === SHN_UNDEF || (bare ? s.name : s.versionedName) !== name) continue;
      if (!bare || s.defaultVersion || !s.version) return s;
      best ??= s;
    }
    return best;
  }

  private readSymbols(sec: Section): ElfSymbol[] {
    const data = this.contents(sec);
    const strtab = this.sections[sec.link] ? this.contents(this.sections[sec.link]!) : Buffer.alloc(0);
    const dynamic = sec.type === SectionType.DYNSYM;
    const versions = dynamic ? this.versionNames() : undefined;
    const versym = dynamic ? this.sections.find((s) => s.type === SectionType.GNU_VERSYM) : undefined;
    const vs = versym ? this.contents(versym) : undefined;
    const out: ElfSymbol[] = [];
    const n = Math.floor(data.length / 24);
    for (let i = 1; i < n; i++) {
      const o = i * 24;
      const name = cstring(strtab, data.readUInt32LE(o));
      const info = data[o + 4]!;
      const shndx = data.readUInt16LE(o + 6);
      let version: string | undefined, defaultVersion = false;
      if (vs && versions && i * 2 + 2 <= vs.length) {
        const v = vs.readUInt16LE(i * 2);
        const idx = v & 0x7fff;
        const entry = idx > 1 ? versions.get(idx) : undefined;
        if (entry) {
          version = entry.name;
          defaultVersion = shndx !== SHN_UNDEF && !(v & 0x8000) && entry.defined;
        }
      }
      out.push({
        name, version, defaultVersion,
        // A version's own definition symbol (value 0, ABS) is named after it: printed bare, as nm does.
        versionedName: version && version !== name ? `${name}${defaultVersion ? '@@' : '@'}${version}` : name,
        value: data.readBigUInt64LE(o + 8), size: Number(data.readBigUInt64LE(o + 16)),
        type: info & 0xf, bind: info >> 4, shndx, dynamic,
      });
    }
    return out;
  }

  /** Version index -> name, from .gnu.version_d (definitions) and .gnu.version_r (needs). */
  private versionNames(): Map<number, { name: string; defined: boolean }> {
    const map = new Map<number, { name: string; defined: boolean }>();
    const verdef = this.sections.find((s) => s.type === SectionType.GNU_VERDEF);
    if (verdef) {
      const d = this.contents(verdef), str = this.contents(this.sections[verdef.link]!);
      for (let off = 0, k = 0; off + 20 <= d.length && k < verdef.info; k++) {
        const flags = d.readUInt16LE(off + 2), ndx = d.readUInt16LE(off + 4);
        const aux = d.readUInt32LE(off + 12), next = d.readUInt32LE(off + 16);
        if (!(flags & 1)) map.set(ndx, { name: cstring(str, d.readUInt32LE(off + aux)), defined: true }); // skip VER_FLG_BASE
        if (!next) break;
        off += next;
      }
    }
    const verneed = this.sections.find((s) => s.type === SectionType.GNU_VERNEED);
    if (verneed) {
      const d = this.contents(verneed), str = this.contents(this.sections[verneed.link]!);
      for (let off = 0, k = 0; off + 16 <= d.length && k < verneed.info; k++) {
        const cnt = d.readUInt16LE(off + 2), aux = d.readUInt32LE(off + 8), next = d.readUInt32LE(off + 12);
        for (let a = off + aux, j = 0; j < cnt && a + 16 <= d.length; j++) {
          map.set(d.readUInt16LE(a + 6), { name: cstring(str, d.readUInt32LE(a + 8)), defined: false });
          const an = d.readUInt32LE(a + 12);
          if (!an) break;
          a += an;
        }
        if (!next) break;
        off += next;
      }
    }
    return map;
  }

  /** Every note in SHT_NOTE sections (or PT_NOTE segments when there are no section headers). */
  notes(sectionName?: string): ElfNote[] {
    const out: ElfNote[] = [];
    const areas: { data: Buffer; section: string }[] = [];
    if (this.sections.length) {
      for (const s of this.sections) {
        if (s.type === SectionType.NOTE && (!sectionName || s.name === sectionName)) areas.push({ data: this.contents(s), section: s.name });
      }
    } else if (!sectionName) {
      for (const p of this.segments) if (p.type === SegmentType.NOTE) areas.push({ data: this.read(p.offset, p.filesz), section: '' });
    }
    for (const { data, section } of areas) {
      let off = 0;
      while (off + 12 <= data.length) {
        const namesz = data.readUInt32LE(off), descsz = data.readUInt32LE(off + 4), type = data.readUInt32LE(off + 8);
        const nameOff = off + 12, descOff = nameOff + align4(namesz);
        if (descOff + descsz > data.length) break;
        const name = data.toString('latin1', nameOff, nameOff + Math.max(0, namesz - 1));
        out.push({ name, type, desc: data.subarray(descOff, descOff + descsz), section });
        off = descOff + align4(descsz);
      }
    }
    return out;
  }

  /** The GNU build-id as hex, when the file has one. */
  buildId(): string | undefined {
    const n = this.notes().find((x) => x.name === 'GNU' && x.type === NT_GNU_BUILD_ID);
    return n?.desc.toString('hex');
  }
}

const align4 = (n: number): number => (n + 3) & ~3;

function cstring(b: Buffer, off: number): string {
  if (off >= b.length) return '';
  const end = b.indexOf(0, off);
  return b.toString('latin1', off, end < 0 ? b.length : end);
}

/** Open, use and close: `withElf(path, (elf) => elf.buildId())`. */
export function withElf<T>(path: string, fn: (elf: ElfFile) => T): T {
  const elf = new ElfFile(path);
  try {
    return fn(elf);
  } finally {
    elf.close();
  }
}
