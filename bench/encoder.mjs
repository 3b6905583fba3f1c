// node bench/encoder.mjs (after npm run build) — search mode `deep` (issue 20) through the real server:
// the USE-lite encoder in its worker encodes the backlog in the background after a cold start.
//   a. 1,000 items, cold: time to encoder ready, to all encoded (/health semantic.pending == 0),
//      /version latency while encoding, RSS when done.
//   b. 10,000 items: index time, RSS over time and at rest; a restart on the same folder (all cached);
//      weak (paraphrase) and keyword backlog_search p50/p95 against a BACKLOG_SEARCH=hybrid server.
// Env: BENCH_ENCODER_SIZES=1000,10000 (default both; sizes ≥ 5,000 get section b);
//      BENCH_ENCODER_DIR=<folder> keeps the 10k backlog and its vector cache there between runs
//      (a folder that already holds tasks/ is reused: the cold encode is skipped). Otherwise temp dirs.
// The 10k encode takes ~25 min of one free core (~140 ms of CPU per item). Prints a table; writes
// bench/results/encoder-<date>.json. Not part of npm run bench (docs/benchmarks.md, "Deep search").
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { writeCorpus } from './lib/corpus.mjs';
import { authHeaders, callOk, connect, peakRssMb, startServer } from './lib/server.mjs';
import { percentile } from './lib/stats.mjs';

const sizes = (process.env.BENCH_ENCODER_SIZES ?? '1000,10000').split(',').map(Number);
const keepDir = process.env.BENCH_ENCODER_DIR;
const DEEP = { BACKLOG_SEARCH: 'deep' };
const HYBRID = { BACKLOG_SEARCH: 'hybrid' };
const QUERY_RUNS = Number(process.env.BENCH_ENCODER_QUERIES ?? 100);

/** No item holds all the words of these (the corpus is DOMAIN words + syllable nonsense): weak queries. */
const WEAK = [
  'sign-in keeps failing after refresh',
  'make the charts load quicker',
  'customers cannot pay their bills',
  'app crashes on phones',
  'translate the emails into french',
  'pages are slow for people',
  'nobody gets paged when things break',
  'the nightly backups stopped working',
];
/** Run by bench/run.mjs too; checked below to be answered by the text search alone. */
const KEYWORD = ['session token cache', 'flaky test retry', 'invoice payment export', 'auth login', 'deploy pipeline'];

const rows = [];
const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
const row = (size, what, value, target = '') => {
  rows.push({ size, what, value, target, load: load() });
  console.log(`${String(size).padStart(6)}  ${what.padEnd(58)} ${String(value).padStart(18)}  ${target}`);
};
const mb = (bytes) => Math.round(bytes / 2 ** 20);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const vmRssMb = (pid) => {
  try {
    return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024);
  } catch {
    return Number.NaN;
  }
};
/** CPU seconds (user + system) a process has used, from /proc: unaffected by other load. */
const cpuSeconds = (pid) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
};
const health = async (url) => (await fetch(`${url}/health`, { headers: authHeaders(url) })).json();
const fmt = (stats) => `${stats.p50.toFixed(1)} / ${stats.p95.toFixed(1)}`;

async function until(url, test, every = 100) {
  for (;;) {
    const h = await health(url);
    if (test(h)) return h;
    await sleep(every);
  }
}

/** Samples GET /version latency every 200 ms until stopped. */
function versionProbe(url) {
  const samples = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const t = performance.now();
      await (await fetch(`${url}/version`)).text();
      samples.push(performance.now() - t);
      await sleep(200);
    }
  })();
  return async () => {
    stopped = true;
    await done;
    samples.sort((a, b) => a - b);
    return { n: samples.length, p50: percentile(samples, 50), p95: percentile(samples, 95), max: samples.at(-1) };
  };
}

/**
 * Starts a deep server on `dir` and waits until nothing is pending: times from spawn, RSS series,
 * /version latency meanwhile. Returns the running server.
 */
