// Tool-shaped programs that use kernel types: they check against the running kernel's BTF.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { basename } from 'node:path';
import { Btf } from '../../src/btf/reader.js';
import { corpusFiles, checkClean } from '../fixtures/corpus.js';

const haveBtf = existsSync('/sys/kernel/btf/vmlinux');

for (const file of corpusFiles('kernel')) {
  test(`corpus kernel/${basename(file)}: checks cleanly against vmlinux BTF`, { skip: !haveBtf && 'no kernel BTF' }, () => {
    assert.deepEqual(checkClean(file, { btf: Btf.vmlinux() }), []);
  });
}

test('tsbcc check: clean program exits 0, broken one prints located diagnostics and exits 1', { skip: !haveBtf && 'no kernel BTF' }, () => {
  const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
  const good = spawnSync(process.execPath, [cli, 'check', corpusFiles('kernel')[0]!], { encoding: 'utf8' });
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stderr, /: 0 errors, 0 warnings \(/);
  const bad = spawnSync(process.execPath, [cli, 'check', corpusFiles('errors').find((f) => f.endsWith('syntax.c'))!], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /syntax\.c:3:11: error: expected an expression, found ';'\n {4}int x = ;/);
  assert.match(bad.stderr, /: 4 errors, 0 warnings/);
});
