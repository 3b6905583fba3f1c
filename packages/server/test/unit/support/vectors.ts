/** A reproducible pseudo-random vector (components in −0.5 … 0.5) for the vector index tests. */
export function seededVector(seed: number, dims: number): Float32Array {
  let s = seed;
  const out = new Float32Array(dims);
  for (let d = 0; d < dims; d++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    out[d] = s / 0x7fffffff - 0.5;
  }
  return out;
}
