// Benchmark: code quality of the code generator against clang -O2 -target bpf, on the tool-shaped
// programs in test/corpus/codegen. For every program it compiles the file with clang (libbpf's
// headers, vmlinux.h from bpftool), counts the BPF instructions of every program section in the
// object, and times the compile. The tsbcc column comes from tsbccCompile() below: the one hook to
// fill in when the code generator exists; until then the tsbcc and ratio columns print "-".
//
// Counts: "insns" counts a 64-bit immediate load (lddw) once, like a reader of the disassembly;
// "slots" counts it twice, like the kernel (8-byte slots, the verifier's instruction indexes).
// Ratios are tsbcc insns / clang insns, per section and per program (all sections, including
// .text subprograms), with the median over programs (issue 6 targets: median <= 1.10, max <= 1.5).
//
// Run: npx tsc -p . && node dist/bench/codegen_clang.js [--runs 3] [--json] [--mcpu v3] [name...]
//   --mcpu passes -mcpu=<v> to clang (clang 14's default "generic" is v1: no JMP32, no ALU32).
import { readFileSync, writeFileSync, mkdtempSync, existsSync, rmSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { corpusFiles } from '../test/fixtures/corpus.js';
import { compileObject } from '../src/compiler/object.js';
import { CompileError } from '../src/compiler/diagnostics.js';
import { Btf } from '../src/btf/reader.js';
import { features } from '../src/sys/index.js';

/** What tsbcc's code generator produced for one file: instructions (lddw = 1) per ELF-style
 * section name (the SEC() string, ".text" for subprograms) and the compile time in ms. */
export interface TsbccResult {
  insnsBySection: Record<string, number>;
  ms: number;
}

/** THE HOOK: compile `path` with tsbcc's code generator. Returns undefined while there is none.
 * Fill it in with: read the file, run frontend + lowering + codegen against Btf.vmlinux(), time it
 * (performance.now() around the whole compile), and count instructions per program section. */
export function tsbccCompile(path: string): TsbccResult | undefined {
  const text = readFileSync(path, 'utf8');
  const btf = Btf.vmlinux();
  try {
    compileObject(text, { filename: path, btf, isaV4: features.haveIsaV4(), jmp32: features.haveJmp32() }); // warm-up, and the verdict
  } catch (e) {
    tsbccFailures.set(path, e instanceof CompileError ? e.diagnostics.find((d) => d.severity === 'error')?.message ?? 'error' : String(e));
    return undefined;
  }
  const t = performance.now();
  const spec = compileObject(text, { filename: path, btf, isaV4: features.haveIsaV4(), jmp32: features.haveJmp32() });
  const ms = performance.now() - t;
  const insnsBySection: Record<string, number> = {};
  for (const p of spec.programs) {
    // lddw occupies two slots but counts once, as clang's side counts it.
    const n = p.insns.filter((i, k) => !(k > 0 && p.insns[k - 1]!.code === 0x18 && i.code === 0)).length;
    insnsBySection[p.section] = (insnsBySection[p.section] ?? 0) + n;
  }
  return { insnsBySection, ms };
}

/** Why tsbcc could not compile a program (shown under the table until the code generator covers it). */
export const tsbccFailures = new Map<string, string>();

// ---- counting instructions in a clang-built ELF object ----

export interface SectionCount {
  /** section name: the SEC() string, or ".text" for BPF-to-BPF subprograms */
  section: string;
  /** function symbols defined in the section */
  functions: string[];
  /** instructions, lddw counted once */
  insns: number;
  /** 8-byte slots, lddw counted twice (the kernel's count) */
  slots: number;
}

const SHT_SYMTAB = 2;
const SHF_EXECINSTR = 0x4;
const STT_FUNC = 2;
const BPF_LD_IMM64 = 0x18;

/** Instructions per executable section of a 64-bit little-endian BPF ELF object. */
export function countBpfInsns(obj: Buffer): SectionCount[] {
  if (obj.readUInt32BE(0) !== 0x7f454c46 || obj[4] !== 2 || obj[5] !== 1) throw new Error('not a 64-bit little-endian ELF object');
  const shoff = Number(obj.readBigUInt64LE(0x28));
  const shentsize = obj.readUInt16LE(0x3a);
  const shnum = obj.readUInt16LE(0x3c);
  const shstrndx = obj.readUInt16LE(0x3e);
  const sh = Array.from({ length: shnum }, (_, i) => {
    const o = shoff + i * shentsize;
    return {
      name: obj.readUInt32LE(o),
      type: obj.readUInt32LE(o + 4),
      flags: Number(obj.readBigUInt64LE(o + 8)),
      offset: Number(obj.readBigUInt64LE(o + 0x18)),
      size: Number(obj.readBigUInt64LE(o + 0x20)),
      link: obj.readUInt32LE(o + 0x28),
      entsize: Number(obj.readBigUInt64LE(o + 0x38)),
    };
  });
  const cstr = (table: number, off: number) => {
    const start = sh[table]!.offset + off;
    return obj.toString('latin1', start, obj.indexOf(0, start));
  };
  const funcs = new Map<number, string[]>();
  for (const s of sh) {
    if (s.type !== SHT_SYMTAB) continue;
    for (let o = s.offset + s.entsize; o < s.offset + s.size; o += s.entsize) {
      if ((obj[o + 4]! & 0xf) !== STT_FUNC) continue;
      const shndx = obj.readUInt16LE(o + 6);
      funcs.set(shndx, [...(funcs.get(shndx) ?? []), cstr(s.link, obj.readUInt32LE(o))]);
    }
  }
  const out: SectionCount[] = [];
  sh.forEach((s, i) => {
    if (!(s.flags & SHF_EXECINSTR) || s.size === 0) return;
    let insns = 0;
    let slots = 0;
    for (let o = s.offset; o < s.offset + s.size; o += 8) {
      insns++;
      slots++;
      if (obj[o] === BPF_LD_IMM64) { slots++; o += 8; }
    }
    out.push({ section: cstr(shstrndx, s.name), functions: funcs.get(i) ?? [], insns, slots });
  });
  return out;
}

// ---- the benchmark ----

export interface ProgramResult {
  program: string;
  lines: number;
  clang?: { sections: SectionCount[]; insns: number; slots: number; ms: number };
  clangError?: string;
  tsbcc?: { insnsBySection: Record<string, number>; insns: number; ms: number };
  /** tsbcc insns / clang insns over the whole program, when both exist */
  ratio?: number;
}

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Why clang can't be used here, or undefined when clang, bpftool and libbpf's headers exist. */
export function clangUnavailable(): string | undefined {
  if (spawnSync('clang', ['--version']).status !== 0) return 'clang not installed (apt-get install clang)';
  if (!existsSync('/usr/include/bpf/bpf_helpers.h')) return "libbpf's headers missing (apt-get install libbpf-dev)";
  if (spawnSync('bpftool', ['version']).status !== 0) return 'bpftool missing (needed for vmlinux.h)';
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'no kernel BTF at /sys/kernel/btf/vmlinux';
  return undefined;
}

/** A directory holding vmlinux.h dumped by bpftool from the running kernel's BTF. */
export function vmlinuxHeaderDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsbcc-vmlinux-'));
  writeFileSync(join(dir, 'vmlinux.h'), execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { maxBuffer: 1 << 30 }));
  return dir;
}

