/**
 * Sentence-encoder vectors are stored as int8 (unit vector × 127): 512 B an item instead of 2 KB,
 * and for unit vectors the rounding moves a cosine by well under 0.01 (tested), far below what
 * separates relevant items.
 */
export const QUANT_SCALE = 127;

export function unitVector(vector: Float32Array, dimensions = vector.length): Float32Array {
  let norm = 0;
  for (let d = 0; d < dimensions; d++) norm += (vector[d] ?? 0) ** 2;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  const out = new Float32Array(dimensions);
  for (let d = 0; d < dimensions; d++) out[d] = (vector[d] ?? 0) * scale;
  return out;
}

export function quantize(vector: Float32Array, dimensions = vector.length): Int8Array {
  const unit = unitVector(vector, dimensions);
  const out = new Int8Array(dimensions);
  for (let d = 0; d < dimensions; d++)
    out[d] = Math.max(-QUANT_SCALE, Math.min(QUANT_SCALE, Math.round((unit[d] as number) * QUANT_SCALE)));
  return out;
}
