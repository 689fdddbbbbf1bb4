// A possibly-NULL map value used without a check is a compile-time diagnostic, located, before the
// verifier would refuse it; checked uses (on any copy) compile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileObject } from '../../src/compiler/object.js';
import { CompileError, formatDiagnostic } from '../../src/compiler/diagnostics.js';

const PROGRAM = (body: string) => `
#include <bpf/bpf_helpers.h>
struct { __uint(type, 1 /* hash */); __uint(max_entries, 64); __type(key, u32); __type(value, u64); } counts SEC(".maps");
SEC("socket")
int prog(void *ctx)
{
  u32 key = 1;
  u64 *v = bpf_map_lookup_elem(&counts, &key);
${body}
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;

function diagnostics(body: string): string[] {
  try {
    compileObject(PROGRAM(body), { filename: 'null.c' });
    return [];
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    return e.diagnostics.map((d) => formatDiagnostic(d));
  }
}

test('dereferencing an unchecked map value is reported at the use, with the lookup noted', () => {
  const d = diagnostics('  *v += 1;');
  assert.equal(d.length, 1, d.join('\n'));
  assert.match(d[0]!, /^null\.c:9:3: error: the result of bpf_map_lookup_elem\(\) may be NULL here \(it is read through\); compare it with NULL first/);
  assert.match(d[0]!, /null\.c:8:3: note: the pointer comes from here/);
});

test('checked uses compile: if (!v) return, if (v), copies, early returns', () => {
  assert.deepEqual(diagnostics('  if (!v) return 0;\n  *v += 1;'), []);
  assert.deepEqual(diagnostics('  if (v) __sync_fetch_and_add(v, 1);'), []);
  assert.deepEqual(diagnostics('  u64 *w = v;\n  if (!v) return 0;\n  *w = 5;'), []);
  assert.deepEqual(diagnostics('  if (v == 0) { bpf_map_update_elem(&counts, &key, &key, 0); return 0; }\n  *v = 2;'), []);
});

test('a check on one path does not cover the other', () => {
  const d = diagnostics('  if (key > 3 && v) *v = 1;\n  *v = 2;');
  assert.equal(d.length, 1, d.join('\n'));
  assert.match(d[0]!, /null\.c:10:3: error: the result of bpf_map_lookup_elem\(\) may be NULL here \(it is written through\)/);
});

test('a loop that can never exit is a located compile-time error; bounded loops compile', () => {
  const forever = diagnostics('  for (;;) { if (v) *v += 1; }');
  assert.equal(forever.length, 1, forever.join('\n'));
  assert.match(forever[0]!, /^null\.c:9:3: error: this loop never exits/);
  const spin = diagnostics('  while (1) { key++; }');
  assert.match(spin[0] ?? '', /null\.c:9:3: error: this loop never exits/);
  assert.deepEqual(diagnostics('  for (int i = 0; i < 8; i++) { if (v) *v += i; }'), []);
  assert.deepEqual(diagnostics('  while (1) { if (v) { *v += 1; break; } key++; if (key > 9) return 1; }'), []);
});

test('recursion through __noinline functions is a located compile-time error', () => {
  const src = `
#include <bpf/bpf_helpers.h>
static __noinline int down(int n);
static __noinline int up(int n) { return n > 0 ? down(n - 1) : 0; }
static __noinline int down(int n) { return up(n); }
SEC("socket")
int prog(void *ctx) { return up(3); }
char LICENSE[] SEC("license") = "GPL";
`;
  try {
    compileObject(src, { filename: 'rec.c' });
    assert.fail('compiled');
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    const text = e.diagnostics.map((d) => formatDiagnostic(d)).join('\n');
    assert.match(text, /^rec\.c:7:5: error: recursion is not allowed in BPF: 'up' calls 'down' calls 'up'/);
  }
});
