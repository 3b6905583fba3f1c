/**
 * Brute-force cosine search over L2-normalised vectors kept in one growable
 * Float32Array: 10,000 × 256 dimensions is a few milliseconds, with no approximate
 * index to drift or tune, and rows are reused in place on update.
 */
export class VectorIndex {
  private data: Float32Array;
  private ids: string[] = [];
  private readonly rows = new Map<string, number>();

  constructor(
    readonly dimensions: number,
    capacity = 1024,
  ) {
    this.data = new Float32Array(capacity * dimensions);
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.rows.has(id);
  }

  upsert(id: string, vector: Float32Array): void {
    let row = this.rows.get(id);
    if (row === undefined) {
      row = this.ids.length;
      if ((row + 1) * this.dimensions > this.data.length) this.grow();
      this.ids.push(id);
      this.rows.set(id, row);
    }
    this.data.set(vector.subarray(0, this.dimensions), row * this.dimensions);
  }

  /** Moves the last row into the hole, so the matrix stays dense. */
  remove(id: string): void {
    const row = this.rows.get(id);
    if (row === undefined) return;
    const last = this.ids.length - 1;
    const lastId = this.ids[last] as string;
    if (row !== last) {
      this.data.copyWithin(row * this.dimensions, last * this.dimensions, (last + 1) * this.dimensions);
      this.ids[row] = lastId;
      this.rows.set(lastId, row);
    }
    this.ids.pop();
    this.rows.delete(id);
  }

  vectorOf(id: string): Float32Array | undefined {
    const row = this.rows.get(id);
    return row === undefined ? undefined : this.data.subarray(row * this.dimensions, (row + 1) * this.dimensions);
  }

  /** The `limit` most similar rows at or above `minScore`, best first (a bounded selection, not a full sort). */
  search(
    query: Float32Array,
    limit: number,
    minScore: number,
    filter?: (id: string) => boolean,
    /** Sees every row at or above `minScore` that passes the filter, not only the best `limit`. */
    onMatch?: (id: string, score: number) => void,
  ): Array<{ id: string; score: number }> {
    const top: Array<{ id: string; score: number }> = [];
    let floor = minScore;
    for (let row = 0; row < this.ids.length; row++) {
      const dot = this.dot(row, query);
      if (dot < (onMatch ? minScore : floor)) continue;
      const id = this.ids[row] as string;
      if (filter && !filter(id)) continue;
      onMatch?.(id, dot);
      if (dot < floor) continue;
      insertSorted(top, { id, score: dot });
      if (top.length > limit) {
        top.pop();
        floor = Math.max(minScore, (top[top.length - 1] as { score: number }).score);
      }
    }
    return top;
  }

  /** Four running sums: the scan over every row is the whole cost of semantic search. */
  private dot(row: number, query: Float32Array): number {
    const data = this.data;
    const dims = this.dimensions;
    const base = row * dims;
    let a = 0;
    let b = 0;
    let c = 0;
    let e = 0;
    let d = 0;
    for (; d + 3 < dims; d += 4) {
      a += (data[base + d] as number) * (query[d] as number);
      b += (data[base + d + 1] as number) * (query[d + 1] as number);
      c += (data[base + d + 2] as number) * (query[d + 2] as number);
      e += (data[base + d + 3] as number) * (query[d + 3] as number);
    }
    for (; d < dims; d++) a += (data[base + d] as number) * (query[d] as number);
    return a + b + c + e;
  }

  private grow(): void {
    const next = new Float32Array(Math.max(this.data.length * 2, this.dimensions * 1024));
    next.set(this.data);
    this.data = next;
  }
}

/** Keeps `list` sorted by descending score; binary search keeps it O(log n) compares per insert. */
function insertSorted(list: Array<{ id: string; score: number }>, entry: { id: string; score: number }): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as { score: number }).score >= entry.score) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, entry);
}
