// Parsers and encoders of the system layer, without a kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCpuList } from '../../src/sys/cpus.js';
import { Kallsyms } from '../../src/sys/kallsyms.js';
import { encodePerfEventAttr, PerfType, PERF_SAMPLE_RAW, PERF_FORMAT_LOST } from '../../src/sys/perf.js';
import { nearest, splitTracepoint } from '../../src/sys/tracefs.js';
import { kernelVersion } from '../../src/sys/rlimit.js';
import { objName } from '../../src/sys/bpf.js';
import { parseTraceLine } from '../../src/events/trace_pipe.js';
import { verifierReason } from '../../src/load/program.js';

test('cpu lists', () => {
  assert.deepEqual(parseCpuList('0-3,5,7-8\n'), [0, 1, 2, 3, 5, 7, 8]);
  assert.deepEqual(parseCpuList('0'), [0]);
});

test('kallsyms: by name, by address, modules', () => {
  const k = new Kallsyms([
    'ffffffff81000000 T _stext',
    'ffffffff81001000 T vfs_read',
    'ffffffff81001200 t helper_fn',
    'ffffffff82000000 D some_data',
    'ffffffffc0001000 t mod_fn\t[xfs]',
  ].join('\n'));
  assert.equal(k.lookup('vfs_read')!.address, 0xffffffff81001000n);
  assert.equal(k.lookup('mod_fn')!.module, 'xfs');
  const r = k.resolve(0xffffffff81001010n)!;
  assert.equal(r.symbol.name, 'vfs_read');
  assert.equal(r.offset, 0x10n);
  assert.equal(k.resolve(0xffffffff81001234n)!.symbol.name, 'helper_fn');
  assert.equal(k.resolve(0x1000n), undefined);
  assert.ok(k.addressesVisible);
});

test('perf_event_attr layout', () => {
  const b = encodePerfEventAttr({ type: PerfType.TRACEPOINT, config: 305, samplePeriod: 1, sampleType: PERF_SAMPLE_RAW,
    readFormat: PERF_FORMAT_LOST, wakeupEvents: 4096, watermark: true, disabled: true, config1: 7n });
  assert.equal(b.length, 128);
  assert.equal(b.readUInt32LE(0), 2);
  assert.equal(b.readUInt32LE(4), 128);
  assert.equal(b.readBigUInt64LE(8), 305n);
  assert.equal(b.readBigUInt64LE(16), 1n);
  assert.equal(b.readBigUInt64LE(24), 1024n);
  assert.equal(b.readBigUInt64LE(32), 16n);
  assert.equal(b.readBigUInt64LE(40), (1n << 14n) | 1n); // watermark, disabled
  assert.equal(b.readUInt32LE(48), 4096);
  assert.equal(b.readBigUInt64LE(56), 7n);
});

test('trace_pipe lines', () => {
  const a = parseTraceLine('           <...>-12345   [001] d..31  1234.567890: bpf_trace_printk: hello: world')!;
  assert.deepEqual({ ...a, raw: undefined }, { task: '<...>', pid: 12345, tgid: undefined, cpu: 1, flags: 'd..31',
    ts: 1234.56789, event: 'bpf_trace_printk', msg: 'hello: world', raw: undefined });
  const b = parseTraceLine('  my-task-name-77 ( 70) [000] ..... 10.000001: bpf_trace_printk: x')!;
  assert.equal(b.task, 'my-task-name');
  assert.equal(b.pid, 77);
  assert.equal(b.tgid, 70);
  assert.equal(parseTraceLine('CPU:1 [LOST 5 EVENTS]'), undefined);
});

test('verifier reason skips the statistics lines', () => {
  const log = '0: R1=ctx() R10=fp0\n0: (b7) r1 = 0\n1: (79) r0 = *(u64 *)(r1 +0)\nR1 invalid mem access \'scalar\'\n' +
    'processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n';
  assert.equal(verifierReason(log), "1: (79) r0 = *(u64 *)(r1 +0) | R1 invalid mem access 'scalar'");
  assert.equal(verifierReason(''), 'no verifier log');
});

test('names and suggestions', () => {
  assert.deepEqual(nearest('sys_enter_getppidd', ['sched_switch', 'sys_enter_read', 'sys_enter_getppid']), ['sys_enter_getppid', 'sys_enter_read']);
  assert.deepEqual(nearest('xyz', ['sched_switch']), []);
  assert.deepEqual(splitTracepoint('sched:sched_switch'), ['sched', 'sched_switch']);
  assert.throws(() => splitTracepoint('sched_switch'), /category:event/);
  assert.equal(objName('my-prog.with:bad chars and too long'), 'my_prog.with_ba');
  assert.deepEqual(kernelVersion('6.18.44-fc-v657'), [6, 18, 44]);
  assert.deepEqual(kernelVersion('5.4'), [5, 4, 0]);
});
