import * as tf from '@tensorflow/tfjs';
import { Rng } from '../datasets/synthetic/Rng.ts';
import type { ModelConfig } from '../schemas/model.ts';
import { decode, embedTokens, encodeImages, imageCondition, logitsOf } from './forward.ts';
import { generateBatch, pickToken } from './generateBatch.ts';
import type { Params } from './initParams.ts';
import { BOS, EOS } from './Tokenizer.ts';

export interface GenerateOptions {
  maxTokens: number;
  /** 0 = greedy; otherwise sample from softmax(logits / temperature). */
  temperature: number;
  seed: string;
  /** Keep keys and values of earlier positions (default) or recompute the whole sequence for every token. */
  kvCache?: boolean;
}

/**
 * Decodes a response for one image and prompt: greedy or sampled, with a KV cache (a batch of one, see
 * `generateBatch`) so each new token costs one position of attention, or, for checking the cache, recomputing the whole
 * sequence for every token. Stops at <eos>, `maxTokens` or the model's position limit.
 */
export function generate(params: Params, cfg: ModelConfig, image: Float32Array, prompt: number[], o: GenerateOptions): number[] {
  if (o.kvCache !== false) return generateBatch(params, cfg, [{ image, prompt, seed: o.seed }], o)[0]!;
  const rng = new Rng(o.seed);
  const prefix = [...prompt, BOS];
  const limit = Math.min(o.maxTokens, cfg.maxLen - prefix.length);
  const out: number[] = [];
  const img = tf.tensor4d(image, [1, cfg.imageSize, cfg.imageSize, 3]);
  const vis = tf.tidy(() => encodeImages(params, cfg, img));
  const cond = tf.tidy(() => imageCondition(params, vis));
  try {
    for (let i = 0; i < limit; i++) {
      // The tensor leaves tidy and is read afterwards: tidy would walk a returned typed array element by element.
      const t = tf.tidy(() => {
        const tokens = tf.tensor2d([[...prefix, ...out]], undefined, 'int32');
        const { h } = decode(params, cfg, tf.concat([vis, embedTokens(params, tokens, 0, cond)], 1) as tf.Tensor3D);
        const last = tf.slice(h, [0, h.shape[1] - 1, 0], [1, 1, cfg.dModel]) as tf.Tensor3D;
        return logitsOf(params, last);
      });
      const logits = t.dataSync() as Float32Array;
      t.dispose();
      const next = pickToken(logits, o.temperature, rng);
      if (next === EOS) break;
      out.push(next);
    }
    return out;
  } finally {
    tf.dispose([img, vis, cond]);
  }
}
