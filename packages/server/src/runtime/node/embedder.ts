import { readFileSync } from 'node:fs';
import { WorkerEncoder } from '../../adapters/encoder/worker-encoder.js';
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

let encoder: WorkerEncoder | undefined;

/**
 * The sentence encoder, one per process whatever the number of open backlogs: its model is ~150 MB
 * of memory, and one worker keeps its CPU use to one core. Started on first use.
 */
export function sharedSentenceEncoder(log: (line: string) => void): WorkerEncoder {
  encoder ??= new WorkerEncoder(log);
  return encoder;
}
