// "Did you mean ...?": the names closest to a misspelled one.

/** Up to `max` names within a bounded edit distance of `want` (a third of its length, at least `minLimit`), best first. */
export function nearestNames(want: string, names: Iterable<string>, max = 3, minLimit = 2): string[] {
  const limit = Math.max(minLimit, Math.floor(want.length / 3));
  const scored: [number, string][] = [];
  const seen = new Set<string>();
  for (const n of names) {
    if (n === want || seen.has(n) || Math.abs(n.length - want.length) > limit) continue;
    seen.add(n);
    const d = editDistance(want, n, limit);
    if (d <= limit) scored.push([d, n]);
  }
  return scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1])).slice(0, max).map(([, n]) => n);
}

/** Levenshtein distance, giving up (returning limit + 1) once it must exceed `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!, best = (row[0] = i);
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
      best = Math.min(best, row[j]!);
    }
    if (best > limit) return limit + 1;
  }
  return row[b.length]!;
}
