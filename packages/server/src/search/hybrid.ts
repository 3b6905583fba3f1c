import type { Item } from '@backlog-mcp/shared';
import { contentHash } from '../core/content-hash.js';
import type { SearchHit, SearchIndex, SearchOptions, SearchResults } from '../core/ports.js';
import { processTerm, tokenize } from './analyze.js';
import type { DeepVectors } from './deep-vectors.js';
import type { Embedder } from './embedder/static-embedder.js';
import { reciprocalRankFusion } from './fusion.js';
import { idCandidates } from './id-intent.js';
import { quantize } from './quantize.js';
import type { EncoderState } from './sentence-encoder.js';
import { TextIndex, type TextIndexSnapshot, type TextResults } from './text-index.js';
import { MemoryVectorCache, type TextIndexCache, type VectorCache } from './vector-cache.js';
import { QuantizedVectorIndex, RowMask, type Unseen } from './vector-index.js';

export interface HybridOptions {
  /** Absent (or failed to load): the index runs text-only and says so in `mode`. */
  embedder?: Embedder;
  cache?: VectorCache<Int8Array>;
  log?: (line: string) => void;
  /** Items embedded between yields while (re)building, so requests are served meanwhile. */
  batchSize?: number;
  /** Called while (re)building, for progress bars and log lines. */
  onProgress?: (done: number, total: number) => void;
  /** Which rankings take part (for the evaluation's text-only and semantic-only runs); default all. */
  rankers?: { text: boolean; semantic: boolean; deep?: boolean };
  /**
   * The sentence encoder's vectors (mode "deep"): asked only for queries the words answer weakly.
   * Absent, or its encoder off: today's hybrid of words and the static table.
   */
  deep?: DeepVectors;
  /** Overrides of the fusion constants below, for tuning on the judged set. */
  tuning?: Partial<DeepTuning>;
  /** The text index's analysed documents between runs: a restart then analyses only what changed. */
  textCache?: TextIndexCache;
}

/** What /health says of the sentence encoder (summed over open backlogs). */
export interface SemanticState {
  encoder: EncoderState;
  /** Items still waiting for their vector. */
  pending: number;
  /** Vectors computed since start (a restart with nothing changed computes none). */
  encoded: number;
  /** Queries that went to the encoder since start (weak ones only). */
  queries: number;
}

export interface DeepTuning {
  /** Weight of the sentence encoder's ranking in the fusion, on a weak query. */
  deepWeight: number;
  /** Weight of the static table's ranking on a weak query (SEMANTIC_WEIGHT otherwise). */
  staticWeight: number;
  /** Weight of the text ranking on a weak query (TEXT_WEIGHT otherwise). */
  textWeight: number;
  /** Cosine below this is noise for the sentence encoder. */
  deepFloor: number;
  /** How long a weak query waits for the encoder before it is ranked without it. */
  deadlineMs: number;
}

/**
 * Chosen on the project's judged set (bench/search-eval/tune-deep.mjs; ADR 0017 and docs/notes/deep-tuning.md have
 * the grid and the table). RRF sees only the ratios of the weights. Text ≥ 4× the encoder keeps typo
 * queries (weak too: a misspelt word is no exact match) within 0.02 nDCG@10 of hybrid — the encoder
 * reads misspellings badly — and 6× sits inside that region, not on its edge; paraphrases match no
 * text, so for them the encoder outweighs the static table 2:1 (paraphrase nDCG@10 0.22 → 0.38).
 * The floor matters most: 0.3 or 0.4 cost a typo or paraphrases, 0.35 is best on every setting tried.
 */
export const DEEP_TUNING: DeepTuning = {
  deepWeight: 1,
  staticWeight: 0.5,
  textWeight: 6,
  deepFloor: 0.35,
  deadlineMs: 250,
};

/** Cosine below this is noise for the distilled table: such items are not "semantic matches". */
export const SEMANTIC_FLOOR = 0.45;
/**
 * When some item contains every word of the query, the query is answered by its words, and a
 * semantic-only neighbour (no text hit) must be this close to count in `total` or be shown. With
 * the distilled table a one-word query sits at 0.45–0.69 from unrelated items ("retry" padded 6 text
 * hits with 71 such neighbours in the judged set); in that set no semantic-only item at or above
 * 0.70 is relevant to any query, and under a complete keyword match none above 0.50 is (docs/benchmarks.md).
 */
