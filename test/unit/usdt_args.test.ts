// USDT argument specs (x86_64) as gcc and clang write them into .note.stapsdt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseUsdtArg, parseUsdtArgs, evalUsdtArg, PT_REGS_X86_64 } from '../../src/attach/usdt_args.js';
import { readUsdtProbes } from '../../src/attach/usdt.js';
import { findLibrary } from '../../src/elf/index.js';

const reg = (name: string, shift = 0) => ({ name, offset: PT_REGS_X86_64[name]!, shift });

test('registers of every width map to their 64-bit pt_regs slot', () => {
  assert.deepEqual(parseUsdtArg('-4@%edi'), { size: 4, signed: true, kind: 'reg', reg: reg('rdi'), text: '-4@%edi' });
  assert.deepEqual(parseUsdtArg('8@%rax').reg, reg('rax'));
  assert.deepEqual(parseUsdtArg('2@%si').reg, reg('rsi'));
  assert.deepEqual(parseUsdtArg('1@%sil').reg, reg('rsi'));
  assert.deepEqual(parseUsdtArg('1@%ah').reg, reg('rax', 8));
  assert.deepEqual(parseUsdtArg('-4@%r12d').reg, reg('r12'));
  assert.deepEqual(parseUsdtArg('2@%r9w').reg, reg('r9'));
  assert.deepEqual(parseUsdtArg('1@%r15b').reg, reg('r15'));
  assert.equal(PT_REGS_X86_64['rdi'], 112);
  assert.equal(PT_REGS_X86_64['rsp'], 152);
  assert.equal(PT_REGS_X86_64['r15'], 0);
});

test('memory operands: displacement, base, index and scale', () => {
  assert.deepEqual(parseUsdtArg('8@-8(%rbp)'), { size: 8, signed: false, kind: 'mem', reg: reg('rbp'), displacement: -8, text: '8@-8(%rbp)' });
  assert.deepEqual(parseUsdtArg('-4@(%rsp)'), { size: 4, signed: true, kind: 'mem', reg: reg('rsp'), displacement: 0, text: '-4@(%rsp)' });
  assert.deepEqual(parseUsdtArg('8@16(%rsp,%rcx,8)'),
    { size: 8, signed: false, kind: 'mem', reg: reg('rsp'), displacement: 16, index: reg('rcx'), scale: 8, text: '8@16(%rsp,%rcx,8)' });
  assert.deepEqual(parseUsdtArg('1@0x10(%rdi,%rax)').index, reg('rax'));
  assert.equal(parseUsdtArg('1@0x10(%rdi,%rax)').scale, 1);
  assert.equal(parseUsdtArg('2@-0x20(%r13)').displacement, -0x20);
});

test('constants, and specs without a size', () => {
  assert.deepEqual(parseUsdtArg('4@$5'), { size: 4, signed: false, kind: 'const', constant: 5n, text: '4@$5' });
  assert.equal(parseUsdtArg('-8@$-42').constant, -42n);
  assert.equal(parseUsdtArg('8@$0x7fffffffffffffff').constant, 0x7fffffffffffffffn);
  assert.equal(parseUsdtArg('%eax').size, 4, 'an old-style spec: the register width');
});

test('a whole argument string, as gcc -O2 wrote it for the test target', () => {
  const a = parseUsdtArgs('-4@%edx -8@%rsi -4@$5 -8@%rax');
  assert.deepEqual(a.map((x) => [x.size, x.signed, x.kind]), [[4, true, 'reg'], [8, true, 'reg'], [4, true, 'const'], [8, true, 'reg']]);
  assert.deepEqual(parseUsdtArgs(''), []);
});

test('bad specs get one line naming them', () => {
  assert.throws(() => parseUsdtArg('3@%eax'), { message: 'USDT argument "3@%eax": size 3 is not 1, 2, 4 or 8' });
  assert.throws(() => parseUsdtArg('4@%xmm0'), { message: 'USDT argument "4@%xmm0": unknown register %xmm0' });
  assert.throws(() => parseUsdtArg('8@counter(%rip)'), { message: 'USDT argument "8@counter(%rip)": %rip-relative operands (globals) are not supported' });
  assert.throws(() => parseUsdtArg('8@16(%rsp,%rcx,3)'), { message: 'USDT argument "8@16(%rsp,%rcx,3)": scale 3 is not 1, 2, 4 or 8' });
  assert.throws(() => parseUsdtArg('4@[x]'), { message: 'USDT argument "4@[x]": cannot parse the operand "[x]"' });
});

test('evalUsdtArg truncates and extends as the size says', () => {
  const regs = (r: string) => ({ rdi: 0xffffffff_fffffffen, rax: 0x1234n, rsp: 0x1000n, rcx: 2n } as Record<string, bigint>)[r]!;
  assert.equal(evalUsdtArg(parseUsdtArg('-4@%edi'), regs), -2n);
  assert.equal(evalUsdtArg(parseUsdtArg('4@%edi'), regs), 0xfffffffen);
  assert.equal(evalUsdtArg(parseUsdtArg('1@%ah'), regs), 0x12n);
  assert.equal(evalUsdtArg(parseUsdtArg('-2@$-1'), regs), -1n);
  const reads: bigint[] = [];
  assert.equal(evalUsdtArg(parseUsdtArg('-1@16(%rsp,%rcx,8)'), regs, (addr) => { reads.push(addr); return 0x80n; }), -128n);
  assert.deepEqual(reads, [0x1000n + 16n + 16n]);
});

test('the USDT probes of system binaries (python3, libstdc++) match readelf -n, and every argument parses', () => {
  const files = ['/usr/bin/python3', findLibrary('stdc++')].filter((f): f is string => !!f && existsSync(f));
  let total = 0;
  for (const f of files) {
    const text = execFileSync('readelf', ['-n', f], { encoding: 'latin1' });
    const re = /Provider: (\S+)\s+Name: (\S+)\s+Location: (0x[0-9a-f]+), Base: (0x[0-9a-f]+), Semaphore: (0x[0-9a-f]+)\s+Arguments: ?(.*)/g;
    const want = [...text.matchAll(re)].map((m) => [m[1], m[2], BigInt(m[3]!), BigInt(m[5]!), m[6]!.trim()]);
    const probes = readUsdtProbes(f);
    assert.deepEqual(probes.map((p) => [p.provider, p.name, p.pc, p.semaphore, p.argString]), want, f);
    for (const p of probes) {
      assert.equal(p.argError, undefined, `${f} ${p.provider}:${p.name} "${p.argString}"`);
      assert.equal(p.args!.length, p.argString ? p.argString.split(' ').length : 0);
      if (p.semaphore) assert.ok(p.semaphoreOffset !== undefined && p.semaphoreOffset > 0);
    }
    total += probes.length;
  }
  if (files.length) assert.ok(total > 0, 'found probes');
});
