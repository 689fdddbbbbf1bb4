// Benchmark: start-up time of a tool — from a fresh process to its BPF programs compiled, loaded
// and attached — for tsbcc's BPF class against BCC's Python BPF object on the same C (BCC's
// dialect, tracepoint hooks, from test/corpus/bcc). Each side runs in a fresh process per sample,
// as a tool would, and reports the time from its first line to "attached", plus the wall time of
// the whole process (interpreter start included).
//
// BCC needs python3-bpfcc, kernel headers and /lib/modules/$(uname -r)/{build,source} (see
// bench/events.ts); without them the benchmark says why and measures tsbcc alone.
//
// Run: npx tsc -p . && node dist/bench/startup.js [--runs 5] [--json] [name...]
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CORPUS = fileURLToPath(new URL('../../test/corpus/bcc/', import.meta.url));
const INDEX = pathToFileURL(fileURLToPath(new URL('../src/index.js', import.meta.url))).href;
const PYTHON = '/usr/bin/python3';
/** Tools whose hooks all exist on a kernel without kprobes (tracepoints only). */
const DEFAULT = ['runqlat', 'syscount', 'execsnoop', 'opensnoop', 'statsnoop', 'killsnoop'];

interface Sample { inner: number; wall: number }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function runTsbcc(file: string): Sample | string {
  const script = `const t0 = performance.now();
    const { BPF } = await import(${JSON.stringify(INDEX)});
    const b = new BPF({ srcFile: ${JSON.stringify(file)} });
    const t1 = performance.now();
    b.close();
    console.log(JSON.stringify({ inner: t1 - t0 }));`;
  const w = performance.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const wall = performance.now() - w;
  if (r.status !== 0) return (r.stderr || 'failed').trim().split('\n').pop()!;
  return { inner: (JSON.parse(r.stdout.trim().split('\n').pop()!) as { inner: number }).inner, wall };
}

function runBcc(file: string, dir: string): Sample | string {
  const py = join(dir, 'start.py');
  writeFileSync(py, `import time, json
t0 = time.perf_counter()
from bcc import BPF
b = BPF(src_file=${JSON.stringify(file)})
t1 = time.perf_counter()
b.cleanup()
print(json.dumps({"inner": (t1 - t0) * 1000}))
`);
  const w = performance.now();
  const r = spawnSync(PYTHON, [py], { encoding: 'utf8' });
  const wall = performance.now() - w;
  if (r.status !== 0) return (r.stderr || 'failed').trim().split('\n').pop()!;
  return { inner: (JSON.parse(r.stdout.trim().split('\n').pop()!) as { inner: number }).inner, wall };
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { runs: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } }, allowPositionals: true });
  const runs = Number(values.runs);
  const names = positionals.length ? positionals : DEFAULT;
  const dir = mkdtempSync(join(tmpdir(), 'tsbcc-startup-'));
  const rows: Record<string, unknown>[] = [];
  let bccWhy: string | undefined;
  try {
    for (const name of names) {
      const file = join(CORPUS, `${name}.c`);
      readFileSync(file); // a missing tool is an error here, not later
      const ts: Sample[] = [], bc: Sample[] = [];
      let err: string | undefined;
      for (let i = 0; i < runs; i++) {
        const t = runTsbcc(file);
        if (typeof t === 'string') { err = t; break; }
        ts.push(t);
        if (!bccWhy) {
          const b = runBcc(file, dir);
          if (typeof b === 'string') bccWhy = b; else bc.push(b);
        }
      }
      rows.push({
        tool: name, error: err,
        tsbcc_ms: ts.length ? median(ts.map((s) => s.inner)) : undefined, tsbcc_wall_ms: ts.length ? median(ts.map((s) => s.wall)) : undefined,
        bcc_ms: bc.length ? median(bc.map((s) => s.inner)) : undefined, bcc_wall_ms: bc.length ? median(bc.map((s) => s.wall)) : undefined,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (values.json) { console.log(JSON.stringify({ runs, rows, bcc: bccWhy ?? 'ok' }, null, 2)); return; }
  const f = (x: unknown) => (typeof x === 'number' ? x.toFixed(0).padStart(8) : '       -');
  console.log(`start-up to attached, median of ${runs} fresh processes (ms; "wall" includes interpreter start)`);
  console.log('tool          tsbcc  tsbcc wall      BCC    BCC wall   BCC/tsbcc');
  for (const r of rows) {
    if (r.error) { console.log(`${String(r.tool).padEnd(10)} tsbcc failed: ${r.error}`); continue; }
    const ratio = typeof r.bcc_wall_ms === 'number' ? ((r.bcc_wall_ms as number) / (r.tsbcc_wall_ms as number)).toFixed(1) + 'x' : '-';
    console.log(`${String(r.tool).padEnd(10)} ${f(r.tsbcc_ms)} ${f(r.tsbcc_wall_ms)}    ${f(r.bcc_ms)} ${f(r.bcc_wall_ms)}   ${ratio.padStart(8)}`);
  }
  if (bccWhy) console.log(`BCC not measured: ${bccWhy}`);
}

main();
