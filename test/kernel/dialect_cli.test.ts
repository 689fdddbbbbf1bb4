// `tsbcc compile`: the summary, --load against the real verifier (accepted and refused, with the C
// line), --disasm with source lines, and clang-style diagnostics (never a stack trace) for bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const skip = (process.getuid?.() !== 0 || !existsSync('/sys/kernel/btf/vmlinux')) && 'needs root and kernel BTF';
const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const CORPUS = fileURLToPath(new URL('../../../test/corpus/bcc/', import.meta.url));

function tsbcc(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, 'compile', ...args], { encoding: 'utf8', timeout: 60000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function withFile(name: string, text: string, fn: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'tsbcc-cli-'));
  try {
    const p = join(dir, name);
    writeFileSync(p, text);
    fn(p);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('tsbcc compile --load: a tool is summarized and every program accepted', { skip, timeout: 60000 }, () => {
  const r = tsbcc(join(CORPUS, 'opensnoop.c'), '--load');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^PROGRAM\s+TYPE\s+ATTACH\s+INSNS$/m);
  assert.match(r.out, /^tracepoint__syscalls__sys_enter_openat\s+tracepoint\s+tracepoint syscalls:sys_enter_openat\s+\d+$/m);
  assert.match(r.out, /^tracepoint__syscalls__sys_exit_openat: accepted by the verifier$/m);
  assert.match(r.out, /tables: infotmp \(BPF_HASH, 8\/\d+ bytes, 10240 entries\), events \(BPF_PERF_OUTPUT/);
});

test('tsbcc compile --type and -D: a function typed by hand, a macro from the command line', { skip, timeout: 60000 }, () => {
  withFile('filter.c', 'int keep(struct __sk_buff *skb) { return KEEP; }\n', (p) => {
    const r = tsbcc(p, '--type', 'keep=sched_cls', '-D', 'KEEP=0', '--load');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^keep\s+sched_cls\s+-\s+\d+$/m);
    assert.match(r.out, /^keep: accepted by the verifier$/m);
  });
});

test('tsbcc compile --load: a refused program exits 1 with the verifier reason at its C line', { skip, timeout: 60000 }, () => {
  // An index with no bound into a map value: only the verifier finds it.
  withFile('bad.c', 'BPF_ARRAY(a, u64, 4);\nTRACEPOINT_PROBE(syscalls, sys_enter_getppid) {\n  int k = 0;\n  u64 *v = a.lookup(&k);\n  if (!v) return 0;\n  u32 i = bpf_get_prandom_u32();\n  return v[i] > 7;\n}\n', (p) => {
    const r = tsbcc(p, '--load');
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /rejected by the verifier/);
    assert.match(r.err, /at bad\.c:7: return v\[i\] > 7;/);
    assert.doesNotMatch(r.err, /^\s+at .*\.js:\d+/m);
  });
});

test('tsbcc compile: a helper the program type cannot call is a located error before loading', { skip, timeout: 60000 }, () => {
  withFile('bad.c', 'TRACEPOINT_PROBE(syscalls, sys_enter_getppid) {\n  char b[4];\n  bpf_skb_load_bytes(args, 0, b, 4);\n  return b[0];\n}\n', (p) => {
    const r = tsbcc(p, '--load');
    assert.equal(r.code, 1);
    assert.match(r.err, /bad\.c:3:3: error: bpf_skb_load_bytes\(\) is not available to tracepoint programs on this kernel/);
    assert.doesNotMatch(r.err, /^\s+at .*\.js:\d+/m);
  });
});

test('tsbcc compile --disasm interleaves the C lines', { skip, timeout: 60000 }, () => {
  withFile('d.c', 'BPF_HASH(counts, u32);\nTRACEPOINT_PROBE(syscalls, sys_enter_getppid) {\n  u32 pid = bpf_get_current_pid_tgid() >> 32;\n  counts.increment(pid);\n  return 0;\n}\n', (p) => {
    const r = tsbcc(p, '--disasm');
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split('\n');
    const a = lines.findIndex((l) => l.startsWith('; u32 pid = bpf_get_current_pid_tgid() >> 32; @ ') && l.endsWith('d.c:3'));
    const b = lines.findIndex((l) => l.startsWith('; counts.increment(pid); @ ') && l.endsWith('d.c:4'));
    assert.ok(a >= 0 && b > a, r.out);
    assert.match(lines.slice(a, b).join('\n'), /call bpf_get_current_pid_tgid#14/);
    assert.match(lines.slice(b).join('\n'), /call bpf_map_lookup_elem#1/);
  });
});

test('tsbcc compile: bad input gets clang-style diagnostics and exit 1, no stack trace', { skip, timeout: 60000 }, () => {
  withFile('e.c', 'BPF_HASH(counts, u32);\nRAW_TRACEPOINT_PROBE(sched_switch) {\n  counts.incr(1);\n  return 0;\n}\n', (p) => {
    const r = tsbcc(p);
    assert.equal(r.code, 1);
    assert.match(r.err, /e\.c:3:10: error: 'counts' \(BPF_HASH\) has no method 'incr'; did you mean 'increment'\?\n {4}counts\.incr\(1\);\n {11}\^~~~/);
    assert.match(r.err, /e\.c: 1 error\n$/);
    assert.doesNotMatch(r.err, /\.js:\d+/);
  });
  const missing = tsbcc('/nonexistent/x.c');
  assert.equal(missing.code, 1);
  assert.equal(missing.err, 'tsbcc compile: /nonexistent/x.c: no such file\n');
  const usage = tsbcc();
  assert.equal(usage.code, 2);
  assert.match(usage.err, /^usage: tsbcc compile FILE/);
});

test('tsbcc compile --help prints the options and examples, and exits 0', () => {
  for (const flag of ['--help', '-h']) {
    const r = tsbcc(flag);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /compile FILE \[--load\] \[--disasm\]/);
    assert.match(r.out, /^examples:\n[\s\S]*tsbcc compile opensnoop\.c --load/m);
  }
});
