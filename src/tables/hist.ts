// Histograms as BCC prints them: the log2 and linear text histograms and the "JSON" one, byte for
// byte the same as BCC's table.py (print_log2_hist, print_linear_hist, print_json_hist), so tool
// output matches what BCC users know and what scripts parse. The counts may be numbers or bigints.
//
// The text layouts, from BCC:
//   log2:   "     %-19s : count     distribution" then "%10d -> %-10d : %-8d |%-40s|" per slot,
//           widening to "%20d -> %-20d" (20 stars) when a slot above 32 is used; slot 0 is never
//           printed (bpf_log2l puts 1 in slot 1, so slot 0 only ever holds 0s).
//   linear: "     %-13s : count     distribution" then "        %-10d : %-8d |%-40s|".
// The star count is `width * count / max` computed as Python does: one correctly rounded division.

/** A histogram count. */
export type Count = number | bigint;

const STARS_MAX = 40;
/** Slots a log2 histogram holds (enough for any 64-bit value), and a linear one (BCC's limits). */
export const LOG2_INDEX_MAX = 65;
export const LINEAR_INDEX_MAX = 1025;

// ---- the count-vector forms (BCC's _print_log2_hist, _print_linear_hist, _print_json_hist) ---------

/** The log2 histogram of `vals` (index = slot) as BCC prints it, each line ending in "\n". */
export function log2HistText(vals: readonly Count[], valType = 'value', stripLeadingZero = false): string {
  const { idxMax, valMax } = extent(vals);
  const narrow = idxMax <= 32;
  const stars = narrow ? STARS_MAX : STARS_MAX / 2;
  const w = narrow ? 10 : 20;
  let out = '';
  if (idxMax > 0) out += narrow ? `     ${padEnd(valType, 19)} : count     distribution\n` : `               ${padEnd(valType, 29)} : count     distribution\n`;
  let strip = stripLeadingZero;
  for (let i = 1; i <= idxMax; i++) {
    let low = (1n << BigInt(i)) >> 1n;
    const high = (1n << BigInt(i)) - 1n;
    if (low === high) low -= 1n;
    const val = big(vals[i] ?? 0);
    if (strip && val === 0n) continue;
    strip = false;
    out += `${padStart(String(low), w)} -> ${padEnd(String(high), w)} : ${padEnd(String(val), 8)} |${padEnd(starBar(val, valMax, stars), stars)}|\n`;
  }
  return out;
}

/** The linear histogram of `vals` (index = value) as BCC prints it. */
export function linearHistText(vals: readonly Count[], valType = 'value', stripLeadingZero = false): string {
  const { idxMax, valMax } = extent(vals);
  let out = '';
  if (idxMax >= 0) out += `     ${padEnd(valType, 13)} : count     distribution\n`;
  let strip = stripLeadingZero;
  for (let i = 0; i <= idxMax; i++) {
    const val = big(vals[i] ?? 0);
    if (strip && val === 0n) continue;
    strip = false;
    out += `        ${padEnd(String(i), 10)} : ${padEnd(String(val), 8)} |${padEnd(starBar(val, valMax, STARS_MAX), STARS_MAX)}|\n`;
  }
  return out;
}

/** One interval of a JSON histogram. */
export interface JsonHistBucket { 'interval-start': Count; 'interval-end': Count; count: Count }
/** The object BCC's print_json_hist prints: a timestamp, the value type, the intervals and the section, if any. */
export interface JsonHist { ts: string; val_type: string; data: JsonHistBucket[]; [section: string]: unknown }

/**
 * The JSON histogram of log2 `vals`: intervals [0,1], [2,3], [4,7] ... up to the last non-zero slot.
 * `now` stamps it (default: the current local time, as BCC's strftime gives it).
 */
export function jsonHist(vals: readonly Count[], valType = 'value', section?: [string, unknown], now = new Date()): JsonHist {
  let maxNonzero = 0;
  vals.forEach((v, i) => { if (big(v) !== 0n) maxNonzero = i; });
  const data: JsonHistBucket[] = [];
  let index = 1n, prev = 0n;
  for (let i = 1; i <= maxNonzero && i < vals.length; i++) {
    index *= 2n;
    data.push({ 'interval-start': num(prev), 'interval-end': num(index - 1n), count: num(big(vals[i]!)) });
    prev = index;
  }
  const h: JsonHist = { ts: strftime(now), val_type: valType, data };
  if (section) h[section[0]] = section[1];
  return h;
}

/**
 * How a JSON histogram is printed. BCC prints the Python dict (`print(histogram)`: single quotes),
 * which is what 'bcc' gives, byte for byte; 'json' gives real JSON (one object per line) for tools
 * whose output other programs parse.
 */
export type JsonHistFormat = 'bcc' | 'json';

