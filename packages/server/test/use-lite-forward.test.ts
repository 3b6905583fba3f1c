// The forward pass written out (use-lite-forward.ts) must give the converted graph's vectors: the
// server encodes with it, and every cached vector and every ranking rests on it being the same model.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  encodeTokens,
  MAX_TOKENS,
  REFERENCE,
  referenceDifference,
  useLiteWeights,
} from '../src/adapters/encoder/use-lite-forward.js';
import { loadUseLite } from '../src/adapters/encoder/use-lite-model.js';

let loading: ReturnType<typeof loadUseLite> | undefined;
/** Loaded once for both tests (~2 s). */
const loadModel = () => {
  loading ??= loadUseLite();
  return loading;
};

const corpus = JSON.parse(
  readFileSync(new URL('../../../bench/search-judged/backlog-corpus.json', import.meta.url), 'utf8'),
) as { items: Array<{ title: string; description: string }>; queries: Array<{ query: string }> };

/** Queries, whole items as the server encodes them (some past the 128-token clip), and odd inputs. */
const texts = [
  ...corpus.queries.slice(0, 30).map((q) => q.query),
  ...corpus.items.slice(0, 12).map((item) => `${item.title}\n${item.title}\n${item.description}`.slice(0, 1200)),
  'a',
  '!!!',
  'naïve café — 日本語のテキスト, emoji 🚀 and Ω',
  'TASK-0042 blocked by TASK-0007',
  'word '.repeat(400),
  corpus.items
    .slice(20, 26)
    .map((item) => item.description)
    .join(' '),
];

describe('USE-lite forward pass', () => {
  it('gives the graph model’s vectors, within float rounding', async () => {
    const { model, tf } = await loadModel();
    const weights = useLiteWeights(tf, model.model);
    const expected = await model.embed(texts);
    const clipped = texts.filter((text) => model.tokenizer.encode(text).length > MAX_TOKENS).length;
    expect(clipped).toBeGreaterThan(1); // the clip is exercised, not only short texts
    let worst = 0;
    texts.forEach((text, i) => {
      const vector = encodeTokens(tf, weights, model.tokenizer.encode(text));
      const reference = expected[i] as number[];
      expect(vector.length).toBe(512);
      for (let d = 0; d < 512; d++) worst = Math.max(worst, Math.abs((vector[d] as number) - (reference[d] as number)));
    });
    // Measured: under 1e-6. The worker falls back to the graph above 1e-4.
    expect(worst).toBeLessThan(1e-5);
  });

  it('has the graph’s own vector as the reference the worker checks at start', async () => {
    const { model, tf } = await loadModel();
    const [graph] = await model.embed([REFERENCE.text]);
    expect(referenceDifference(graph as number[])).toBeLessThan(1e-6);
    const direct = encodeTokens(tf, useLiteWeights(tf, model.model), model.tokenizer.encode(REFERENCE.text));
    expect(referenceDifference(direct)).toBeLessThan(1e-5);
    // A wrong vector is caught: the worker would fall back to the graph.
    expect(referenceDifference(direct.map((v) => -v))).toBeGreaterThan(1e-2);
  });

  it('returns a unit vector for a text with no tokens (the graph model cannot take one)', async () => {
    const { model, tf } = await loadModel();
    const vector = encodeTokens(tf, useLiteWeights(tf, model.model), []);
    const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
    expect(norm).toBeCloseTo(1, 5);
  });
});
