import type { RlConfig, RlItem } from '../schemas/rl.ts';
import { epochOrder } from '../training/sftExamples.ts';

/** The training items, in item id order (the set a run samples its prompts from). */
export function trainItems(items: RlItem[], config: RlConfig): RlItem[] {
  return items.filter((i) => config.trainSplits.includes(i.split));
}

/** The held-out items accuracy is measured on: the first N of the held-out split by item id. */
export function heldOutItems(items: RlItem[], config: RlConfig): RlItem[] {
  return items.filter((i) => i.split === config.heldOutSplit).slice(0, config.heldOutItems);
}

/**
 * The prompts of a step: positions step*P .. step*P+P-1 of an endless sequence of epochs, each a seeded shuffle of
 * the training items; a pure function of seed and step, so any worker computes the same batch.
 */
export function stepItems(train: RlItem[], step: number, config: RlConfig): RlItem[] {
  const n = train.length;
  const out: RlItem[] = [];
  for (let j = 0; j < config.promptsPerStep; j++) {
    const pos = step * config.promptsPerStep + j;
    const epoch = Math.floor(pos / n);
    out.push(train[epochOrder(n, `${config.seed}\u0000rl`, epoch)[pos % n]!]!);
  }
  return out;
}

/** Seed of one sampled completion. */
export function completionSeed(config: RlConfig, step: number, itemId: string, sample: number): string {
  return `${config.seed}\u0000rollout\u0000${step}\u0000${itemId}\u0000${sample}`;
}
