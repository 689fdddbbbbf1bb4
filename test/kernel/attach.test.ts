// Raw tracepoints, trace_pipe output, and PROG_TEST_RUN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Assembler, R0, R1, R2, R3, R6, R10 } from '../../src/isa/asm.js';
import { loadProgram } from '../../src/load/index.js';
import { createMap, type ArrayTable } from '../../src/maps/index.js';
import { attachRawTracepoint, attachTracepoint } from '../../src/attach/index.js';
import { TracePipe, type TraceLine } from '../../src/events/index.js';
import { Workload } from '../fixtures/workload.js';
import { commFilter } from '../fixtures/programs.js';

const skip = process.getuid?.() !== 0 && 'needs root';

test('raw tracepoint sys_enter sees the syscall id in args[1]', { skip, timeout: 30000 }, () => {
  using wl = new Workload();
  using counts = createMap({ type: 'ARRAY', keySize: 4, valueSize: 8, maxEntries: 1 }) as ArrayTable;
  const a = new Assembler();
  a.mov64(R6, R1);
  commFilter(a, wl.comm, 'out');
  a.ldx('dw', R1, R6, 8).jmpImm('jne', R1, 110, 'out') // args[1]: the syscall number; 110 is getppid
    .st('w', R10, -4, 0).ldMapFd(R1, counts.fd).mov64(R2, R10).alu64Imm('add', R2, -4)
    .call('map_lookup_elem').jmpImm('jeq', R0, 0, 'out')
    .mov64Imm(R1, 1).atomic('add', 'dw', R0, R1, 0)
    .label('out').mov64Imm(R0, 0).exit();
  using prog = loadProgram({ type: 'RAW_TRACEPOINT', insns: a.assemble(), name: 'raw_getppid' });
  {
    using link = attachRawTracepoint(prog, 'sys_enter');
    assert.equal(link.kind, 'raw_tracepoint');
    wl.runSync(777);
  }
  wl.runSync(5); // detached: not counted
  assert.equal(counts.get(0)!.readBigUInt64LE(0), 777n);
});

test('an unknown raw tracepoint is named in the error', { skip }, () => {
  using prog = loadProgram({ type: 'RAW_TRACEPOINT', insns: new Assembler().mov64Imm(R0, 0).exit().assemble() });
  assert.throws(() => attachRawTracepoint(prog, 'no_such_tracepoint_xyz'), /raw tracepoint no_such_tracepoint_xyz does not exist/);
});

test('bpf_trace_printk lines arrive parsed from trace_pipe', { skip, timeout: 30000 }, async () => {
  using wl = new Workload();
  const marker = `tp${process.pid % 100000}`;
  const fmt = Buffer.alloc(24);
  fmt.write(`${marker} nr=%d\n`, 'latin1');
  const a = new Assembler();
  a.mov64(R6, R1);
  commFilter(a, wl.comm, 'out');
  for (let off = 0; off < fmt.length; off += 8) a.ld64Imm(R1, fmt.readBigUInt64LE(off)).stx('dw', R10, R1, -24 + off);
  a.ldxs('w', R3, R6, 8) // __syscall_nr
    .mov64(R1, R10).alu64Imm('add', R1, -24).mov64Imm(R2, fmt.indexOf(0) + 1)
    .call('trace_printk')
    .label('out').mov64Imm(R0, 0).exit();
  using prog = loadProgram({ type: 'TRACEPOINT', insns: a.assemble(), name: 'printk' });
  const N = 20;
  const lines: TraceLine[] = [];
  using pipe = new TracePipe(undefined, { filter: (l) => l.msg.startsWith(marker) });
  let pid: number;
  {
    using _l = attachTracepoint(prog, 'syscalls:sys_enter_getppid');
    pid = (await wl.run(N)).pid;
  }
  for await (const line of pipe) {
    lines.push(line);
    if (lines.length === N) break;
  }
  assert.equal(lines.length, N);
  for (const l of lines) {
    assert.equal(l.msg, `${marker} nr=110`);
    assert.equal(l.pid, pid);
    assert.equal(l.task, wl.comm);
    assert.equal(l.event, 'bpf_trace_printk');
    assert.ok(l.cpu >= 0 && l.ts > 0);
  }
});

test('PROG_TEST_RUN runs a socket filter over a packet', { skip }, () => {
  // return the packet length: r0 = skb->len (offset 0 of __sk_buff)
  const insns = new Assembler().ldx('w', R0, R1, 0).exit().assemble();
  using prog = loadProgram({ type: 'SOCKET_FILTER', insns });
  const r = prog.testRun({ dataIn: Buffer.alloc(64, 0xab), repeat: 10 });
  // The kernel builds an skb from the data and pulls the 14-byte Ethernet header: skb->len is 64 - 14.
  assert.equal(r.retval, 50);
});
