import * as tf from '@tensorflow/tfjs';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const defaultAdamW: AdamWOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

/** Weight decay applies to matrices only: not to biases, norms or position tables. */
export function decays(name: string): boolean {
  return /\.(w|w1|w2|qkv|out)$/.test(name) || name === 'tok.emb';
}

/**
 * AdamW written out in tensor ops rather than tf.train.adam, so its state (moments and step count) is plain named
 * tensors that a checkpoint saves and restores exactly; global-norm gradient clipping first.
 */
export class AdamW {
  readonly m = new Map<string, tf.Tensor>();
  readonly v = new Map<string, tf.Tensor>();
  t = 0;

  constructor(readonly opts: AdamWOptions = defaultAdamW) {}

  /** Applies one update in place; returns the gradient norm before clipping. */
  step(params: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>, lr: number, clip: number): number {
    this.t++;
    const { beta1, beta2, eps, weightDecay } = this.opts;
    const names = [...grads.keys()].sort();
    const norm = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads.get(n)!))))).dataSync()[0]!);
    const scale = Math.min(1, clip / (norm + 1e-6));
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    for (const n of names) {
      const p = params.get(n)!;
      const [m, v] = tf.tidy(() => {
        const g = tf.mul(grads.get(n)!, scale);
        const m1 = tf.add(tf.mul(this.m.get(n) ?? tf.zerosLike(p), beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(this.v.get(n) ?? tf.zerosLike(p), beta2), tf.mul(tf.square(g), 1 - beta2));
        let update = tf.div(tf.div(m1, c1), tf.add(tf.sqrt(tf.div(v1, c2)), eps));
        if (weightDecay > 0 && decays(n)) update = tf.add(update, tf.mul(p, weightDecay));
        p.assign(tf.sub(p, tf.mul(update, lr)));
        return [m1, v1];
      });
      this.m.get(n)?.dispose();
      this.v.get(n)?.dispose();
      this.m.set(n, m!);
      this.v.set(n, v!);
    }
    return norm;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/** Linear warmup, then cosine decay from `peak` to `min` over the remaining steps. */
export function learningRateAt(step: number, totalSteps: number, peak: number, min: number, warmupRatio: number): number {
  const warm = Math.max(1, Math.round(totalSteps * warmupRatio));
  if (step < warm) return (peak * (step + 1)) / warm;
  const progress = Math.min(1, (step - warm) / Math.max(1, totalSteps - warm));
  return min + 0.5 * (peak - min) * (1 + Math.cos(Math.PI * progress));
}
