import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileVectorCache } from '../src/adapters/files/vector-cache-file.js';
import { quantize } from '../src/search/quantize.js';
import { removeDir, tempDataDir } from './support/servers.js';
import { seededVector } from './unit/support/vectors.js';

/**
 * The static table's vectors moved from float32 to int8 (issue 21: a quarter of the memory at
 * 100,000 items, and a faster scan). A cache file written before is converted on load, never
 * thrown away: re-embedding 100,000 items takes over a minute.
 */
describe('the vector cache file', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await removeDir(dir);
  });

  it('reads a float32 file into an int8 cache, quantised, and writes it back as int8', async () => {
    dir = await tempDataDir();
    const path = join(dir, 'vectors.bin');
    const hashes = ['00000000000000a1', '00000000000000b2', '00000000000000c3'];
    const vectors = hashes.map((_, i) => seededVector(i + 1, 128));
    const old = await FileVectorCache.open(path, 128);
    for (const [i, hash] of hashes.entries()) old.set(hash, vectors[i] as Float32Array);
    await old.flush(new Set(hashes));
    const floatBytes = (await stat(path)).size;

    const upgraded = await FileVectorCache.open(path, 128, 'int8');
    expect(upgraded.size).toBe(3);
    for (const [i, hash] of hashes.entries()) expect(upgraded.get(hash)).toEqual(quantize(vectors[i] as Float32Array));
    await upgraded.flush(new Set(hashes));
    const intBytes = (await stat(path)).size;
    expect(intBytes).toBeLessThan(floatBytes / 3);

    const again = await FileVectorCache.open(path, 128, 'int8');
    for (const [i, hash] of hashes.entries()) expect(again.get(hash)).toEqual(quantize(vectors[i] as Float32Array));
    // An int8 file is not read as float32: a cache of another kind starts empty.
    expect((await FileVectorCache.open(path, 128)).size).toBe(0);
  });
});
