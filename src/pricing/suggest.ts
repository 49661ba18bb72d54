// "Did you mean …": close names for an unknown one. Runs only on a miss, over
// the listed names, so a scan is acceptable here.

/** Levenshtein distance, giving up (returning limit + 1) once it exceeds `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length] ?? limit + 1;
}

/**
 * Up to `max` names close to `query` (lower-case): small edit distance, or
 * containing it / contained in it. Best first; empty when nothing is close.
 */
export function closeMatches(query: string, names: Iterable<string>, max = 3): string[] {
  const limit = Math.max(2, Math.floor(query.length / 3));
  const scored: Array<{ name: string; score: number }> = [];
  for (const name of names) {
    let score: number;
    if (name === query) continue;
    if (query.length >= 3 && name.includes(query)) score = 0.5 + (name.length - query.length) / 100;
    else if (name.length >= 3 && query.includes(name)) score = 1 + (query.length - name.length) / 100;
    else {
      const d = editDistance(query, name, limit);
      if (d > limit) continue;
      score = d;
    }
    scored.push({ name, score });
  }
  scored.sort((x, y) => x.score - y.score || x.name.length - y.name.length || (x.name < y.name ? -1 : 1));
  const out: string[] = [];
  for (const s of scored) {
    if (!out.includes(s.name)) out.push(s.name);
    if (out.length >= max) break;
  }
  return out;
}
