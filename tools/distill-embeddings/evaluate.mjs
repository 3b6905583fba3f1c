#!/usr/bin/env node
// Compares the full USE-lite encoder with the distilled static table on the
// judged set in bench/search-judged/judged-set.json: recall@5, MRR, latency.
//
// Run from the scratch folder that has the @energetic-ai packages (see distill.mjs):
//   cd /tmp/distill && node /work/main/tools/distill-embeddings/evaluate.mjs [--table path] [--no-full]
//
// The static embedder is the real runtime source (src/search/embedder/static-embedder.ts),
// transpiled in memory, so these numbers describe what the server ships.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ASSET_DIR, ASSET_FILE, dot, importServerTs, loadUseLite, normalise, REPO_ROOT } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    table: { type: 'string', default: join(ASSET_DIR, ASSET_FILE) },
    set: { type: 'string', default: join(REPO_ROOT, 'bench/search-judged/judged-set.json') },
    'no-full': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const judged = JSON.parse(readFileSync(opts.set, 'utf8'));
const { tokenize, createStaticEmbedder } = await importServerTs('src/search/embedder/static-embedder.ts');
const itemText = (it) => `${it.title}. ${it.description}`;

// A judged set only tests meaning if queries and their targets share no
// content word; "shared" includes obvious inflections (logs/logging, month/monthly).
const STOP = new Set(
  'a an the and or of to in on at for by with from into is are be was were it its this that my me i our we us you your they their them can cant t don s what when who which how do does not no so as if any all every each too very up out off over about after before while until than then there here should must will would could have has had get go'.split(
    ' ',
  ),
);
const related = (a, b) =>
  a === b ||
  (a.length >= 4 && b.startsWith(a)) ||
  (b.length >= 4 && a.startsWith(b)) ||
  (a.length >= 5 && b.length >= 5 && a.slice(0, 5) === b.slice(0, 5));
let overlaps = 0;
for (const q of judged.queries) {
  const qt = tokenize(q.query).filter((t) => !STOP.has(t));
  for (const id of q.relevant) {
    const it = judged.items.find((i) => i.id === id);
    if (!it) throw new Error(`unknown item ${id}`);
    const shared = qt.filter((t) => tokenize(itemText(it)).some((u) => !STOP.has(u) && related(t, u)));
    if (shared.length) {
      overlaps++;
      console.warn(`overlap: "${q.query}" ~ ${id}: ${shared.join(', ')}`);
    }
  }
}
if (overlaps) {
  console.error(`${overlaps} query/target pairs share words: fix the judged set`);
  process.exitCode = 1;
}

function score(name, itemVecs, queryVecs) {
  let recall = 0;
  let mrr = 0;
  const misses = [];
  judged.queries.forEach((q, qi) => {
    const ranked = judged.items
      .map((it, ii) => [it.id, dot(queryVecs[qi], itemVecs[ii])])
      .sort((a, b) => b[1] - a[1])
      .map((p) => p[0]);
    const top5 = ranked.slice(0, 5);
    recall += q.relevant.filter((id) => top5.includes(id)).length / q.relevant.length;
    const first = Math.min(...q.relevant.map((id) => ranked.indexOf(id)));
    mrr += 1 / (first + 1);
    if (first >= 5) misses.push(`${q.query} -> rank ${first + 1} (top: ${ranked[0]})`);
  });
  const n = judged.queries.length;
  const r = { name, recallAt5: recall / n, mrr: mrr / n };
  console.log(`${name.padEnd(22)} recall@5 ${r.recallAt5.toFixed(3)}  MRR ${r.mrr.toFixed(3)}`);
  if (opts.verbose) for (const m of misses) console.log(`   miss: ${m}`);
  return r;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`judged set: ${judged.items.length} items, ${judged.queries.length} queries`);

// --- static table ----------------------------------------------------------
const bytes = readFileSync(opts.table);
let t0 = performance.now();
const embedder = createStaticEmbedder(new Uint8Array(bytes));
const loadMs = performance.now() - t0;
const sItems = judged.items.map((it) => embedder.embed(itemText(it)));
const sQueries = judged.queries.map((q) => embedder.embed(q.query));
score(`static (${embedder.dimensions}d)`, sItems, sQueries);
for (let i = 0; i < 200; i++) for (const q of judged.queries) embedder.embed(q.query);
const reps = 2000;
t0 = performance.now();
for (let i = 0; i < reps; i++) for (const q of judged.queries) embedder.embed(q.query);
const perQueryUs = ((performance.now() - t0) / (reps * judged.queries.length)) * 1000;
t0 = performance.now();
for (const it of judged.items) embedder.embed(itemText(it));
const perItemUs = ((performance.now() - t0) / judged.items.length) * 1000;
const big = 'The quick brown fox refactors the authentication middleware again. '.repeat(20000);
t0 = performance.now();
embedder.embed(big);
const bigMs = performance.now() - t0;
console.log(
  `  table ${(bytes.byteLength / 1048576).toFixed(2)} MB, load ${loadMs.toFixed(0)} ms, ` +
    `query ${perQueryUs.toFixed(1)} µs, item ${perItemUs.toFixed(1)} µs, 1.3 MB text ${bigMs.toFixed(1)} ms`,
);

// --- full encoder ----------------------------------------------------------
if (!opts['no-full']) {
  t0 = performance.now();
  const { model } = await loadUseLite();
  const fullLoadMs = performance.now() - t0;
  const fItems = (await model.embed(judged.items.map(itemText))).map(normalise);
  const fQueries = [];
  const times = [];
  for (const q of judged.queries) await model.embed(q.query); // warm-up
  for (const q of judged.queries) {
    const s = performance.now();
    fQueries.push(normalise(await model.embed(q.query)));
    times.push(performance.now() - s);
  }
  score('full USE-lite (512d)', fItems, fQueries);
  console.log(`  load ${fullLoadMs.toFixed(0)} ms, single query median ${median(times).toFixed(1)} ms`);
}
