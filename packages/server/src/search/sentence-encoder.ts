/** Where the full sentence encoder is in its life: loading the model, answering, or unavailable. */
export type EncoderState = 'loading' | 'ready' | 'off';

/**
 * The full sentence encoder (USE-lite), wherever it runs: a worker thread in Node. It is slow
 * (~30 ms a query, ~100 ms an item), so search only asks it for queries the words cannot answer,
 * and items are encoded in the background.
 */
export interface SentenceEncoder {
  /** Names the model: part of every cached vector's key, so a new model never reuses old vectors. */
  readonly id: string;
  readonly dimensions: number;
  readonly state: EncoderState;
  /** Resolves once the model is loaded or known to be unavailable. */
  whenSettled(): Promise<void>;
  /**
   * A query's vector, ahead of any item waiting; `undefined` when the encoder is off or has not
   * answered within `deadlineMs` (the caller then ranks without it).
   */
  encodeQuery(text: string, deadlineMs: number): Promise<Float32Array | undefined>;
  /** One item's vector, behind every query. Rejects when the encoder is off. */
  encodeItem(text: string): Promise<Float32Array>;
}
