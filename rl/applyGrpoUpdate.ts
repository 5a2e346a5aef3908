import * as tf from '@tensorflow/tfjs';
import { learningRateAt, type AdamW } from '../model/AdamW.ts';
import { disposeRolloutBatch, groupAdvantages, grpoStep, makeRolloutBatch, tokenLogProbs } from '../model/grpoStep.ts';
import { isVisionTower, type Params } from '../model/initParams.ts';
import type { Tokenizer } from '../model/Tokenizer.ts';
import type { ModelConfig } from '../schemas/model.ts';
import type { RlConfig, RlItem } from '../schemas/rl.ts';
import type { ImageLoader } from '../training/loadImage.ts';
import type { RewardRow, RolloutRow } from './rlFiles.ts';

export interface UpdateOutcome {
  loss: number;
  kl: number;
  gradNorm: number;
}

/**
 * One GRPO step from stored rollouts and rewards: group-normalised advantages, the sampling policy's and the
 * reference's log-probs, then `updatesPerBatch` clipped updates. A pure function of its inputs and the weights, so
 * replaying it from a checkpoint after a lost worker gives the same weights bit for bit.
 */
export async function applyGrpoUpdate(a: {
  params: Params;
  optimizer: AdamW;
  reference: Params;
  model: ModelConfig;
  tokenizer: Tokenizer;
  items: Map<string, RlItem>;
  images: ImageLoader;
  rollouts: RolloutRow[];
  rewards: RewardRow[];
  step: number;
  config: RlConfig;
}): Promise<UpdateOutcome> {
  const { config } = a;
  if (a.rollouts.length !== a.rewards.length) throw new Error(`${a.rollouts.length} rollouts but ${a.rewards.length} rewards`);
  a.rollouts.forEach((r, i) => {
    const w = a.rewards[i]!;
    if (w.item_id !== r.item_id || w.sample !== r.sample) throw new Error(`reward row ${i} is for ${w.item_id}#${w.sample}, rollout row for ${r.item_id}#${r.sample}`);
  });
  const advantages = groupAdvantages(
    a.rewards.map((r) => r.total),
    config.groupSize,
  );
  const rows = await Promise.all(
    a.rollouts.map(async (r) => {
      const item = a.items.get(r.item_id);
      if (!item) throw new Error(`rollout names unknown item ${r.item_id}`);
      return { image: await a.images.load(item.imageSha256), prompt: a.tokenizer.encode(item.prompt), completion: r.tokens, ended: r.ended };
    }),
  );
  const batch = makeRolloutBatch(rows, a.model.imageSize);
  const oldLogProbs = tf.tidy(() => tokenLogProbs(a.params, a.model, batch));
  const refLogProbs = tf.tidy(() => tokenLogProbs(a.reference, a.model, batch));
  try {
    const lr = learningRateAt(a.step, config.steps, config.learningRate, config.minLearningRate, config.warmupRatio);
    let out: UpdateOutcome = { loss: 0, kl: 0, gradNorm: 0 };
    for (let u = 0; u < config.updatesPerBatch; u++) {
      out = grpoStep(a.params, a.model, a.optimizer, batch, { advantages, oldLogProbs, refLogProbs, beta: config.beta, clipEpsilon: config.clipEpsilon, lr, gradClip: config.gradClip, frozen: config.trainVisionTower ? undefined : isVisionTower });
      if (!Number.isFinite(out.loss)) throw new Error(`GRPO loss became ${out.loss} at step ${a.step}; lower the learning rate`);
    }
    return out;
  } finally {
    tf.dispose([oldLogProbs, refLogProbs]);
    disposeRolloutBatch(batch);
  }
}
