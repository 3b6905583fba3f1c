/** Vectors by content hash, so a restart re-embeds only what changed. Adapters decide where they live. */
export interface VectorCache {
  get(hash: string): Float32Array | undefined;
  set(hash: string, vector: Float32Array): void;
  /** Keeps only the given hashes (drops vectors of deleted or changed items) and persists. */
  flush(live: ReadonlySet<string>): Promise<void>;
}

export class MemoryVectorCache implements VectorCache {
  private readonly vectors = new Map<string, Float32Array>();
  get(hash: string): Float32Array | undefined {
    return this.vectors.get(hash);
  }
  set(hash: string, vector: Float32Array): void {
    this.vectors.set(hash, vector);
  }
  async flush(live: ReadonlySet<string>): Promise<void> {
    for (const hash of this.vectors.keys()) if (!live.has(hash)) this.vectors.delete(hash);
  }
}
