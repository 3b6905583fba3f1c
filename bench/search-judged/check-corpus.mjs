// Validates backlog-corpus.json, the judged search-quality set: shape, IDs, references,
// graded judgements, the required mix of item types and query kinds, and the paraphrase
// rule (a paraphrase query shares no content word, nor a 5-letter prefix of one, with any
// of its grade-3 targets). Plain Node ESM, no dependencies. Prints violations, exits 1 on any.
//
//   node bench/search-judged/check-corpus.mjs [path/to/corpus.json]
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? new URL('./backlog-corpus.json', import.meta.url);
const errors = [];
const fail = (msg) => errors.push(msg);

const PREFIX_BY_TYPE = { task: 'TASK', epic: 'EPIC', artifact: 'ARTF', folder: 'FLDR', milestone: 'MLST' };
const STATUSES = ['open', 'in_progress', 'blocked', 'done', 'cancelled'];
const KINDS = ['keyword', 'paraphrase', 'typo', 'id', 'mixed'];
const ID_RE = /^(TASK|EPIC|ARTF|FLDR|MLST)-(\d{4})$/;

// Minimum counts. The brief asks for ~130 tasks, ~12 epics, ~15 artifacts, a few folders
// and milestones; ≥ 70 queries with ≥ 24 paraphrase, ~20 keyword, ~8 typo, ~6 id, some mixed.
const MIN_ITEMS = 170;
const MIN_BY_TYPE = { task: 120, epic: 10, artifact: 12, folder: 2, milestone: 2 };
const MIN_QUERIES = 70;
const MIN_BY_KIND = { paraphrase: 24, keyword: 18, typo: 7, id: 5, mixed: 3 };
const MAX_JUDGED = 8;

// English stop words (NLTK list plus a few contractions and fillers).
const STOP_WORDS = new Set(
  `a about above after again against ain all am an and any are aren as at be because been before
  being below between both but by can couldn d did didn do does doesn doing don down during each
  few for from further had hadn has hasn have haven having he her here hers herself him himself
  his how i if in into is isn it its itself just ll m ma me mightn more most mustn my myself
  needn no nor not now o of off on once only or other our ours ourselves out over own re s same
  shan she should shouldn so some such t than that the their theirs them themselves then there
  these they this those through to too under until up ve very was wasn we were weren what when
  where which while who whom why will with won wouldn y you your yours yourself yourselves
  also can't cannot could get gets got let lets may might must would yet via per etc`
    .split(/\s+/)
    .filter(Boolean),
);

/** Words of a text: camelCase split, diacritics folded, lower-cased, split on non-alphanumerics. */
function words(text) {
  return text
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}
const contentWords = (text) => words(text).filter((w) => !STOP_WORDS.has(w));

/**
 * Two words share a stem for the paraphrase rule when their first five letters match.
 * Stricter for short words: a 3–4 letter content word also clashes with any word it
 * begins ("pay" ~ "payment", "log" ~ "logs"), since it has no five letters to compare.
 * (Stop words are exempt from that extension: "the" does not clash with "theme".)
 */
function clash(q, t) {
  if (q === t) return true;
  if (q.length >= 5 && t.length >= 5) return q.slice(0, 5) === t.slice(0, 5);
  const [short, long] = q.length <= t.length ? [q, t] : [t, q];
  return short.length >= 3 && !STOP_WORDS.has(short) && long.startsWith(short);
}

/** The item IDs a query written as an ID points at (same forms the server understands). */
function idTargets(query, ids) {
  const text = query.trim();
  const words = {
    task: 'TASK',
    epic: 'EPIC',
    folder: 'FLDR',
    fldr: 'FLDR',
    artifact: 'ARTF',
    artf: 'ARTF',
    milestone: 'MLST',
    mlst: 'MLST',
  };
  const pad = (n) => String(Number(n)).padStart(4, '0');
  let m = /^(task|epic|fldr|artf|mlst)[-_ ]?0*(\d{1,9})$/i.exec(text);
  if (m) return [`${m[1].toUpperCase()}-${pad(m[2])}`];
  m = /^(task|epic|folder|fldr|artifact|artf|milestone|mlst)s?\s*#?\s*0*(\d{1,9})$/i.exec(text);
  if (m) return [`${words[m[1].toLowerCase()]}-${pad(m[2])}`];
  m = /^#?0*(\d{1,9})$/.exec(text);
  if (m)
    return Object.values(PREFIX_BY_TYPE)
      .map((p) => `${p}-${pad(m[1])}`)
      .filter((id) => ids.has(id));
  return (text.match(/\b(TASK|EPIC|FLDR|ARTF|MLST)-\d{1,9}\b/gi) ?? []).map((raw) => {
    const [p, n] = raw.toUpperCase().split('-');
    return `${p}-${pad(n)}`;
  });
}