async function encodeAll(dir, size, label) {
  const t0 = performance.now();
  const server = await startServer(dir, DEEP);
  const probe = versionProbe(server.url);
  const ready = await until(server.url, (h) => h.semantic && h.semantic.encoder !== 'loading', 50);
  const readyMs = performance.now() - t0;
  if (ready.semantic.encoder !== 'ready') throw new Error(`encoder ${ready.semantic.encoder}`);
  const cpuAtReady = cpuSeconds(server.pid);
  const loadAtReady = load();
  const series = [];
  let last = 0;
  const done = await until(
    server.url,
    (h) => {
      const at = (performance.now() - t0) / 1000;
      if (at - last >= 30 || h.semantic.pending === 0) {
        last = at;
        series.push({
          s: Math.round(at),
          encoded: h.semantic.encoded,
          rss: mb(h.rss_bytes),
          heap: mb(h.heap_used_bytes),
        });
        console.error(`  [${label}] ${JSON.stringify(series.at(-1))} load ${load()}`);
      }
      return h.semantic.pending === 0;
    },
    500,
  );
  const doneMs = performance.now() - t0;
  const version = await probe();
  const cpuPerItem = (cpuSeconds(server.pid) - cpuAtReady) / Math.max(1, done.semantic.encoded);
  row(size, `${label}: time to encoder ready`, `${(readyMs / 1000).toFixed(1)} s`);
  row(
    size,
    `${label}: time to all encoded (pending 0)`,
    `${(doneMs / 1000).toFixed(0)} s`,
    size <= 1000 ? 'target ≤ 300 s' : '',
  );
  row(size, `${label}: items encoded`, done.semantic.encoded, `load at ready ${loadAtReady}`);
  row(
    size,
    `${label}: server CPU per item encoded / × items (one free core)`,
    `${(cpuPerItem * 1000).toFixed(0)} ms / ${((cpuPerItem * done.semantic.encoded) / 60).toFixed(1)} min`,
  );
  row(
    size,
    `${label}: /version p50 / p95 / max while encoding`,
    `${version.p50.toFixed(1)} / ${version.p95.toFixed(1)} / ${version.max.toFixed(0)} ms`,
    `n=${version.n}`,
  );
  return { server, series, readyMs, doneMs, encoded: done.semantic.encoded };
}

/** RSS once the server is idle: a few /health samples over `seconds`; also VmHWM. */
async function atRest(server, seconds = 10) {
  const samples = [];
  for (let i = 0; i < seconds / 2; i++) {
    await sleep(2000);
    const h = await health(server.url);
    samples.push({ rss: mb(h.rss_bytes), heap: mb(h.heap_used_bytes), vm: vmRssMb(server.pid) });
  }
  const last = samples.at(-1);
  return { rss: last.rss, heap: last.heap, peak: peakRssMb(server.pid), samples };
}

