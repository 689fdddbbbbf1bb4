// Tracepoint formats of the running kernel: every one parses into a sane layout, the layouts agree
// with what a C compiler makes of the generated structs, and records a program copies from its
// context decode to the values the workload knows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readTracepointFormat, parseTracepointFormat, tracepointStructC, decodeTracepointRecord, type TracepointFormat,
} from '../../src/btf/tracepoint_format.js';
import { TracepointNotFoundError, tracefsPath, numPossibleCpus } from '../../src/sys/index.js';
import { Assembler, R0, R1, R2, R3, R4, R5, R6, R10 } from '../../src/isa/asm.js';
import { loadProgram } from '../../src/load/index.js';
import { createMap, type PerfEventArray } from '../../src/maps/index.js';
import { attachTracepoint } from '../../src/attach/index.js';
import { PerfBuffer } from '../../src/events/index.js';
import { Workload } from '../fixtures/workload.js';
import { commFilter } from '../fixtures/programs.js';

const skip = process.getuid?.() !== 0 && 'needs root (tracefs and bpf())';
const SYS_getppid = 110;

/** Every events/<category>/<event> that has a format file. */
function allFormats(): [string, string][] {
  const out: [string, string][] = [];
  const events = tracefsPath('events');
  for (const cat of readdirSync(events, { withFileTypes: true })) {
    if (!cat.isDirectory()) continue;
    for (const ev of readdirSync(join(events, cat.name), { withFileTypes: true })) {
      if (ev.isDirectory() && existsSync(join(events, cat.name, ev.name, 'format'))) out.push([cat.name, ev.name]);
    }
  }
  return out;
}

test('every tracepoint format of this kernel parses into a sane layout', { skip }, (t) => {
  const all = allFormats();
  assert.ok(all.length > 100, `only ${all.length} formats under ${tracefsPath('events')}`);
  const kinds = { dataLoc: 0, relLoc: 0, arrays: 0, flexible: 0, sizeMismatch: 0 };
  for (const [cat, ev] of all) {
    const where = `${cat}:${ev}`;
    const fmt = readTracepointFormat(cat, ev);
    assert.equal(fmt.category, cat);
    assert.equal(fmt.event, ev);
    const idFile = tracefsPath('events', cat, ev, 'id');
    if (existsSync(idFile)) assert.equal(fmt.id, Number(readFileSync(idFile, 'latin1')), `${where}: ID`);
    assert.ok(fmt.fields.length >= 4, `${where}: ${fmt.fields.length} fields`);
    assert.deepEqual(fmt.fields.slice(0, 4).map((f) => f.name),
      ['common_type', 'common_flags', 'common_preempt_count', 'common_pid'], `${where}: common fields`);
    let end = 0;
    for (const f of fmt.fields) {
      assert.equal(f.common, f.name.startsWith('common_'), `${where}.${f.name}: common`);
      assert.ok(f.offset >= end, `${where}.${f.name} at ${f.offset} overlaps the field before, which ends at ${end}`);
      assert.ok(f.offset + f.size <= fmt.size, `${where}.${f.name} runs past the record (${fmt.size})`);
      assert.ok(f.name && f.cType && f.baseType, `${where}: empty name or type`);
      if (f.dataLoc || f.relLoc) assert.equal(f.size, 4, `${where}.${f.name}: a __data_loc is a u32`);
      if (f.arrayLen && f.size) assert.equal(f.size % f.arrayLen, 0, `${where}.${f.name}: ${f.size} bytes in ${f.arrayLen} elements`);
      end = f.offset + f.size;
      if (f.dataLoc) kinds.dataLoc++;
      if (f.relLoc) kinds.relLoc++;
      if (f.arrayLen !== undefined) kinds.arrays++;
      if (f.arrayLen === 0) kinds.flexible++;
    }
    assert.equal(fmt.size, end, `${where}: size is the end of the last field`);
    assert.ok(fmt.printFmt.length > 0 || cat === 'ftrace', `${where}: no print fmt`);
    // The kernel's text, parsed again: the same result (the cache hands out the first one).
    assert.equal(readTracepointFormat(cat, ev), fmt);
    assert.deepEqual(parseTracepointFormat(readFileSync(tracefsPath('events', cat, ev, 'format'), 'latin1'), cat, ev), fmt);
  }
  const msg = `${all.length} tracepoint formats parsed (${kinds.dataLoc} __data_loc, ${kinds.relLoc} __rel_loc, ` +
    `${kinds.arrays} arrays of which ${kinds.flexible} flexible)`;
  t.diagnostic(msg);
});

