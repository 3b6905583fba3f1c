import { readFileSync } from 'node:fs';
import { createStaticEmbedder, type Embedder } from '../../search/embedder/static-embedder.js';

// Resolved against this module so it works from src/ (tests, tsx) and dist/
// (compiled): both sit three levels below packages/server, beside assets/.
const ASSET_URL = new URL('../../../assets/embeddings/use-lite-static.bin', import.meta.url);

let cached: Embedder | undefined;

/**
 * Loads the shipped static embedding table once per process; parsing the
 * table costs tens of milliseconds, so repeated callers share one instance.
 */
export function loadDefaultEmbedder(): Embedder {
  if (cached === undefined) {
    const bytes = readFileSync(ASSET_URL);
    cached = createStaticEmbedder(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  return cached;
}
