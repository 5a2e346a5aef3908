import * as tf from '@tensorflow/tfjs';
import { Rng } from '../datasets/synthetic/Rng.ts';
import { visualGridOf, type ModelConfig } from '../schemas/model.ts';
import { decode, encodeImages, imageCondition, logitsOf, NEG, type KvCache } from './forward.ts';
import type { Params } from './initParams.ts';
import { packImages } from './trainStep.ts';
import { BOS, EOS, PAD } from './Tokenizer.ts';

/** Rows per decode batch: beyond this the per-row cost stops falling on the tiny and small presets (bench:sft). */
export const DECODE_BATCH = 32;

/** One sequence of a batch: its image, its prompt tokens and the seed of its own sampling stream. */
export interface BatchRow {
  image: Float32Array;
  prompt: number[];
  seed: string;
}

export interface BatchOptions {
  maxTokens: number;
  /** 0 = greedy; otherwise sample from softmax(logits / temperature). */
  temperature: number;
}

/** The next token from one row of logits: argmax, or a draw from softmax(logits / T) with the row's own stream. */
export function pickToken(logits: Float32Array, temperature: number, rng: Rng): number {
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
 * Decodes several sequences in lockstep with one KV cache: on single-threaded wasm a small model's decode step is a
 * few dozen tiny kernels whose cost hardly depends on the batch, so B rows cost little more than one. Shorter prompts
 * are padded on the left; the padding is masked out of attention and every row keeps its own positions, so each row
 * computes what it would alone. Each row samples from its own seeded stream and stops at <eos>, at `maxTokens` or at
 * the model's position limit; the batch stops when every row has. Returns each row's tokens, without <eos>.
 */
export function generateBatch(params: Params, cfg: ModelConfig, rows: BatchRow[], o: BatchOptions): number[][] {
  if (rows.length === 0) return [];
  const b = rows.length;
  const lens = rows.map((r) => r.prompt.length + 1); // prompt + <bos>
  const width = Math.max(...lens);
  const pads = lens.map((n) => width - n);
  const limits = lens.map((n) => Math.max(0, Math.min(o.maxTokens, cfg.maxLen - n)));
  const steps = Math.max(...limits);
  const rngs = rows.map((r) => new Rng(r.seed));
  const out: number[][] = rows.map(() => []);
  const done = limits.map((l) => l === 0);
  const vocab = params.get('tok.emb')!.shape[0]!;
  const nv = visualGridOf(cfg) ** 2;
  const keys = nv + width + steps;
  const tokens = new Int32Array(b * width).fill(PAD);
  const positions = new Int32Array(b * width);
  // Keys hidden from every query: row j's padding, right after the visual tokens. New positions are never hidden.
  const hidden = new Float32Array(b * keys);
  rows.forEach((r, j) => {
    [...r.prompt, BOS].forEach((t, c) => (tokens[j * width + pads[j]! + c] = t));
    for (let c = 0; c < width; c++) positions[j * width + c] = Math.max(0, c - pads[j]!);
    hidden.fill(NEG, j * keys + nv, j * keys + nv + pads[j]!);
  });
  const imgs = packImages(rows.map((r) => r.image), cfg.imageSize);
  const keyMask = tf.tensor4d(hidden, [b, 1, 1, keys]);
  const vis = tf.tidy(() => encodeImages(params, cfg, imgs));
  const cond = tf.tidy(() => imageCondition(params, vis));
  // Token embeddings at each row's own positions, plus the image condition (as embedTokens, with a position per row).
  const embed = (t: Int32Array, pos: Int32Array, len: number) =>
    tf.add(tf.add(tf.gather(params.get('tok.emb')!, tf.tensor2d(t, [b, len], 'int32')), tf.gather(params.get('tok.pos')!, tf.tensor2d(pos, [b, len], 'int32'))), cond) as tf.Tensor3D;
  let cache: KvCache | undefined;
  // Logits [B, V] of the last position, read back once per step for all rows.
  const step = (f: () => { logits: tf.Tensor; k: tf.Tensor4D[]; v: tf.Tensor4D[] }): Float32Array => {
    const r = tf.tidy(f);
    if (cache) tf.dispose([...cache.k, ...cache.v]);
    cache = { k: r.k, v: r.v };
    // Read outside tidy: tidy walks a returned typed array element by element.
    const data = r.logits.dataSync() as Float32Array;
    r.logits.dispose();
    return data;
  };
  try {
    let logits = step(() => {
      const mask = tf.slice(keyMask, [0, 0, 0, 0], [b, 1, 1, nv + width]) as tf.Tensor4D;
      const d = decode(params, cfg, tf.concat([vis, embed(tokens, positions, width)], 1) as tf.Tensor3D, undefined, mask);
      const last = tf.slice(d.h, [0, d.h.shape[1] - 1, 0], [b, 1, cfg.dModel]) as tf.Tensor3D;
      return { logits: logitsOf(params, last), k: d.cache.k, v: d.cache.v };
    });
    for (let i = 0; i < steps; i++) {
      const next = Int32Array.from(rows, (_, j) => {
        if (done[j]) return EOS;
        const t = pickToken(logits.subarray(j * vocab, (j + 1) * vocab), o.temperature, rngs[j]!);
        if (t === EOS) done[j] = true;
        else {
          out[j]!.push(t);
          if (out[j]!.length >= limits[j]!) done[j] = true;
        }
        return t;
      });
      if (done.every(Boolean)) break;
      const prev = cache!;
      // A finished row decodes a throwaway token (its position kept inside the table) so the batch stays rectangular.
      const pos = Int32Array.from(rows, (_, j) => Math.min(cfg.maxLen - 1, lens[j]! + i));
      logits = step(() => {
        const mask = tf.slice(keyMask, [0, 0, 0, 0], [b, 1, 1, nv + width + i + 1]) as tf.Tensor4D;
        const d = decode(params, cfg, embed(next, pos, 1), prev, mask);
        return { logits: logitsOf(params, d.h), k: d.cache.k, v: d.cache.v };
      });
    }
    return out;
  } finally {
    if (cache) tf.dispose([...cache.k, ...cache.v]);
    tf.dispose([imgs, keyMask, vis, cond]);
  }
}

/**
 * Batches of at most `maxBatch` rows of similar prompt length (rows sorted by length, ties in their original order),
 * so little of a batch is padding; returns the row indices of each batch.
 */
export function batchesByLength(lengths: number[], maxBatch: number): number[][] {
  const order = lengths.map((_, i) => i).sort((x, y) => lengths[x]! - lengths[y]! || x - y);
  const out: number[][] = [];
  for (let s = 0; s < order.length; s += maxBatch) out.push(order.slice(s, s + maxBatch));
  return out;
}

/**
 * Decodes every row in batches of similar prompt length (order of the result = order of `rows`), each with at most
 * `maxNewTokens` and never past the model's position limit; after each batch it reports how many rows are done and
 * yields to the event loop (so an activity's heartbeats and cancellation get through).
 */
export async function decodeAll(params: Params, cfg: ModelConfig, rows: BatchRow[], o: { maxNewTokens: number; temperature: number; maxBatch?: number; onBatch?: (done: number) => void }): Promise<number[][]> {
  const outs: number[][] = [];
  let done = 0;
  for (const batch of batchesByLength(rows.map((r) => r.prompt.length), o.maxBatch ?? DECODE_BATCH)) {
    const decoded = generateBatch(params, cfg, batch.map((i) => rows[i]!), { maxTokens: o.maxNewTokens, temperature: o.temperature });
    batch.forEach((i, k) => (outs[i] = decoded[k]!));
    o.onBatch?.((done += batch.length));
    await new Promise((r) => setImmediate(r));
  }
  return outs;
}
