/**
 * Reciprocal-rank fusion: each ranking contributes 1/(k + rank). Ranks, not raw
 * scores, so BM25 and cosine need no normalisation (min-max normalising sank the
 * lowest relevant hit to zero in another tool).
 */
export const RRF_K = 60;

export interface Ranked {
  id: string;
}

export function reciprocalRankFusion(
  rankings: ReadonlyArray<{ list: readonly Ranked[]; weight: number }>,
  k = RRF_K,
): Map<string, number> {
  const fused = new Map<string, number>();
  for (const { list, weight } of rankings) {
    list.forEach((entry, index) => {
      fused.set(entry.id, (fused.get(entry.id) ?? 0) + weight / (k + index + 1));
    });
  }
  return fused;
}