/** One histogram as a line of text: BCC's Python dict, or JSON (bigints beyond 2^53 become the nearest double). */
export function jsonHistText(h: JsonHist, format: JsonHistFormat = 'bcc'): string {
  return (format === 'json' ? JSON.stringify(h, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)) : pyRepr(h)) + '\n';
}

// ---- the table forms: entries of a histogram map, maybe with sections ------------------------

/** Bucket callbacks take `any`: they get whatever the key's bucket field decodes to (or bucketFn made of it). */
export interface HistOptions {
  /** Section heading for struct keys (BCC's section_header; default "Bucket ptr"). */
  sectionHeader?: string;
  /** Formats a section's bucket value (BCC's section_print_fn); default: its Python repr. */
  sectionPrintFn?: (bucket: any) => string;
  /** Maps a key's bucket field to the bucket sections are grouped by (BCC's bucket_fn). */
  bucketFn?: (bucket: any) => unknown;
  /** Orders the buckets (BCC's bucket_sort_fn); default: the order the map gave them. */
  bucketSort?: (buckets: any[]) => unknown[];
  /** Leave out the zero rows before the first non-zero one (BCC's strip_leading_zero). */
  stripLeadingZero?: boolean;
  /**
   * The bucket field is a char array: BCC has it as Python bytes and prints `disk = b'sda'`; with
   * this set, string buckets print that way too (typed tables set it from the key's type).
   */
  bucketBytes?: boolean;
}

export interface JsonHistOptions extends Omit<HistOptions, 'stripLeadingZero'> {
  format?: JsonHistFormat;
  now?: Date;
}

type Entry = readonly [unknown, unknown];

/**
 * Sections of a histogram map. A scalar key is the slot; a struct key holds the slot in its field
 * `slot` (else its second field, as BCC takes it) and the section bucket in its first other field.
 */
function sections(entries: Iterable<Entry>, minLen: number, opts: HistOptions):
  { sectioned: false; vals: Count[] } | { sectioned: true; list: { bucket: unknown; vals: Count[] }[] } {
  const flat: Count[] = new Array(minLen).fill(0);
  const byBucket = new Map<string, { bucket: unknown; vals: Count[] }>();
  let sectioned: boolean | undefined;
  for (const [k, v] of entries) {
    const value = countOf(v);
    if (k !== null && typeof k === 'object') {
      sectioned = true;
      const names = Object.keys(k);
      const slotName = names.includes('slot') ? 'slot' : names[1];
      const bucketName = names.find((n) => n !== slotName);
      if (slotName === undefined || bucketName === undefined) throw new TypeError('a sectioned histogram needs a key struct with a bucket field and a slot field');
      let bucket = (k as Record<string, unknown>)[bucketName];
      if (opts.bucketFn) bucket = opts.bucketFn(bucket);
      const id = pyRepr(bucket);
      let s = byBucket.get(id);
      if (!s) byBucket.set(id, (s = { bucket, vals: new Array(minLen).fill(0) }));
      put(s.vals, slotIndex((k as Record<string, unknown>)[slotName]), value);
    } else {
      sectioned = false;
      put(flat, slotIndex(k), value);
    }
  }
  if (!sectioned) return { sectioned: false, vals: flat };
  let list = [...byBucket.values()];
  if (opts.bucketSort) {
    const order = opts.bucketSort(list.map((s) => s.bucket));
    const byId = new Map(list.map((s) => [pyRepr(s.bucket), s]));
    list = order.map((b) => byId.get(pyRepr(b))!).filter(Boolean);
  }
  return { sectioned: true, list };
}

/** A bucket as BCC holds it: char-array buckets are bytes. */
const asPython = (opts: HistOptions, bucket: unknown): unknown =>
  opts.bucketBytes && typeof bucket === 'string' ? Buffer.from(bucket, 'latin1') : bucket;

function sectionLine(opts: HistOptions, bucket: unknown): string {
  const shown = opts.sectionPrintFn ? opts.sectionPrintFn(bucket) : pyRepr(asPython(opts, bucket));
  return `\n${opts.sectionHeader ?? 'Bucket ptr'} = ${shown}\n`;
}

/** The text of a log2 histogram map (BCC's print_log2_hist), from its decoded [key, value] entries. */
export function log2HistOfEntries(entries: Iterable<Entry>, valType = 'value', opts: HistOptions = {}): string {
  const s = sections(entries, LOG2_INDEX_MAX, opts);
  if (!s.sectioned) return log2HistText(s.vals, valType, !!opts.stripLeadingZero);
  return s.list.map(({ bucket, vals }) => sectionLine(opts, bucket) + log2HistText(vals, valType, !!opts.stripLeadingZero)).join('');
}

/** The text of a linear histogram map (BCC's print_linear_hist). */
export function linearHistOfEntries(entries: Iterable<Entry>, valType = 'value', opts: HistOptions = {}): string {
  const s = sections(entries, LINEAR_INDEX_MAX, opts);
  if (!s.sectioned) return linearHistText(s.vals, valType, !!opts.stripLeadingZero);
  return s.list.map(({ bucket, vals }) => sectionLine(opts, bucket) + linearHistText(vals, valType, !!opts.stripLeadingZero)).join('');
}

