// Grid search over the fusion constants of weak queries (DEEP_TUNING in packages/server/src/search/hybrid.ts)
// on the project's judged set. The corpus is encoded once (one worker, shared vector cache, query vectors
// memoised); each grid point then rebuilds a cheap index from the caches.
//
//   npm run build && node bench/search-eval/tune-deep.mjs [--focus | --quick] [--out points.json]
//
// Constraint: no query kind may fall more than 0.02 nDCG@10 below the `hybrid` method. Among the
// settings that hold it, the chosen one maximises paraphrase and overall nDCG@10 averaged over its grid
// neighbours (a plateau, not a spike). It tunes HybridSearchIndex itself through its `tuning` option.
// Two variants of the weak-query path (coverage power 1/2/3, a fuzzy gate) were explored by a subclass
// copying hybrid.ts's fusion in commit f7c1fac; neither paid (docs/notes/deep-tuning.md), so it is gone.
import { writeFileSync } from 'node:fs';
import { loadDefaultEmbedder } from '../../packages/server/dist/runtime/node/embedder.js';
import { DeepVectors } from '../../packages/server/dist/search/deep-vectors.js';
import { DEEP_TUNING, HybridSearchIndex } from '../../packages/server/dist/search/hybrid.js';
import { MemoryVectorCache } from '../../packages/server/dist/search/vector-cache.js';
import { buildIndex, EVAL_DEADLINE_MS, encodeCorpus, loadCorpus, score } from './evaluate.mjs';

/** `--out file.json` writes every grid point's scores. */
const OUT = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : undefined;
const GRIDS = {
  // The wide grid: every knob.
  wide: {
    deepWeight: [0.5, 1, 1.5, 2, 3, 4],
    staticWeight: [0, 0.5, 1],
    textWeight: [1, 1.5, 2, 3, 4],
    deepFloor: [0.2, 0.25, 0.3, 0.35, 0.4],
  },
  // The wide grid's best region, with heavier text: typo queries
  // need text ≫ encoder, paraphrases need encoder > static table, and RRF only sees the ratios.
  focus: {
    deepWeight: [0.5, 1, 1.5, 2, 3],
    staticWeight: [0.25, 0.5, 1],
    textWeight: [3, 4, 6, 8, 12, 16],
    deepFloor: [0.25, 0.3, 0.35, 0.4],
  },
  quick: {
    deepWeight: [1, 2],
    staticWeight: [0.5, 1],
    textWeight: [1.5, 3],
    deepFloor: [0.3],
  },
};
const GRID_NAME = process.argv.includes('--quick') ? 'quick' : process.argv.includes('--focus') ? 'focus' : 'wide';
const GRID = GRIDS[GRID_NAME];
const MAX_DROP = 0.02;

/** The encoder with each query's vector memoised: every grid point asks the same weak queries. */
function memoisedQueries(encoder) {
  const vectors = new Map();
  return {
    id: encoder.id,
    dimensions: encoder.dimensions,
    get state() {
      return encoder.state;
    },
    whenSettled: () => encoder.whenSettled(),
    encodeItem: (text) => encoder.encodeItem(text),
    async encodeQuery(text, deadlineMs) {
      if (!vectors.has(text)) vectors.set(text, await encoder.encodeQuery(text, deadlineMs));
      return vectors.get(text);
    },
  };
}

function* points(grid) {
  const keys = Object.keys(grid);
  const at = (i, point) => {
    if (i === keys.length) return [point];
    return grid[keys[i]].flatMap((value) => at(i + 1, { ...point, [keys[i]]: value }));
  };
  yield* at(0, {});
}

const key = (p) =>
  Object.keys(GRID)
    .map((k) => p[k])
    .join('|');

function table(rows) {
  const kinds = Object.keys(rows[0][1].kinds);
  const lines = [`  ${'method'.padEnd(8)} ${'all'.padEnd(6)} ${kinds.map((k) => k.padEnd(11)).join('')}`];
  for (const [name, r] of rows) {
    lines.push(
      `  ${name.padEnd(8)} ${r.ndcg.toFixed(3)}  ${kinds.map((k) => `${r.kinds[k].ndcg.toFixed(3)}`.padEnd(11)).join('')}`,
    );
  }
  return lines.join('\n');
}

const { items, queries } = loadCorpus();
const embedder = loadDefaultEmbedder();
const staticCache = new MemoryVectorCache();
const corpus = await encodeCorpus(items);
console.log(
  `encoded ${items.length} items in ${(corpus.encodeMs / 1000).toFixed(1)} s (model loaded in ${(corpus.loadMs / 1000).toFixed(1)} s)`,
);
const encoder = memoisedQueries(corpus.encoder);
const deep = { vectors: () => new DeepVectors({ encoder, cache: corpus.cache }) };

