import type { Item } from '@backlog-mcp/shared';
import { contentHash } from '../core/content-hash.js';
import { quantize } from './quantize.js';
import type { SentenceEncoder } from './sentence-encoder.js';
import { MemoryVectorCache, type VectorCache } from './vector-cache.js';
import { QuantizedVectorIndex, type RowMask, type Unseen } from './vector-index.js';

/**
 * What the sentence encoder reads of an item: the title twice (so a long body does not drown it)
 * and the start of the body. The cap bounds the encoder's time per item (~100 ms at this length)
 * and barely moves a mean-pooled sentence vector.
 */
export const DEEP_TEXT_CHARS = 1_200;

export function deepText(item: Item): string {
  return `${item.title}\n${item.title}\n${item.description}`.slice(0, DEEP_TEXT_CHARS);
}

/** How many fresh vectors may wait in memory before the cache file is written again. */
const PERSIST_EVERY = 200;

export interface DeepVectorsOptions {
  encoder: SentenceEncoder;
  cache?: VectorCache<Int8Array>;
  log?: (line: string) => void;
}

/**
 * The sentence encoder's vectors for one backlog, filled in the background: every item whose
 * text has no cached vector waits in a queue and is encoded one at a time behind any query, so
 * writes and keyword searches never wait for it. Until an item's vector exists, only the static
 * table represents it.
 */
export class DeepVectors {
  private readonly index: QuantizedVectorIndex;
  private readonly cache: VectorCache<Int8Array>;
  /** Content hash of each item's current text: the key of its vector in the cache. */
  private readonly hashes = new Map<string, string>();
  /** Items waiting for the encoder, oldest first, with the text to encode. */
  private readonly queue = new Map<string, string>();
  private draining: Promise<void> | undefined;
  private unsaved = 0;
  private closed = false;
  /** The item being encoded now: still pending until its vector is stored. */
  private encoding = 0;
  /** Vectors computed (not taken from the cache) since this backlog opened. */
  encoded = 0;

  constructor(private readonly options: DeepVectorsOptions) {
    this.index = new QuantizedVectorIndex(options.encoder.dimensions);
    this.cache = options.cache ?? new MemoryVectorCache<Int8Array>();
  }

  get encoder(): SentenceEncoder {
    return this.options.encoder;
  }

  /** Items still without a vector (0 once the encoder is off: nothing will come). */
  get pending(): number {
    return this.options.encoder.state === 'off' ? 0 : this.queue.size + this.encoding;
  }

  get size(): number {
    return this.index.size;
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  /** The cache key of an item's vector (its text's hash), if it is tracked. */
  keyOf(id: string): string | undefined {
    return this.hashes.get(id);
  }

  /**
   * Takes an item's vector from the cache, or queues it for the encoder. `key`: the hash of its
   * text when already known (a restart whose text index proved the text unchanged).
   */
  track(item: Item, key?: string): void {
    const hash = key || contentHash(`${this.options.encoder.id}\n${deepText(item)}`);
    if (this.hashes.get(item.id) === hash && (this.index.has(item.id) || this.queue.has(item.id))) return;
    this.hashes.set(item.id, hash);
    const cached = this.cache.get(hash);
    if (cached && cached.length === this.options.encoder.dimensions) {
      this.index.upsert(item.id, cached);
      this.queue.delete(item.id);
      return;
    }
    // The old vector keeps serving until the new one is ready: close enough for an edited item.
    this.queue.delete(item.id);
    this.queue.set(item.id, deepText(item));
    if (!this.closed) this.drain();
  }

  forget(id: string): void {
    this.hashes.delete(id);
    this.queue.delete(id);
    this.index.remove(id);
  }

  search(
    query: Float32Array,
    limit: number,
    minScore: number,
    filter?: (id: string) => boolean,
    unseen?: Unseen,
  ): Array<{ id: string; score: number }> {
    return this.index.search(query, limit, minScore, filter, unseen);
  }

  /** Makes the mask's flags now, ahead of `search`. */
  prime(mask: RowMask): void {
    this.index.prime(mask);
  }

  /** Resolves when the queue is empty (or the encoder is off). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Stops encoding (the backlog is closing); what was encoded is saved. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.clear();
    await this.idle();
    await this.persist();
  }

  async persist(): Promise<void> {
    this.unsaved = 0;
    await this.cache.flush(new Set(this.hashes.values()));
  }

  private drain(): void {
    this.draining ??= this.work().finally(() => {
      this.draining = undefined;
      if (this.pending > 0 && !this.closed) this.drain();
    });
  }

  private async work(): Promise<void> {
    const encoder = this.options.encoder;
    await encoder.whenSettled();
    while (this.queue.size > 0 && encoder.state !== 'off') {
      const [id, text] = this.queue.entries().next().value as [string, string];
      this.queue.delete(id);
      const hash = this.hashes.get(id);
      this.encoding = 1;
      const vector = await encoder
        .encodeItem(text)
        .catch((error: unknown) => {
          // One text the encoder cannot take is left to the static table; the rest carry on.
          if (encoder.state !== 'off') this.options.log?.(`backlog: could not encode ${id}: ${String(error)}`);
          return undefined;
        })
        .finally(() => {
          this.encoding = 0;
        });
      if (!vector || hash === undefined) continue;
      const row = quantize(vector, encoder.dimensions);
      this.cache.set(hash, row);
      this.encoded++;
      // The item changed or went while it was encoded: cache the vector, but keep the index truthful.
      if (this.hashes.get(id) === hash) this.index.upsert(id, row);
      if (++this.unsaved >= PERSIST_EVERY) await this.persist().catch(() => undefined);
    }
    if (this.unsaved > 0) await this.persist().catch(() => undefined);
  }
}
