// In-process search latency at 10k items (no HTTP): the index alone, as Backlog.search calls it.
//   node bench/search-eval/latency.mjs [size]
//   SEARCH_BASELINE=<dist dir> node bench/search-eval/latency.mjs   (compare another build, e.g. a copy
//   of the previous dist kept inside the repository so its imports resolve)
// With a baseline both builds index the same corpus in one process and every query is timed on each,
// alternately, so a busy machine slows both alike.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeCorpus } from '../lib/corpus.mjs';
import { ms, percentile } from '../lib/stats.mjs';

const size = Number(process.argv[2] ?? 10_000);
const ROUNDS = 200;
const LABELS = ['frontend', 'backend', 'bug', 'infra', 'perf', 'docs', 'mobile', 'security', 'tech debt'];
const QUERIES = [
  'retry',
  'session token cache',
  'deploy pipeline flaky test',
  'frontend',
  'the dashboard is slow to open',
  'kubernets migraton',
  'TASK-42',
];

async function load(dir) {
  const base = pathToFileURL(`${resolve(dir)}/`);
  const at = (path) => import(new URL(path, base).href);
  return {
    ...(await at('adapters/files/file-store.js')),
    ...(await at('search/hybrid.js')),
    ...(await at('runtime/node/embedder.js')),
  };
}

const builds = { current: await load(new URL('../../packages/server/dist', import.meta.url).pathname) };
if (process.env.SEARCH_BASELINE) builds.baseline = await load(process.env.SEARCH_BASELINE);

const dir = await mkdtemp(join(tmpdir(), 'search-latency-'));
try {
  await writeCorpus(dir, size);
  const store = await builds.current.MarkdownStore.open({ dataDir: dir, log: () => {} });
  // A third of the items carry two labels, so the labels field has realistic postings.
  const items = (await store.snapshot()).items.map((item, i) =>
    i % 3 === 0 ? { ...item, labels: [LABELS[i % LABELS.length], LABELS[(i * 7) % LABELS.length]] } : item,
  );
  store.close();
  const options = { limit: Number.MAX_SAFE_INTEGER };
  console.log(`${size} items, ${ROUNDS} rounds of ${QUERIES.length} queries: ${QUERIES.join(' | ')}`);
  for (const mode of ['text', 'hybrid']) {
    const runs = [];
    for (const [name, build] of Object.entries(builds)) {
      const index = new build.HybridSearchIndex(mode === 'hybrid' ? { embedder: build.loadDefaultEmbedder() } : {});
      await index.rebuild(items);
      runs.push({ name, index, samples: [], retry: [], totals: [] });
    }
    for (let round = 0; round < ROUNDS + 20; round++) {
      for (const query of QUERIES) {
        for (const run of round % 2 ? runs : [...runs].reverse()) {
          const started = performance.now();
          const result = await run.index.search(query, options);
          const took = performance.now() - started;
          if (round < 20) continue; // warm-up
          run.samples.push(took);
          if (query === 'retry') run.retry.push(took);
          if (round === 20) run.totals.push(result.total);
        }
      }
    }
    for (const run of runs) {
      run.samples.sort((a, b) => a - b);
      run.retry.sort((a, b) => a - b);
      console.log(
        `${mode.padEnd(6)} ${run.name.padEnd(8)} p50 ${ms(percentile(run.samples, 50))} p95 ${ms(percentile(run.samples, 95))} ms` +
          ` · "retry" p50 ${ms(percentile(run.retry, 50))} ms · totals ${run.totals.join(' ')}`,
      );
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
