// Nothing outlives its process: a program attached by a process that is SIGKILLed is gone with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { bpf, native, StatsType, features, kernelVersion } from '../../src/sys/index.js';
import { Assembler, R0 } from '../../src/isa/asm.js';
import { loadProgram } from '../../src/load/index.js';
import { attachTracepoint } from '../../src/attach/index.js';
import { Workload } from '../fixtures/workload.js';

const skip = process.getuid?.() !== 0 && 'needs root';

async function gone(ids: () => Iterable<number>, id: number, ms = 3000): Promise<boolean> {
  // Programs and links are freed after an RCU grace period: give the kernel a moment.
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
    if (![...ids()].includes(id)) return true;
  }
  return false;
}

test('SIGKILL of the attaching process detaches and unloads everything', { skip, timeout: 30000 }, async () => {
  const mod = (p: string) => JSON.stringify(new URL(p, import.meta.url).href);
  const script = `
    const { loadProgram } = await import(${mod('../../src/load/index.js')});
    const { attachTracepoint } = await import(${mod('../../src/attach/index.js')});
    const prog = loadProgram({ type: 'TRACEPOINT', insns: Buffer.from('b7000000000000009500000000000000', 'hex'), name: 'victim' });
    const link = attachTracepoint(prog, 'sched:sched_switch');
    const { bpf } = await import(${mod('../../src/sys/index.js')});
    console.log(prog.info().id + ' ' + bpf.linkInfo(link.fd).id);
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const [progId, linkId] = line.split(' ').map(Number) as [number, number];
  assert.ok([...bpf.progIds()].includes(progId));
  assert.ok([...bpf.linkIds()].includes(linkId));
  child.kill('SIGKILL');
  await once(child, 'exit');
  assert.ok(await gone(bpf.linkIds, linkId), `link ${linkId} survived SIGKILL`);
  assert.ok(await gone(bpf.progIds, progId), `program ${progId} survived SIGKILL`);
});

test('ENABLE_STATS: the kernel counts runs of an attached program', { skip, timeout: 30000 }, () => {
  using wl = new Workload();
  const statsFd = bpf.enableStats(StatsType.RUN_TIME);
  try {
    using prog = loadProgram({ type: 'TRACEPOINT', insns: new Assembler().mov64Imm(R0, 0).exit().assemble(), name: 'stats' });
    {
      using _l = attachTracepoint(prog, 'syscalls:sys_enter_getppid');
      wl.runSync(1000);
    }
    const info = prog.info();
    assert.ok(info.runCnt >= 1000n, `run count ${info.runCnt}`);
    assert.ok(info.runTimeNs > 0n);
  } finally {
    native.close(statsFd);
  }
});

test('feature probes answer what this kernel has', { skip }, () => {
  // Facts about any kernel tsbcc supports (5.8+): these exist.
  for (const t of ['HASH', 'ARRAY', 'PERCPU_HASH', 'LRU_HASH', 'RINGBUF', 'STACK_TRACE', 'LPM_TRIE', 'QUEUE', 'ARRAY_OF_MAPS'] as const) {
    assert.equal(features.haveMapType(t), true, t);
  }
  for (const t of ['SOCKET_FILTER', 'KPROBE', 'TRACEPOINT', 'RAW_TRACEPOINT', 'XDP', 'PERF_EVENT', 'SCHED_CLS'] as const) {
    assert.equal(features.haveProgType(t), true, t);
  }
  assert.equal(features.haveBatchOps(), true);
  assert.equal(features.haveJmp32(), true);
  // ISA v4 arrived in Linux 6.6: the probe's answer must follow the kernel version.
  const [maj, min] = kernelVersion();
  assert.equal(features.haveIsaV4(), maj > 6 || (maj === 6 && min >= 6));
  assert.equal(features.haveHelper('TRACEPOINT', 130 /* ringbuf_output */), true);
  assert.equal(features.haveHelper('SOCKET_FILTER', 6 /* trace_printk */), true);
  assert.equal(features.haveHelper('TRACEPOINT', 100000), false);
});