export const KEYWORD_SEMANTIC_FLOOR = 0.7;
/** How deep each ranking goes into the fusion. */
const DEPTH = 200;
/**
 * Text hits count by how much of the query they cover (coverage³): a hit on one
 * incidental word of a paraphrase is noise, a hit on every word is near-certain.
 * Tuned on the judged set (bench/search-eval): paraphrases 0.09 → 0.22 nDCG@10
 * with keyword queries unchanged.
 */
const TEXT_WEIGHT = 1.5;
const COVERAGE_POWER = 3;
const SEMANTIC_WEIGHT = 1;
/** A title that contains the whole query as a phrase gets this much extra, on the RRF scale. */
const PHRASE_BOOST = 1 / 61;
const MAX_FUSED = (TEXT_WEIGHT + SEMANTIC_WEIGHT) / 61 + PHRASE_BOOST;

/**
 * Lets pending requests run. setImmediate where the runtime has it: a timer waits at least 1 ms,
 * 20 ms of a 10,000-item restart spent waiting for nothing.
 */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
}

/** What an item is, for the embedder: the title counts twice, so long bodies do not drown it. */
export function embeddingText(item: Item): string {
  return `${item.title}\n${item.title}\n${item.description}`;
}

/**
 * Hybrid search: BM25 over the text fused by reciprocal rank with cosine similarity
 * from the offline embedder, plus ID intent and an exact-phrase title boost.
 */
export class HybridSearchIndex implements SearchIndex {
  private readonly text = new TextIndex();
  private readonly vectors: QuantizedVectorIndex | undefined;
  private readonly cache: VectorCache<Int8Array>;
  private readonly titles = new Map<string, string>();
  private readonly hashes = new Map<string, string>();

  private readonly tuning: DeepTuning;

  constructor(private readonly options: HybridOptions = {}) {
    this.tuning = { ...DEEP_TUNING, ...options.tuning };
    this.vectors = options.embedder ? new QuantizedVectorIndex(options.embedder.dimensions) : undefined;
    this.cache = options.cache ?? new MemoryVectorCache<Int8Array>();
  }

  get size(): number {
    return this.text.size;
  }

  /** `deep` while the sentence encoder can answer; `hybrid` (static table) when it is off or absent. */
  get mode(): 'deep' | 'hybrid' | 'text' {
    if (!this.vectors) return 'text';
    return this.options.deep && this.options.deep.encoder.state !== 'off' ? 'deep' : 'hybrid';
  }

  /** For /health: the encoder's state and how many items still wait for their vectors. */
  get semantic(): SemanticState | undefined {
    const deep = this.options.deep;
    return (
      deep && { encoder: deep.encoder.state, pending: deep.pending, encoded: deep.encoded, queries: this.deepQueries }
    );
  }

