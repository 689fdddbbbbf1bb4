// BTF-typed tracing on this host: tp_btf attaches and counts; fentry/fexit/fmod_ret/lsm either work
// or fail with one clear line (this kernel refuses them: see test/vm/fentry.test.ts for the guest).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { compileObject } from '../../src/compiler/object.js';
import { loadObject } from '../../src/load/index.js';
import { attachTpBtf, attachTracing, haveTrampolines } from '../../src/attach/index.js';
import { Btf } from '../../src/btf/reader.js';
import { features, NotSupportedError } from '../../src/sys/index.js';
import type { HashTable } from '../../src/maps/index.js';
import { Workload } from '../fixtures/workload.js';

const skip = (process.getuid?.() !== 0 || !existsSync('/sys/kernel/btf/vmlinux')) && 'needs root and kernel BTF';
const compile = (text: string) => compileObject(text, { filename: 'fentry.c', btf: Btf.vmlinux(), isaV4: features.haveIsaV4() });

const HEAD = `
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
`;

const TP_BTF = HEAD + `
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 256);
  __type(key, u32);
  __type(value, u64);
} counts SEC(".maps");

/* raw_syscalls:sys_enter, arguments typed from BTF: (struct pt_regs *regs, long id). */
SEC("tp_btf/sys_enter")
int BPF_PROG(count_getppid, struct pt_regs *regs, long id)
{
  u32 tgid = bpf_get_current_pid_tgid() >> 32;
  u64 one = 1, *v;

  if (id != 110)                   /* __NR_getppid */
    return 0;
  if (regs->orig_ax != 110)        /* a BTF pointer: read directly */
    return 0;
  v = bpf_map_lookup_elem(&counts, &tgid);
  if (v)
    __sync_fetch_and_add(v, 1);
  else
    bpf_map_update_elem(&counts, &tgid, &one, BPF_NOEXIST);
  return 0;
}
`;

test('tp_btf: a BTF-typed raw tracepoint counts exactly N getppid calls of the workload', { skip, timeout: 60_000 }, () => {
  const spec = compile(TP_BTF);
  assert.deepEqual(spec.programs.map((p) => [p.type, p.expectedAttachType, p.attachTo]), [['TRACING', 'TRACE_RAW_TP', 'sys_enter']]);
  using obj = loadObject(spec);
  using wl = new Workload();
  const N = 555;
  const prog = obj.program('count_getppid');
  let pid: number;
  {
    using link = attachTpBtf(prog);
    assert.equal(link.kind, 'tp_btf');
    pid = wl.runSync(N).pid;
  }
  const key = Buffer.alloc(4);
  key.writeUInt32LE(pid);
  const counts = obj.map<HashTable>('counts');
  assert.equal(counts.get(key)?.readBigUInt64LE(0), BigInt(N));
  // Detached: a second run is not counted.
  const again = wl.runSync(7).pid;
  const k2 = Buffer.alloc(4);
  k2.writeUInt32LE(again);
  assert.equal(counts.get(k2), undefined);
  // attachTracing picks the attach type the program was loaded with.
  attachTracing(prog).close();
});

test('fentry: works where the kernel has trampolines, else one clear line saying why and what to use', { skip }, () => {
  const spec = compile(HEAD + 'SEC("fentry/vfs_read") int BPF_PROG(on_read, struct file *f) { return 0; }\n' +
    'SEC("fexit/vfs_read") int BPF_PROG(on_read_exit, struct file *f, char *buf, size_t n, loff_t *pos, ssize_t ret) { return 0; }\n');
  assert.deepEqual(spec.programs.map((p) => p.expectedAttachType), ['TRACE_FENTRY', 'TRACE_FEXIT']);
  if (haveTrampolines()) {
    using obj = loadObject(spec);
    attachTracing(obj.program('on_read')).close();
    return;
  }
  assert.throws(() => loadObject(spec), (e: Error) => {
    assert.ok(e instanceof NotSupportedError, `${e.name}: ${e.message}`);
    assert.match(e.message, /^loading program on_read: this kernel refuses fentry programs \(BPF_PROG_LOAD fails with EPERM even as root/);
    assert.match(e.message, /use a tracepoint, raw tracepoint or tp_btf program instead$/);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
});

test('a misspelled target is one line naming it, with the nearest names BTF has', { skip }, () => {
  const cases: [string, RegExp][] = [
    ['fentry/vfs_raed', /^program p \(section "fentry\/vfs_raed"\): no kernel function 'vfs_raed' in BTF; did you mean vfs_read\b/],
    ['fmod_ret/security_file_opn', /no kernel function 'security_file_opn' in BTF; did you mean security_file_open\b/],
    ['lsm/file_opn', /no LSM hook 'file_opn' in BTF; did you mean file_open\b/],
    ['tp_btf/sched_swich', /no tracepoint 'sched_swich' in BTF; did you mean sched_switch\b/],
  ];
  for (const [section, re] of cases) {
    const spec = compile(HEAD + `SEC("${section}") int BPF_PROG(p) { return 0; }\n`);
    assert.throws(() => loadObject(spec), (e: Error) => { assert.match(e.message, re); assert.doesNotMatch(e.message, /\n/); return true; });
  }
});

test('section names: fmod_ret and the sleepable .s forms', () => {
  const spec = compileObject(HEAD.replace('#include <vmlinux.h>', 'typedef unsigned long long u64;') +
    'SEC("fmod_ret/security_file_open") int BPF_PROG(a) { return 0; }\n' +
    'SEC("fentry.s/vfs_read") int BPF_PROG(b) { return 0; }\n' +
    'SEC("lsm.s/file_open") int BPF_PROG(c) { return 0; }\n', { filename: 'sections.c' });
  assert.deepEqual(spec.programs.map((p) => [p.type, p.expectedAttachType, p.attachTo, p.sleepable ?? false]), [
    ['TRACING', 'MODIFY_RETURN', 'security_file_open', false],
    ['TRACING', 'TRACE_FENTRY', 'vfs_read', true],
    ['LSM', 'LSM_MAC', 'file_open', true],
  ]);
});
