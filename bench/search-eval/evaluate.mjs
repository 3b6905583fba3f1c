// Evaluates text-only, semantic-only and hybrid search on a judged corpus, through the built server package.
import { readFileSync } from 'node:fs';
import { loadDefaultEmbedder } from '../../packages/server/dist/runtime/node/embedder.js';
import { HybridSearchIndex } from '../../packages/server/dist/search/hybrid.js';
import { gradesOf, ndcgAt, recallAt, reciprocalRank } from './metrics.mjs';

export const DEFAULT_CORPUS = new URL('../search-judged/backlog-corpus.json', import.meta.url);

const METHODS = {
  text: { text: true, semantic: false },
  semantic: { text: false, semantic: true },
  hybrid: { text: true, semantic: true },
};

function toItem(raw, i) {
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

export async function evaluate(corpusUrl = DEFAULT_CORPUS) {
  const corpus = JSON.parse(readFileSync(corpusUrl, 'utf8'));
  const items = corpus.items.map(toItem);
  const embedder = loadDefaultEmbedder();
  const results = {};
  for (const [name, rankers] of Object.entries(METHODS)) {
    const index = new HybridSearchIndex({ embedder, rankers });
    await index.rebuild(items);
    const perKind = {};
    const totals = { ndcg: 0, mrr: 0, recall: 0, n: 0 };
    for (const q of corpus.queries) {
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
    results[name] = {
      ...mean(totals),
      kinds: Object.fromEntries(Object.entries(perKind).map(([k, b]) => [k, mean(b)])),
    };
  }
  return { items: items.length, queries: corpus.queries.length, results };
}

export function formatTable(report) {
  const lines = [
    `search quality: ${report.items} items, ${report.queries} queries`,
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
