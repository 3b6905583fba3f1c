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
describe('search quality on the judged set', () => {
  it('ranks hybrid above text-only and semantic-only', async () => {
    const report = (await evaluate()) as { results: Record<'text' | 'semantic' | 'hybrid', MethodResult> };
    console.log(formatTable(report));
    const { text, semantic, hybrid } = report.results;
    expect(hybrid.ndcg).toBeGreaterThanOrEqual(text.ndcg + 0.05);
    expect(hybrid.ndcg).toBeGreaterThan(semantic.ndcg);
    expect(hybrid.ndcg).toBeGreaterThanOrEqual(0.6);
    expect(hybrid.kinds.keyword?.ndcg).toBeGreaterThanOrEqual(0.95);
    expect(hybrid.kinds.id?.ndcg).toBe(1);
    expect(hybrid.kinds.paraphrase?.ndcg).toBeGreaterThanOrEqual(0.2);
    expect(hybrid.kinds.typo?.ndcg).toBeGreaterThanOrEqual(0.8);
  });
});
