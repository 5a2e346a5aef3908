import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../schemas/model.ts';
import type { AdamW } from './AdamW.ts';
import { crossEntropyPerToken, logitsAt } from './forward.ts';
import type { Params } from './initParams.ts';
import { BOS, EOS, PAD } from './Tokenizer.ts';
import { packImages } from './trainStep.ts';

/** One sampled completion to learn from: its image, prompt and completion tokens, and whether it ended with <eos>. */
export interface Rollout {
  image: Float32Array;
  prompt: number[];
  completion: number[];
  ended: boolean;
}

/**
 * Teacher-forced inputs for completions, and the N completion positions (each completion's tokens, plus its <eos>
 * when it ended) as flattened [B x T] indices with their targets; `perSequence` [B, N] averages a per-token quantity
 * over each completion's own tokens (1/length where the token belongs to it).
 */
export interface RolloutBatch {
  images: tf.Tensor4D;
  inputs: tf.Tensor2D;
  positions: tf.Tensor1D;
  targets: tf.Tensor1D;
  /** Which completion each position belongs to. */
  sequence: tf.Tensor1D;
  perSequence: tf.Tensor2D;
  lengths: number[];
}

export function makeRolloutBatch(rollouts: Rollout[], imageSize: number): RolloutBatch {
  const seqs = rollouts.map((r) => [...r.prompt, BOS, ...r.completion, ...(r.ended ? [EOS] : [])]);
  const t = Math.max(...seqs.map((s) => s.length)) - 1;
  const inputs = new Int32Array(rollouts.length * t).fill(PAD);
  const positions: number[] = [];
  const targets: number[] = [];
  const sequence: number[] = [];
  const lengths = seqs.map((s, b) => {
    for (let j = 0; j < s.length - 1; j++) {
      inputs[b * t + j] = s[j]!;
      if (j >= rollouts[b]!.prompt.length) {
        positions.push(b * t + j);
        targets.push(s[j + 1]!);
        sequence.push(b);
      }
    }
    return s.length - 1 - rollouts[b]!.prompt.length;
  });
  const perSequence = new Float32Array(rollouts.length * positions.length);
  sequence.forEach((b, n) => (perSequence[b * positions.length + n] = 1 / Math.max(1, lengths[b]!)));
  return {
    images: packImages(rollouts.map((r) => r.image), imageSize),
    inputs: tf.tensor2d(inputs, [rollouts.length, t], 'int32'),
    positions: tf.tensor1d(positions, 'int32'),
    targets: tf.tensor1d(targets, 'int32'),
    sequence: tf.tensor1d(sequence, 'int32'),
    perSequence: tf.tensor2d(perSequence, [rollouts.length, positions.length]),
    lengths,
  };
}

export function disposeRolloutBatch(b: RolloutBatch): void {
  tf.dispose([b.images, b.inputs, b.positions, b.targets, b.sequence, b.perSequence]);
}

/** log p(target) [N] at the completion positions under the given weights. */
export function tokenLogProbs(params: Params, cfg: ModelConfig, b: RolloutBatch): tf.Tensor1D {
  return tf.neg(crossEntropyPerToken(logitsAt(params, cfg, b.images, b.inputs, b.positions), b.targets)) as tf.Tensor1D;
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
  /** Log-probs [N] of the policy that sampled the completions, and of the frozen reference. */
  oldLogProbs: tf.Tensor1D;
  refLogProbs: tf.Tensor1D;
  beta: number;
  clipEpsilon: number;
  lr: number;
  gradClip: number;
  /** Weights left as they are (their gradients are not taken); all train when absent. */
  frozen?: (name: string) => boolean;
}

/**
 * One GRPO update: per token, -[min(rho A, clip(rho, 1-eps, 1+eps) A) - beta KL] with rho = exp(logp - logp_old) and
 * KL the k3 estimate exp(ref - logp) - (ref - logp) - 1; averaged over each completion's tokens, then over the batch.
 * With one update per rollout batch rho is 1 and the clip is inactive, as in the reference trainer.
 */
export function grpoStep(params: Params, cfg: ModelConfig, opt: AdamW, b: RolloutBatch, o: GrpoOptions): { loss: number; kl: number; gradNorm: number } {
  const byVar = new Map([...params].map(([n, v]) => [v.name, n]));
  const adv = tf.tensor1d(o.advantages);
  let klValue = 0;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const logp = tokenLogProbs(params, cfg, b);
      const a = tf.gather(adv, b.sequence);
      const ratio = tf.exp(tf.sub(logp, o.oldLogProbs));
      const surrogate = tf.minimum(tf.mul(ratio, a), tf.mul(tf.clipByValue(ratio, 1 - o.clipEpsilon, 1 + o.clipEpsilon), a));
      const d = tf.sub(o.refLogProbs, logp);
      const kl = tf.sub(tf.sub(tf.exp(d), d), 1);
      const perToken = tf.neg(tf.sub(surrogate, tf.mul(kl, o.beta)));
      // Mean over each completion's tokens, then over completions.
      const perSeq = (x: tf.Tensor1D) => tf.mean(tf.matMul(b.perSequence, tf.reshape(x, [-1, 1]) as tf.Tensor2D));
      const klMean = perSeq(kl as tf.Tensor1D);
      klValue = tf.keep(klMean).dataSync()[0]!;
      klMean.dispose();
      return perSeq(perToken as tf.Tensor1D) as tf.Scalar;
    }, [...params].filter(([n]) => !o.frozen?.(n)).map(([, v]) => v));
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