let corpus;
try {
  corpus = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.error(`cannot read corpus: ${err.message}`);
  process.exit(1);
}

// ---- shape ----
if (typeof corpus.description !== 'string' || corpus.description.trim().length < 100)
  fail('description: expected a paragraph (string, ≥ 100 chars)');
if (!Array.isArray(corpus.items)) fail('items: expected an array');
if (!Array.isArray(corpus.queries)) fail('queries: expected an array');
const items = Array.isArray(corpus.items) ? corpus.items : [];
const queries = Array.isArray(corpus.queries) ? corpus.queries : [];

// ---- items ----
const byId = new Map();
const seqsByPrefix = {};
for (const [i, item] of items.entries()) {
  const where = `items[${i}] ${item?.id ?? '?'}`;
  if (!item || typeof item !== 'object') {
    fail(`${where}: not an object`);
    continue;
  }
  const m = ID_RE.exec(item.id ?? '');
  if (!m) fail(`${where}: id must look like TASK-0001 (4-digit zero-padded)`);
  else {
    if (PREFIX_BY_TYPE[item.type] !== m[1]) fail(`${where}: type "${item.type}" does not match prefix ${m[1]}`);
    seqsByPrefix[m[1]] = [...(seqsByPrefix[m[1]] ?? []), Number(m[2])];
  }
  if (byId.has(item.id)) fail(`${where}: duplicate id`);
  byId.set(item.id, item);
  if (typeof item.title !== 'string' || !item.title.trim()) fail(`${where}: title must be a non-empty string`);
  if (typeof item.description !== 'string' || !item.description.trim())
    fail(`${where}: description must be a non-empty string`);
  if (!STATUSES.includes(item.status)) fail(`${where}: status "${item.status}" not one of ${STATUSES.join(', ')}`);
  const allowed = new Set(['id', 'type', 'title', 'description', 'status', 'epic_id']);
  for (const key of Object.keys(item)) if (!allowed.has(key)) fail(`${where}: unexpected field "${key}"`);
}
for (const [i, item] of items.entries()) {
  if (item?.epic_id === undefined) continue;
  const target = byId.get(item.epic_id);
  if (!target) fail(`items[${i}] ${item.id}: epic_id ${item.epic_id} does not exist`);
  else if (target.type !== 'epic') fail(`items[${i}] ${item.id}: epic_id ${item.epic_id} is not an epic`);
  if (item.epic_id === item.id) fail(`items[${i}] ${item.id}: epic_id points at itself`);
}
// Per-type sequences start at 0001 and have no gaps.
for (const [prefix, seqs] of Object.entries(seqsByPrefix)) {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const gap = sorted.findIndex((seq, i) => seq !== i + 1);
  if (gap >= 0)
    fail(
      `${prefix}: sequence should run ${prefix}-0001..${prefix}-${String(sorted.length).padStart(4, '0')} without gaps; ${prefix}-${String(gap + 1).padStart(4, '0')} is missing`,
    );
}
// Every ID written inside a description points at an existing item.
for (const item of items) {
  for (const ref of `${item.title ?? ''} ${item.description ?? ''}`.match(/\b(TASK|EPIC|ARTF|FLDR|MLST)-\d{4}\b/g) ??
    []) {
    if (!byId.has(ref)) fail(`${item.id}: mentions ${ref}, which does not exist`);
  }
}

const typeCounts = {};
for (const item of items) typeCounts[item.type] = (typeCounts[item.type] ?? 0) + 1;
if (items.length < MIN_ITEMS) fail(`items: ${items.length} < ${MIN_ITEMS}`);
for (const [type, min] of Object.entries(MIN_BY_TYPE))
  if ((typeCounts[type] ?? 0) < min) fail(`items: ${typeCounts[type] ?? 0} of type ${type} < ${min}`);
const statusCounts = {};
for (const item of items) statusCounts[item.status] = (statusCounts[item.status] ?? 0) + 1;
for (const status of STATUSES) if (!statusCounts[status]) fail(`items: no item has status ${status}`);

// Description lengths vary: some one-liners, some long (≥ 150 words); some non-ASCII text.
const wordCount = (t) => (t ?? '').split(/\s+/).filter(Boolean).length;
const long = items.filter((it) => wordCount(it.description) >= 150).length;
const short = items.filter((it) => wordCount(it.description) <= 15).length;
if (long < 5) fail(`items: only ${long} descriptions have ≥ 150 words (want ≥ 5)`);
if (short < 10) fail(`items: only ${short} descriptions have ≤ 15 words (want ≥ 10)`);
if (!items.some((it) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(`${it.title} ${it.description}`)))
  fail('items: no CJK text anywhere');
