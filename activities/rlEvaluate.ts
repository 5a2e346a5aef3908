import { Context } from '@temporalio/activity';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { decodeAll } from '../model/generateBatch.ts';
import { scoreCompletion } from '../rl/hierarchicalReward.ts';
import { readItems } from '../rl/rlFiles.ts';
import { heldOutItems } from '../rl/stepItems.ts';
import { summarizeRewards } from '../rl/summarizeRewards.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { RlEvaluateInputSchema, RlEvaluationSchema, type RlEvaluateInput, type RlEvaluation } from '../schemas/rl.ts';
import type { ActivityDeps } from './ActivityDeps.ts';
import { heldPolicy } from './heldPolicy.ts';

/**
 * Held-out check during RL (gpu queue): greedy answers of the policy on the first N held-out items, scored with the
 * hierarchical reward; accuracy is the share that chose the finest correct option.
 */
export function makeRlEvaluate(deps: ActivityDeps) {
  return async function rlEvaluate(raw: RlEvaluateInput): Promise<RlEvaluation> {
    const input = parseInput(RlEvaluateInputSchema, raw, 'rlEvaluate input');
    const { config } = input;
    const ctx = Context.current();
    const { session, policy } = await heldPolicy(deps, input);
    const h = Hierarchy.fromFile();
    const cfg = policy.file.modelConfig;
    const images = session.images(cfg.imageSize);
    const items = heldOutItems(await readItems(deps.store, input.itemsId), config);
    const rows = await Promise.all(items.map(async (item) => ({ image: await images.load(item.imageSha256), prompt: policy.tokenizer.encode(item.prompt), seed: 'greedy' })));
    const outs = await decodeAll(policy.params, cfg, rows, { maxNewTokens: config.maxNewTokens, temperature: 0, onBatch: (evaluated) => ctx.heartbeat({ evaluated }) });
    const scores = items.map((item, i) => scoreCompletion(policy.tokenizer.decode(outs[i]!), item, 'hierarchical', h));
    const s = summarizeRewards(scores, 1);
    return RlEvaluationSchema.parse({ step: input.step, items: items.length, accuracy: s.accuracy, rewardMean: s.mean, format: s.format, option: s.option, malignancy: s.malignancy });
  };
}
