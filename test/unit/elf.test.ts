// The ELF reader against binutils (nm, readelf) and glibc (ldconfig -p) as oracles, plus
// user-space symbolization of this very process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { ElfFile, ElfType, SymbolType, resolveBinary, findLibrary, parseLdSoCache, parseMaps, readMaps,
  symbolizeUser, formatUserSymbol } from '../../src/elf/index.js';

const libc = resolveBinary('c');
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'latin1', maxBuffer: 64 << 20 });

test('resolveBinary finds libc by "c" and "libc", commands through PATH, paths as they are', () => {
  assert.match(libc, /^\/.*\/libc\.so\.6$/);
  assert.equal(resolveBinary('libc'), libc);
  assert.equal(resolveBinary('ls'), run('sh', ['-c', 'command -v ls']).trim());
  assert.equal(resolveBinary('/bin/true'), '/bin/true');
  assert.equal(findLibrary('c', process.pid)?.endsWith('libc.so.6'), true, 'from this process\'s mappings');
  assert.throws(() => resolveBinary('./no/such'), { message: 'binary ./no/such does not exist' });
});

test('/etc/ld.so.cache parses to what ldconfig -p lists', () => {
  const mine = parseLdSoCache(readFileSync('/etc/ld.so.cache')).map((e) => `${e.name} => ${e.path}`);
  const theirs = run('ldconfig', ['-p']).split('\n').map((l) => /^\s*(\S+) \(.*\) => (\S+)$/.exec(l))
    .filter((m) => m !== null).map((m) => `${m[1]} => ${m[2]}`);
  assert.ok(theirs.length > 10);
  assert.deepEqual(mine, theirs);
});

test('.dynsym with versions matches nm -D (libc: every defined symbol, address and versioned name)', () => {
  using elf = new ElfFile(libc);
  assert.equal(elf.type, ElfType.DYN);
  const mine = elf.symbols('dynsym').filter((s) => s.shndx !== 0).map((s) => `${s.value.toString(16).padStart(16, '0')} ${s.versionedName}`).sort();
  const theirs = run('nm', ['-D', '--defined-only', libc]).split('\n').filter(Boolean)
    .map((l) => { const [v, , n] = l.split(' '); return `${v} ${n}`; }).sort();
  assert.equal(mine.length, theirs.length);
  assert.deepEqual(mine, theirs);
  assert.equal(elf.findSymbol('memcpy')!.versionedName, 'memcpy@@GLIBC_2.14');
  assert.equal(elf.findSymbol('memcpy@GLIBC_2.2.5')!.defaultVersion, false);
  assert.equal(elf.findSymbol('memcpy')!.type, SymbolType.GNU_IFUNC);
});

test('.symtab matches nm, and the build-id and PIE-ness match readelf', () => {
  const src = `/tmp/tsbcc-elf-unit-${process.pid}.c`;
  execFileSync('sh', ['-c', `printf 'int tsbcc_f(int x){return x+1;}\\nint main(void){return tsbcc_f(0);}\\n' > ${src}`]);
  for (const flags of [['-pie', '-fPIE'], ['-no-pie']]) {
    const out = `/tmp/tsbcc-elf-unit-${process.pid}`;
    execFileSync('gcc', [...flags, '-Wl,--build-id', '-o', out, src]);
    using elf = new ElfFile(out);
    assert.equal(elf.isPie, flags[0] === '-pie');
    const mine = elf.symbols('symtab').filter((s) => s.shndx !== 0 && s.type !== SymbolType.FILE && s.type !== SymbolType.SECTION && s.name)
      .map((s) => `${s.value.toString(16).padStart(16, '0')} ${s.name}`).sort();
    const theirs = run('nm', ['--defined-only', out]).split('\n').filter(Boolean)
      .map((l) => { const [v, , n] = l.split(' '); return `${v} ${n}`; }).sort();
    assert.deepEqual(mine, theirs);
    const id = /Build ID: ([0-9a-f]+)/.exec(run('readelf', ['-n', out]))![1];
    assert.equal(elf.buildId(), id);
    // vaddr -> offset agrees with the section table readelf prints.
    const text = elf.section('.text')!;
    assert.equal(elf.vaddrToOffset(text.addr), text.offset);
    execFileSync('rm', ['-f', out]);
  }
  execFileSync('rm', ['-f', src]);
});

test('parseMaps reads /proc/<pid>/maps lines', () => {
  const m = parseMaps('7f0000000000-7f0000001000 r-xp 00002000 08:01 1234   /usr/lib/x.so (deleted)\n55d0-55e0 rw-p 00000000 00:00 0 \n');
  assert.deepEqual(m[0], { start: 0x7f0000000000n, end: 0x7f0000001000n, perms: 'r-xp', offset: 0x2000n, inode: 1234, path: '/usr/lib/x.so' });
  assert.equal(m[1]!.path, '');
});

test('symbolizeUser names a libc function in this process from its runtime address', () => {
  // Where libc's getpid is in this process: its file offset, mapped by an r-x mapping of libc.
  using elf = new ElfFile(libc);
  const sym = elf.findSymbol('getpid')!;
  const fileOff = BigInt(elf.vaddrToOffset(sym.value)!);
  const real = realpathSync(libc);
  const m = readMaps(process.pid).find((x) => x.path.startsWith('/') && realpathSync(x.path) === real && fileOff >= x.offset && fileOff < x.offset + (x.end - x.start))!;
  const addr = m.start + (fileOff - m.offset) + 3n;
  const s = symbolizeUser(process.pid, addr);
  const aliases = elf.symbols().filter((x) => x.value === sym.value && x.type === SymbolType.FUNC).map((x) => x.name);
  assert.ok(aliases.includes(s.name!), `${s.name} is one of ${aliases.join(', ')}`);
  assert.equal(s.offset, 3n);
  assert.equal(realpathSync(s.module!), real);
  assert.match(formatUserSymbol(s, true, true), /\+0x3 \[libc\.so\.6\]$/);
  assert.deepEqual(symbolizeUser(process.pid, 16n), { offset: 16n, module: undefined });
  assert.equal(formatUserSymbol(symbolizeUser(process.pid, 16n)), '[unknown]');
});
