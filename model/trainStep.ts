import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../schemas/model.ts';
import type { AdamW } from './AdamW.ts';
import { crossEntropy, logitsAt } from './forward.ts';
import type { Params } from './initParams.ts';
import { BOS, EOS, PAD } from './Tokenizer.ts';

/** One training example: an image and its prompt and response as token ids. */
export interface Example {
  image: Float32Array;
  prompt: number[];
  response: number[];
}

export interface Batch {
  images: tf.Tensor4D;
  inputs: tf.Tensor2D;
  targets: tf.Tensor2D;
  weights: tf.Tensor2D;
  /** Flattened [B x T] indices of the weighted positions, and their targets: where the loss is computed. */
  positions: tf.Tensor1D;
  picked: tf.Tensor1D;
  /** Response tokens (plus end) the loss covers. */
  tokens: number;
}

/**
 * Teacher forcing: the sequence is prompt, <bos>, response, <eos>; inputs are all but the last token, targets all but
 * the first, and only targets inside the response (and its <eos>) carry weight, so the loss is on response tokens.
 */
export function makeBatch(examples: Example[], imageSize: number): Batch {
  const seqs = examples.map((e) => [...e.prompt, BOS, ...e.response, EOS]);
  const t = Math.max(...seqs.map((s) => s.length)) - 1;
  const inputs = new Int32Array(examples.length * t).fill(PAD);
  const targets = new Int32Array(examples.length * t).fill(PAD);
  const weights = new Float32Array(examples.length * t);
  let tokens = 0;
  const positions: number[] = [];
  const picked: number[] = [];
  seqs.forEach((s, b) => {
    for (let j = 0; j < s.length - 1; j++) {
      inputs[b * t + j] = s[j]!;
      targets[b * t + j] = s[j + 1]!;
      if (j >= examples[b]!.prompt.length) {
        weights[b * t + j] = 1;
        positions.push(b * t + j);
        picked.push(s[j + 1]!);
        tokens++;
      }
    }
  });
  return {
    images: packImages(examples.map((e) => e.image), imageSize),
    inputs: tf.tensor2d(inputs, [examples.length, t], 'int32'),
    targets: tf.tensor2d(targets, [examples.length, t], 'int32'),
    weights: tf.tensor2d(weights, [examples.length, t]),
    positions: tf.tensor1d(positions, 'int32'),
    picked: tf.tensor1d(picked, 'int32'),
    tokens,
  };
}

/** Images (each side x side x 3, row-major) as one [N, side, side, 3] tensor. */
export function packImages(images: Float32Array[], side: number): tf.Tensor4D {
  const px = side * side * 3;
  const out = new Float32Array(images.length * px);
  images.forEach((im, b) => out.set(im, b * px));
  return tf.tensor4d(out, [images.length, side, side, 3]);
}

export function disposeBatch(b: Batch): void {
  tf.dispose([b.images, b.inputs, b.targets, b.weights, b.positions, b.picked]);
}

/** Mean cross-entropy over the batch's response tokens (teacher forcing). */
export function responseLoss(params: Params, cfg: ModelConfig, b: Batch): tf.Scalar {
  return crossEntropy(logitsAt(params, cfg, b.images, b.inputs, b.positions), b.picked);
}

/** The masked loss of a batch without updating anything (validation). */
export function batchLoss(params: Params, cfg: ModelConfig, b: Batch): number {
  const loss = tf.tidy(() => responseLoss(params, cfg, b));
  const value = loss.dataSync()[0]!;
  loss.dispose();
  return value;
}

/** Forward, backward and one AdamW update; returns the loss and the gradient norm. */
export function trainStep(params: Params, cfg: ModelConfig, opt: AdamW, b: Batch, lr: number, clip: number): { loss: number; gradNorm: number } {
  const byVar = new Map([...params].map(([n, v]) => [v.name, n]));
  const { value, grads } = tf.variableGrads(() => responseLoss(params, cfg, b), [...params.values()]);
  const named = new Map(Object.entries(grads).map(([k, g]) => [byVar.get(k)!, g]));
  const gradNorm = opt.step(params, named, lr, clip);
  const loss = value.dataSync()[0]!;
  value.dispose();
  tf.dispose(Object.values(grads));
  return { loss, gradNorm };
}
