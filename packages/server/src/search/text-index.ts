import type { Item } from '@backlog-mcp/shared';
import { contentHashOf } from '../core/content-hash.js';
import type { SearchHit, SearchOptions, SearchResults } from '../core/ports.js';
import { processTerm, tokenize } from './analyze.js';
import { Int32Blocks } from './blocks.js';
import { TermDictionary } from './term-dictionary.js';
import { TopK } from './top-k.js';

/** Indexed fields, in the order of their bits in a packed term frequency. */
const FIELDS = ['title', 'description', 'evidence', 'blocked_reason', 'references', 'labels'] as const;
/** A label is a word someone chose to file the item under: it weighs like the title. */
const BOOST = [3, 1, 1.2, 1, 1, 3] as const;
const FIELD_COUNT = FIELDS.length;
/** Field names for each field bit mask, shared by every hit (hits are read, never changed). */
const FIELD_SETS = Array.from({ length: 1 << FIELD_COUNT }, (_, mask) =>
  Object.freeze(FIELDS.filter((_, f) => mask & (1 << f))),
);
/** Each field's term frequency takes 5 bits of one int32: six fields fit, and BM25 saturates long before 31. */
const TF_BITS = 5;
const TF_MAX = (1 << TF_BITS) - 1;
/** BM25+ parameters (k1, b, and the lower bound d for long fields). */
const K1 = 1.2;
const B = 0.7;
const D = 0.5;
/** Prefix and typo matches count less than the word itself, and less the further they are. */
const PREFIX_WEIGHT = 0.5;
const FUZZY_WEIGHT = 0.6;
const FUZZY_SHARE = 0.2;
/** Query words beyond this many are ignored (one bit each in a 32-bit mask). */
const MAX_QUERY_TERMS = 32;
/** Removed documents leave dead postings behind; past this many (and more dead than live) they are compacted away. */
const COMPACT_AFTER = 50_000;
/** Added documents' term vectors come from 64 KB blocks. */
const newTermBlocks = () => new Int32Blocks(16_384);
const MEMO_LIMIT = 500_000;

/**
 * Names the analysis (fields, tokenizer, stemming, stop words, frequency packing): a saved index
 * made by another is not reused. Bump it with any change to analyze.ts or to what is indexed.
 */
export const TEXT_INDEX_VERSION = 'text-index-1';

/**
 * The analysed documents, as a cache keeps them: restoring from this skips tokenizing and stemming,
 * which was 80 % of a start-up's index build (0.8 s at 10,000 items). A document is restored only
 * if its text still hashes the same; any other is analysed anew.
 */
export interface TextIndexSnapshot {
  version: string;
  /** The terms the documents use; `flat` refers to them by index. */
  terms: string[];
  ids: string[];
  /** contentHash of each document's indexed text. */
  hashes: string[];
  /** Document i's (term, packed frequencies) pairs are flat[offsets[i] .. offsets[i + 1]). */
  offsets: Int32Array;
  flat: Int32Array;
  /** FIELD_COUNT token counts per document. */
  lengths: Float32Array;
  /**
   * Keys other indexes derived from each document's text (`derived[who][i]` for document i), by
   * who derived them (an embedder's id): still right wherever the document's text hash matches,
   * so a restart need not hash the text again for them. `''` where none was known.
   */
  derived?: Record<string, string[]>;
}

function fieldTexts(item: Item): string[] {
  return [
    item.title,
    item.description,
    (item.evidence ?? []).join('\n'),
    (item.blocked_reason ?? []).join('\n'),
    (item.references ?? []).map((r) => `${r.title ?? ''} ${r.url}`).join('\n'),
    (item.labels ?? []).join('\n'),
  ];
}

/** What a text search returns: `has` answers for this search only (a later one replaces it). */
export interface TextResults extends SearchResults {
  has(id: string): boolean;
  /**
   * `has`, for an id asked again and again from the same place elsewhere (a vector row, `at`):
   * `hints[at]` keeps the slot found last time, so asking again is two array reads and a string
   * compare instead of a map lookup (~65,000 lookups, 6 ms, per search at 100,000 items).
   */
  hasAt(id: string, hints: Int32Array, at: number): boolean;
  /** Every match that passed the filter (`total` of them), in no particular order: kept, unlike `has`. */
  matched: readonly string[];
  /**
   * Some match (that passed the filter) contains every word of the query as such, not only
   * through a prefix or typo stand-in: the query is a keyword query this backlog can answer.
   */
  complete: boolean;
}

