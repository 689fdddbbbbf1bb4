// The VM runner's parsing: per-file kernel arguments and the totals of node's test reporters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelArgsOf, countsOf } from '../vm/run.js';

test('a test file asks for kernel arguments with a comment line of its own', () => {
  assert.equal(kernelArgsOf('// header\n// vm-kernel-args: lsm=lockdown,capability,bpf  \nimport x;\n'), 'lsm=lockdown,capability,bpf');
  assert.equal(kernelArgsOf('const s = "no // vm-kernel-args: here";\n'), '');
  assert.equal(kernelArgsOf('// nothing\n'), '');
});

test('totals come from the last summary of the spec or TAP reporter', () => {
  assert.deepEqual(countsOf('ℹ tests 3\nℹ suites 0\nℹ pass 2\nℹ fail 1\nℹ skipped 0\n'), { tests: 3, pass: 2, fail: 1, skipped: 0 });
  assert.deepEqual(countsOf('# tests 4\n# pass 1\n# fail 0\n# skipped 3\n'), { tests: 4, pass: 1, fail: 0, skipped: 3 });
  assert.deepEqual(countsOf('garbage'), { tests: 0, pass: 0, fail: 0, skipped: 0 });
});
