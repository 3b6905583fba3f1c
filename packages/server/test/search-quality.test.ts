import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module shared with `npm run eval:search`
import { evaluate, formatTable } from '../../../bench/search-eval/evaluate.mjs';

interface MethodResult {
  ndcg: number;
  mrr: number;
  recall: number;
  kinds: Record<string, { ndcg: number }>;
}

/**
 * The judged set (bench/search-judged/backlog-corpus.json: 204 items, 93 graded
 * queries, 40 of them paraphrases sharing no word with their target). The floors
 * are today's figures less a small margin: a change that makes search worse fails here.
 */
type Report = { results: Record<'text' | 'semantic' | 'hybrid' | 'deep', MethodResult> };

describe('search quality on the judged set', () => {
  // One evaluation for both tests: `deep` encodes the corpus with the real sentence encoder (a worker
  // thread; 15–40 s for 204 items on 2 cores, more on a loaded machine). No per-test timeout: the
  // config's testTimeout (300 s, a hang detector) is longer than any figure chosen here would be.
  let report: Promise<Report> | undefined;
  const evaluated = (): Promise<Report> => {
    report ??= (evaluate() as Promise<Report>).then((r) => {
      console.log(formatTable(r));
      return r;
    });
    return report;
  };

  it('ranks hybrid above text-only and semantic-only', async () => {
    const report = await evaluated();
    const { text, semantic, hybrid } = report.results;
    expect(hybrid.ndcg).toBeGreaterThanOrEqual(text.ndcg + 0.05);
    expect(hybrid.ndcg).toBeGreaterThan(semantic.ndcg);
    expect(hybrid.ndcg).toBeGreaterThanOrEqual(0.6);
    expect(hybrid.kinds.keyword?.ndcg).toBeGreaterThanOrEqual(0.95);
    expect(hybrid.kinds.id?.ndcg).toBe(1);
    expect(hybrid.kinds.paraphrase?.ndcg).toBeGreaterThanOrEqual(0.2);
    expect(hybrid.kinds.typo?.ndcg).toBeGreaterThanOrEqual(0.8);
  });

  it('with the sentence encoder (deep), lifts paraphrases and keeps every kind within 0.02 of hybrid', async () => {
    const { hybrid, deep } = (await evaluated()).results;
    expect(deep.kinds.paraphrase?.ndcg).toBeGreaterThanOrEqual(0.33);
    for (const [kind, { ndcg }] of Object.entries(hybrid.kinds)) {
      expect(deep.kinds[kind]?.ndcg, kind).toBeGreaterThanOrEqual(ndcg - 0.02);
    }
  });
});