export function clangArgs(file: string, out: string, includeDir: string, mcpu?: string): string[] {
  return ['-O2', '-target', 'bpf', '-g', '-D__TARGET_ARCH_x86', ...(mcpu ? [`-mcpu=${mcpu}`] : []), '-I', includeDir, '-c', file, '-o', out];
}

export function runBenchmark(opts: { runs: number; mcpu?: string; only?: string[] }): { results: ProgramResult[]; clang: string; flags: string } {
  const unavailable = clangUnavailable();
  const includeDir = unavailable ? undefined : vmlinuxHeaderDir();
  const objDir = mkdtempSync(join(tmpdir(), 'tsbcc-codegen-bench-'));
  const results: ProgramResult[] = [];
  try {
    for (const file of corpusFiles('codegen')) {
      const name = basename(file, '.c');
      if (opts.only?.length && !opts.only.some((o) => name === o || basename(file) === o)) continue;
      const text = readFileSync(file, 'utf8');
      const r: ProgramResult = { program: basename(file), lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0) };
      if (includeDir) {
        const out = join(objDir, `${name}.o`);
        const args = clangArgs(file, out, includeDir, opts.mcpu);
        const times: number[] = [];
        let failed: string | undefined;
        for (let i = 0; i < Math.max(1, opts.runs) && !failed; i++) {
          const t = performance.now();
          const p = spawnSync('clang', args, { encoding: 'utf8' });
          times.push(performance.now() - t);
          if (p.status !== 0) failed = p.stderr.split('\n').find((l) => l.includes('error')) ?? `exit ${p.status}`;
        }
        if (failed) r.clangError = failed;
        else {
          const sections = countBpfInsns(readFileSync(out));
          r.clang = {
            sections,
            insns: sections.reduce((a, s) => a + s.insns, 0),
            slots: sections.reduce((a, s) => a + s.slots, 0),
            ms: median(times),
          };
        }
      }
      const t = tsbccCompile(file);
      if (t) {
        r.tsbcc = { insnsBySection: t.insnsBySection, insns: Object.values(t.insnsBySection).reduce((a, n) => a + n, 0), ms: t.ms };
        if (r.clang) r.ratio = r.tsbcc.insns / r.clang.insns;
      }
      results.push(r);
    }
  } finally {
    rmSync(objDir, { recursive: true, force: true });
    if (includeDir) rmSync(includeDir, { recursive: true, force: true });
  }
  const version = unavailable ? undefined : spawnSync('clang', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  return { results, clang: unavailable ? `not measured: ${unavailable}` : version!, flags: `-O2 -target bpf -g${opts.mcpu ? ` -mcpu=${opts.mcpu}` : ''}` };
}