  async rebuild(items: readonly Item[]): Promise<void> {
    const started = Date.now();
    const saved = await this.options.textCache?.load();
    const restoredFrom = new Int32Array(items.length);
    const restored = this.text.rebuild(items, saved, restoredFrom);
    // The vectors' keys of the documents the text index restored, as saved beside them.
    const { embedder, deep } = this.options;
    const staticKeys = embedder && this.vectors && derivedKeys(saved, embedder.id);
    const deepKeys = deep && derivedKeys(saved, deep.encoder.id);
    const keyOf = (keys: string[] | undefined, k: number) => keys?.[restoredFrom[k] as number];
    this.textChanged =
      restored < items.length ||
      saved?.ids.length !== items.length ||
      (embedder !== undefined && this.vectors !== undefined && !staticKeys) ||
      (deep !== undefined && !deepKeys);
    this.titles.clear();
    for (const item of items) this.titles.set(item.id, item.title.toLowerCase());
    // No text snapshot is saved meanwhile: until every item has its key again, one could pair an
    // item's new text with the key of its old one.
    this.building = true;
    let embedded = 0;
    try {
      if (!this.vectors) return;
      if (deep) for (let k = 0; k < items.length; k++) deep.track(items[k] as Item, keyOf(deepKeys, k));
      const batch = this.options.batchSize ?? 500;
      for (let i = 0; i < items.length; i++) {
        if (this.embed(items[i] as Item, keyOf(staticKeys, i))) embedded++;
        // Yield now and then so a large first build never blocks requests for long.
        if (i % batch === batch - 1) {
          this.options.onProgress?.(i + 1, items.length);
          await yieldToEvents();
        }
      }
      if (items.length % batch !== 0) this.options.onProgress?.(items.length, items.length);
      await this.cache.flush(new Set(this.hashes.values()));
    } finally {
      this.building = false;
      // Saved soon, not now: the first search should not wait for it.
      if (this.textChanged) setTimeout(() => void this.saveText(), 0);
    }
    const seconds = (Date.now() - started) / 1000;
    this.options.log?.(
      `backlog: indexed ${items.length} item${items.length === 1 ? '' : 's'} in ${seconds.toFixed(2)} s ` +
        `(${items.length - restored} analysed, ${restored} from the text cache; ` +
        `${embedded} embedded, ${items.length - embedded} vector${items.length - embedded === 1 ? '' : 's'} from cache)`,
    );
  }

  async upsert(item: Item): Promise<void> {
    this.text.upsert(item);
    this.textChanged = true;
    this.titles.set(item.id, item.title.toLowerCase());
    if (this.vectors) this.embed(item);
    this.options.deep?.track(item);
  }

  async remove(id: string): Promise<void> {
    this.text.remove(id);
    this.textChanged = true;
    this.titles.delete(id);
    this.hashes.delete(id);
    this.vectors?.remove(id);
    this.options.deep?.forget(id);
  }

  /** Persists cached vectors and the analysed text (the Node adapter calls this on a timer and at exit). */
  async persist(): Promise<void> {
    await Promise.all([this.cache.flush(new Set(this.hashes.values())), this.options.deep?.persist(), this.saveText()]);
  }

  /** Stops background encoding and saves what was encoded. */
  async close(): Promise<void> {
    await Promise.all([this.cache.flush(new Set(this.hashes.values())), this.options.deep?.close(), this.saveText()]);
  }

  /** Items were indexed, changed or removed since the text cache was last written. */
  private textChanged = false;

  /** A rebuild is under way (see `rebuild`). */
  private building = false;

  private async saveText(): Promise<void> {
    const cache = this.options.textCache;
    if (!cache || !this.textChanged || this.building) return;
    this.textChanged = false;
    await cache.save(this.textSnapshot()).catch((error: unknown) => {
      this.textChanged = true;
      this.options.log?.(`backlog: could not save the text index: ${String(error)}`);
    });
  }

  /** The text index's snapshot, with each document's vector keys beside it (see `derived`). */
  private textSnapshot(): TextIndexSnapshot {
    const snapshot = this.text.snapshot();
    const derived: Record<string, string[]> = {};
    const { embedder, deep } = this.options;
    if (embedder && this.vectors) derived[embedder.id] = snapshot.ids.map((id) => this.hashes.get(id) ?? '');
    if (deep) derived[deep.encoder.id] = snapshot.ids.map((id) => deep.keyOf(id) ?? '');
    return { ...snapshot, derived };
  }

