// Histogram text byte for byte against BCC: every case runs through BCC's own table.py (the
// python3-bpfcc package) and through tsbcc, and the outputs must be identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { haveBcc, bccHist, type BccHistCase } from '../fixtures/bcc_hist.js';
import {
  log2HistText, linearHistText, jsonHist, jsonHistText, log2HistOfEntries, linearHistOfEntries, jsonHistOfEntriesText,
  divToDouble, pyRepr, type Count,
} from '../../src/tables/hist.js';

const skip = !haveBcc() && 'BCC\'s python module (python3-bpfcc) is not installed: it is the oracle for the histogram layout';

/** A small deterministic PRNG (xorshift32), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
}

const zeros = (n: number): Count[] => new Array(n).fill(0);
const at = (n: number, pairs: [number, Count][]): Count[] => { const v = zeros(n); for (const [i, x] of pairs) v[i] = x; return v; };

function vectors(len: number): Count[][] {
  const r = rng(len);
  const out: Count[][] = [
    zeros(len),
    at(len, [[0, 5]]),
    at(len, [[1, 1]]),
    at(len, [[2, 7]]),
    at(len, [[5, 100], [6, 1]]),
    at(len, [[32, 3]]),
    at(len, [[33, 3]]),
    at(len, [[Math.min(64, len - 1), 1], [3, 2]]),
    at(len, [[1, 1], [2, 2], [3, 3]]), // 13.33 and 26.67 stars
    at(len, [[1, 1], [2, 3], [3, 7], [4, 11], [5, 39], [6, 40], [7, 41]]),
    at(len, [[4, 1], [9, 1000000000], [10, 999999999], [11, 1]]),
    // huge counts: bigints beyond 2^53, the largest u64
    at(len, [[3, 18446744073709551615n], [4, 9223372036854775808n], [5, 1], [6, 9007199254740993n]]),
    // width*val/max a hair below an integer: Python's correctly rounded division decides the stars
    at(len, [[2, 5n * 2n ** 61n], [3, 13n * 2n ** 58n - 1n], [4, 2n ** 58n * 7n + 1n], [5, 3n * 2n ** 59n - 1n]]),
    at(len, [[1, 3], [2, 0], [3, 0], [4, 9]]),
  ];
  for (let k = 0; k < 24; k++) {
    const v = zeros(len);
    const lo = Math.floor(r() * Math.min(len, 40)), width = 1 + Math.floor(r() * 30);
    const scale = [1, 10, 1000, 1e6, 1e12][Math.floor(r() * 5)]!;
    for (let i = lo; i < Math.min(len, lo + width); i++) if (r() < 0.8) v[i] = Math.floor(r() * scale * 10);
    out.push(v);
  }
  return out;
}

const VAL_TYPES = ['usecs', 'value', 'kbytes', 'a-value-type-longer-than-the-column-is-wide', ''];

test('log2 and linear histogram text is byte-for-byte BCC\'s', { skip }, () => {
  const cases: BccHistCase[] = [];
  let n = 0;
  for (const vals of vectors(65)) {
    for (const strip of [false, true]) cases.push({ fn: 'log2', vals, valType: VAL_TYPES[n++ % VAL_TYPES.length]!, strip });
  }
  for (const vals of [...vectors(65), ...vectors(1025), at(1025, [[1024, 2], [1000, 1]]), at(101, [[0, 1], [100, 2]])]) {
    for (const strip of [false, true]) cases.push({ fn: 'linear', vals, valType: VAL_TYPES[n++ % VAL_TYPES.length]!, strip });
  }
  const want = bccHist(cases);
  assert.ok(want.some((w) => w.includes('-> 18446744073709551615')), 'the wide layout is among the cases');
  cases.forEach((c, i) => {
    if (c.fn !== 'log2' && c.fn !== 'linear') return;
    const got = c.fn === 'log2' ? log2HistText(c.vals, c.valType, c.strip) : linearHistText(c.vals, c.valType, c.strip);
    assert.equal(got, want[i], `case ${i}: ${c.fn} ${JSON.stringify(c.vals.map(String))} strip=${c.strip}`);
  });
});

test('JSON histograms are BCC\'s print_json_hist output, and real JSON on request', { skip }, () => {
  const now = new Date(2026, 0, 2, 3, 4, 5); // the oracle's strftime is pinned to this
  const cases: BccHistCase[] = vectors(65).map((vals, i) => ({ fn: 'json', vals, valType: VAL_TYPES[i % VAL_TYPES.length]!,
    section: i % 3 === 0 ? ['Bucket ptr', i] : i % 3 === 1 ? ['disk', `sda'${i}`] : undefined }));
  const want = bccHist(cases);
  cases.forEach((c, i) => {
    if (c.fn !== 'json') return;
    const got = jsonHistText(jsonHist(c.vals, c.valType, c.section, now));
    assert.equal(got, want[i], `case ${i}`);
  });
  const h = jsonHist([0, 3, 0, 5], 'usecs', ['disk', 'sda'], now);
  assert.deepEqual(JSON.parse(jsonHistText(h, 'json')), { ts: '2026-01-02 03:04:05', val_type: 'usecs', disk: 'sda',
    data: [{ 'interval-start': 0, 'interval-end': 1, count: 3 }, { 'interval-start': 2, 'interval-end': 3, count: 0 }, { 'interval-start': 4, 'interval-end': 7, count: 5 }] });
});

test('histogram maps, with and without sections, print as BCC\'s table methods do', { skip }, () => {
  const now = new Date(2026, 0, 2, 3, 4, 5);
  const r = rng(7);
  const scalar: [number, number | bigint][] = [[3, 10], [1, 2], [7, 400], [5, 18446744073709551615n]];
  const sect: [[number, number], number][] = [];
  for (const bucket of [12, 4, 250, 7]) {
    for (let slot = 1; slot < 20; slot++) if (r() < 0.5) sect.push([[bucket, slot], 1 + Math.floor(r() * 1000)]);
  }
  const cases: (BccHistCase & { fn: 'table_log2' | 'table_linear' | 'table_json' })[] = [];
  for (const fn of ['table_log2', 'table_linear', 'table_json'] as const) {
    cases.push({ fn, items: scalar, valType: 'usecs' });
    cases.push({ fn, items: scalar, valType: 'usecs', strip: true });
    cases.push({ fn, items: sect, valType: 'msecs' });
    cases.push({ fn, items: sect, valType: 'msecs', sectionHeader: 'disk', printFn: 'hex', strip: true });
    cases.push({ fn, items: sect, valType: 'nsecs', bucketFn: 'mod3', sort: 'desc' });
  }
  const disks: [[string, number], number][] = [[['sda', 3], 5], [['nvme0n1', 4], 9], [['sda', 5], 2], [["it's", 1], 1]];
  for (const fn of ['table_log2', 'table_linear', 'table_json'] as const) cases.push({ fn, items: disks, valType: 'usecs', sectionHeader: 'disk' });
  const want = bccHist(cases);
  assert.match(want.at(-3)!, /\ndisk = b'sda'\n/);
  cases.forEach((c, i) => {
    // The decoded entries a TypedTable gives: scalar keys, or key structs { bucket, slot }.
    const entries = c.items.map(([k, v]) => [!Array.isArray(k) ? k : typeof k[0] === 'string' ? { disk: k[0], slot: BigInt(k[1]) } : { bucket: BigInt(k[0]), slot: BigInt(k[1]) }, BigInt(v)] as const);
    const opts = {
      sectionHeader: c.sectionHeader,
      sectionPrintFn: c.printFn === 'hex' ? (b: bigint) => '0x' + b.toString(16) : undefined,
      // Python's % on ints: the bucket stays an int, printed bare by %r.
      bucketFn: c.bucketFn === 'mod3' ? (b: bigint) => b % 3n : undefined,
      bucketSort: c.sort === 'desc' ? (bs: bigint[]) => [...bs].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)) : undefined,
      stripLeadingZero: c.strip,
      bucketBytes: c.items.some(([k]) => Array.isArray(k) && typeof k[0] === 'string'),
    };
    const got = c.fn === 'table_log2' ? log2HistOfEntries(entries, c.valType, opts)
      : c.fn === 'table_linear' ? linearHistOfEntries(entries, c.valType, opts)
        : jsonHistOfEntriesText(entries, c.valType, { ...opts, now });
    assert.equal(got, want[i], `case ${i}: ${c.fn} ${pyRepr(c)}`);
  });
});

test('divToDouble rounds as Python\'s true division does', () => {
  assert.equal(divToDouble(1n, 3n), 1 / 3);
  assert.equal(divToDouble(-7n, 2n), -3.5);
  // (2^60 * 3 - 1) / 2^60: just below 3, rounds to 3 in a double.
  assert.equal(divToDouble(3n * 2n ** 60n - 1n, 2n ** 60n), 3);
  assert.equal(divToDouble(2n ** 80n, 3n), 2 ** 80 / 3);
  // Ties go to even: (2^53 + 1) / 1 is exactly halfway between two doubles.
  assert.equal(divToDouble(2n ** 53n + 1n, 1n), 2 ** 53);
  assert.equal(divToDouble(2n ** 53n + 3n, 1n), 2 ** 53 + 4);
});

test('pyRepr prints as Python\'s repr', () => {
  assert.equal(pyRepr({ a: [1, 'x'], "it's": true, n: null }), `{'a': [1, 'x'], "it's": True, 'n': None}`);
  assert.equal(pyRepr('a\'b"c\n'), `'a\\'b"c\\n'`);
  assert.equal(pyRepr(12345678901234567890n), '12345678901234567890');
});
