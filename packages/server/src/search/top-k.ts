/**
 * The k best-scoring keys seen so far (a binary min-heap on score), so ranking thousands
 * of candidates costs O(n log k) and a candidate below the current k-th is rejected in O(1).
 */
export class TopK {
  private readonly keys: number[] = [];
  private readonly scores: number[] = [];

  constructor(private readonly k: number) {}

  /** The score a candidate must beat to get in; -Infinity while there is room. */
  get threshold(): number {
    return this.keys.length < this.k ? Number.NEGATIVE_INFINITY : (this.scores[0] as number);
  }

  offer(key: number, score: number): void {
    if (this.k <= 0) return;
    if (this.keys.length < this.k) {
      this.keys.push(key);
      this.scores.push(score);
      this.siftUp(this.keys.length - 1);
    } else if (score > (this.scores[0] as number)) {
      this.keys[0] = key;
      this.scores[0] = score;
      this.siftDown(0);
    }
  }

  /** Best first. */
  sorted(): Array<{ key: number; score: number }> {
    return this.keys.map((key, i) => ({ key, score: this.scores[i] as number })).sort((a, b) => b.score - a.score);
  }

  private siftUp(at: number): void {
    let i = at;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.scores[parent] as number) <= (this.scores[i] as number)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(at: number): void {
    let i = at;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.keys.length && (this.scores[left] as number) < (this.scores[smallest] as number)) smallest = left;
      if (right < this.keys.length && (this.scores[right] as number) < (this.scores[smallest] as number))
        smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    [this.keys[a], this.keys[b]] = [this.keys[b] as number, this.keys[a] as number];
    [this.scores[a], this.scores[b]] = [this.scores[b] as number, this.scores[a] as number];
  }
}
