import * as tf from '@tensorflow/tfjs';
import { visualGridOf, type ModelConfig } from '../schemas/model.ts';
import type { Params } from './initParams.ts';

/** Added to the score of a key a query may not see: exp underflows to exactly 0. */
export const NEG = -1e9;

function p(params: Params, name: string): tf.Variable {
  const v = params.get(name);
  if (!v) throw new Error(`missing parameter ${name}`);
  return v;
}

function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
}

/**
 * Visual tokens: stride-2 convolutions, average pooling to the visual grid (a mean over cells, which every backend
 * differentiates), a projection to the model width, a layer norm, plus learned grid positions. Without the norm the
 * tokens' scale drifted apart from the text's (tiny on the demo data: RMS 0.078 against token embeddings' 0.020 at
 * init, 0.033 against 0.234 after SFT) and the encoder often failed to learn: a linear probe of its features fell
 * from 57 % at init to 28-50 % after SFT; with the norm it rose to 77-80 %.
 */
export function encodeImages(params: Params, cfg: ModelConfig, images: tf.Tensor4D): tf.Tensor3D {
  let x: tf.Tensor4D = images;
  cfg.convChannels.forEach((_, i) => {
    x = tf.relu(tf.add(tf.conv2d(x, p(params, `enc.conv${i}.w`) as tf.Tensor4D, 2, 'same'), p(params, `enc.conv${i}.b`))) as tf.Tensor4D;
  });
  const side = visualGridOf(cfg);
  if (side !== x.shape[1]) {
    const [n, g, , ch] = x.shape;
    const k = g / side;
    x = tf.mean(tf.reshape(x, [n, side, k, side, k, ch]), [2, 4]) as tf.Tensor4D;
  }
  const [b, gh, gw, c] = x.shape;
  const flat = tf.reshape(x, [b * gh * gw, c]);
  const proj = tf.reshape(tf.matMul(flat, p(params, 'enc.proj.w') as tf.Tensor2D), [b, gh * gw, cfg.dModel]);
  return tf.add(layerNorm(proj, p(params, 'enc.ln.g'), p(params, 'enc.ln.b')), p(params, 'enc.pos')) as tf.Tensor3D;
}

/**
 * A summary of the image for every text position: the mean visual token, projected (initialised small). Attention
 * alone lets the text ignore the image for a long time (the template dominates the loss); this gives every token a
 * direct path to what the image shows.
 */
export function imageCondition(params: Params, vis: tf.Tensor3D): tf.Tensor3D {
  const [b, , d] = vis.shape;
  return tf.reshape(tf.matMul(tf.mean(vis, 1) as tf.Tensor2D, p(params, 'enc.pool.w') as tf.Tensor2D), [b, 1, d]) as tf.Tensor3D;
}

/** Token embeddings plus positions (from `offset`), plus the image condition when given. */
export function embedTokens(params: Params, tokens: tf.Tensor2D, offset = 0, condition?: tf.Tensor3D): tf.Tensor3D {
  const [, t] = tokens.shape;
  const pos = tf.slice(p(params, 'tok.pos'), [offset, 0], [t, -1]);
  const e = tf.add(tf.gather(p(params, 'tok.emb'), tokens), pos) as tf.Tensor3D;
  return condition ? (tf.add(e, condition) as tf.Tensor3D) : e;
}

/** Keys and values of earlier positions, per layer, for decoding one token at a time. */
export interface KvCache {
  k: tf.Tensor4D[];
  v: tf.Tensor4D[];
}

/**
 * The decoder over a sequence `h` [B, L, d]: pre-norm blocks of causal multi-head self-attention and an MLP. With a
 * cache, `h` holds only new positions; their keys and values are appended and the cache returned grows. `keyMask`
 * [B, 1, 1, past + L] is added to the attention scores (NEG hides a key: the padding of a batch's shorter prompts).
 */
