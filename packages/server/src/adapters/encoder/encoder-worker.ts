// The full USE-lite sentence encoder (@energetic-ai, tfjs on the CPU backend), in a worker thread:
// encoding takes 5-100 ms of CPU per text, which must never sit on the request path of keyword
// queries or block the server's event loop. One message in (texts), one out (vectors, transferred).
import { parentPort } from 'node:worker_threads';
import { reclaimWhenQuiet } from '../../runtime/node/quiet-reclaim.js';
import { encodeTokens, REFERENCE, referenceDifference, type Tfjs, useLiteWeights } from './use-lite-forward.js';
import { loadUseLite, type UseLiteModel } from './use-lite-model.js';

export type EncoderRequest = { seq: number; texts: string[] };
/** `path`: the forward pass written out (`direct`), or the graph executor if the two disagreed. */
export type EncoderReply =
  | { kind: 'ready'; dimensions: number; loadMs: number; path: EncoderPath; note?: string }
  | { kind: 'failed'; error: string }
  | { seq: number; kind: 'vectors'; dimensions: number; data: Float32Array }
  | { seq: number; kind: 'error'; error: string };
export type EncoderPath = 'direct' | 'graph';

type Encode = (texts: string[]) => Promise<number[][] | Float32Array[]>;

/** Rounding of the reference to 6 decimals, and float noise, are far below this (measured: < 1e-6). */
const AGREEMENT = 1e-4;

/**
 * The direct forward pass when it gives the graph's vector for the reference text, else the graph
 * itself: a model package with another layout falls back instead of encoding wrong vectors.
 */
async function choosePath({
  model,
  tf,
}: {
  model: UseLiteModel;
  tf: Tfjs;
}): Promise<{ path: EncoderPath; encode: Encode; note?: string }> {
  const graph: Encode = (texts) => model.embed(texts);
  try {
    const weights = useLiteWeights(tf, model.model);
    const direct: Encode = async (texts) =>
      texts.map((text) => encodeTokens(tf, weights, model.tokenizer.encode(text)));
    const worst = referenceDifference((await direct([REFERENCE.text]))[0] as Float32Array);
    if (worst <= AGREEMENT) return { path: 'direct', encode: direct };
    return { path: 'graph', encode: graph, note: `the direct forward pass is ${worst} off the reference vector` };
  } catch (error) {
    return { path: 'graph', encode: graph, note: String((error as Error)?.message ?? error) };
  }
}

const WORKER_QUIET_MS = 2_000;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const started = performance.now();
  let encode: Encode;
  try {
    const chosen = await choosePath(await loadUseLite());
    encode = chosen.encode;
    const probe = await encode(['warm up']);
    port.postMessage({
      kind: 'ready',
      dimensions: probe[0]?.length ?? 0,
      loadMs: performance.now() - started,
      path: chosen.path,
      ...(chosen.note ? { note: chosen.note } : {}),
    } satisfies EncoderReply);
  } catch (error) {
    port.postMessage({ kind: 'failed', error: String((error as Error)?.message ?? error) } satisfies EncoderReply);
    return;
  }
  // tfjs allocates its tensors outside the heap; collected lazily, they held ~60 MB of the process's
  // RSS after a burst of queries (measured). Once the worker has been idle a moment, collect them.
  const quiet = reclaimWhenQuiet(WORKER_QUIET_MS);
  port.on('message', async ({ seq, texts }: EncoderRequest) => {
    quiet.touch();
    try {
      const vectors = await encode(texts);
      const dimensions = vectors[0]?.length ?? 0;
      const data = new Float32Array(vectors.length * dimensions);
      vectors.forEach((vector, i) => {
        data.set(vector, i * dimensions);
      });
      port.postMessage({ seq, kind: 'vectors', dimensions, data } satisfies EncoderReply, [data.buffer]);
    } catch (error) {
      port.postMessage({
        seq,
        kind: 'error',
        error: String((error as Error)?.message ?? error),
      } satisfies EncoderReply);
    }
  });
}

void main();
