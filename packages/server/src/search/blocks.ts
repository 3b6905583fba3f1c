/**
 * Small typed arrays cut from shared blocks. A typed array of its own per item brings an
 * ArrayBuffer and a native backing store each (~200 B of bookkeeping beside its data): 10,000 of
 * them after a write storm, which a restarted server, whose arrays are views of one snapshot, did
 * not have. An array dropped later is only given back with its whole block, so use this where
 * something rebuilds the arrays now and then (the text index's compaction does): with no such
 * sweep, a few long-lived arrays could keep many mostly dead blocks alive.
 */
export class Int32Blocks {
  private block = new Int32Array(0);
  private used = 0;

  constructor(private readonly blockLength: number) {}

  /** A zeroed array of `length` elements. */
  take(length: number): Int32Array {
    if (this.used + length > this.block.length) {
      this.block = new Int32Array(Math.max(this.blockLength, length));
      this.used = 0;
    }
    const view = this.block.subarray(this.used, this.used + length);
    this.used += length;
    return view;
  }
}