  async search(query: string, options: SearchOptions): Promise<SearchResults> {
    const filter = options.filter;
    const ids = idCandidates(query).filter((id) => this.titles.has(id) && (!filter || filter(id)));
    const rankers = this.options.rankers ?? { text: true, semantic: true };
    const depth = options.exhaustive ? Number.MAX_SAFE_INTEGER : DEPTH;
    const text = rankers.text ? this.text.search(query, { limit: depth, filter }) : undefined;
    const textHits = text?.hits ?? [];
    const textMatched = text?.matched ?? [];
    // Asked first, so the encoder works in its thread while the static table is scanned here.
    const asking = options.wordsOnly ? undefined : this.deepQueryVector(query, text);
    // `total` counts every item any source matched, once: the text's matches, what only the static
    // table found, what only the encoder found, and IDs named that none of them found.
    // A keyword query the text answers is not padded with weak neighbours; a paraphrase (no item
    // has all its words) still gets every neighbour above the noise floor.
    const onlySemanticFloor = text?.complete ? KEYWORD_SEMANTIC_FLOOR : SEMANTIC_FLOOR;
    const staticOnly: Unseen = { floor: onlySemanticFloor, except: this.textMask(text), ids: [] };
    const semantic = rankers.semantic
      ? this.semanticHits(query, filter, staticOnly).filter(
          (hit) => hit.score >= onlySemanticFloor || !!text?.has(hit.id),
        )
      : [];
    const namedAndMatched = ids.filter((id) => text?.has(id) || staticOnly.ids.includes(id));
    const deepOnly = asking && this.deepOnly(textMatched, staticOnly.ids);
    const deepQuery = await asking;
    const deep =
      deepQuery && deepOnly
        ? (this.options.deep as DeepVectors).search(deepQuery, DEPTH, this.tuning.deepFloor, filter, deepOnly)
        : [];
    const found = new Set([...namedAndMatched, ...ids.filter((id) => deepOnly?.ids.includes(id))]);
    const total =
      (text?.total ?? 0) +
      staticOnly.ids.length +
      (deepOnly?.ids.length ?? 0) +
      ids.filter((id) => !found.has(id)).length;
    const fused = this.fuse(query, textHits, semantic, deep);
    const hits = this.rank(fused, textHits);
    const idHits: SearchHit[] = ids.map((id) => ({ id, score: 1, matched_fields: ['id'], terms: [] }));
    const seen = new Set(ids);
    return {
      hits: [...idHits, ...hits.filter((hit) => !seen.has(hit.id))].slice(0, options.limit),
      total,
    };
  }

  /** The text's matches, for the static table's rows to be told apart by (see `hasAt`). */
  private textMask(text: TextResults | undefined): RowMask {
    if (!text) return new RowMask([]);
    const rows = this.vectors?.size ?? 0;
    if (this.rowHints.length < rows) {
      const grown = new Int32Array(Math.max(rows, this.rowHints.length * 2));
      grown.set(this.rowHints);
      this.rowHints = grown;
    }
    const hints = this.rowHints;
    return new RowMask(text.matched, (id, row) => text.hasAt(id, hints, row));
  }

  /** Per row of the static table: the text slot its item had when last asked about (`hasAt`). */
  private rowHints = new Int32Array(0);

  /**
   * What the encoder's matches are counted against: the items already counted, flagged in its rows
   * now, while it encodes the query, so counting thousands of its matches costs nothing after.
   */
  private deepOnly(textMatched: readonly string[], staticOnly: readonly string[]): Unseen {
    const except = new RowMask([...textMatched, ...staticOnly]);
    (this.options.deep as DeepVectors).prime(except);
    return { floor: this.tuning.deepFloor, except, ids: [] };
  }

  /**
   * The gate: the sentence encoder is asked only when the words answer weakly — no item holds
   * every content term of the query — and the query names no ID. Keyword queries never wait for it,
   * and a busy or absent encoder costs a weak query at most the deadline.
   */
  private deepQueryVector(
    query: string,
    text: { complete: boolean } | undefined,
  ): Promise<Float32Array | undefined> | undefined {
    const deep = this.options.deep;
    if (!deep || this.options.rankers?.deep === false || !this.vectors) return undefined;
    if (text?.complete || deep.size === 0 || deep.encoder.state !== 'ready') return undefined;
    if (idCandidates(query).length > 0 || tokenize(query).every((token) => !processTerm(token))) return undefined;
    this.deepQueries++;
    return deep.encoder.encodeQuery(query, this.tuning.deadlineMs);
  }

  /** Queries that went to the sentence encoder (for tests and /health). */
  deepQueries = 0;

