// Tool-shaped programs that use kernel types: they check against the running kernel's BTF.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { Btf } from '../../src/btf/reader.js';
import { corpusFiles, checkClean } from '../fixtures/corpus.js';

const haveBtf = existsSync('/sys/kernel/btf/vmlinux');

for (const file of corpusFiles('kernel')) {
  test(`corpus kernel/${basename(file)}: checks cleanly against vmlinux BTF`, { skip: !haveBtf && 'no kernel BTF' }, () => {
    assert.deepEqual(checkClean(file, { btf: Btf.vmlinux() }), []);
  });
}