function fmtRatio(r: number | undefined): string {
  return r === undefined ? '-' : r.toFixed(2);
}

function printTable(b: ReturnType<typeof runBenchmark>): void {
  const { results } = b;
  console.log(`codegen quality: tsbcc vs clang (${b.clang}, ${b.flags})`);
  console.log('');
  console.log('per section (insns: lddw = 1; slots: lddw = 2)');
  console.log(`${'program'.padEnd(18)} ${'section'.padEnd(40)} ${'clang insns'.padStart(11)} ${'slots'.padStart(6)} ${'tsbcc'.padStart(6)} ${'ratio'.padStart(6)}`);
  for (const r of results) {
    if (!r.clang) continue;
    for (const s of r.clang.sections) {
      const t = r.tsbcc?.insnsBySection[s.section];
      const sec = s.section.length > 40 ? s.section.slice(0, 37) + '...' : s.section;
      console.log(`${r.program.padEnd(18)} ${sec.padEnd(40)} ${String(s.insns).padStart(11)} ${String(s.slots).padStart(6)} ${(t === undefined ? '-' : String(t)).padStart(6)} ${fmtRatio(t === undefined ? undefined : t / s.insns).padStart(6)}`);
    }
  }
  console.log('');
  console.log('per program (all sections, .text subprograms included)');
  console.log(`${'program'.padEnd(18)} ${'lines'.padStart(5)} ${'progs'.padStart(5)} ${'clang insns'.padStart(11)} ${'slots'.padStart(6)} ${'clang ms'.padStart(9)} ${'tsbcc'.padStart(6)} ${'tsbcc ms'.padStart(9)} ${'ratio'.padStart(6)}`);
  for (const r of results) {
    const progs = r.clang ? r.clang.sections.filter((s) => s.section !== '.text').length : 0;
    console.log(`${r.program.padEnd(18)} ${String(r.lines).padStart(5)} ${String(r.clang ? progs : '-').padStart(5)} ${String(r.clang?.insns ?? '-').padStart(11)} ${String(r.clang?.slots ?? '-').padStart(6)} ${(r.clang ? r.clang.ms.toFixed(1) : '-').padStart(9)} ${String(r.tsbcc?.insns ?? '-').padStart(6)} ${(r.tsbcc ? r.tsbcc.ms.toFixed(2) : '-').padStart(9)} ${fmtRatio(r.ratio).padStart(6)}${r.clangError ? `  clang failed: ${r.clangError}` : ''}`);
  }
  const ratios = results.flatMap((r) => (r.ratio === undefined ? [] : [r.ratio]));
  const withClang = results.filter((r) => r.clang);
  console.log('');
  console.log(`programs: ${results.length}; clang total insns ${withClang.reduce((a, r) => a + r.clang!.insns, 0)}, slots ${withClang.reduce((a, r) => a + r.clang!.slots, 0)}, median compile ${withClang.length ? median(withClang.map((r) => r.clang!.ms)).toFixed(1) : '-'} ms`);
  console.log(`ratio tsbcc/clang: median ${ratios.length ? median(ratios).toFixed(2) : '-'}, max ${ratios.length ? Math.max(...ratios).toFixed(2) : '-'} (targets: median <= 1.10, max <= 1.5)`);
  console.log(`tsbcc compiled ${results.filter((r) => r.tsbcc).length} of ${results.length} programs`);
  for (const [path, why] of tsbccFailures) console.log(`  not yet: ${basename(path)}: ${why}`);
}

function main(): void {
  const { values, positionals } = parseArgs({
    options: { runs: { type: 'string', default: '3' }, json: { type: 'boolean' }, mcpu: { type: 'string' } },
    allowPositionals: true,
  });
  const b = runBenchmark({ runs: Number(values.runs), mcpu: values.mcpu, only: positionals });
  if (values.json) {
    const ratios = b.results.flatMap((r) => (r.ratio === undefined ? [] : [r.ratio]));
    console.log(JSON.stringify({
      ...b,
      medianRatio: ratios.length ? median(ratios) : null,
      maxRatio: ratios.length ? Math.max(...ratios) : null,
    }, null, 2));
  } else printTable(b);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
