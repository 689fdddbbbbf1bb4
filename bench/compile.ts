// Benchmark: the compiler's front half (preprocess + parse + check) on tool-shaped programs,
// against clang -target bpf -fsyntax-only on the same source where clang and libbpf's headers exist.
// Run: npm run build && node dist/bench/compile.js [--runs 200] [--json]
import { readFileSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { parseArgs } from 'node:util';
import { frontend } from '../src/compiler/frontend.js';
import { Btf } from '../src/btf/reader.js';
import { corpusFiles } from '../test/fixtures/corpus.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '200' }, json: { type: 'boolean' } } });
const runs = Number(values.runs);
const btf = Btf.vmlinux();

function time(f: () => void, n: number): number {
  const t = performance.now();
  for (let i = 0; i < n; i++) f();
  return (performance.now() - t) / n;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;

// clang's side: vmlinux.h from bpftool, libbpf's headers from libbpf-dev.
let clangSetup: string | undefined;
const dir = mkdtempSync(join(tmpdir(), 'tsbcc-bench-'));
const haveClang = spawnSync('clang', ['--version']).status === 0;
if (haveClang && existsSync('/usr/include/bpf/bpf_helpers.h')) {
  writeFileSync(join(dir, 'vmlinux.h'), execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { maxBuffer: 1 << 30 }));
} else {
  clangSetup = haveClang ? 'libbpf headers missing (apt-get install libbpf-dev)' : 'clang not installed (apt-get install clang)';
}

const results: { program: string; lines: number; firstMs: number; warmMs: number; clangMs?: number }[] = [];
for (const file of corpusFiles('kernel')) {
  const text = readFileSync(file, 'utf8');
  const t0 = performance.now();
  const r = frontend(text, { filename: file, btf });
  const firstMs = performance.now() - t0;
  if (!r.ok) throw new Error(`${file} does not check:\n${r.diagnostics.map((d) => d.message).join('\n')}`);
  for (let i = 0; i < 20; i++) frontend(text, { filename: file, btf }); // warm up
  const warmMs = median(Array.from({ length: 5 }, () => time(() => frontend(text, { filename: file, btf }), Math.max(1, runs / 5))));
  let clangMs: number | undefined;
  if (!clangSetup) {
    const args = ['-target', 'bpf', '-O2', '-fsyntax-only', '-D__TARGET_ARCH_x86', '-I', dir, file];
    const ok = spawnSync('clang', args, { encoding: 'utf8' });
    if (ok.status === 0) {
      clangMs = median(Array.from({ length: 5 }, () => { const t = performance.now(); spawnSync('clang', args); return performance.now() - t; }));
    } else clangSetup = `clang rejected ${basename(file)}: ${ok.stderr.split('\n')[0]}`;
  }
  results.push({ program: basename(file), lines: text.split('\n').length, firstMs, warmMs, clangMs });
}

if (values.json) {
  console.log(JSON.stringify({ results, clang: clangSetup ?? 'available' }, null, 2));
} else {
  console.log('front half (preprocess + parse + check against vmlinux BTF), per program:');
  console.log('program            lines  first run   warm     clang -fsyntax-only   ratio');
  for (const r of results) {
    const ratio = r.clangMs ? `${(r.clangMs / r.warmMs).toFixed(0)}x` : '-';
    console.log(`${r.program.padEnd(18)} ${String(r.lines).padStart(5)}  ${r.firstMs.toFixed(1).padStart(6)} ms  ${r.warmMs.toFixed(2).padStart(5)} ms  ${r.clangMs ? `${r.clangMs.toFixed(0).padStart(6)} ms` : '     -'}              ${ratio}`);
  }
  if (clangSetup) console.log(`clang: not measured (${clangSetup})`);
}
