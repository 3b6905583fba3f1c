// USE-lite's forward pass written out with tfjs ops, on the weights the converted graph model
// already holds. The graph executor spends more time walking its 317 nodes (shape arithmetic, sparse
// scatter/gather for padding, per-node bookkeeping) than the WASM kernels spend computing: ~22 ms of a
// query's ~28 ms. One text at a time has no padding, so the sparse plumbing disappears and ~100
// kernels remain: ~11 ms a query, with the same vector (checked against the graph when the worker
// starts; encoder-worker.ts falls back to the graph if they ever differ).
//
// The model (KonaTransformer, as converted): token embeddings ×2 plus a sin/cos timing signal; two
// pre-norm transformer layers (4 heads; the first widens 256 → 512 through a dense residual); mean
// over tokens; a tanh layer; L2 normalisation.

/** The few tfjs calls used here, typed where we use them (the package ships no tfjs types). */
export interface Tensor {
  readonly shape: number[];
  readonly rank: number;
  dispose(): void;
  dataSync(): Float32Array;
}

type Activation = 'linear' | 'relu';

export interface Tfjs {
  tidy<T extends Tensor>(fn: () => T): T;
  reshape(x: Tensor, shape: number[]): Tensor;
  tensor1d(values: number[], dtype: 'int32'): Tensor;
  range(start: number, stop: number, step: number, dtype: 'float32'): Tensor;
  zeros(shape: number[]): Tensor;
  gather(x: Tensor, indices: Tensor): Tensor;
  add(a: Tensor, b: Tensor | number): Tensor;
  sub(a: Tensor, b: Tensor): Tensor;
  mul(a: Tensor, b: Tensor | number): Tensor;
  maximum(a: Tensor, b: number): Tensor;
  square(x: Tensor): Tensor;
  rsqrt(x: Tensor): Tensor;
  sin(x: Tensor): Tensor;
  cos(x: Tensor): Tensor;
  tanh(x: Tensor): Tensor;
  softmax(x: Tensor): Tensor;
  mean(x: Tensor, axis: number, keepDims: boolean): Tensor;
  sum(x: Tensor, axis: number, keepDims: boolean): Tensor;
  concat(xs: Tensor[], axis: number): Tensor;
  split(x: Tensor, parts: number, axis: number): Tensor[];
  transpose(x: Tensor, perm: number[]): Tensor;
  matMul(a: Tensor, b: Tensor, transposeA?: boolean, transposeB?: boolean): Tensor;
  fused: {
    conv2d(args: {
      x: Tensor;
      filter: Tensor;
      strides: number;
      pad: 'valid';
      bias: Tensor;
      activation: Activation;
    }): Tensor;
  };
}

/** The converted graph model: its weights by node name. */
export interface GraphModelWeights {
  executor: { weightMap: Record<string, Tensor[] | undefined> };
}

/** A dense layer as a 1×1 convolution: XNNPACK's convolution beat tfjs's MatMul by ~20 % here (measured). */
type Dense = { kernel: Tensor; bias: Tensor };
type Norm = { scale: Tensor; bias: Tensor };
interface Layer {
  heads: number;
  attentionNorm: Norm;
  qkv: Dense;
  output: Dense;
  ffnNorm: Norm;
  ffnIn: Dense;
  ffnOut: Dense;
  /** Layer 0 only: projects the 256-wide input to the 512-wide residual stream. */
  widen?: Dense;
}
export interface UseLiteWeights {
  embeddings: Tensor;
  /** [1, 128]: the inverse timescales of the timing signal. */
  timescales: Tensor;
  layers: [Layer, Layer];
  head: { kernel: Tensor; bias: Tensor };
}

/**
 * The graph model's vector for one text: its first 16 components, to 6 decimals (CI checks them
 * against the graph: use-lite-forward.test.ts). The worker trusts the direct pass only if it gives
 * these, so a model package with another layout falls back to the graph. Running the graph itself
 * at start instead would cost ~40 MB for good: tfjs keeps the weights it packs for the graph's
 * kernels (measured).
 */
export const REFERENCE = {
  text: 'Sign-in keeps failing after the token refresh: naïve users, 日本語',
  head: [
    -0.041184, -0.058282, -0.005528, 0.015587, -0.025052, -0.042853, 0.009812, -0.049853, -0.066154, -0.016162,
    -0.054529, -0.06167, -0.053467, 0.031832, -0.046976, 0.038912,
  ],
};

/** How far a vector is from REFERENCE.head: the largest difference in those components. */
export function referenceDifference(vector: ArrayLike<number>): number {
  if (vector.length !== 512) return Number.POSITIVE_INFINITY;
  let worst = 0;
  REFERENCE.head.forEach((value, d) => {
    const difference = Math.abs(value - (vector[d] as number));
    worst = Number.isNaN(difference) ? Number.POSITIVE_INFINITY : Math.max(worst, difference);
  });
  return worst;
}

/** Longer inputs are clipped, as the graph does. */
export const MAX_TOKENS = 128;
const APPLY = 'module_apply_default/Encoder_en/KonaTransformer/';
const HEADS = 4;
const NORM_EPSILON = 1e-6;

