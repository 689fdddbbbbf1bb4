// Kernel symbol lookup: BCC's ksym/ksymname text, module symbols out of order, and every text
// symbol of the running kernel found again from its own address (and from inside it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Kallsyms, kallsyms } from '../../src/sys/kallsyms.js';

const SAMPLE = [
  'ffffffff81000000 T _stext',
  'ffffffff81001000 T vfs_read',
  'ffffffff81001200 t helper_fn',
  'ffffffff82000000 D some_data',
  'ffffffffc0002000 t mod_b\t[xfs]',
  'ffffffffc0001000 t mod_a\t[xfs]',
  'ffffffffc0003000 T ext_fn\t[ext4]',
  'ffffffff81001200 W helper_alias',
].join('\n') + '\n';

test('ksym and ksymname print and answer as BCC does', () => {
  const k = new Kallsyms(SAMPLE);
  assert.equal(k.size, 8);
  assert.equal(k.ksym(0xffffffff81001010n), 'vfs_read');
  assert.equal(k.ksym(0xffffffff81001010n, { showOffset: true }), 'vfs_read+0x10');
  assert.equal(k.ksym(0xffffffff81001000n, { showOffset: true, showModule: true }), 'vfs_read+0x0 [kernel]');
  assert.equal(k.ksym(0xffffffffc0001004n, { showModule: true }), 'mod_a [xfs]');
  assert.equal(k.ksym(0xffffffffc0002fffn, { showOffset: true, showModule: true }), 'mod_b+0xfff [xfs]');
  assert.equal(k.ksym(0xffffffffc0003001n, { showModule: true }), 'ext_fn [ext4]');
  assert.equal(k.ksym(0x1000n, { showOffset: true, showModule: true }), '[unknown]');
  // Data symbols are not stack frames: an address past helper_fn stays in helper_fn's text.
  assert.equal(k.ksym(0xffffffff82000010n), 'helper_alias');
  assert.equal(k.ksymname('mod_a'), 0xffffffffc0001000n);
  assert.equal(k.ksymname('some_data'), 0xffffffff82000000n);
  assert.equal(k.ksymname('no_such_fn'), -1n);
  assert.equal(k.lookup('ext_fn')!.module, 'ext4');
  assert.equal(k.lookup('vfs_read')!.type, 'T');
  assert.ok(k.has('helper_fn') && !k.has('helper'));
  assert.deepEqual([...k.names()].sort(), ['_stext', 'ext_fn', 'helper_alias', 'helper_fn', 'mod_a', 'mod_b', 'some_data', 'vfs_read']);
});

test('hidden addresses (kptr_restrict) resolve to nothing', () => {
  const k = new Kallsyms('0000000000000000 T _stext\n0000000000000000 T vfs_read\n');
  assert.equal(k.addressesVisible, false);
  assert.equal(k.resolve(0xffffffff81001010n), undefined);
  assert.equal(k.ksym(0xffffffff81001010n), '[unknown]');
  assert.ok(k.has('vfs_read'));
});

const real = readFileSync('/proc/kallsyms', 'latin1');
const visible = /^[0-9a-f]*[1-9a-f][0-9a-f]* /m.test(real);

test('every text symbol of the running kernel resolves from its address', { skip: !visible && 'kernel addresses are hidden (not root)' }, () => {
  const t0 = performance.now();
  const k = kallsyms();
  const loadMs = performance.now() - t0;
  const text = real.split('\n').filter(Boolean).map((l) => l.split(/[ \t]/)).filter(([, t]) => /^[tTwW]$/.test(t!));
  // Addresses several symbols share resolve to one of them; check the address, and the name otherwise.
  const at = new Map<string, Set<string>>();
  for (const [a, , n] of text) { const s = at.get(a!) ?? new Set(); s.add(n!); at.set(a!, s); }
  const t1 = performance.now();
  let checked = 0;
  for (const [a] of text) {
    const addr = BigInt('0x' + a);
    const r = k.resolve(addr + 1n)!;
    if (addr === 0n) continue;
    assert.ok(r, `no symbol for 0x${a}`);
    if (r.symbol.address === addr) {
      assert.ok(at.get(a!)!.has(r.symbol.name));
      checked++;
    }
  }
  const perLookupUs = ((performance.now() - t1) * 1000) / text.length;
  console.log(`${k.size} symbols loaded in ${loadMs.toFixed(0)} ms; ${checked} resolved, ${perLookupUs.toFixed(2)} us per lookup`);
  assert.ok(checked > text.length * 0.9);
  const getppid = k.lookup('__x64_sys_getppid') ?? k.lookup('sys_getppid');
  if (getppid) assert.match(k.ksym(getppid.address + 4n, { showOffset: true, showModule: true }), /sys_getppid\+0x4 \[kernel\]$/);
});