export function decode(params: Params, cfg: ModelConfig, h: tf.Tensor3D, cache?: KvCache, keyMask?: tf.Tensor4D): { h: tf.Tensor3D; cache: KvCache } {
  const [b, l, d] = h.shape;
  const heads = cfg.heads;
  const dh = d / heads;
  const past = cache?.k[0]?.shape[2] ?? 0;
  // Position i (absolute past + i) sees positions 0..past+i.
  const mask = tf.tidy(() => {
    const rows = tf.reshape(tf.range(past, past + l, 1, 'int32'), [l, 1]);
    const cols = tf.reshape(tf.range(0, past + l, 1, 'int32'), [1, past + l]);
    return tf.mul(tf.cast(tf.greater(cols, rows), 'float32'), NEG);
  });
  const next: KvCache = { k: [], v: [] };
  let x: tf.Tensor3D = h;
  for (let i = 0; i < cfg.layers; i++) {
    const a = layerNorm(x, p(params, `dec${i}.ln1.g`), p(params, `dec${i}.ln1.b`));
    const a2 = tf.reshape(a, [b * l, d]);
    const wqkv = p(params, `dec${i}.attn.qkv`);
    // Slice the small weight, not the large activation: a strided Slice of [B, L, 3d] is the slowest kernel on wasm.
    const split = (j: number) => tf.transpose(tf.reshape(tf.matMul(a2, tf.slice(wqkv, [0, j * d], [d, d]) as tf.Tensor2D), [b, l, heads, dh]), [0, 2, 1, 3]) as tf.Tensor4D;
    const q = split(0);
    let k = split(1);
    let v = split(2);
    if (cache) {
      k = tf.concat([cache.k[i]!, k], 2);
      v = tf.concat([cache.v[i]!, v], 2);
    }
    next.k.push(k);
    next.v.push(v);
    const causal = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(dh)), mask);
    const scores = keyMask ? tf.add(causal, keyMask) : causal;
    const att = tf.matMul(tf.softmax(scores), v); // [b, heads, l, dh]
    const merged = tf.reshape(tf.transpose(att, [0, 2, 1, 3]), [b * l, d]);
    x = tf.add(x, tf.reshape(tf.matMul(merged, p(params, `dec${i}.attn.out`) as tf.Tensor2D), [b, l, d]));
    const m = tf.reshape(layerNorm(x, p(params, `dec${i}.ln2.g`), p(params, `dec${i}.ln2.b`)), [b * l, d]);
    const hidden = tf.relu(tf.add(tf.matMul(m, p(params, `dec${i}.mlp.w1`) as tf.Tensor2D), p(params, `dec${i}.mlp.b1`)));
    x = tf.add(x, tf.reshape(tf.add(tf.matMul(hidden, p(params, `dec${i}.mlp.w2`) as tf.Tensor2D), p(params, `dec${i}.mlp.b2`)), [b, l, d]));
  }
  mask.dispose();
  return { h: x, cache: next };
}

/** Next-token logits [B, T, V] for the given hidden states of token positions; the output layer shares the embedding. */
export function logitsOf(params: Params, h: tf.Tensor3D): tf.Tensor3D {
  const [b, t, d] = h.shape;
  const n = layerNorm(h, p(params, 'final.ln.g'), p(params, 'final.ln.b'));
  const emb = p(params, 'tok.emb');
  return tf.reshape(tf.matMul(tf.reshape(n, [b * t, d]), emb as tf.Tensor2D, false, true), [b, t, emb.shape[0]!]) as tf.Tensor3D;
}

/** Hidden states [B, T, d] of the token positions of [visual tokens; tokens], teacher-forced. */
function tokenHidden(params: Params, cfg: ModelConfig, images: tf.Tensor4D, tokens: tf.Tensor2D): tf.Tensor3D {
  const vis = encodeImages(params, cfg, images);
  const tok = embedTokens(params, tokens, 0, imageCondition(params, vis));
  const { h } = decode(params, cfg, tf.concat([vis, tok], 1) as tf.Tensor3D);
  const nv = vis.shape[1];
  const [b, t] = tokens.shape;
  return tf.slice(h, [0, nv, 0], [b, t, cfg.dModel]) as tf.Tensor3D;
}

/** Logits for every token position of [visual tokens; tokens], teacher-forced. */
export function forward(params: Params, cfg: ModelConfig, images: tf.Tensor4D, tokens: tf.Tensor2D): tf.Tensor3D {
  return logitsOf(params, tokenHidden(params, cfg, images, tokens));
}

/**
 * Logits [N, V] at chosen positions only (indices into the flattened [B x T] token grid): the loss needs the
 * vocabulary projection and softmax only where a response token is predicted, not over prompt and padding.
 */
export function logitsAt(params: Params, cfg: ModelConfig, images: tf.Tensor4D, tokens: tf.Tensor2D, positions: tf.Tensor1D): tf.Tensor2D {
  const h = tokenHidden(params, cfg, images, tokens);
  const [b, t, d] = h.shape;
  const picked = tf.gather(tf.reshape(h, [b * t, d]), positions);
  return tf.reshape(logitsOf(params, tf.reshape(picked, [1, positions.shape[0], d]) as tf.Tensor3D), [positions.shape[0], -1]) as tf.Tensor2D;
}

/**
 * log-sum-exp over the last axis with its gradient (softmax) written out: the library's version differentiates
 * through the max it subtracts, whose gradient (an Equal over the whole vocabulary grid) was the slowest kernel of a
 * training step on wasm. The shift cancels in the value and the gradient, so it needs no gradient of its own.
 */
const logSumExp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  const m = tf.max(x, -1, true);
  const e = tf.exp(tf.sub(x, m));
  const s = tf.sum(e, -1, true);
  save([e, s]);
  return { value: tf.squeeze(tf.add(tf.log(s), m), [-1]), gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.mul(tf.expandDims(dy as tf.Tensor, -1), tf.div(saved[0]!, saved[1]!)) };
});

/** Cross-entropy [N] of logits [N, V] against targets [N]: log-sum-exp minus the target's logit. */
export function crossEntropyPerToken(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const v = logits.shape[1];
  // OneHot yields int32 on wasm whatever dtype is asked; cast before multiplying.
  const target = tf.sum(tf.mul(logits, tf.cast(tf.oneHot(tf.cast(targets, 'int32'), v), 'float32')), -1);
  return tf.sub(logSumExp(logits) as tf.Tensor1D, target) as tf.Tensor1D;
}

/** Mean cross-entropy of logits [N, V] against targets [N]. */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  return tf.mean(crossEntropyPerToken(logits, targets)) as tf.Scalar;
}
