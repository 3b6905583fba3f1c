import { readFile } from 'node:fs/promises';
import type { VectorCache } from '../../search/vector-cache.js';
import { writeFileAtomic } from './atomic-write.js';

const MAGIC = 0x43564b42; // "BKVC"
const VERSION = 1;
const HEADER_BYTES = 16;
const HASH_BYTES = 8;

/**
 * Vectors on disk, keyed by content hash: `[magic, version, dims, count]` then
 * `count` × (8-byte hash, dims × float32). Written whole and atomically; a file
 * that does not parse is simply ignored (everything is re-embedded).
 */
export class FileVectorCache implements VectorCache {
  private readonly vectors = new Map<string, Float32Array>();
  private dirty = false;

  private constructor(
    private readonly path: string,
    private readonly dimensions: number,
  ) {}

  static async open(path: string, dimensions: number): Promise<FileVectorCache> {
    const cache = new FileVectorCache(path, dimensions);
    try {
      cache.load(await readFile(path));
    } catch {
      cache.vectors.clear(); // missing or damaged: start empty
    }
    return cache;
  }

  get size(): number {
    return this.vectors.size;
  }

  get(hash: string): Float32Array | undefined {
    return this.vectors.get(hash);
  }

  set(hash: string, vector: Float32Array): void {
    this.vectors.set(hash, vector);
    this.dirty = true;
  }

  async flush(live: ReadonlySet<string>): Promise<void> {
    for (const hash of this.vectors.keys()) {
      if (!live.has(hash)) {
        this.vectors.delete(hash);
        this.dirty = true;
      }
    }
    if (!this.dirty) return;
    this.dirty = false;
    await writeFileAtomic(this.path, this.serialise());
  }

  private load(bytes: Buffer): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== VERSION) return;
    if (view.getUint32(8, true) !== this.dimensions) return;
    const count = view.getUint32(12, true);
    const entry = HASH_BYTES + this.dimensions * 4;
    if (bytes.byteLength !== HEADER_BYTES + count * entry) return;
    for (let i = 0; i < count; i++) {
      const offset = HEADER_BYTES + i * entry;
      const hash = bytes.subarray(offset, offset + HASH_BYTES).toString('hex');
      const vector = new Float32Array(this.dimensions);
      for (let d = 0; d < this.dimensions; d++) vector[d] = view.getFloat32(offset + HASH_BYTES + d * 4, true);
      this.vectors.set(hash, vector);
    }
  }

  private serialise(): Buffer {
    const entry = HASH_BYTES + this.dimensions * 4;
    const out = Buffer.alloc(HEADER_BYTES + this.vectors.size * entry);
    out.writeUInt32LE(MAGIC, 0);
    out.writeUInt32LE(VERSION, 4);
    out.writeUInt32LE(this.dimensions, 8);
    out.writeUInt32LE(this.vectors.size, 12);
    let offset = HEADER_BYTES;
    for (const [hash, vector] of this.vectors) {
      out.write(hash.padStart(16, '0').slice(0, 16), offset, 'hex');
      for (let d = 0; d < this.dimensions; d++) out.writeFloatLE(vector[d] ?? 0, offset + HASH_BYTES + d * 4);
      offset += entry;
    }
    return out;
  }
}
