// The SIMD scan (vector-kernels.wat) must score exactly what the JavaScript loops score, keep rows
// through growth, and be built from the source that is checked in.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script
import { compileKernels, kernelsModuleText } from '../../../../tools/vector-kernels/build.mjs';
import { QUANT_SCALE, quantize, unitVector } from '../../src/search/quantize.js';
import { createRowStore, type RowEngine } from '../../src/search/vector-kernels.js';
import { seededVector } from './support/vectors.js';

function randomUnit(seed: number, dims: number): Float32Array {
  return unitVector(seededVector(seed, dims));
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let d = 0; d < a.length; d++) dot += (a[d] as number) * (b[d] as number);
  return dot;
}

const engines: RowEngine[] = ['wasm', 'js'];

describe('vector kernels', () => {
  it('are built from vector-kernels.wat as checked in', async () => {
    const generated = readFileSync(new URL('../../src/search/vector-kernels-wasm.ts', import.meta.url), 'utf8');
    expect(generated).toBe(kernelsModuleText(await compileKernels()));
  });

  it.each(engines)('%s: int8 rows score their cosine with the query, through growth', (engine) => {
    const dims = 512;
    const store = createRowStore('int8', dims, 2, engine);
    const vectors = Array.from({ length: 700 }, (_, i) => randomUnit(i + 1, dims));
    vectors.forEach((vector, i) => {
      store.reserve(i + 1); // grows from 2 rows: the memory moves under the rows several times
      store.rows.set(quantize(vector), i * dims);
    });
    const query = randomUnit(9999, dims);
    const prepared = query.map((v) => v / QUANT_SCALE);
    const scores = store.score(vectors.length, prepared);
    expect(scores.length).toBe(700);
    vectors.forEach((vector, i) => {
      expect(Math.abs((scores[i] as number) - cosine(vector, query))).toBeLessThan(0.01);
    });
  });

  it.each(engines)('%s: float32 rows score their exact dot product', (engine) => {
    const dims = 128;
    const store = createRowStore('float32', dims, 1, engine);
    const vectors = Array.from({ length: 300 }, (_, i) => randomUnit(i + 7, dims));
    vectors.forEach((vector, i) => {
      store.reserve(i + 1);
      store.rows.set(vector, i * dims);
    });
    const query = randomUnit(4242, dims);
    const scores = store.score(vectors.length, query);
    vectors.forEach((vector, i) => {
      expect(scores[i]).toBeCloseTo(cosine(vector, query), 5);
    });
  });

  it('gives the same int8 scores in WebAssembly and JavaScript (to the int16 query rounding)', () => {
    const dims = 512;
    const [wasm, js] = [createRowStore('int8', dims, 64, 'wasm'), createRowStore('int8', dims, 64, 'js')];
    for (let i = 0; i < 64; i++) {
      const row = quantize(randomUnit(i + 100, dims));
      wasm.rows.set(row, i * dims);
      js.rows.set(row, i * dims);
    }
    const query = randomUnit(31337, dims).map((v) => v / QUANT_SCALE);
    const [a, b] = [Array.from(wasm.score(64, query)), Array.from(js.score(64, query))];
    a.forEach((score, i) => {
      expect(Math.abs(score - (b[i] as number))).toBeLessThan(1e-4);
    });
  });
});