/** Picks the weights out of the loaded graph model; throws naming the first one missing. */
export function useLiteWeights(tf: Tfjs, model: GraphModelWeights): UseLiteWeights {
  const weight = (name: string): Tensor => {
    const tensor = model.executor.weightMap[name]?.[0];
    if (!tensor) throw new Error(`USE-lite weight not found: ${name}`);
    return tensor;
  };
  const asConv = (tensor: Tensor) => (tensor.rank === 4 ? tensor : tf.reshape(tensor, [1, 1, ...tensor.shape]));
  const partitioned = (i: number, path: string) =>
    weight(`${APPLY}Encode/Layer_${i}/TransformerLayer/${path}/ConcatPartitions/concat`);
  const norm = (i: number, at: string): Norm => ({
    scale: partitioned(i, `${at}layer_prepostprocess/layer_norm/layer_norm_scale`),
    bias: partitioned(i, `${at}layer_prepostprocess/layer_norm/layer_norm_bias`),
  });
  const attention = (i: number, name: string): Dense => ({
    kernel: weight(
      `module/Encoder_en/KonaTransformer/Encode/Layer_${i}/TransformerLayer/MultiheadAttention/${name}/kernel/part_0`,
    ),
    bias: partitioned(i, `MultiheadAttention/${name}/bias`),
  });
  const ffn = (i: number, conv: string): Dense => ({
    kernel: asConv(
      weight(`${APPLY}Encode/TransformerStack/Layer_${i}/TransformerLayer/FFN/${conv}/Tensordot/Reshape_1`),
    ),
    bias: partitioned(i, `FFN/${conv}/bias`),
  });
  const layer = (i: number): Layer => ({
    heads: HEADS,
    attentionNorm: norm(i, ''),
    qkv: attention(i, 'qkv_transform_single'),
    output: attention(i, 'output_transform_single'),
    ffnNorm: norm(i, 'FFN/'),
    ffnIn: ffn(i, 'conv1'),
    ffnOut: ffn(i, 'conv2'),
  });
  const first = layer(0);
  first.widen = { kernel: asConv(partitioned(0, 'dense/kernel')), bias: partitioned(0, 'dense/bias') };
  return {
    embeddings: weight('module/Embeddings_en'),
    timescales: weight(`${APPLY}Encode/TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`),
    layers: [first, layer(1)],
    head: {
      kernel: weight('module/Encoder_en/hidden_layers/tanh_layer_0/weights'),
      bias: weight('module/Encoder_en/hidden_layers/tanh_layer_0/bias'),
    },
  };
}

/** One text's unit vector from its token ids (the caller disposes nothing: the result is copied out). */
export function encodeTokens(tf: Tfjs, weights: UseLiteWeights, tokenIds: readonly number[]): Float32Array {
  const ids = tokenIds.slice(0, MAX_TOKENS);
  const out = tf.tidy(() => {
    const pooled = ids.length === 0 ? tf.zeros([1, 512]) : encodeSequence(tf, weights, ids);
    const hidden = tf.tanh(tf.add(tf.matMul(pooled, weights.head.kernel), weights.head.bias));
    return tf.mul(hidden, tf.rsqrt(tf.maximum(tf.sum(tf.square(hidden), -1, true), 1e-12)));
  });
  const vector = out.dataSync().slice();
  out.dispose();
  return vector;
}

/** The two transformer layers over the tokens, mean-pooled: [1, 512]. */
function encodeSequence(tf: Tfjs, weights: UseLiteWeights, ids: number[]): Tensor {
  const length = ids.length;
  const [first, second] = weights.layers;
  const embedded = tf.gather(weights.embeddings, tf.tensor1d(ids, 'int32'));
  const positions = tf.mul(tf.reshape(tf.range(0, length, 1, 'float32'), [length, 1]), weights.timescales);
  // The graph adds the embedding both before and after the timing signal: ×2 is what it computes.
  const input = tf.add(tf.mul(embedded, 2), tf.concat([tf.sin(positions), tf.cos(positions)], 1));
  let x = tf.add(attend(tf, first, input), dense(tf, input, first.widen as Dense));
  x = tf.add(feedForward(tf, first, x), x);
  x = tf.add(attend(tf, second, x), x);
  x = tf.add(feedForward(tf, second, x), x);
  return tf.mean(x, 0, true);
}

function attend(tf: Tfjs, layer: Layer, x: Tensor): Tensor {
  const length = x.shape[0] as number;
  const width = (layer.qkv.kernel.shape[3] as number) / 3;
  const headWidth = width / layer.heads;
  const [q, k, v] = tf.split(dense(tf, normalize(tf, x, layer.attentionNorm), layer.qkv), 3, 1) as [
    Tensor,
    Tensor,
    Tensor,
  ];
  const heads = (t: Tensor) => tf.transpose(tf.reshape(t, [length, layer.heads, headWidth]), [1, 0, 2]);
  const weights = tf.softmax(tf.matMul(tf.mul(heads(q), 1 / Math.sqrt(headWidth)), heads(k), false, true));
  const combined = tf.reshape(tf.transpose(tf.matMul(weights, heads(v)), [1, 0, 2]), [length, width]);
  return dense(tf, combined, layer.output);
}

function feedForward(tf: Tfjs, layer: Layer, x: Tensor): Tensor {
  return dense(tf, dense(tf, normalize(tf, x, layer.ffnNorm), layer.ffnIn, 'relu'), layer.ffnOut);
}

function normalize(tf: Tfjs, x: Tensor, norm: Norm): Tensor {
  const centred = tf.sub(x, tf.mean(x, -1, true));
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(norm.scale, tf.rsqrt(tf.add(variance, NORM_EPSILON))), centred), norm.bias);
}

function dense(tf: Tfjs, x: Tensor, layer: Dense, activation: Activation = 'linear'): Tensor {
  const [length, width] = x.shape as [number, number];
  const out = tf.fused.conv2d({
    x: tf.reshape(x, [1, length, 1, width]),
    filter: layer.kernel,
    strides: 1,
    pad: 'valid',
    bias: layer.bias,
    activation,
  });
  return tf.reshape(out, [length, layer.kernel.shape[3] as number]);
}
