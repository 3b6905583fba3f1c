// node bench/encoder.mjs (after npm run build) — the full USE-lite sentence encoder in its worker
// (issue 20, packages/server/src/search/encoder): load time, query latency idle and while items are
// being encoded in the background, CPU per item, and the process's RSS as it goes.
import { DeepEncoder } from '../packages/server/dist/search/encoder/deep-encoder.js';

const ITEMS = Number(process.env.ENCODER_ITEMS ?? 400);
const rss = () => Math.round(process.memoryUsage().rss / 1e6);
const pct = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))];
const WORDS =
  'auth login cache index search render layout api schema queue deploy build test docs metrics billing'.split(' ');
const body = (i) => Array.from({ length: 100 }, (_, k) => WORDS[(i * 7 + k * 3) % WORDS.length]).join(' ');

const before = rss();
const started = performance.now();
const encoder = new DeepEncoder((line) => console.error(line));
await encoder.whenReady();
if (encoder.state !== 'ready') throw new Error('the encoder did not load');
console.log(
  `load: ${Math.round(performance.now() - started)} ms (worker ${Math.round(encoder.loadMs)} ms), RSS ${before} → ${rss()} MB`,
);

const idle = [];
for (let i = 0; i < 30; i++) {
  const at = performance.now();
  await encoder.encodeQuery(`sign-in keeps failing after refresh ${i}`);
  idle.push(performance.now() - at);
}
console.log(`query, idle: p50 ${pct(idle, 50).toFixed(1)} ms, p90 ${pct(idle, 90).toFixed(1)} ms`);

const texts = Array.from({ length: ITEMS }, (_, i) => `Item ${i}\nItem ${i}\n${body(i)}`);
const itemsStarted = performance.now();
const work = encoder.encodeItems(texts);
const busy = [];
let done = false;
void work.then(() => {
  done = true;
});
while (!done) {
  await new Promise((resolve) => setTimeout(resolve, 500));
  if (done) break;
  const at = performance.now();
  await encoder.encodeQuery('paraphrase while the backlog is being encoded');
  busy.push(performance.now() - at);
}
const itemsMs = performance.now() - itemsStarted;
console.log(
  `${ITEMS} items of ~100 words: ${Math.round(itemsMs)} ms (${(itemsMs / ITEMS).toFixed(1)} ms each, queries included), RSS ${rss()} MB`,
);
if (busy.length)
  console.log(
    `query while items encode: p50 ${pct(busy, 50).toFixed(0)} ms, max ${Math.round(Math.max(...busy))} ms (${busy.length} queries)`,
  );
await encoder.close();
