// sym(): BCC's address formatting for user addresses through the injected UserSymbolizer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sym, setUserSymbolizer, type UserSymbolizer } from '../../src/tables/stack.js';

test('sym formats user addresses as BCC does, through the installed symbolizer', () => {
  const table: UserSymbolizer = {
    symbolize: (pid, addr) => pid !== 42 ? undefined
      : addr === 0x1000n ? { name: 'main', offset: 0x1an, module: '/usr/bin/app' }
        : addr === 0x2000n ? { offset: 0x2000n, module: '/usr/lib/x86_64-linux-gnu/libc.so.6' } : undefined,
  };
  assert.equal(sym(0x1000n, 42), '[unknown]', 'no symbolizer installed yet');
  setUserSymbolizer(table);
  try {
    assert.equal(sym(0x1000n, 42), 'main');
    assert.equal(sym(0x1000, 42, { showOffset: true }), 'main+0x1a');
    assert.equal(sym(0x1000n, 42, { showOffset: true, showModule: true }), 'main+0x1a [app]');
    // A known object without a symbol: no offset, the module still shown (BCC's format).
    assert.equal(sym(0x2000n, 42, { showOffset: true, showModule: true }), '[unknown] [libc.so.6]');
    assert.equal(sym(0x3000n, 42, { showOffset: true, showModule: true }), '[unknown]');
    assert.equal(sym(0x1000n, 7), '[unknown]');
    // An explicit symbolizer wins over the installed one.
    assert.equal(sym(0x1000n, 7, { userSymbolizer: { symbolize: () => ({ name: 'other' }) } }), 'other');
  } finally {
    setUserSymbolizer(undefined);
  }
});
