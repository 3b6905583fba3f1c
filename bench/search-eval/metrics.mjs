// Ranking metrics over graded judgements ({id: grade}, grade 1–3).

export function ndcgAt(ranked, judged, k = 10) {
  const gain = (grade) => 2 ** grade - 1;
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => {
    dcg += gain(judged[id] ?? 0) / Math.log2(i + 2);
  });
  const ideal = Object.values(judged)
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((sum, grade, i) => sum + gain(grade) / Math.log2(i + 2), 0);
  return ideal === 0 ? 0 : dcg / ideal;
}

/** Reciprocal rank of the first item judged at the top grade present. */
export function reciprocalRank(ranked, judged) {
  const best = Math.max(...Object.values(judged));
  const index = ranked.findIndex((id) => (judged[id] ?? 0) >= best);
  return index < 0 ? 0 : 1 / (index + 1);
}

export function recallAt(ranked, judged, k = 10) {
  const relevant = Object.keys(judged);
  const found = relevant.filter((id) => ranked.slice(0, k).includes(id)).length;
  return relevant.length === 0 ? 0 : found / relevant.length;
}

/** Accepts binary lists too ([ids] → grade 3 each). */
export function gradesOf(relevant) {
  if (Array.isArray(relevant)) return Object.fromEntries(relevant.map((id) => [id, 3]));
  return relevant;
}
