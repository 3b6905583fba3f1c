import type { TextIndexSnapshot } from './text-index.js';

/** Vectors by content hash, so a restart re-embeds only what changed. Adapters decide where they live. */
export interface VectorCache<Vector extends Float32Array | Int8Array = Float32Array> {
  get(hash: string): Vector | undefined;
  set(hash: string, vector: Vector): void;
  /** Keeps only the given hashes (drops vectors of deleted or changed items) and persists. */
  flush(live: ReadonlySet<string>): Promise<void>;
}

export class MemoryVectorCache<Vector extends Float32Array | Int8Array = Float32Array> implements VectorCache<Vector> {
  private readonly vectors = new Map<string, Vector>();
  get(hash: string): Vector | undefined {
    return this.vectors.get(hash);
  }
  set(hash: string, vector: Vector): void {
    this.vectors.set(hash, vector);
  }
  async flush(live: ReadonlySet<string>): Promise<void> {
    for (const hash of this.vectors.keys()) if (!live.has(hash)) this.vectors.delete(hash);
  }
}

/**
 * Where the text index's analysed documents are kept between runs (TextIndexSnapshot). Adapters
 * decide; a missing, damaged or outdated one is `undefined`, and the index is then built anew.
 */
export interface TextIndexCache {
  load(): Promise<TextIndexSnapshot | undefined>;
  save(snapshot: TextIndexSnapshot): Promise<void>;
}
