// The C corpus, checked by tsbcc's front end, and by gcc as an oracle for the same _Static_asserts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join, basename } from 'node:path';
import { corpusFiles, checkClean, checkExpectations, CORPUS } from '../fixtures/corpus.js';

const have = (cmd: string) => { try { execFileSync(cmd, ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } };
const haveGcc = have('gcc'), haveClang = have('clang');

for (const file of corpusFiles('ok')) {
  test(`corpus ok/${basename(file)}: checks cleanly`, () => {
    assert.deepEqual(checkClean(file), []);
  });
  test(`corpus ok/${basename(file)}: gcc agrees (same static assertions)`, { skip: !haveGcc && 'gcc not installed' }, () => {
    execFileSync('gcc', ['-fsyntax-only', '-std=gnu11', '-Wno-unused', '-include', join(CORPUS, 'prelude.h'), file], { stdio: ['ignore', 'ignore', 'pipe'] });
  });
  test(`corpus ok/${basename(file)}: clang -target bpf agrees`, { skip: !haveClang && 'clang not installed (apt-get install clang)' }, () => {
    execFileSync('clang', ['-target', 'bpf', '-fsyntax-only', '-std=gnu11', '-Wno-unused', '-include', join(CORPUS, 'prelude.h'), file], { stdio: ['ignore', 'ignore', 'pipe'] });
  });
}

for (const file of corpusFiles('errors')) {
  test(`corpus errors/${basename(file)}: exactly the expected diagnostics`, () => {
    assert.deepEqual(checkExpectations(file), []);
  });
}
