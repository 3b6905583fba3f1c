/**
 * Small typed arrays cut from shared blocks. A typed array of its own per item brings an
 * ArrayBuffer and a native backing store each (~200 B of bookkeeping beside its data): 10,000 of
 * them after a write storm, which a restarted server, whose rows are views of one file or
 * snapshot, did not have. Space of rows dropped later is only given back with the whole block.
 */
export class Blocks<T extends Int8Array | Int32Array> {
  private block: T;
  private used = 0;

  constructor(
    private readonly allocate: (length: number) => T,
    private readonly blockLength: number,
  ) {
    this.block = allocate(0);
  }

  /** A zeroed array of `length` elements. */
  take(length: number): T {
    if (this.used + length > this.block.length) {
      this.block = this.allocate(Math.max(this.blockLength, length));
      this.used = 0;
    }
    const view = this.block.subarray(this.used, this.used + length) as T;
    this.used += length;
    return view;
  }
}
