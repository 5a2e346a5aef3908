import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../schemas/model.ts';
import type { AdamW } from './AdamW.ts';
import { forward } from './forward.ts';
import type { Params } from './initParams.ts';
import { BOS, EOS, PAD } from './Tokenizer.ts';

/** One sampled completion to learn from: its image, prompt and completion tokens, and whether it ended with <eos>. */
export interface Rollout {
  image: Float32Array;
  prompt: number[];
  completion: number[];
  ended: boolean;
}

/** Teacher-forced inputs and targets for completions; `mask` marks the completion's tokens (and its <eos> when it ended). */
export interface RolloutBatch {
  images: tf.Tensor4D;
  inputs: tf.Tensor2D;
  targets: tf.Tensor2D;
  mask: tf.Tensor2D;
}

export function makeRolloutBatch(rollouts: Rollout[], imageSize: number): RolloutBatch {
  const seqs = rollouts.map((r) => [...r.prompt, BOS, ...r.completion, ...(r.ended ? [EOS] : [])]);
  const t = Math.max(...seqs.map((s) => s.length)) - 1;
  const inputs = new Int32Array(rollouts.length * t).fill(PAD);
  const targets = new Int32Array(rollouts.length * t).fill(PAD);
  const mask = new Float32Array(rollouts.length * t);
  seqs.forEach((s, b) => {
    for (let j = 0; j < s.length - 1; j++) {
      inputs[b * t + j] = s[j]!;
      targets[b * t + j] = s[j + 1]!;
      if (j >= rollouts[b]!.prompt.length) mask[b * t + j] = 1;
    }
  });
  const px = imageSize * imageSize * 3;
  const images = new Float32Array(rollouts.length * px);
  rollouts.forEach((r, b) => images.set(r.image, b * px));
  return {
    images: tf.tensor4d(images, [rollouts.length, imageSize, imageSize, 3]),
    inputs: tf.tensor2d(inputs, [rollouts.length, t], 'int32'),
    targets: tf.tensor2d(targets, [rollouts.length, t], 'int32'),
    mask: tf.tensor2d(mask, [rollouts.length, t]),
  };
}

export function disposeRolloutBatch(b: RolloutBatch): void {
  tf.dispose([b.images, b.inputs, b.targets, b.mask]);
}

/** log p(target) at every position [B, T] under the given weights. */
export function tokenLogProbs(params: Params, cfg: ModelConfig, b: RolloutBatch): tf.Tensor2D {
  const logits = forward(params, cfg, b.images, b.inputs);
  const v = logits.shape[2];
  // OneHot yields int32 on wasm whatever dtype is asked; cast before multiplying.
  return tf.sum(tf.mul(tf.logSoftmax(logits), tf.cast(tf.oneHot(tf.cast(b.targets, 'int32'), v), 'float32')), -1) as tf.Tensor2D;
}

/**
 * Group-normalised advantages (r - mean) / (std + eps) over consecutive groups of `groupSize` rewards; std is the
 * sample standard deviation (n - 1), as torch's default in the reference trainer.
 */
export function groupAdvantages(rewards: number[], groupSize: number, eps = 1e-4): number[] {
  if (rewards.length % groupSize !== 0) throw new Error(`${rewards.length} rewards do not split into groups of ${groupSize}`);
  const out: number[] = [];
  for (let g = 0; g < rewards.length; g += groupSize) {
    const r = rewards.slice(g, g + groupSize);
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    const std = r.length > 1 ? Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1)) : 0;
    for (const x of r) out.push((x - mean) / (std + eps));
  }
  return out;
}

export interface GrpoOptions {
  advantages: number[];
  /** Log-probs [B, T] of the policy that sampled the completions, and of the frozen reference. */
  oldLogProbs: tf.Tensor2D;
  refLogProbs: tf.Tensor2D;
  beta: number;
  clipEpsilon: number;
  lr: number;
  gradClip: number;
}

/**
 * One GRPO update: per token, -[min(rho A, clip(rho, 1-eps, 1+eps) A) - beta KL] with rho = exp(logp - logp_old) and
 * KL the k3 estimate exp(ref - logp) - (ref - logp) - 1; averaged over each completion's tokens, then over the batch.
 * With one update per rollout batch rho is 1 and the clip is inactive, as in the reference trainer.
 */
export function grpoStep(params: Params, cfg: ModelConfig, opt: AdamW, b: RolloutBatch, o: GrpoOptions): { loss: number; kl: number; gradNorm: number } {
  const byVar = new Map([...params].map(([n, v]) => [v.name, n]));
  const adv = tf.tensor2d(o.advantages, [o.advantages.length, 1]);
  let klValue = 0;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const logp = tokenLogProbs(params, cfg, b);
      const ratio = tf.exp(tf.sub(logp, o.oldLogProbs));
      const surrogate = tf.minimum(tf.mul(ratio, adv), tf.mul(tf.clipByValue(ratio, 1 - o.clipEpsilon, 1 + o.clipEpsilon), adv));
      const d = tf.sub(o.refLogProbs, logp);
      const kl = tf.sub(tf.sub(tf.exp(d), d), 1);
      const perToken = tf.mul(tf.neg(tf.sub(surrogate, tf.mul(kl, o.beta))), b.mask);
      const lengths = tf.maximum(tf.sum(b.mask, 1), 1);
      const klMean = tf.mean(tf.div(tf.sum(tf.mul(kl, b.mask), 1), lengths));
      klValue = tf.keep(klMean).dataSync()[0]!;
      klMean.dispose();
      return tf.mean(tf.div(tf.sum(perToken, 1), lengths)) as tf.Scalar;
    }, [...params.values()]);
    const named = new Map(Object.entries(grads).map(([k, g]) => [byVar.get(k)!, g]));
    const gradNorm = opt.step(params, named, o.lr, o.gradClip);
    const loss = value.dataSync()[0]!;
    value.dispose();
    tf.dispose(Object.values(grads));
    return { loss, kl: klValue, gradNorm };
  } finally {
    adv.dispose();
  }
}