const NO_MATCHES: TextResults = {
  hits: [],
  total: 0,
  has: () => false,
  hasAt: () => false,
  matched: [],
  complete: false,
};

interface Expansion {
  term: number;
  weight: number;
  /** The query word itself, not a prefix or typo stand-in. */
  exact: boolean;
}

/**
 * BM25 full-text search over title, body, evidence, blocked reasons, references and labels,
 * title and labels weighted higher, with prefix and typo matches. The ID is not a text field (boosting it made
 * "task" match everything); ID intent is handled before text matching instead.
 *
 * Postings live in one Int32Array per term as (document slot, packed field frequencies) pairs,
 * so a query of common words scans typed arrays instead of maps (ADR 0010). An update gives the
 * document a new slot and leaves the old postings dead until a compaction sweeps them.
 */
export class TextIndex {
  private readonly dictionary = new TermDictionary();
  private readonly memo = new Map<string, number>();
  private frequencies = new Int32Array(0);
  private lists: Int32Array[] = [];
  /**
   * Per term: postings used, and how many live documents hold it. Typed, not plain arrays: the
   * appends of a restore went through generic element access and were a third of a 100,000-item
   * restart (measured).
   */
  private used = new Int32Array(0);
  private documentFrequency = new Int32Array(0);
  private slotIds: Array<string | undefined> = [];
  /** contentHash of each live slot's indexed text (for snapshots). */
  private slotHashes: Array<string | undefined> = [];
  private slotOf = new Map<string, number>();
  private docTerms: Array<Int32Array | undefined> = [];
  /** Where added documents' term vectors are cut from. */
  private termBlocks = newTermBlocks();
  private alive = new Uint8Array(0);
  private lengths = new Float32Array(0);
  private lengthSum = new Float64Array(FIELD_COUNT);
  private livePostings = 0;
  private deadPostings = 0;
  /** How many compactions ran; observable so tests can prove one did. */
  compactions = 0;
  // Per-search scratch, sized to the slots and reset after each search.
  private scores = new Float64Array(0);
  private termMasks = new Uint32Array(0);
  private fieldMasks = new Uint8Array(0);
  /** Query words each slot contains exactly (not through a prefix or typo expansion). */
  private exactMasks = new Uint32Array(0);
  /** The search (by generation) each slot last matched in: answers "did this ID match?" after ranking. */
  private matchedIn = new Uint32Array(0);
  private generation = 0;

  /** `compactAfter`: dead postings tolerated before a compaction (tests lower it to exercise one). */
  constructor(private readonly options: { compactAfter?: number } = {}) {}

  get size(): number {
    return this.slotOf.size;
  }

  /**
   * Indexes `items` anew; documents whose text is unchanged since `saved` was taken are restored
   * from it instead of analysed. `restoredFrom[k]` is then the snapshot's index of `items[k]`
   * (-1: analysed). Returns how many were restored.
   */
  rebuild(items: readonly Item[], saved?: TextIndexSnapshot, restoredFrom?: Int32Array): number {
    this.clear(items.length);
    const restore = saved?.version === TEXT_INDEX_VERSION ? this.restorer(saved) : undefined;
    let restored = 0;
    for (let k = 0; k < items.length; k++) {
      const item = items[k] as Item;
      const from = restore ? restore(item) : -1;
      if (restoredFrom) restoredFrom[k] = from;
      if (from >= 0) restored++;
      else {
        const { hash, terms, lengths } = this.analyse(item);
        this.occupy(item.id, hash, terms, lengths, 0);
      }
    }
    this.layPostings();
    return restored;
  }

  /** Every live document, analysed, with the terms it uses (renumbered densely). */
  snapshot(): TextIndexSnapshot {
    const renumber = new Map<number, number>();
    const terms: string[] = [];
    const ids: string[] = [];
    const hashes: string[] = [];
    const offsets: number[] = [0];
    let total = 0;
    const live: number[] = [];
    this.slotIds.forEach((id, slot) => {
      if (id === undefined) return;
      live.push(slot);
      total += (this.docTerms[slot] as Int32Array).length;
    });
    const flat = new Int32Array(total);
    const lengths = new Float32Array(live.length * FIELD_COUNT);
    let at = 0;
    live.forEach((slot, i) => {
      const pairs = this.docTerms[slot] as Int32Array;
      for (let p = 0; p < pairs.length; p += 2) {
        const term = pairs[p] as number;
        let dense = renumber.get(term);
        if (dense === undefined) {
          dense = terms.length;
          renumber.set(term, dense);
          terms.push(this.dictionary.term(term));
        }
        flat[at++] = dense;
        flat[at++] = pairs[p + 1] as number;
      }
      offsets.push(at);
      ids.push(this.slotIds[slot] as string);
      hashes.push(this.slotHashes[slot] as string);
      lengths.set(this.lengths.subarray(slot * FIELD_COUNT, (slot + 1) * FIELD_COUNT), i * FIELD_COUNT);
    });
    return { version: TEXT_INDEX_VERSION, terms, ids, hashes, offsets: Int32Array.from(offsets), flat, lengths };
  }