  private fuse(
    query: string,
    textHits: readonly SearchHit[],
    semantic: ReadonlyArray<{ id: string }>,
    deep: ReadonlyArray<{ id: string }>,
  ): Map<string, number> {
    const queryTerms = new Set(tokenize(query).map(processTerm).filter(Boolean)).size || 1;
    const coverage = (hit: SearchHit) => Math.min(1, new Set(hit.terms).size / queryTerms) ** COVERAGE_POWER;
    const weak = deep.length > 0;
    const textWeight = weak ? this.tuning.textWeight : TEXT_WEIGHT;
    const fused = reciprocalRankFusion<{ id: string }>([
      { list: textHits, weight: (hit) => textWeight * coverage(hit as SearchHit) },
      { list: semantic, weight: weak ? this.tuning.staticWeight : SEMANTIC_WEIGHT },
      { list: deep, weight: this.tuning.deepWeight },
    ]);
    const phrase = query.trim().toLowerCase();
    if (phrase.includes(' ')) {
      for (const id of fused.keys()) {
        if (this.titles.get(id)?.includes(phrase)) fused.set(id, (fused.get(id) ?? 0) + PHRASE_BOOST);
      }
    }
    return fused;
  }

  /** Best first, scored 0–1 against the most a hit could get, with what matched. */
  private rank(fused: Map<string, number>, textHits: readonly SearchHit[]): SearchHit[] {
    const byText = new Map(textHits.map((hit) => [hit.id, hit]));
    let most = MAX_FUSED; // a loop, not Math.max(...values): an exhaustive search may fuse 100,000 hits
    for (const value of fused.values()) if (value > most) most = value;
    return [...fused.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([id, score]) => {
        const text = byText.get(id);
        return {
          id,
          score: score / most,
          matched_fields: text ? text.matched_fields : ['semantic'],
          terms: text ? text.terms : [],
        };
      });
  }

  async related(item: Item, options: SearchOptions): Promise<SearchHit[]> {
    const notSelf = (id: string) => id !== item.id && (!options.filter || options.filter(id));
    const row = this.vectors?.quantizedOf(item.id);
    const vector = row && Float32Array.from(row);
    if (!this.vectors || !vector) return this.text.searchExact(item.title, { limit: options.limit, filter: notSelf });
    return this.vectors
      .search(vector, options.limit, SEMANTIC_FLOOR, notSelf)
      .map((hit) => ({ id: hit.id, score: hit.score, matched_fields: ['semantic'], terms: [] }));
  }

  /** The static table's ranking; `unseen` collects its matches the text search did not find. */
  private semanticHits(
    query: string,
    filter: SearchOptions['filter'],
    unseen: Unseen,
  ): Array<{ id: string; score: number }> {
    if (!this.vectors || !this.options.embedder) return [];
    const vector = this.options.embedder.embed(query);
    return this.vectors.search(vector, DEPTH, SEMANTIC_FLOOR, filter, unseen);
  }

  /**
   * Embeds one item unless its content is unchanged or cached; returns whether it computed a vector.
   * `key`: the hash of its text when already known.
   */
  private embed(item: Item, key?: string): boolean {
    const embedder = this.options.embedder;
    if (!embedder || !this.vectors) return false;
    const hash = key || contentHash(`${embedder.id}\n${embeddingText(item)}`);
    if (this.hashes.get(item.id) === hash && this.vectors.has(item.id)) return false;
    this.hashes.set(item.id, hash);
    const cached = this.cache.get(hash);
    if (cached && cached.length === embedder.dimensions) {
      this.vectors.upsert(item.id, cached);
      return false;
    }
    const vector = quantize(embedder.embed(embeddingText(item)), embedder.dimensions);
    this.cache.set(hash, vector);
    this.vectors.upsert(item.id, vector);
    return true;
  }
}

/**
 * The keys `who` derived from each document of a saved text index, if it saved a full set: a
 * file written by hand or by an older build may have none, or a damaged list.
 */
function derivedKeys(saved: TextIndexSnapshot | undefined, who: string): string[] | undefined {
  const keys = saved?.derived?.[who];
  if (!Array.isArray(keys) || keys.length !== saved?.ids.length) return undefined;
  return keys.every((key) => typeof key === 'string') ? keys : undefined;
}
