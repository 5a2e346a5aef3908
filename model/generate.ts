import * as tf from '@tensorflow/tfjs';
import { Rng } from '../datasets/synthetic/Rng.ts';
import type { ModelConfig } from '../schemas/model.ts';
import { decode, embedTokens, encodeImages, imageCondition, logitsOf, type KvCache } from './forward.ts';
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

function pick(logits: Float32Array, temperature: number, rng: Rng): number {
  if (temperature <= 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
    return best;
  }
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  const w = Array.from(logits, (x) => Math.exp((x - max) / temperature));
  let r = rng.next() * w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < w.length; i++) if ((r -= w[i]!) <= 0) return i;
  return w.length - 1;
}

/**
 * Decodes a response for one image and prompt: greedy or sampled, with a KV cache so each new token costs one
 * position of attention instead of the whole sequence. Stops at <eos>, `maxTokens` or the model's position limit.
 */
export function generate(params: Params, cfg: ModelConfig, image: Float32Array, prompt: number[], o: GenerateOptions): number[] {
  const rng = new Rng(o.seed);
  const prefix = [...prompt, BOS];
  const limit = Math.min(o.maxTokens, cfg.maxLen - prefix.length);
  const out: number[] = [];
  const img = tf.tensor4d(image, [1, cfg.imageSize, cfg.imageSize, 3]);
  const vis = tf.tidy(() => encodeImages(params, cfg, img));
  const cond = tf.tidy(() => imageCondition(params, vis));
  try {
    if (o.kvCache === false) {
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
        const next = pick(logits, o.temperature, rng);
        if (next === EOS) break;
        out.push(next);
      }
      return out;
    }
    let cache: KvCache | undefined;
    let lastLogits: Float32Array;
    {
      const r = tf.tidy(() => {
        const tokens = tf.tensor2d([prefix], undefined, 'int32');
        const d = decode(params, cfg, tf.concat([vis, embedTokens(params, tokens, 0, cond)], 1) as tf.Tensor3D);
        const last = tf.slice(d.h, [0, d.h.shape[1] - 1, 0], [1, 1, cfg.dModel]) as tf.Tensor3D;
        return { logits: logitsOf(params, last), k: d.cache.k, v: d.cache.v };
      });
      lastLogits = r.logits.dataSync() as Float32Array;
      r.logits.dispose();
      cache = { k: r.k, v: r.v };
    }
    for (let i = 0; i < limit; i++) {
      const next = pick(lastLogits, o.temperature, rng);
      if (next === EOS) break;
      out.push(next);
      if (i === limit - 1) break;
      const prev: KvCache = cache;
      const r = tf.tidy(() => {
        const tokens = tf.tensor2d([[next]], undefined, 'int32');
        const d = decode(params, cfg, embedTokens(params, tokens, prefix.length + out.length - 1, cond), prev);
        return { logits: logitsOf(params, d.h), k: d.cache.k, v: d.cache.v };
      });
      tf.dispose([...prev.k, ...prev.v]);
      cache = { k: r.k, v: r.v };
      lastLogits = r.logits.dataSync() as Float32Array;
      r.logits.dispose();
    }
    tf.dispose([...cache.k, ...cache.v]);
    return out;
  } finally {
    tf.dispose([img, vis, cond]);
  }
}
