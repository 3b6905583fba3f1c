import { QUANT_SCALE, quantize, unitVector } from './quantize.js';
import { createRowStore, type RowStore } from './vector-kernels.js';

type Row = { id: string; score: number };

/**
 * Items a search should not count again (another ranking matched them), flagged in an index's
 * row order: a typed-array test per row instead of a string lookup, so a query that thousands of
 * rows match is counted in microseconds. The flags are made when first needed, or ahead with
 * `prime` (e.g. while the encoder works); made again if the index changed since (rows move).
 */
export class RowMask {
  /** Set by the index that made the flags, at its version then. */
  flags: Uint8Array | undefined;
  owner: object | undefined;
  version = -1;

  /**
   * `has`: the same set asked one ID at a time. When fewer rows pass the floor than the set holds,
   * asking for those rows costs less than flagging the whole set (a keyword query at 100,000 items
   * matches ~50,000 by text, and only a few rows pass the keyword floor).
   */
  constructor(
    readonly ids: readonly string[],
    /** Also told the row asked about, so it can remember where it found that row's id. */
    readonly has?: (id: string, row: number) => boolean,
  ) {}
}

/** What a search also reports: every row at or above `floor` that `except` does not flag. */
export interface Unseen {
  floor: number;
  except?: RowMask;
  /** Filled by the search. */
  ids: string[];
}

/**
 * Brute-force cosine search over L2-normalised vectors kept in one growable block
 * (vector-kernels.ts scores them all in one SIMD pass): 10,000 × 512 dimensions in well under a
 * millisecond, with no approximate index to drift or tune, and rows reused in place on update.
 * Subclasses say how a row is stored.
 */
abstract class DenseVectorRows<Rows extends Float32Array | Int8Array> {
  private ids: string[] = [];
  private readonly rows = new Map<string, number>();
  /** Bumped whenever a row is added or moved: a RowMask made before is stale. */
  private version = 0;

  constructor(
    readonly dimensions: number,
    protected readonly store: RowStore<Rows>,
  ) {}

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.rows.has(id);
  }

  /** Moves the last row into the hole, so the matrix stays dense. */
  remove(id: string): void {
    const row = this.rows.get(id);
    if (row === undefined) return;
    const last = this.ids.length - 1;
    const lastId = this.ids[last] as string;
    this.version++;
    if (row !== last) {
      this.store.rows.copyWithin(row * this.dimensions, last * this.dimensions, (last + 1) * this.dimensions);
      this.ids[row] = lastId;
      this.rows.set(lastId, row);
    }
    this.ids.pop();
    this.rows.delete(id);
  }

  private isPrimed(mask: RowMask): boolean {
    return !!mask.flags && mask.owner === this && mask.version === this.version;
  }

  /** The mask's flags in this index's rows, made now unless already made for it as it is. */
  prime(mask: RowMask): Uint8Array {
    if (this.isPrimed(mask)) return mask.flags as Uint8Array;
    const flags = new Uint8Array(this.ids.length);
    for (const id of mask.ids) {
      const row = this.rows.get(id);
      if (row !== undefined) flags[row] = 1;
    }
    mask.flags = flags;
    mask.owner = this;
    mask.version = this.version;
    return flags;
  }

  /**
   * The `limit` most similar rows at or above `minScore`, best first (a bounded selection, not a
   * full sort); with `unseen`, also every row at or above its floor that passes the filter and is
   * not in its mask.
   */
  search(
    query: Float32Array,
    limit: number,
    minScore: number,
    filter?: (id: string) => boolean,
    unseen?: Unseen,
  ): Row[] {
    const scores = this.store.score(this.ids.length, this.prepareQuery(query));
    const mask = unseen?.except;
    let except: Uint8Array | undefined;
    const oneByOne = mask?.has && !this.isPrimed(mask) && countAtLeast(scores, unseen?.floor ?? 0) < mask.ids.length;
    const lowest = unseen ? Math.min(minScore, unseen.floor) : minScore;
    const top: Row[] = [];
    let floor = minScore;
    for (let row = 0; row < scores.length; row++) {
      const score = scores[row] as number;
      if (score < (unseen ? lowest : floor)) continue;
      const id = this.ids[row] as string;
      if (filter && !filter(id)) continue;
      if (unseen && score >= unseen.floor) {
        if (oneByOne) {
          if (!mask?.has?.(id, row)) unseen.ids.push(id);
        } else {
          if (mask) except ??= this.prime(mask);
          if (!except?.[row]) unseen.ids.push(id);
        }
      }
      if (score < floor) continue;
      insertSorted(top, { id, score });
      if (top.length > limit) {
        top.pop();
        floor = Math.max(minScore, (top[top.length - 1] as Row).score);
      }
    }
    return top;
  }

  protected place(id: string, row: Rows): void {
    let at = this.rows.get(id);
    if (at === undefined) {
      this.version++;
      at = this.ids.length;
      this.store.reserve(at + 1);
      this.ids.push(id);
      this.rows.set(id, at);
    }
    // A row read from a cache file is exactly that long: no view to make for it.
    this.store.rows.set(row.length === this.dimensions ? row : row.subarray(0, this.dimensions), at * this.dimensions);
  }

  protected rowOf(id: string): Rows | undefined {
    const row = this.rows.get(id);
    // A copy: the store's memory may move when it grows.
    return row === undefined
      ? undefined
      : (this.store.rows.slice(row * this.dimensions, (row + 1) * this.dimensions) as Rows);
  }

  protected abstract prepareQuery(query: Float32Array): Float32Array;
}

/** Float32 rows: the static table's vectors (128-d), already unit length. */
export class VectorIndex extends DenseVectorRows<Float32Array> {
  constructor(dimensions: number, capacity = 1024) {
    super(dimensions, createRowStore('float32', dimensions, capacity));
  }

  upsert(id: string, vector: Float32Array): void {
    this.place(id, vector);
  }

  vectorOf(id: string): Float32Array | undefined {
    return this.rowOf(id);
  }

  protected prepareQuery(query: Float32Array): Float32Array {
    return query;
  }
}

/** Int8 rows (see quantize.ts): the sentence encoder's 512-d vectors, 512 B each. */
export class QuantizedVectorIndex extends DenseVectorRows<Int8Array> {
  constructor(dimensions: number, capacity = 1024) {
    super(dimensions, createRowStore('int8', dimensions, capacity));
  }

  /** Stores a float vector quantised, or an already quantised one as it is. */
  upsert(id: string, vector: Float32Array | Int8Array): void {
    this.place(id, vector instanceof Int8Array ? vector : quantize(vector, this.dimensions));
  }

  quantizedOf(id: string): Int8Array | undefined {
    return this.rowOf(id);
  }

  /** A unit query divided by the rows' scale, so a row's dot product is its cosine. */
  protected prepareQuery(query: Float32Array): Float32Array {
    const unit = unitVector(query, this.dimensions);
    for (let d = 0; d < unit.length; d++) (unit[d] as number) /= QUANT_SCALE;
    return unit;
  }
}

function countAtLeast(scores: Float32Array, floor: number): number {
  let count = 0;
  for (let row = 0; row < scores.length; row++) if ((scores[row] as number) >= floor) count++;
  return count;
}

/** Keeps `list` sorted by descending score; binary search keeps it O(log n) compares per insert. */
function insertSorted(list: Row[], entry: Row): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as Row).score >= entry.score) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, entry);
}
