// Evaluates text-only, semantic-only, hybrid and deep (hybrid + the sentence encoder on weak queries)
// search on a judged corpus, through the built server package.
import { readFileSync } from 'node:fs';
import { WorkerEncoder } from '../../packages/server/dist/adapters/encoder/worker-encoder.js';
import { loadDefaultEmbedder } from '../../packages/server/dist/runtime/node/embedder.js';
import { DeepVectors } from '../../packages/server/dist/search/deep-vectors.js';
import { HybridSearchIndex } from '../../packages/server/dist/search/hybrid.js';
import { MemoryVectorCache } from '../../packages/server/dist/search/vector-cache.js';
import { gradesOf, ndcgAt, recallAt, reciprocalRank } from './metrics.mjs';

export const DEFAULT_CORPUS = new URL('../search-judged/backlog-corpus.json', import.meta.url);

const METHODS = {
  text: { text: true, semantic: false },
  semantic: { text: false, semantic: true },
  hybrid: { text: true, semantic: true },
  deep: { text: true, semantic: true, deep: true },
};

/**
 * Weak queries wait for the encoder at most `deadlineMs`; in the evaluation they must always get its
 * answer (a loaded CI machine would otherwise make results depend on timing), so the deadline is long.
 */
export const EVAL_DEADLINE_MS = 10_000;

export function toItem(raw, i) {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  return {
    id: raw.id,
    type: raw.type ?? 'task',
    title: raw.title,
    status: raw.status ?? 'open',
    description: raw.description ?? '',
    version: 1,
    created_at: at,
    updated_at: at,
    ...(raw.epic_id ? { epic_id: raw.epic_id } : {}),
  };
}

export function loadCorpus(corpusUrl = DEFAULT_CORPUS) {
  const corpus = JSON.parse(readFileSync(corpusUrl, 'utf8'));
  return { items: corpus.items.map(toItem), queries: corpus.queries };
}

/**
 * The sentence encoder's vectors for `items`, computed once: later DeepVectors given the same
 * `cache` take them from it. Call `close()` at the end so the worker thread lets the process exit.
 */
export async function encodeCorpus(items) {
  const encoder = new WorkerEncoder();
  await encoder.whenSettled();
  if (encoder.state !== 'ready') throw new Error(`the sentence encoder did not load (${encoder.state})`);
  const cache = new MemoryVectorCache();
  const started = Date.now();
  const deep = new DeepVectors({ encoder, cache });
  for (const item of items) deep.track(item);
  await deep.idle();
  return {
    encoder,
    cache,
    loadMs: encoder.loadMs,
    encodeMs: Date.now() - started,
    /** A fresh DeepVectors for a new index, filled from the cache (no encoding). */
    vectors: () => new DeepVectors({ encoder, cache }),
    close: () => encoder.close(),
  };
}

/** Builds an index of `items` for one method; `deep` (from encodeCorpus) is needed for the deep method. */
export async function buildIndex(items, { embedder, rankers, deep, tuning, Index = HybridSearchIndex }) {
  const vectors = rankers.deep ? deep.vectors() : undefined;
  const index = new Index({
    embedder,
    rankers,
    ...(vectors ? { deep: vectors, tuning: { deadlineMs: EVAL_DEADLINE_MS, ...tuning } } : {}),
  });
  await index.rebuild(items);
  await vectors?.idle();
  return index;
}

/** nDCG@10, MRR and recall@10 of `index` over `queries`, overall and per query kind. */
export async function score(index, queries) {
  const perKind = {};
  const totals = { ndcg: 0, mrr: 0, recall: 0, n: 0 };
  for (const q of queries) {
    const judged = gradesOf(q.relevant);
    const ranked = (await index.search(q.query, { limit: 10 })).hits.map((hit) => hit.id);
    const scores = {
      ndcg: ndcgAt(ranked, judged),
      mrr: reciprocalRank(ranked, judged),
      recall: recallAt(ranked, judged),
    };
    const kind = q.kind ?? 'all';
    perKind[kind] = perKind[kind] ?? { ndcg: 0, mrr: 0, recall: 0, n: 0 };
    for (const bucket of [totals, perKind[kind]]) {
      bucket.ndcg += scores.ndcg;
      bucket.mrr += scores.mrr;
      bucket.recall += scores.recall;
      bucket.n++;
    }
  }
  const mean = (b) => ({ ndcg: b.ndcg / b.n, mrr: b.mrr / b.n, recall: b.recall / b.n, n: b.n });
  return {
    ...mean(totals),
    kinds: Object.fromEntries(Object.entries(perKind).map(([k, b]) => [k, mean(b)])),
  };
}

/**
 * Every method on the judged corpus. `deep` encodes the corpus with the real sentence encoder (one
 * worker thread, ~20–40 s for 204 items on 2 cores) and closes it before returning.
 */
export async function evaluate(corpusUrl = DEFAULT_CORPUS, { tuning } = {}) {
  const { items, queries } = loadCorpus(corpusUrl);
  const embedder = loadDefaultEmbedder();
  const deep = await encodeCorpus(items);
  try {
    const results = {};
    for (const [name, rankers] of Object.entries(METHODS)) {
      const index = await buildIndex(items, { embedder, rankers, deep, tuning });
      results[name] = await score(index, queries);
    }
    return { items: items.length, queries: queries.length, encodeMs: deep.encodeMs, results };
  } finally {
    await deep.close();
  }
}

export function formatTable(report) {
  const lines = [
    `search quality: ${report.items} items, ${report.queries} queries` +
      (report.encodeMs === undefined
        ? ''
        : ` (sentence encoder: ${(report.encodeMs / 1000).toFixed(1)} s to encode the items)`),
    'method     nDCG@10   MRR     recall@10',
  ];
  for (const [name, r] of Object.entries(report.results)) {
    lines.push(`${name.padEnd(10)} ${r.ndcg.toFixed(3)}     ${r.mrr.toFixed(3)}   ${r.recall.toFixed(3)}`);
  }
  const kinds = Object.keys(report.results.hybrid.kinds);
  lines.push('', `nDCG@10 by query kind: ${kinds.join(', ')}`);
  for (const [name, r] of Object.entries(report.results)) {
    lines.push(
      `${name.padEnd(10)} ${kinds.map((k) => `${k} ${r.kinds[k]?.ndcg.toFixed(3)} (${r.kinds[k]?.n})`).join('  ')}`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const corpus = process.argv[2] ? new URL(process.argv[2], `file://${process.cwd()}/`) : DEFAULT_CORPUS;
  const report = await evaluate(corpus);
  console.log(formatTable(report));
  const { text, semantic, hybrid } = report.results;
  if (!(hybrid.ndcg >= text.ndcg && hybrid.ndcg >= semantic.ndcg)) {
    console.error('hybrid is not the best method');
    process.exit(1);
  }
}
