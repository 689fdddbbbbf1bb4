// Proves the VM runner end to end: this file runs inside a guest booted from a kernel other than
// the host's, with what BPF tests expect mounted, and a tsbcc program loads, attaches and counts
// real events there. On the host (no TSBCC_VM_HOST_RELEASE) it skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { compileObject } from '../../src/compiler/object.js';
import { loadObject } from '../../src/load/index.js';
import { attachTracepoint, haveTrampolines } from '../../src/attach/index.js';
import { Btf } from '../../src/btf/reader.js';
import { features, kernelVersion } from '../../src/sys/index.js';
import type { HashTable } from '../../src/maps/index.js';
import { Workload } from '../fixtures/workload.js';

const hostRelease = process.env.TSBCC_VM_HOST_RELEASE;
const skip = !hostRelease && 'runs only inside a guest started by `npm run test:vm`';

test('the guest runs a different kernel from the host, with BTF, bpffs, tracefs and debugfs', { skip }, () => {
  assert.notEqual(release(), hostRelease, `guest and host both run ${release()}`);
  assert.ok(existsSync('/sys/kernel/btf/vmlinux'), 'no /sys/kernel/btf/vmlinux in the guest');
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' '));
  const at = (dir: string): string | undefined => mounts.find((m) => m[1] === dir)?.[2];
  assert.equal(at('/sys/fs/bpf'), 'bpf');
  assert.equal(at('/sys/kernel/tracing'), 'tracefs');
  assert.equal(at('/sys/kernel/debug'), 'debugfs');
  assert.equal(process.getuid?.(), 0);
});

test('feature probes answer for the guest kernel, not the host', { skip }, () => {
  // ISA v4 (sign-extending loads, signed division) arrived in 6.6; BPF trampolines long before.
  const [maj, min] = kernelVersion();
  assert.equal(features.haveIsaV4(), maj > 6 || (maj === 6 && min >= 6), `haveIsaV4() on ${release()}`);
  assert.equal(haveTrampolines(), true, `haveTrampolines() on ${release()}`);
});

const COUNTER = `
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 256);
  __type(key, u32);
  __type(value, u64);
} counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int count_getppid(void *ctx)
{
  u32 tgid = bpf_get_current_pid_tgid() >> 32;
  u64 one = 1, *v = bpf_map_lookup_elem(&counts, &tgid);

  if (v)
    __sync_fetch_and_add(v, 1);
  else
    bpf_map_update_elem(&counts, &tgid, &one, BPF_NOEXIST);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;

test('a tracepoint program counts exactly N getppid calls inside the guest', { skip, timeout: 120_000 }, () => {
  const spec = compileObject(COUNTER, { filename: 'smoke.c', btf: Btf.vmlinux(), isaV4: features.haveIsaV4() });
  using obj = loadObject(spec);
  using wl = new Workload();
  const N = 321;
  let pid: number;
  {
    using _link = attachTracepoint(obj.program('count_getppid'), 'syscalls:sys_enter_getppid');
    pid = wl.runSync(N).pid;
  }
  const key = Buffer.alloc(4);
  key.writeUInt32LE(pid);
  const v = obj.map<HashTable>('counts').get(key);
  assert.ok(v, `no count for the workload (pid ${pid})`);
  assert.equal(v.readBigUInt64LE(0), BigInt(N));
});