try {
  const hybridIndex = await buildIndex(items, { embedder, rankers: { text: true, semantic: true } });
  const hybrid = await score(hybridIndex, queries);
  const shipped = await score(
    await buildIndex(items, { embedder, rankers: { text: true, semantic: true, deep: true }, deep }),
    queries,
  );
  console.log(
    `current DEEP_TUNING ${JSON.stringify(DEEP_TUNING)}\n${table([
      ['hybrid', hybrid],
      ['deep', shipped],
    ])}`,
  );

  const results = new Map();
  const started = Date.now();
  for (const p of points(GRID)) {
    const index = new HybridSearchIndex({
      embedder,
      cache: staticCache,
      rankers: { text: true, semantic: true, deep: true },
      deep: deep.vectors(),
      tuning: { ...p, deadlineMs: EVAL_DEADLINE_MS },
    });
    await index.rebuild(items);
    await index.options.deep.idle();
    const r = await score(index, queries);
    const worst = Math.min(...Object.keys(hybrid.kinds).map((k) => r.kinds[k].ndcg - hybrid.kinds[k].ndcg));
    results.set(key(p), { p, r, ok: worst >= -MAX_DROP - 1e-9, worst });
  }
  console.log(
    `grid ${GRID_NAME} ${JSON.stringify(GRID)}\n${results.size} grid points in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  // Plateau: each feasible point is judged by the mean objective over itself and its grid neighbours
  // (one step along one knob), infeasible neighbours counting as their own (lower) objective.
  const objective = (r) => (r.kinds.paraphrase.ndcg + r.ndcg) / 2;
  const neighbours = (p) => {
    const out = [];
    for (const [k, values] of Object.entries(GRID)) {
      const i = values.indexOf(p[k]);
      for (const j of [i - 1, i + 1]) if (j >= 0 && j < values.length) out.push({ ...p, [k]: values[j] });
    }
    return out.map((q) => results.get(key(q))).filter(Boolean);
  };
  const ranked = [...results.values()]
    .filter((x) => x.ok)
    .map((x) => {
      const around = [x, ...neighbours(x.p)];
      const plateau = around.reduce((s, y) => s + objective(y.r), 0) / around.length;
      const feasible = around.filter((y) => y.ok).length / around.length;
      return { ...x, plateau, feasible };
    })
    .sort((a, b) => b.plateau - a.plateau || objective(b.r) - objective(a.r));
  console.log(`\n${ranked.length} of ${results.size} settings keep every kind within ${MAX_DROP} of hybrid`);
  const fmt = (x) =>
    `${JSON.stringify(x.p)}\n  paraphrase ${x.r.kinds.paraphrase.ndcg.toFixed(3)}  all ${x.r.ndcg.toFixed(3)}  ` +
    `plateau ${x.plateau.toFixed(3)} (${Math.round(x.feasible * 100)}% of neighbours feasible)  worst kind Δ ${x.worst.toFixed(3)}`;
  for (const x of ranked.slice(0, 5))
    console.log(
      `\n${fmt(x)}\n${table([
        ['hybrid', hybrid],
        ['deep', x.r],
      ])}`,
    );
  if (OUT) {
    writeFileSync(OUT, JSON.stringify({ grid: GRID, hybrid, points: [...results.values()] }));
    console.log(`\nevery grid point: ${OUT}`);
  }
  const bestRaw = [...results.values()].filter((x) => x.ok).sort((a, b) => objective(b.r) - objective(a.r))[0];
  if (bestRaw)
    console.log(
      `\nbest single point (no plateau): ${JSON.stringify(bestRaw.p)} objective ${objective(bestRaw.r).toFixed(3)}`,
    );
  const bestInfeasible = [...results.values()].sort((a, b) => b.r.kinds.paraphrase.ndcg - a.r.kinds.paraphrase.ndcg)[0];
  console.log(
    `best paraphrase regardless of the constraint: ${JSON.stringify(bestInfeasible.p)} paraphrase ` +
      `${bestInfeasible.r.kinds.paraphrase.ndcg.toFixed(3)} worst kind Δ ${bestInfeasible.worst.toFixed(3)}`,
  );
  // Per-knob marginals among feasible settings: how flat the objective is along each knob.
  console.log('\nmean objective of feasible settings per knob value (count):');
  for (const [k, values] of Object.entries(GRID)) {
    const cells = values.map((v) => {
      const xs = ranked.filter((x) => x.p[k] === v);
      const m = xs.length ? xs.reduce((s, x) => s + objective(x.r), 0) / xs.length : Number.NaN;
      return `${v}: ${m.toFixed(3)} (${xs.length})`;
    });
    console.log(`  ${k.padEnd(14)} ${cells.join('  ')}`);
  }
} finally {
  await corpus.close();
}
