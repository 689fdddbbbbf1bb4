// BPF helper ids by name (enum bpf_func_id). The table itself is generated: see helper-table.ts.

import { HELPER_TABLE } from './helper-table.js';

/** Helper name (without the `bpf_` prefix) to helper id, e.g. `map_lookup_elem` → 1. */
export const HELPERS: Readonly<Record<string, number>> = Object.freeze({ ...HELPER_TABLE });

export type HelperName = keyof typeof HELPER_TABLE;

const byId: readonly (string | undefined)[] = (() => {
  const names: (string | undefined)[] = [];
  for (const [name, id] of Object.entries(HELPERS)) names[id] = name;
  return names;
})();

/** Helper id for a name, with or without the `bpf_` prefix. Throws on unknown names. */
export function helperId(name: string): number {
  const bare = name.startsWith('bpf_') ? name.slice(4) : name;
  if (Object.hasOwn(HELPERS, bare)) return HELPERS[bare]!;
  const near = nearestHelper(bare);
  throw new Error(`unknown BPF helper '${name}'` + (near ? `; did you mean 'bpf_${near}'?` : ''));
}

/** Helper name (without the `bpf_` prefix) for an id, or undefined if the id is unknown. */
export function helperName(id: number): string | undefined {
  return Number.isInteger(id) && id > 0 ? byId[id] : undefined;
}

/** The known helper name closest to `name` by edit distance, if any is reasonably close. */
export function nearestHelper(name: string): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const candidate of Object.keys(HELPERS)) {
    const d = editDistance(name, candidate);
    if (d < bestDist) {
      bestDist = d;
      best = candidate;
    }
  }
  // Beyond about half the name, a "suggestion" is noise.
  return bestDist <= Math.max(2, Math.ceil(name.length / 2)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}
