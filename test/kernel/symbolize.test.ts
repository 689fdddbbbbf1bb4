// End to end, what `profile` does: sample a busy process with a cpu-clock perf event, record its
// user stacks with bpf_get_stackid, and name the frames with symbolizeUser while it is still alive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Assembler, R0, R1, R2, R3, R4, R6, R10 } from '../../src/isa/asm.js';
import { loadProgram } from '../../src/load/index.js';
import { createMap, type HashTable, type StackTraceTable } from '../../src/maps/index.js';
import { PerfType, PerfCountSw } from '../../src/sys/index.js';
import { attachPerfEvent } from '../../src/attach/index.js';
import { symbolizeUser, formatUserSymbol } from '../../src/elf/index.js';

const skip = process.getuid?.() !== 0 && 'needs root';

/** Spins in tsbcc_spin() for argv[1] ms of CPU time, says "spun", and waits for stdin to close (20 s at most). */
function spinner(): string {
  const src = `#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <time.h>
__attribute__((noinline)) void tsbcc_spin(long ms) {
  struct timespec t; volatile unsigned long x = 0;
  do { for (int i = 0; i < 2000000; i++) x += i; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); }
  while (t.tv_sec * 1000 + t.tv_nsec / 1000000 < ms);
}
int main(int c, char **v) {
  alarm(20); /* never outlive a test that failed to end it */
  tsbcc_spin(atol(v[1]));
  printf("spun\\n"); fflush(stdout);
  while (getchar() != EOF) ;
  return 0;
}`;
  const bin = join(tmpdir(), `tsbcc-spin-${createHash('sha1').update(src).digest('hex').slice(0, 12)}`);
  if (!existsSync(bin)) {
    writeFileSync(`${bin}.c`, src);
    execFileSync('gcc', ['-O1', '-fno-omit-frame-pointer', '-o', `${bin}.${process.pid}`, `${bin}.c`]);
    execFileSync('mv', [`${bin}.${process.pid}`, bin]);
  }
  return bin;
}

test('user stacks sampled by a perf event symbolize to the functions that ran', { skip, timeout: 30000 }, async (t) => {
  const bin = spinner();
  using stacks = createMap({ type: 'STACK_TRACE', keySize: 4, valueSize: 8 * 127, maxEntries: 1024 }) as StackTraceTable;
  using hits = createMap({ type: 'HASH', keySize: 4, valueSize: 8, maxEntries: 1024 }) as HashTable;
  // The child's pid goes into the program, so it starts first; it is killed if anything below fails.
  const child = spawn(bin, ['200'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pid = child.pid!;
  let ok = false;
  try {
    // hits[stackid(user stack)] += 1, for samples of the child only.
    const a = new Assembler();
    a.mov64(R6, R1).call('get_current_pid_tgid').alu64Imm('rsh', R0, 32).jmpImm('jne', R0, pid, 'out')
      .mov64(R1, R6).ldMapFd(R2, stacks.fd).mov64Imm(R3, 1 << 8 /* BPF_F_USER_STACK */).call('get_stackid')
      .jmpImm('jslt', R0, 0, 'out').stx('w', R10, R0, -4)
      .ldMapFd(R1, hits.fd).mov64(R2, R10).alu64Imm('add', R2, -4).call('map_lookup_elem')
      .jmpImm('jeq', R0, 0, 'new').mov64Imm(R1, 1).atomic('add', 'dw', R0, R1, 0).ja('out')
      .label('new').st('dw', R10, -16, 1)
      .ldMapFd(R1, hits.fd).mov64(R2, R10).alu64Imm('add', R2, -4).mov64(R3, R10).alu64Imm('add', R3, -16)
      .mov64Imm(R4, 0).call('map_update_elem')
      .label('out').mov64Imm(R0, 0).exit();
    using prog = loadProgram({ type: 'PERF_EVENT', insns: a.assemble(), name: 'ustacks', license: 'GPL' });
    let total = 0, inSpin = 0, underMain = 0;
    {
      using _l = attachPerfEvent(prog, { type: PerfType.SOFTWARE, config: PerfCountSw.CPU_CLOCK, sampleFreq: 499, pid });
      await once(createInterface({ input: child.stdout! }), 'line'); // "spun": alive, stacks still mapped
      for (const [k, v] of hits.entries()) {
        const n = Number(v.readBigUInt64LE(0));
        const frames = stacks.get(k.readInt32LE(0))!.map((ip) => symbolizeUser(pid, ip));
        total += n;
        if (frames[0]?.name === 'tsbcc_spin' && frames[0].module === bin) inSpin += n;
        if (frames.some((f) => f.name === 'main' && f.module === bin)) underMain += n;
        t.diagnostic(`${n} x ${frames.map((f) => formatUserSymbol(f, true, true)).join(' <- ')}`);
      }
    }
    ok = true;
    assert.ok(total >= 30, `${total} samples of 200 ms at 499 Hz`);
    assert.ok(inSpin >= total * 0.8, `${inSpin} of ${total} samples' top frame is tsbcc_spin`);
    assert.ok(underMain >= total * 0.8, `${underMain} of ${total} stacks reach main (frame pointers)`);
  } finally {
    if (ok) child.stdin!.end(); else child.kill('SIGKILL');
    await once(child, 'exit');
  }
});
