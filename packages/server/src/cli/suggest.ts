/**
 * Edit distance with adjacent transpositions counted as one edit (optimal string alignment):
 * "stauts" is one slip away from "status", not two.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    const row = d[i] as number[];
    const above = d[i - 1] as number[];
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/**
 * The known word the user most likely meant: the only one the typed word begins (--desc →
 * --description), else the nearest within a slip or two (more for longer words), else nothing.
 * Leading dashes are ignored when comparing and kept in the answer.
 */
export function closest(typed: string, known: Iterable<string>): string | undefined {
  const bare = (word: string): string => word.replace(/^-+/, '').toLowerCase();
  const word = bare(typed);
  if (!word) return undefined;
  const candidates = [...known];
  const prefixed = candidates.filter((candidate) => bare(candidate).startsWith(word));
  if (word.length >= 3 && prefixed.length === 1) return prefixed[0];
  const limit = word.length <= 3 ? 1 : word.length <= 6 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word, bare(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
