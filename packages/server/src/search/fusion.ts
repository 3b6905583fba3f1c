/**
 * Reciprocal-rank fusion: each ranking contributes 1/(k + rank). Ranks, not raw
 * scores, so BM25 and cosine need no normalisation (min-max normalising sank the
 * lowest relevant hit to zero in another tool).
 */
export const RRF_K = 60;

export interface Ranked {
  id: string;
}

/** A ranking's weight may depend on the hit (e.g. how much of the query a text hit covers). */
export function reciprocalRankFusion<T extends Ranked>(
  rankings: ReadonlyArray<{ list: readonly T[]; weight: number | ((hit: T) => number) }>,
  k = RRF_K,
): Map<string, number> {
  const fused = new Map<string, number>();
  for (const { list, weight } of rankings) {
    list.forEach((entry, index) => {
      const w = typeof weight === 'number' ? weight : weight(entry);
      fused.set(entry.id, (fused.get(entry.id) ?? 0) + w / (k + index + 1));
    });
  }
  return fused;
}
