import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { quantize } from '../../search/quantize.js';
import type { VectorCache } from '../../search/vector-cache.js';
import { writeFileAtomic } from './atomic-write.js';

const MAGIC = 0x43564b42; // "BKVC"
/** Version 1 holds float32 rows; version 2 int8 rows (the sentence encoder's, see quantize.ts). */
const VERSIONS = { float32: 1, int8: 2 } as const;
type Element = keyof typeof VERSIONS;
type VectorOf<E extends Element> = E extends 'int8' ? Int8Array : Float32Array;
const HEADER_BYTES = 16;
const HASH_BYTES = 8;

/**
 * Vectors on disk, keyed by content hash: `[magic, version, dims, count]` then
 * `count` × (8-byte hash, dims × float32 or int8). Written whole and atomically; a file
 * that does not parse is simply ignored (everything is re-embedded).
 */
export class FileVectorCache<E extends Element = 'float32'> implements VectorCache<VectorOf<E>> {
  private readonly vectors = new Map<string, VectorOf<E>>();
  private dirty = false;

  private constructor(
    private readonly path: string,
    private readonly dimensions: number,
    private readonly element: E,
  ) {}

  static async open<E extends Element = 'float32'>(
    path: string,
    dimensions: number,
    element: E = 'float32' as E,
  ): Promise<FileVectorCache<E>> {
    const cache = new FileVectorCache(path, dimensions, element);
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

  get(hash: string): VectorOf<E> | undefined {
    return this.vectors.get(hash);
  }

  set(hash: string, vector: VectorOf<E>): void {
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
    if (view.getUint32(0, true) !== MAGIC || view.getUint32(8, true) !== this.dimensions) return;
    const version = view.getUint32(4, true);
    // A float32 file read into an int8 cache (the static table's vectors before they were
    // quantised) is converted, not thrown away: re-embedding 100,000 items takes over a minute.
    const upgrade = this.element === 'int8' && version === VERSIONS.float32;
    if (version !== VERSIONS[this.element] && !upgrade) return;
    const rowBytes = upgrade ? this.dimensions * 4 : this.rowBytes;
    const count = view.getUint32(12, true);
    const entry = HASH_BYTES + rowBytes;
    if (bytes.byteLength !== HEADER_BYTES + count * entry) return;
    for (let i = 0; i < count; i++) {
      const offset = HEADER_BYTES + i * entry;
      const hash = bytes.subarray(offset, offset + HASH_BYTES).toString('hex');
      const row = upgrade
        ? (quantize(readFloats(view, offset + HASH_BYTES, this.dimensions)) as VectorOf<E>)
        : this.readRow(bytes, view, offset + HASH_BYTES);
      this.vectors.set(hash, row);
    }
    if (upgrade) this.dirty = true;
  }

  private get rowBytes(): number {
    return this.element === 'int8' ? this.dimensions : this.dimensions * 4;
  }

  private readRow(bytes: Buffer, view: DataView, at: number): VectorOf<E> {
    // A view of the file's bytes, not a copy: one allocation (and one native backing store) per row
    // was 100,000 of them at 100,000 items. Rows are never written to.
    if (this.element === 'int8')
      return new Int8Array(bytes.buffer, bytes.byteOffset + at, this.dimensions) as VectorOf<E>;
    return readFloats(view, at, this.dimensions) as VectorOf<E>;
  }

  private writeRow(out: Buffer, vector: VectorOf<E>, at: number): void {
    if (vector instanceof Int8Array) out.set(new Uint8Array(vector.buffer, vector.byteOffset, this.dimensions), at);
    else for (let d = 0; d < this.dimensions; d++) out.writeFloatLE(vector[d] ?? 0, at + d * 4);
  }

  private serialise(): Buffer {
    const entry = HASH_BYTES + this.rowBytes;
    const out = Buffer.alloc(HEADER_BYTES + this.vectors.size * entry);
    out.writeUInt32LE(MAGIC, 0);
    out.writeUInt32LE(VERSIONS[this.element], 4);
    out.writeUInt32LE(this.dimensions, 8);
    out.writeUInt32LE(this.vectors.size, 12);
    let offset = HEADER_BYTES;
    for (const [hash, vector] of this.vectors) {
      out.write(hash.padStart(16, '0').slice(0, 16), offset, 'hex');
      this.writeRow(out, vector, offset + HASH_BYTES);
      offset += entry;
    }
    return out;
  }
}

function readFloats(view: DataView, at: number, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  for (let d = 0; d < dimensions; d++) vector[d] = view.getFloat32(at + d * 4, true);
  return vector;
}

/** Where a backlog keeps the static table's vectors (int8 since issue 21; a float32 file is converted). */
export function staticVectorsFile(stateDir: string, embedderId: string): string {
  return join(stateDir, `vectors-${embedderId}.bin`);
}