/** The JSON histograms of a log2 histogram map (BCC's print_json_hist): one per section. */
export function jsonHistsOfEntries(entries: Iterable<Entry>, valType = 'value', opts: JsonHistOptions = {}): JsonHist[] {
  const s = sections(entries, LOG2_INDEX_MAX, opts);
  if (!s.sectioned) return [jsonHist(s.vals, valType, undefined, opts.now)];
  const header = opts.sectionHeader ?? 'Bucket ptr';
  return s.list.map(({ bucket, vals }) =>
    jsonHist(vals, valType, [header, opts.sectionPrintFn ? opts.sectionPrintFn(bucket) : opts.format === 'json' ? bucket : asPython(opts, bucket)], opts.now));
}

export function jsonHistOfEntriesText(entries: Iterable<Entry>, valType = 'value', opts: JsonHistOptions = {}): string {
  return jsonHistsOfEntries(entries, valType, opts).map((h) => jsonHistText(h, opts.format)).join('');
}

// ---- helpers ---------------------------------------------------------------------------------

function extent(vals: readonly Count[]): { idxMax: number; valMax: bigint } {
  let idxMax = -1, valMax = 0n;
  for (let i = 0; i < vals.length; i++) {
    const v = big(vals[i]!);
    if (v > 0n) idxMax = i;
    if (v > valMax) valMax = v;
  }
  return { idxMax, valMax };
}

const big = (v: Count): bigint => (typeof v === 'bigint' ? v : BigInt(Math.trunc(v)));
/** A bigint that fits a double exactly comes back as a number (keeps JSON plain). */
const num = (v: bigint): Count => (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

function countOf(v: unknown): Count {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  // Per-CPU values: the sum over CPUs.
  if (Array.isArray(v) && v.every((x) => typeof x === 'number' || typeof x === 'bigint')) return v.reduce<bigint>((a, x) => a + big(x), 0n);
  throw new TypeError(`a histogram's values must be integers, not ${typeof v}`);
}

function slotIndex(k: unknown): number {
  const n = typeof k === 'bigint' ? Number(k) : k;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1 << 20) throw new TypeError(`histogram slot ${String(k)} is not a small non-negative integer`);
  return n;
}

function put(vals: Count[], i: number, v: Count): void {
  while (vals.length <= i) vals.push(0);
  vals[i] = v;
}

const padEnd = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const padStart = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/** BCC's _stars: `width * val / max` stars (Python float division), '+' as the last when val > max. */
function starBar(val: bigint, max: bigint, width: number): string {
  if (max === 0n) return '';
  const limit = divToDouble(BigInt(width) * val, max) - 1;
  let n = 0;
  while (!(n > limit) && !(n > width - 1)) n++;
  let text = '*'.repeat(n);
  if (val > max) text = text.slice(0, -1) + '+';
  return text;
}

const bitLength = (x: bigint): number => x.toString(2).length;

/** a / b correctly rounded to a double, as Python's int / int is. */
export function divToDouble(a: bigint, b: bigint): number {
  if (b === 0n) throw new RangeError('division by zero');
  const neg = (a < 0n) !== (b < 0n);
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  const sign = neg ? -1 : 1;
  if (a === 0n) return sign * 0;
  const LIM = 1n << 53n;
  if (a <= LIM && b <= LIM) return sign * (Number(a) / Number(b)); // both exact: IEEE rounds once
  // Scale so the integer quotient has at least 55 bits, then round to 53 with a sticky remainder.
  const shift = Math.max(0, 55 - (bitLength(a) - bitLength(b)));
  const n = a << BigInt(shift);
  const q = n / b;
  const sticky = n % b !== 0n;
  const drop = bitLength(q) - 53;
  let mant = q >> BigInt(drop);
  const rem = q & ((1n << BigInt(drop)) - 1n), half = 1n << BigInt(drop - 1);
  if (rem > half || (rem === half && (sticky || (mant & 1n) === 1n))) mant += 1n;
  return sign * Number(mant) * 2 ** (drop - shift);
}

/** strftime("%Y-%m-%d %H:%M:%S") in local time. */
function strftime(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * Python's repr() of a JS value, for what BCC prints with %r and print(dict): strings in single
 * quotes (double when they hold a single quote and no double), integers bare, arrays as lists,
 * objects as dicts, booleans as True/False, null/undefined as None.
 */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') return pyStr(v);
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloat(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null || v === undefined) return 'None';
  if (Buffer.isBuffer(v)) return 'b' + pyStr(v.toString('latin1'));
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as object).map(([k, x]) => `${pyStr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return String(v);
}

function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const s = String(v);
  return /e/.test(s) ? s.replace(/e([+-])(\d)$/, 'e$10$2') : s;
}

function pyStr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + q;
}
