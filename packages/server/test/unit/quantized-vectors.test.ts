// Int8 vectors for the sentence encoder (issue 20): same neighbours, cosines within 0.01.
import { describe, expect, it } from 'vitest';
import { QuantizedVectorIndex } from '../../src/search/vector-index.js';
import { seededVector } from './support/vectors.js';

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < a.length; d++) {
    dot += (a[d] as number) * (b[d] as number);
    na += (a[d] as number) ** 2;
    nb += (b[d] as number) ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

describe('QuantizedVectorIndex', () => {
  const dims = 512;
  const vectors = Array.from({ length: 300 }, (_, i) => seededVector(i + 1, dims));
  const index = new QuantizedVectorIndex(dims, 4);
  for (const [i, v] of vectors.entries()) index.upsert(`TASK-${i}`, v);

  it('scores every item within 0.01 of its exact cosine', () => {
    const query = seededVector(9999, dims);
    const hits = index.search(query, 300, -1);
    expect(hits).toHaveLength(300);
    for (const hit of hits) {
      const exact = cosine(query, vectors[Number(hit.id.slice(5))] as Float32Array);
      expect(Math.abs(hit.score - exact)).toBeLessThan(0.01);
    }
  });

  it('finds an item as its own nearest neighbour, and forgets removed ones', () => {
    const [best] = index.search(vectors[42] as Float32Array, 1, 0);
    expect(best?.id).toBe('TASK-42');
    expect(best?.score).toBeGreaterThan(0.99);
    index.remove('TASK-42');
    expect(index.search(vectors[42] as Float32Array, 1, 0)[0]?.id).not.toBe('TASK-42');
    expect(index.size).toBe(299);
  });
});