  /** Puts an item back from the snapshot if its text is unchanged (its index there); -1 if it must be analysed. */
  private restorer(saved: TextIndexSnapshot): (item: Item) => number {
    // Plain locals: the snapshot comes from a deserializer, and its fields read in a loop went
    // through slow property lookups.
    const { flat, offsets, hashes, lengths, ids } = saved;
    // Items mostly come in the order the snapshot was taken in: try the next one first, and map
    // every id only once one is out of place (a map of 100,000 ids was 5 % of a restore).
    let next = 0;
    let indexOf: Map<string, number> | undefined;
    const find = (id: string): number | undefined => {
      if (ids[next] === id) return next++;
      indexOf ??= new Map(ids.map((known, i) => [known, i]));
      const i = indexOf.get(id);
      if (i !== undefined) next = i + 1;
      return i;
    };
    // Renumbered into this dictionary in one pass; the postings are laid out once every document
    // has its slot (layPostings).
    const termIds = Int32Array.from(saved.terms, (term) => this.dictionary.intern(term));
    this.ensureTerms(this.dictionary.size);
    const pairs = new Int32Array(flat.length);
    for (let p = 0; p < flat.length; p += 2) {
      pairs[p] = termIds[flat[p] as number] as number;
      pairs[p + 1] = flat[p + 1] as number;
    }
    return (item) => {
      const i = find(item.id);
      if (i === undefined) return -1;
      const hash = textHash(fieldTexts(item));
      if (hashes[i] !== hash) return -1;
      const terms = pairs.subarray(offsets[i] as number, offsets[i + 1] as number);
      this.occupy(item.id, hash, terms, lengths, i * FIELD_COUNT);
      return i;
    };
  }

  upsert(item: Item): void {
    this.remove(item.id);
    this.add(item);
  }