async function cold1k(size) {
  const dir = mkdtempSync(join(tmpdir(), `bench-deep-${size}-`));
  await writeCorpus(dir, size);
  const { server } = await encodeAll(dir, size, 'cold');
  const rest = await atRest(server);
  row(size, 'cold: RSS when done / heap_used / peak (MB)', `${rest.rss} / ${rest.heap} / ${rest.peak}`, 'target < 400');
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** Queries each once; keeps the ones whose kind (weak: went to the encoder) matches `weak`. */
async function classify(url, client, queries, weak) {
  const kept = [];
  for (const query of queries) {
    const before = (await health(url)).semantic?.queries ?? 0;
    await callOk(client, 'backlog_search', { query });
    const went = ((await health(url)).semantic?.queries ?? 0) > before;
    if (went === weak) kept.push(query);
    else
      console.error(
        `  dropped ${weak ? 'weak' : 'keyword'} query "${query}": it ${went ? 'went' : 'did not go'} to the encoder`,
      );
  }
  return kept;
}

/** Words no corpus item uses: each weak run is a new text, so the encoder's query memo cannot answer it. */
const FILLER = ['please', 'again', 'today', 'still', 'really', 'somehow', 'lately', 'often', 'anyway', 'badly'];
const fresh = (query, i) => `${query} ${FILLER[i % 10]} ${FILLER[Math.floor(i / 10) % 10]}`;

/**
 * A warm-up round, then QUERY_RUNS searches round-robin on each server, alternating between them
 * query by query so both see the same machine load. `vary` makes each run's text (weak queries:
 * `fresh`, so every one is encoded; the encoder remembers the last 64 query vectors).
 */
async function queryTimes(clients, queries, vary = (query) => query) {
  for (const client of clients) for (const query of queries) await callOk(client, 'backlog_search', { query });
  const samples = clients.map(() => []);
  for (let i = 0; i < QUERY_RUNS; i++) {
    for (const [k, client] of clients.entries()) {
      const t = performance.now();
      await callOk(client, 'backlog_search', { query: vary(queries[i % queries.length], i) });
      samples[k].push(performance.now() - t);
    }
  }
  return samples.map((list) => {
    list.sort((a, b) => a - b);
    return { n: list.length, p50: percentile(list, 50), p95: percentile(list, 95) };
  });
}

async function tenK(size) {
  const dir = keepDir ?? mkdtempSync(join(tmpdir(), `bench-deep-${size}-`));
  const reuse = existsSync(join(dir, 'tasks'));
  if (!reuse) {
    mkdirSync(dir, { recursive: true });
    await writeCorpus(dir, size);
    const cold = await encodeAll(dir, size, 'cold');
    const rest = await atRest(cold.server, 20);
    const first = cold.series[0]?.rss ?? Number.NaN;
    const max = Math.max(...cold.series.map((s) => s.rss));
    row(size, 'cold: RSS over encoding, first / max sample (MB)', `${first} / ${max}`, 'growth = leak?');
    row(size, 'cold: RSS at rest / heap_used / peak (MB)', `${rest.rss} / ${rest.heap} / ${rest.peak}`, 'target < 400');
    rows.push({ size, what: 'cold: series', series: cold.series });
    await cold.server.stop();
  } else console.log(`${String(size).padStart(6)}  reusing ${dir} (cold encode skipped)`);

  // Restart: everything is cached.
  const t0 = performance.now();
  const server = await startServer(dir, DEEP);
  const client = await connect(server.url);
  await callOk(client, 'backlog_search', { query: KEYWORD[0] });
  const firstMs = performance.now() - t0;
  const ready = await until(server.url, (h) => h.semantic && h.semantic.encoder !== 'loading', 50);
  const readyMs = performance.now() - t0;
  const settled = await until(server.url, (h) => h.semantic.pending === 0, 200);
  const settledMs = performance.now() - t0;
  row(size, 'restart: time to first search answer', `${(firstMs / 1000).toFixed(2)} s`);
  row(size, 'restart: time to encoder ready', `${(readyMs / 1000).toFixed(2)} s`, ready.semantic.encoder);
  row(
    size,
    'restart: time to pending 0 / items encoded',
    `${(settledMs / 1000).toFixed(2)} s / ${settled.semantic.encoded}`,
    'expect 0',
  );
  const rest = await atRest(server);
  row(
    size,
    'restart: RSS at rest / heap_used / peak (MB)',
    `${rest.rss} / ${rest.heap} / ${rest.peak}`,
    'target < 400',
  );

  const weak = await classify(server.url, client, WEAK, true);
  const keyword = await classify(server.url, client, KEYWORD, false);
  // The same queries on a hybrid server over the same folder, running alongside.
  const hybrid = await startServer(dir, HYBRID);
  const hybridClient = await connect(hybrid.url);
  await callOk(hybridClient, 'backlog_search', { query: KEYWORD[0] });
  const q0 = (await health(server.url)).semantic.queries;
  const [deepWeak, hybridWeak] = await queryTimes([client, hybridClient], weak, fresh);
  const q1 = (await health(server.url)).semantic.queries;
  const [deepKeyword, hybridKeyword] = await queryTimes([client, hybridClient], keyword);
  row(
    size,
    `deep: weak query p50 / p95 (ms; ${weak.length} queries)`,
    fmt(deepWeak),
    `target p50 ≤ 40; ${q1 - q0} encoded`,
  );
  row(size, 'hybrid: weak query p50 / p95 (ms)', fmt(hybridWeak));
  row(size, `deep: keyword query p50 / p95 (ms; ${keyword.length} queries)`, fmt(deepKeyword));
  row(
    size,
    'hybrid: keyword query p50 / p95 (ms)',
    fmt(hybridKeyword),
    `deep/hybrid p50 ${((deepKeyword.p50 / hybridKeyword.p50 - 1) * 100).toFixed(0)} % (target ≤ +10 %)`,
  );
  const queries = 2 * QUERY_RUNS + weak.length + keyword.length;
  const afterQueries = await atRest(server, 4);
  row(
    size,
    `deep: RSS / heap_used / peak after ${queries} queries (MB)`,
    `${afterQueries.rss} / ${afterQueries.heap} / ${afterQueries.peak}`,
  );
  const hybridRest = await atRest(hybrid, 4);
  row(
    size,
    `hybrid: RSS / heap_used / peak after ${queries} queries (MB)`,
    `${hybridRest.rss} / ${hybridRest.heap} / ${hybridRest.peak}`,
  );
  await Promise.all([client.close(), hybridClient.close()]);
  await Promise.all([server.stop(), hybrid.stop()]);
  if (!keepDir) rmSync(dir, { recursive: true, force: true });
}

console.log(
  `backlog-mcp deep search bench — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, load ${load()}`,
);
// The long run first.
for (const size of [...sizes].sort((a, b) => b - a)) {
  if (size >= 5000) await tenK(size);
  else await cold1k(size);
}
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
const file = new URL(
  `results/encoder-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.json`,
  import.meta.url,
);
writeFileSync(
  file,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, rows }, null, 2)}\n`,
);
console.log(`\nwritten ${file.pathname}`);