test('known layouts: sys_enter_openat, sched_switch, sched_process_exec', { skip }, () => {
  const openat = readTracepointFormat('syscalls', 'sys_enter_openat');
  const f = (fmt: TracepointFormat, name: string) => fmt.fields.find((x) => x.name === name)!;
  assert.deepEqual([f(openat, 'dfd').offset, f(openat, 'dfd').size], [16, 8]);
  assert.deepEqual([f(openat, 'filename').offset, f(openat, 'filename').size, f(openat, 'filename').cType], [24, 8, 'const char *']);
  assert.deepEqual([f(openat, '__syscall_nr').offset, f(openat, '__syscall_nr').size], [8, 4]);
  const sw = readTracepointFormat('sched', 'sched_switch');
  const prev = f(sw, 'prev_comm');
  assert.deepEqual([prev.cType, prev.baseType, prev.arrayLen, prev.offset, prev.size], ['char[16]', 'char', 16, 8, 16]);
  assert.match(tracepointStructC(sw), /^struct tracepoint__sched__sched_switch \{\n\tu64 __do_not_use__;\n\tchar prev_comm\[16\];\n/);
  const exec = readTracepointFormat('sched', 'sched_process_exec');
  assert.deepEqual({ ...f(exec, 'filename') }, { name: 'filename', cType: '__data_loc char[]', baseType: 'char',
    offset: 8, size: 4, signed: false, common: false, dataLoc: true });
  assert.ok(Object.isFrozen(exec) && Object.isFrozen(exec.fields) && Object.isFrozen(exec.fields[0]));
});

test('an unknown tracepoint throws TracepointNotFoundError naming it, with suggestions', { skip }, () => {
  assert.throws(() => readTracepointFormat('sched', 'sched_swich'), (e: unknown) => {
    assert.ok(e instanceof TracepointNotFoundError);
    assert.equal(e.category, 'sched');
    assert.equal(e.event, 'sched_swich');
    assert.ok(e.suggestions.includes('sched:sched_switch'), `suggestions: ${e.suggestions.join(', ')}`);
    assert.match(e.message, /tracepoint sched:sched_swich does not exist \(did you mean sched:sched_switch/);
    return true;
  });
  // A right event in the wrong category is suggested in its own.
  assert.throws(() => readTracepointFormat('syscalls', 'sched_process_exec'),
    (e: unknown) => e instanceof TracepointNotFoundError && e.suggestions.includes('sched:sched_process_exec'));
  // Names that are not names are not looked up as paths.
  assert.throws(() => readTracepointFormat('..', 'sched'), TracepointNotFoundError);
  assert.throws(() => readTracepointFormat('sched/../sched', 'sched_switch'), TracepointNotFoundError);
});

test('the generated structs have the kernel\'s layout, according to gcc (vmlinux.h from bpftool)', { skip }, (t) => {
  const have = (cmd: string) => { try { execFileSync(cmd, ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } };
  if (!have('gcc') || !have('bpftool') || !existsSync('/sys/kernel/btf/vmlinux')) {
    t.skip('needs gcc, bpftool and /sys/kernel/btf/vmlinux');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tsbcc-tpfmt-'));
  try {
    writeFileSync(join(dir, 'vmlinux.h'),
      execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { maxBuffer: 1 << 30 }));
    let c = '#include "vmlinux.h"\n#define offsetof(t, m) __builtin_offsetof(t, m)\n';
    let checks = 0;
    for (const [cat, ev] of allFormats()) {
      const fmt = readTracepointFormat(cat, ev);
      const s = `struct tracepoint__${cat}__${ev}`;
      c += tracepointStructC(fmt);
      for (const f of fmt.fields) {
        if (f.common) continue;
        const m = f.dataLoc ? `data_loc_${f.name}` : f.relLoc ? `rel_loc_${f.name}` : f.name;
        c += `_Static_assert(offsetof(${s}, ${m}) == ${f.offset}, "${cat}:${ev} ${f.name} offset");\n`;
        if (f.size) c += `_Static_assert(sizeof(((${s} *)0)->${m}) == ${f.size}, "${cat}:${ev} ${f.name} size");\n`;
        checks++;
      }
    }
    writeFileSync(join(dir, 'tp.c'), c);
    try {
      execFileSync('gcc', ['-fsyntax-only', '-w', join(dir, 'tp.c')], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const err = String((e as { stderr?: Buffer }).stderr ?? e);
      assert.fail(`gcc disagrees with the generated structs:\n${err.split('\n').filter((l) => /error/.test(l)).slice(0, 20).join('\n')}`);
    }
    t.diagnostic(`${checks} fields checked by gcc`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * A program that sends the first `n` bytes of its context (the raw record and what follows it) to
 * `events`, for the task named `comm` only. The first 8 bytes, where the common fields were, hold
 * a pt_regs pointer by the time the program runs (perf_trace_run_bpf_submit puts it there) and the
 * verifier forbids reading them: they are sent as zeros. The verifier lets a tracepoint program
 * load from its context at offsets 8 and up, and attaching fails with EACCES if the program reads
 * past the fixed part of the record (`fmt.size`): so the fields are copied with ldx/stx, and
 * whatever lies past the record (__data_loc data) with probe_read_kernel.
 */
function recordCopyProgram(eventsFd: number, comm: string, fmt: TracepointFormat, n: number) {
  assert.ok(n % 8 === 0 && n >= fmt.size && n <= 512 - 64);
  const base = -(64 + n); // commFilter uses fp-64..fp-48
  const a = new Assembler();
  a.mov64(R6, R1);
  commFilter(a, comm, 'skip');
  a.st('dw', R10, base, 0);
  for (let off = 8; off < fmt.size;) {
    const w = ([8, 4, 2, 1] as const).find((k) => off % k === 0 && off + k <= fmt.size)!;
    a.ldx(w, R1, R6, off).stx(w, R10, R1, base + off);
    off += w;
  }
  if (n > fmt.size) {
    a.mov64(R1, R10).alu64Imm('add', R1, base + fmt.size).mov64Imm(R2, n - fmt.size)
      .mov64(R3, R6).alu64Imm('add', R3, fmt.size).call('probe_read_kernel');
  }
  a.mov64(R1, R6).ldMapFd(R2, eventsFd).ld64Imm(R3, 0xffffffffn) // BPF_F_CURRENT_CPU
    .mov64(R4, R10).alu64Imm('add', R4, base).mov64Imm(R5, n)
    .call('perf_event_output')
    .label('skip')
    .mov64Imm(R0, 0).exit();
  return a.assemble();
}

async function captureRecords(tp: string, n: number, runs: number) {
  using wl = new Workload();
  const [cat, ev] = tp.split(':') as [string, string];
  const fmt = readTracepointFormat(cat, ev);
  using events = createMap({ type: 'PERF_EVENT_ARRAY', keySize: 4, valueSize: 4, maxEntries: numPossibleCpus() }) as PerfEventArray;
  using prog = loadProgram({ type: 'TRACEPOINT', insns: recordCopyProgram(events.fd, wl.comm, fmt, n), name: 'tp_record' });
  const records: ReturnType<typeof decodeTracepointRecord>[] = [];
  using pb = new PerfBuffer(events, (data) => {
    assert.ok(data.length >= n, `a ${data.length}-byte sample`);
    records.push(decodeTracepointRecord(fmt, data, { common: false }));
  });
  let pid: number;
  {
    using _l = attachTracepoint(prog, tp);
    pid = (await wl.run(runs)).pid;
  }
  pb.poll();
  return { fmt, records, pid, wl: { path: wl.path, comm: wl.comm } };
}

test('end to end: syscalls:sys_enter_getppid records decode to the workload\'s calls', { skip, timeout: 30000 }, async () => {
  const N = 7;
  const fmt = readTracepointFormat('syscalls', 'sys_enter_getppid');
  assert.equal(fmt.size, 12); // int __syscall_nr at 8
  const { records, pid } = await captureRecords('syscalls:sys_enter_getppid', 16, N);
  assert.equal(records.length, N);
  for (const r of records) assert.deepEqual(r, { __syscall_nr: SYS_getppid });
  assert.ok(pid > 0);
});

test('end to end: sched:sched_process_exec decodes __data_loc filename, pid and old_pid', { skip, timeout: 30000 }, async () => {
  // The record is 20 bytes; the filename follows it: copy enough to hold a path in tmpdir.
  const { fmt, records, pid, wl } = await captureRecords('sched:sched_process_exec', 8 * Math.ceil((24 + 64) / 8), 1);
  assert.ok(wl.path.length < 64, wl.path);
  assert.equal(records.length, 1);
  assert.deepEqual(records[0], { filename: wl.path, pid, old_pid: pid });
  assert.equal(fmt.size, 20);
});