  remove(id: string): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    const terms = this.docTerms[slot] as Int32Array;
    for (let i = 0; i < terms.length; i += 2) (this.documentFrequency[terms[i] as number] as number)--;
    for (let f = 0; f < FIELD_COUNT; f++)
      (this.lengthSum[f] as number) -= this.lengths[slot * FIELD_COUNT + f] as number;
    this.alive[slot] = 0;
    this.slotIds[slot] = undefined;
    this.slotHashes[slot] = undefined;
    this.docTerms[slot] = undefined;
    this.slotOf.delete(id);
    this.livePostings -= terms.length / 2;
    this.deadPostings += terms.length / 2;
    if (this.deadPostings > (this.options.compactAfter ?? COMPACT_AFTER) && this.deadPostings > this.livePostings) {
      this.compact();
    }
  }

  /** Ranked matches with prefix and typo expansion, the total, and which IDs matched at all. */
  search(query: string, options: SearchOptions): TextResults {
    return this.run(query, options, true);
  }

  /** Exact words only: for "related items" a fuzzy match is noise. */
  searchExact(query: string, options: SearchOptions): SearchHit[] {
    return this.run(query, options, false).hits;
  }

  private clear(expected: number): void {
    this.lists = [];
    this.used = new Int32Array(0);
    this.documentFrequency = new Int32Array(0);
    this.slotIds = [];
    this.slotHashes = [];
    this.slotOf = new Map();
    this.docTerms = [];
    this.termBlocks = newTermBlocks();
    this.alive = new Uint8Array(expected);
    this.lengths = new Float32Array(expected * FIELD_COUNT);
    this.lengthSum = new Float64Array(FIELD_COUNT);
    this.livePostings = 0;
    this.deadPostings = 0;
  }

  private add(item: Item): void {
    const { hash, terms, lengths } = this.analyse(item);
    this.place(item.id, hash, terms, lengths);
  }

  /** An item's (term, packed frequencies) pairs, field lengths and text hash. */
  private analyse(item: Item): { hash: string; terms: Int32Array; lengths: Float32Array } {
    const texts = fieldTexts(item);
    const seen: number[] = [];
    const lengths = new Float32Array(FIELD_COUNT);
    for (let f = 0; f < FIELD_COUNT; f++) {
      let length = 0;
      const unit = 1 << (f * TF_BITS);
      for (const token of tokenize(texts[f] as string)) {
        const term = this.termOf(token);
        if (term < 0) continue;
        length++;
        const packed = this.scratchFrequency(term);
        if (packed === 0) seen.push(term);
        if (((packed >>> (f * TF_BITS)) & TF_MAX) < TF_MAX) this.frequencies[term] = packed + unit;
      }
      lengths[f] = length;
    }
    const terms = this.termBlocks.take(seen.length * 2);
    seen.forEach((term, i) => {
      terms[2 * i] = term;
      terms[2 * i + 1] = this.frequencies[term] as number;
      this.frequencies[term] = 0;
    });
    return { hash: textHash(texts), terms, lengths };
  }

  /** Gives a document the next slot, with its (term, packed frequencies) pairs and field lengths. */
  private place(id: string, hash: string, terms: Int32Array, lengths: Float32Array): void {
    const slot = this.occupy(id, hash, terms, lengths, 0);
    for (let i = 0; i < terms.length; i += 2) this.append(terms[i] as number, slot, terms[i + 1] as number);
  }

  /**
   * The next slot, taken by a document whose field lengths are `lengths[from .. from + FIELD_COUNT)`;
   * its postings are appended by `place` or laid out by `layPostings`.
   */
  private occupy(id: string, hash: string, terms: Int32Array, lengths: Float32Array, from: number): number {
    const slot = this.slotIds.length;
    this.ensureSlots(slot + 1);
    for (let f = 0; f < FIELD_COUNT; f++) {
      const length = lengths[from + f] as number;
      this.lengths[slot * FIELD_COUNT + f] = length;
      (this.lengthSum[f] as number) += length;
    }
    this.slotIds.push(id);
    this.slotHashes.push(hash);
    this.slotOf.set(id, slot);
    this.docTerms.push(terms);
    this.alive[slot] = 1;
    this.livePostings += terms.length / 2;
    return slot;
  }

  /**
   * Every occupied slot's postings at once, in slot order (as appending them one by one would
   * leave them): counted per term, then cut from one buffer and filled. Appending a restored
   * document's postings one call at a time was a third of a restart's index build (measured).
   */
  private layPostings(): void {
    const termCount = this.dictionary.size;
    this.ensureTerms(termCount);
    const counts = new Int32Array(termCount);
    const vectors = this.docTerms;
    let total = 0;
    for (let slot = 0; slot < vectors.length; slot++) {
      const vector = vectors[slot];
      if (!vector) continue;
      const length = vector.length;
      for (let i = 0; i < length; i += 2) (counts[vector[i] as number] as number)++;
      total += length;
    }
    // Filled through one cursor per term into the shared buffer, not through each term's view:
    // half the time (measured).
    const buffer = new Int32Array(total);
    const cursor = new Int32Array(termCount);
    for (let term = 0, at = 0; term < termCount; term++) {
      cursor[term] = at;
      at += 2 * (counts[term] as number);
    }
    for (let slot = 0; slot < vectors.length; slot++) {
      const vector = vectors[slot];
      if (!vector) continue;
      const length = vector.length;
      for (let i = 0; i < length; i += 2) {
        const term = vector[i] as number;
        const at = cursor[term] as number;
        buffer[at] = slot;
        buffer[at + 1] = vector[i + 1] as number;
        cursor[term] = at + 2;
      }
    }
    const lists: Int32Array[] = [];
    for (let term = 0, at = 0; term < termCount; term++) {
      const length = 2 * (counts[term] as number);
      lists.push(buffer.subarray(at, at + length));
      at += length;
    }
    this.lists = lists;
    this.used.fill(0);
    for (let term = 0; term < termCount; term++) this.used[term] = 2 * (counts[term] as number);
    this.documentFrequency.fill(0);
    this.documentFrequency.set(counts);
  }

  /** The packed frequencies counted so far for `term` in the document being added. */
  private scratchFrequency(term: number): number {
    if (term >= this.frequencies.length) {
      const grown = new Int32Array(Math.max(1024, this.dictionary.size * 2));
      grown.set(this.frequencies);
      this.frequencies = grown;
    }
    return this.frequencies[term] as number;
  }

  private append(term: number, slot: number, packed: number): void {
    if (term >= this.used.length) this.ensureTerms(term + 1);
    let list = this.lists[term];
    const used = this.used[term] as number;
    if (!list || used + 2 > list.length) {
      const grown = new Int32Array(Math.max(4, (list?.length ?? 0) * 2));
      if (list) grown.set(list);
      list = grown;
      this.lists[term] = grown;
    }
    list[used] = slot;
    list[used + 1] = packed;
    this.used[term] = used + 2;
    (this.documentFrequency[term] as number)++;
  }

  /** Room in the per-term counters for `count` terms. */
  private ensureTerms(count: number): void {
    if (count <= this.used.length) return;
    const capacity = Math.max(count, this.used.length * 2, 1024);
    this.used = grown(this.used, capacity);
    this.documentFrequency = grown(this.documentFrequency, capacity);
  }

  private ensureSlots(count: number): void {
    if (count <= this.alive.length) return;
    const capacity = Math.max(count, this.alive.length * 2, 64);
    this.alive = grown(this.alive, capacity);
    this.lengths = grown(this.lengths, capacity * FIELD_COUNT);
  }

  /**
   * A token's term id, or -1 for a stop word. Analysis is the cost of indexing and real
   * text repeats its words, so each distinct token is analysed once.
   */
  private termOf(token: string): number {
    let term = this.memo.get(token);
    if (term === undefined) {
      if (this.memo.size > MEMO_LIMIT) this.memo.clear();
      const processed = processTerm(token);
      term = processed ? this.dictionary.intern(processed) : -1;
      this.memo.set(token, term);
    }
    return term;
  }

  private queryTerms(query: string): string[] {
    const terms = new Set<string>();
    for (const token of tokenize(query)) {
      const term = processTerm(token);
      if (term) terms.add(term);
    }
    return [...terms].slice(0, MAX_QUERY_TERMS);
  }

  private expand(term: string, loose: boolean): Expansion[] {
    const out: Expansion[] = [];
    const exact = this.dictionary.idOf(term);
    if (exact !== undefined) out.push({ term: exact, weight: 1, exact: true });
    if (!loose) return out;
    const seen = new Set<number>();
    if (term.length > 3) {
      for (const { id, extra } of this.dictionary.withPrefix(term)) {
        const length = term.length + extra;
        out.push({ term: id, weight: (PREFIX_WEIGHT * length) / (length + 0.3 * extra), exact: false });
        seen.add(id);
      }
    }
    if (term.length > 4) {
      for (const { id, distance } of this.dictionary.near(term, Math.round(term.length * FUZZY_SHARE))) {
        if (seen.has(id)) continue;
        const length = this.dictionary.term(id).length;
        out.push({ term: id, weight: (FUZZY_WEIGHT * length) / (length + distance), exact: false });
      }
    }
    return out;
  }

  private run(query: string, options: SearchOptions, loose: boolean): TextResults {
    const terms = this.queryTerms(query);
    if (terms.length === 0 || this.slotOf.size === 0) return NO_MATCHES;
    this.ensureScratch();
    const touched: number[] = [];
    terms.forEach((term, q) => {
      for (const { term: id, weight, exact } of this.expand(term, loose)) {
        this.accumulate(id, weight, 1 << q, touched, exact);
      }
    });
    const best = new TopK(options.limit);
    const generation = ++this.generation;
    const allTerms = 2 ** terms.length - 1; // as a Uint32Array reads the mask back
    let total = 0;
    const matched: string[] = [];
    let complete = false;
    for (const slot of touched) {
      if (options.filter && !options.filter(this.slotIds[slot] as string)) continue;
      total++;
      matched.push(this.slotIds[slot] as string);
      this.matchedIn[slot] = generation;
      if (this.exactMasks[slot] === allTerms) complete = true;
      // Documents matching more of the query words rank higher (a coordination factor).
      const score = (this.scores[slot] as number) * bitCount(this.termMasks[slot] as number);
      if (score > best.threshold) best.offer(slot, score);
    }
    const hits = best.sorted().map(({ key: slot, score }) => this.hit(slot, score, terms));
    for (const slot of touched) {
      this.scores[slot] = 0;
      this.termMasks[slot] = 0;
      this.fieldMasks[slot] = 0;
      this.exactMasks[slot] = 0;
    }
    const has = (id: string): boolean => {
      const slot = this.slotOf.get(id);
      return slot !== undefined && this.matchedIn[slot] === generation;
    };
    const hasAt = (id: string, hints: Int32Array, at: number): boolean => {
      let slot = hints[at] as number;
      // A stale hint (the item moved to another slot, or the place now holds another item) names
      // another id or a dead slot: look the id up and remember where it is now.
      if (this.slotIds[slot] !== id) {
        const found = this.slotOf.get(id);
        if (found === undefined) return false;
        slot = found;
        hints[at] = slot;
      }
      return this.matchedIn[slot] === generation;
    };
    return { hits, total, has, hasAt, matched, complete };
  }

  private ensureScratch(): void {
    if (this.scores.length >= this.slotIds.length) return;
    const capacity = Math.max(this.alive.length, this.slotIds.length);
    this.scores = new Float64Array(capacity);
    this.termMasks = new Uint32Array(capacity);
    this.fieldMasks = new Uint8Array(capacity);
    this.exactMasks = new Uint32Array(capacity);
    this.matchedIn = new Uint32Array(capacity);
  }

  /** Adds one term's BM25 contribution to every live document containing it. */
  private accumulate(term: number, weight: number, bit: number, touched: number[], exact: boolean): void {
    const list = this.lists[term];
    const frequency = this.documentFrequency[term] ?? 0;
    if (!list || frequency === 0) return;
    const documents = this.slotOf.size;
    const idf = Math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5));
    const norms = this.lengthSum.map((sum) => (sum > 0 ? (K1 * B * documents) / sum : 0));
    const used = this.used[term] as number;
    for (let i = 0; i < used; i += 2) {
      const slot = list[i] as number;
      if (this.alive[slot] === 0) continue;
      const packed = list[i + 1] as number;
      let score = 0;
      let fields = 0;
      // Stop at the last field the term occurs in: most postings are body-only, so this is two steps, not six.
      for (let f = 0, rest = packed; rest !== 0; f++, rest >>>= TF_BITS) {
        const tf = rest & TF_MAX;
        if (tf === 0) continue;
        const length = this.lengths[slot * FIELD_COUNT + f] as number;
        score += (BOOST[f] as number) * (D + (tf * (K1 + 1)) / (tf + K1 * (1 - B) + (norms[f] as number) * length));
        fields |= 1 << f;
      }
      if (this.termMasks[slot] === 0) touched.push(slot);
      (this.scores[slot] as number) += weight * idf * score;
      (this.termMasks[slot] as number) |= bit;
      (this.fieldMasks[slot] as number) |= fields;
      if (exact) (this.exactMasks[slot] as number) |= bit;
    }
  }

  private hit(slot: number, score: number, terms: readonly string[]): SearchHit {
    const mask = this.termMasks[slot] as number;
    return {
      id: this.slotIds[slot] as string,
      score,
      matched_fields: FIELD_SETS[this.fieldMasks[slot] as number] as string[],
      terms: mask === (1 << terms.length) - 1 ? (terms as string[]) : terms.filter((_, q) => mask & (1 << q)),
    };
  }

  /** Rebuilds the postings from the live documents' term vectors, renumbering slots densely. */
  private compact(): void {
    const live = this.slotIds.flatMap((id, slot) => (id === undefined ? [] : [{ id, slot }]));
    const terms = this.docTerms;
    const hashes = this.slotHashes;
    const lengths = this.lengths;
    // Fresh blocks (in clear): the old ones also hold the vectors of removed documents.
    this.clear(Math.max(64, live.length));
    for (const { id, slot: old } of live) {
      const previous = terms[old] as Int32Array;
      const vector = this.termBlocks.take(previous.length);
      vector.set(previous);
      this.occupy(id, hashes[old] as string, vector, lengths, old * FIELD_COUNT);
    }
    this.layPostings();
    this.compactions++;
    this.scores = new Float64Array(0);
  }
}

/** What a snapshot checks a document's text against. */
function textHash(texts: readonly string[]): string {
  return contentHashOf(texts);
}

function bitCount(n: number): number {
  let count = 0;
  for (let v = n; v !== 0; v &= v - 1) count++;
  return count;
}

/** A copy of `array` with room for `length` elements (the rest zero). */
function grown<T extends Int32Array | Uint8Array | Float32Array>(array: T, length: number): T {
  const copy = new (array.constructor as new (length: number) => T)(length);
  copy.set(array);
  return copy;
}
