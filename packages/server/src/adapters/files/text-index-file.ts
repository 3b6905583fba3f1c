import { readFile } from 'node:fs/promises';
import { deserialize, serialize } from 'node:v8';
import { TEXT_INDEX_VERSION, type TextIndexSnapshot } from '../../search/text-index.js';
import type { TextIndexCache } from '../../search/vector-cache.js';
import { writeFileAtomic } from './atomic-write.js';

const FORMAT = 'backlog-mcp/text-index';
/** In `.state/`, beside the load cache and the vector caches. */
export const TEXT_INDEX_FILE = 'text-index.v8';

/**
 * The text index's analysed documents in `.state/` (V8's serializer: typed arrays go out and
 * back as raw bytes, ~6 MB and ~30 ms at 10,000 items). Derived data: a file that is missing,
 * damaged, or made by another analysis is ignored, and the index is built from the items.
 */
export class FileTextIndexCache implements TextIndexCache {
  constructor(private readonly path: string) {}

  async load(): Promise<TextIndexSnapshot | undefined> {
    try {
      const value: unknown = deserialize(await readFile(this.path));
      return isSnapshotFile(value) ? value.snapshot : undefined;
    } catch {
      return undefined;
    }
  }

  async save(snapshot: TextIndexSnapshot): Promise<void> {
    await writeFileAtomic(this.path, serialize({ format: FORMAT, snapshot }));
  }
}

/** Checks the shape a restore relies on; contents are checked item by item (hashes) on restore. */
function isSnapshotFile(value: unknown): value is { snapshot: TextIndexSnapshot } {
  if (typeof value !== 'object' || value === null) return false;
  const { format, snapshot } = value as { format?: unknown; snapshot?: Partial<TextIndexSnapshot> };
  if (format !== FORMAT || typeof snapshot !== 'object' || snapshot === null) return false;
  const { version, terms, ids, hashes, offsets, flat, lengths } = snapshot;
  return (
    version === TEXT_INDEX_VERSION &&
    Array.isArray(terms) &&
    Array.isArray(ids) &&
    Array.isArray(hashes) &&
    hashes.length === ids.length &&
    offsets instanceof Int32Array &&
    offsets.length === ids.length + 1 &&
    flat instanceof Int32Array &&
    offsets[ids.length] === flat.length &&
    lengths instanceof Float32Array &&
    inBounds(offsets, flat, terms.length)
  );
}

/**
 * Every offset in range and rising, every term index known: a damaged file cannot index out of
 * bounds. Plain loops: `every` with a callback over a million postings was 30 ms of a restart.
 */
function inBounds(offsets: Int32Array, flat: Int32Array, termCount: number): boolean {
  let previous = 0;
  for (let i = 0; i < offsets.length; i++) {
    const offset = offsets[i] as number;
    if (offset < previous || offset > flat.length) return false;
    previous = offset;
  }
  for (let i = 0; i < flat.length; i += 2) {
    const term = flat[i] as number;
    if (term < 0 || term >= termCount) return false;
  }
  return true;
}
