// Tool-shaped programs that use kernel types: they check against the running kernel's BTF.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { basename } from 'node:path';
import { Btf } from '../../src/btf/reader.js';
import { corpusFiles, checkClean } from '../fixtures/corpus.js';

const haveBtf = existsSync('/sys/kernel/btf/vmlinux');

const haveClang = spawnSync('clang', ['--version']).status === 0 && existsSync('/usr/include/bpf/bpf_helpers.h')
  && spawnSync('bpftool', ['version']).status === 0;
let vmlinuxDir: string | undefined;
function vmlinuxH(): string {
  if (!vmlinuxDir) {
    vmlinuxDir = mkdtempSync(join(tmpdir(), 'tsbcc-vmlinux-'));
    writeFileSync(join(vmlinuxDir, 'vmlinux.h'), execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { maxBuffer: 1 << 30 }));
  }
  return vmlinuxDir;
}

for (const file of corpusFiles('kernel')) {
  test(`corpus kernel/${basename(file)}: clang -target bpf accepts it too (vmlinux.h + libbpf headers)`, {
    skip: (!haveBtf || !haveClang) && 'needs BTF, clang, bpftool and libbpf-dev',
  }, () => {
    const r = spawnSync('clang', ['-target', 'bpf', '-O2', '-fsyntax-only', '-D__TARGET_ARCH_x86', '-I', vmlinuxH(), file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
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
