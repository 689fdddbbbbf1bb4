// Sampling perf events: a software cpu-clock at a fixed frequency samples a busy child; the program
// counts the samples that land in it. One perf event per online CPU, or one following a pid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { existsSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Assembler, R0, R1, R2, R6, R10 } from '../../src/isa/asm.js';
import { loadProgram } from '../../src/load/index.js';
import { createMap, type ArrayTable } from '../../src/maps/index.js';
import { onlineCpus, PerfType, PerfCountSw } from '../../src/sys/index.js';
import { attachPerfEvent } from '../../src/attach/index.js';
import { commFilter } from '../fixtures/programs.js';

const skip = process.getuid?.() !== 0 && 'needs root';

/** A C program that spins on the CPU for argv[1] milliseconds of its own CPU time. */
function busyBinary(): string {
  const src = `#include <stdlib.h>
#include <time.h>
int main(int c, char **v) {
  long ms = atol(v[1]); struct timespec t; volatile unsigned long x = 0;
  do { for (int i = 0; i < 100000; i++) x++; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); }
  while (t.tv_sec * 1000 + t.tv_nsec / 1000000 < ms);
  return 0;
}`;
  const bin = join(tmpdir(), `tsbcc-busy-${createHash('sha1').update(src).digest('hex').slice(0, 12)}`);
  if (!existsSync(bin)) {
    writeFileSync(`${bin}.c`, src);
    execFileSync('gcc', ['-O1', '-o', `${bin}.${process.pid}`, `${bin}.c`]);
    execFileSync('mv', [`${bin}.${process.pid}`, bin]);
  }
  return bin;
}

/** counts[0] += 1 for each sample whose task is called `comm`. */
function sampleCounter(countsFd: number, comm: string) {
  const a = new Assembler();
  a.mov64(R6, R1);
  commFilter(a, comm, 'out');
  a.st('w', R10, -4, 0).ldMapFd(R1, countsFd).mov64(R2, R10).alu64Imm('add', R2, -4)
    .call('map_lookup_elem').jmpImm('jeq', R0, 0, 'out')
    .mov64Imm(R1, 1).atomic('add', 'dw', R0, R1, 0)
    .label('out').mov64Imm(R0, 0).exit();
  return a.assemble();
}

const HZ = 1000, MS = 300;

for (const mode of ['every CPU', 'one pid'] as const) {
  test(`cpu-clock at ${HZ} Hz on ${mode}: the busy child gets about one sample per ms of CPU time`, { skip, timeout: 30000 }, async (t) => {
    const comm = `tsbccbusy${process.pid % 100000}`.slice(0, 15);
    const path = join(tmpdir(), comm);
    rmSync(path, { force: true });
    symlinkSync(busyBinary(), path);
    try {
      using counts = createMap({ type: 'ARRAY', keySize: 4, valueSize: 8, maxEntries: 1 }) as ArrayTable;
      using prog = loadProgram({ type: 'PERF_EVENT', insns: sampleCounter(counts.fd, comm), name: 'samples', license: 'GPL' });
      let link;
      if (mode === 'every CPU') {
        link = attachPerfEvent(prog, { type: PerfType.SOFTWARE, config: PerfCountSw.CPU_CLOCK, sampleFreq: HZ });
        assert.equal(link.allFds.length % onlineCpus().length, 0);
        assert.ok(link.allFds.length >= onlineCpus().length);
        spawnSync(path, [String(MS)]);
      } else {
        // Follow the child only: it must exist first, so a shell waits for a line, then execs it
        // (same pid, new comm).
        const child = spawn('sh', ['-c', `read go; exec ${path} ${MS}`], { stdio: ['pipe', 'ignore', 'inherit'] });
        link = attachPerfEvent(prog, { type: PerfType.SOFTWARE, config: PerfCountSw.CPU_CLOCK, sampleFreq: HZ, pid: child.pid! });
        assert.equal(link.allFds.length, 2); // one bpf_link + one perf event, on any CPU
        child.stdin!.end('go\n');
        await once(child, 'exit');
      }
      link.close();
      const n = Number(counts.get(0)!.readBigUInt64LE(0));
      t.diagnostic(`${mode}: ${n} samples`);
      // MS ms of CPU time at HZ: ~300 samples; the kernel's frequency adjustment starts from period 1
      // and settles in a few ms, and the shared CPUs add jitter — but never 10x off.
      assert.ok(n >= (MS * HZ) / 1000 / 3 && n <= (MS * HZ) / 1000 * 3, `${n} samples for ${MS} ms at ${HZ} Hz`);
    } finally {
      rmSync(path, { force: true });
    }
  });
}

test('perf event errors are one line', { skip }, () => {
  using prog = loadProgram({ type: 'PERF_EVENT', insns: new Assembler().mov64Imm(R0, 0).exit().assemble(), license: 'GPL' });
  assert.throws(() => attachPerfEvent(prog, { type: PerfType.SOFTWARE, config: PerfCountSw.CPU_CLOCK, sampleFreq: 99, pid: 0x3ffffff0 }),
    { message: `cannot open software perf event ${PerfCountSw.CPU_CLOCK}: no process with pid ${0x3ffffff0}` });
  assert.throws(() => attachPerfEvent(prog, { type: PerfType.SOFTWARE, config: PerfCountSw.CPU_CLOCK }),
    { message: 'attachPerfEvent: give exactly one of samplePeriod and sampleFreq' });
});