if (!items.some((it) => /[À-ÿ]/.test(`${it.title} ${it.description}`))) fail('items: no accented Latin text anywhere');

// ---- queries ----
const vocabulary = new Set(items.flatMap((it) => words(`${it.title} ${it.description}`)));
const kindCounts = {};
const seen = new Set();
for (const [i, q] of queries.entries()) {
  const where = `queries[${i}] "${q?.query}"`;
  if (!q || typeof q !== 'object') {
    fail(`queries[${i}]: not an object`);
    continue;
  }
  if (typeof q.query !== 'string' || !q.query.trim()) fail(`${where}: query must be a non-empty string`);
  const norm = String(q.query).trim().toLowerCase();
  if (seen.has(norm)) fail(`${where}: duplicate query`);
  seen.add(norm);
  if (!KINDS.includes(q.kind)) fail(`${where}: kind "${q.kind}" not one of ${KINDS.join(', ')}`);
  kindCounts[q.kind] = (kindCounts[q.kind] ?? 0) + 1;
  const rel = q.relevant;
  if (!rel || typeof rel !== 'object' || Array.isArray(rel) || Object.keys(rel).length === 0) {
    fail(`${where}: relevant must be a non-empty {id: grade} object`);
    continue;
  }
  for (const [id, grade] of Object.entries(rel)) {
    if (!byId.has(id)) fail(`${where}: judged id ${id} does not exist`);
    if (![1, 2, 3].includes(grade)) fail(`${where}: grade for ${id} must be 1, 2 or 3 (got ${grade})`);
  }
  const targets = Object.entries(rel)
    .filter(([, g]) => g === 3)
    .map(([id]) => id);
  if (targets.length === 0) fail(`${where}: no item graded 3`);
  if (Object.keys(rel).length > MAX_JUDGED)
    fail(`${where}: ${Object.keys(rel).length} judged items (max ${MAX_JUDGED})`);

  const qWords = contentWords(String(q.query));
  if (q.kind === 'paraphrase') {
    if (qWords.length === 0) fail(`${where}: paraphrase query has no content words`);
    for (const id of targets) {
      const item = byId.get(id);
      if (!item) continue;
      const tWords = new Set(words(`${item.title} ${item.description}`));
      for (const qw of qWords) {
        const hits = [...tWords].filter((tw) => clash(qw, tw));
        if (hits.length) fail(`${where}: paraphrase word "${qw}" shares a stem with ${id}: ${hits.join(', ')}`);
      }
    }
  }
  if (q.kind === 'keyword') {
    // Every content word of a keyword query occurs verbatim in at least one grade-3 target.
    for (const qw of qWords) {
      const found = targets.some(
        (id) => byId.get(id) && words(`${byId.get(id).title} ${byId.get(id).description}`).includes(qw),
      );
      if (!found) fail(`${where}: keyword "${qw}" does not occur in any grade-3 target`);
    }
  }
  if (q.kind === 'typo') {
    // At least one word is misspelled, i.e. occurs nowhere in the corpus.
    if (!qWords.some((w) => !vocabulary.has(w)))
      fail(`${where}: typo query has no misspelled word (all words occur in the corpus)`);
  }
  if (q.kind === 'id') {
    const named = idTargets(String(q.query), byId);
    if (named.length === 0) fail(`${where}: id query does not name an ID`);
    for (const id of targets)
      if (!named.includes(id))
        fail(`${where}: grade-3 target ${id} is not the ID the query names (${named.join(', ')})`);
  }
}
if (queries.length < MIN_QUERIES) fail(`queries: ${queries.length} < ${MIN_QUERIES}`);
for (const [kind, min] of Object.entries(MIN_BY_KIND))
  if ((kindCounts[kind] ?? 0) < min) fail(`queries: ${kindCounts[kind] ?? 0} of kind ${kind} < ${min}`);

// ---- report ----
const summary = [
  `items: ${items.length} (${Object.entries(typeCounts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')})`,
  `statuses: ${Object.entries(statusCounts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
  `queries: ${queries.length} (${Object.entries(kindCounts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')})`,
  `descriptions: ${long} with ≥ 150 words, ${short} with ≤ 15 words`,
];
console.log(summary.join('\n'));
if (errors.length) {
  console.error(`\n${errors.length} violation(s):`);
  for (const e of errors) console.error(`  - ${e}`);
  process.exit(1);
}
console.log('\nok');
