// BCC's cflags as the BPF class reads them: -D/-U/-I/-include honored, code-generation and
// warning flags ignored, anything else one line naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCflags } from '../../src/bpf/cflags.js';

test('-D, -U, -I and -include, joined or separate', () => {
  assert.deepEqual(parseCflags(['-DA', '-DB=2', '-D', 'C=x y', '-UA', '-I/inc', '-I', 'rel', '-include', 'pre.h']), {
    defines: { B: '2', C: 'x y' }, includeDirs: ['/inc', 'rel'], includes: ['pre.h'],
  });
});

test('flags clang users pass out of habit are accepted and ignored', () => {
  assert.deepEqual(parseCflags(['-O2', '-g', '-Wno-macro-redefined', '-Wall', '-w', '-fno-stack-protector', '-march=native', '-target', 'bpf']),
    { defines: {}, includeDirs: [], includes: [] });
});

test('unknown flags and missing values are one line naming the flag', () => {
  assert.throws(() => parseCflags(['--bogus']), /^Error: cflags: unsupported flag '--bogus' \(tsbcc's compiler takes -D, -U, -I and -include; -O, -g, -W and -f flags are ignored\)$/);
  assert.throws(() => parseCflags(['-D']), /cflags: -D needs a value/);
  assert.throws(() => parseCflags(['-D=1']), /defines no name/);
});
