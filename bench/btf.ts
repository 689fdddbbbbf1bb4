// Benchmark: open the running kernel's BTF and look names up — on every tool's start-up path.
// Prints time and memory for tsbcc, and bpftool (libbpf's parser, in C) dumping the same BTF as
// a reference point. Run: npm run build && node dist/bench/btf.js [--lookups 1000] [--json]
import { readFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Btf } from '../src/btf/reader.js';

const { values } = parseArgs({ options: { lookups: { type: 'string', default: '1000' }, json: { type: 'boolean' }, child: { type: 'boolean' } } });
const lookups = Number(values.lookups);
const PATH = '/sys/kernel/btf/vmlinux';

function measureOnce(): { readMs: number; parseMs: number; lookupMs: number; decodeMs: number; heapMB: number; rssMB: number; types: number } {
  const rss0 = process.memoryUsage().rss, heap0 = process.memoryUsage().heapUsed;
  let t = performance.now();
  const data = readFileSync(PATH);
  const readMs = performance.now() - t;
  t = performance.now();
  const btf = Btf.parse(data, undefined, 'vmlinux');
  const parseMs = performance.now() - t;
  // Names to look up: every 100th named type, as strings (decoding them is not part of the measure).
  const names: string[] = [];
  let i = 0;
  for (const [n] of btf.names()) if (i++ % 97 === 0 && names.length < lookups) names.push(n);
  t = performance.now();
  let found = 0;
  for (const n of names) if (btf.find(n) !== undefined) found++;
  const lookupMs = performance.now() - t;
  if (found !== names.length) throw new Error(`only ${found} of ${names.length} names found`);
  t = performance.now();
  for (const n of names) btf.type(btf.find(n)!);
  const decodeMs = performance.now() - t;
  const mem = process.memoryUsage();
  return { readMs, parseMs, lookupMs, decodeMs, heapMB: (mem.heapUsed - heap0) / 2 ** 20, rssMB: (mem.rss - rss0) / 2 ** 20, types: btf.typeCount };
}

if (values.child) {
  // A fresh process: the first open, as a tool's start-up sees it (cold JIT).
  process.stdout.write(JSON.stringify(measureOnce()));
  process.exit(0);
}

const self = new URL(import.meta.url).pathname;
const cold = Array.from({ length: 5 }, () => JSON.parse(execFileSync(process.execPath, [self, '--child', '--lookups', String(lookups)], { encoding: 'utf8' })));
const warm = Array.from({ length: 10 }, measureOnce);
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;
const pick = (rs: ReturnType<typeof measureOnce>[], k: keyof ReturnType<typeof measureOnce>) => median(rs.map((r) => r[k]));

let bpftoolMs: number | string;
const b = spawnSync('bash', ['-c', `TIMEFORMAT=%R; time (bpftool btf dump file ${PATH} format raw > /dev/null)`], { encoding: 'utf8' });
bpftoolMs = b.status === 0 ? Number(b.stderr.trim()) * 1000 : 'not available (apt-get install bpftool)';

const result = {
  types: cold[0].types, lookups,
  cold: { readMs: pick(cold, 'readMs'), parseMs: pick(cold, 'parseMs'), lookupMs: pick(cold, 'lookupMs'), decodeMs: pick(cold, 'decodeMs'), heapMB: pick(cold, 'heapMB'), rssMB: pick(cold, 'rssMB') },
  warm: { readMs: pick(warm, 'readMs'), parseMs: pick(warm, 'parseMs'), lookupMs: pick(warm, 'lookupMs'), decodeMs: pick(warm, 'decodeMs') },
  bpftoolRawDumpMs: bpftoolMs,
};
if (values.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const f = (x: number) => x.toFixed(1);
  console.log(`vmlinux BTF: ${result.types} types, ${(readFileSync(PATH).length / 2 ** 20).toFixed(1)} MiB; median of 5 fresh processes (cold) and 10 in-process runs (warm)`);
  console.log(`  read file        cold ${f(result.cold.readMs)} ms   warm ${f(result.warm.readMs)} ms`);
  console.log(`  parse + index    cold ${f(result.cold.parseMs)} ms   warm ${f(result.warm.parseMs)} ms`);
  console.log(`  ${lookups} lookups     cold ${f(result.cold.lookupMs)} ms   warm ${f(result.warm.lookupMs)} ms`);
  console.log(`  decode ${lookups} types cold ${f(result.cold.decodeMs)} ms   warm ${f(result.warm.decodeMs)} ms`);
  console.log(`  memory (cold, after all of the above): heap +${f(result.cold.heapMB)} MiB, RSS +${f(result.cold.rssMB)} MiB (the BTF bytes themselves: ${(readFileSync(PATH).length / 2 ** 20).toFixed(1)} MiB)`);
  const total = result.cold.readMs + result.cold.parseMs + result.cold.lookupMs;
  if (typeof bpftoolMs === 'number') {
    console.log(`  reference: bpftool btf dump ... format raw (libbpf parse + print everything) ${f(bpftoolMs)} ms; tsbcc open + ${lookups} lookups ${f(total)} ms (${(bpftoolMs / total).toFixed(1)}x less time)`);
  } else {
    console.log(`  reference: bpftool ${bpftoolMs}`);
  }
}
