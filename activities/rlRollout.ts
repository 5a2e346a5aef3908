import { Context } from '@temporalio/activity';
import { producingRun } from '../lineage/producingRun.ts';
import { decodeAll } from '../model/generateBatch.ts';
import { policyKey } from '../rl/policySession.ts';
import { readItems, writeRollouts, type RolloutRow } from '../rl/rlFiles.ts';
import { rlRolloutsSpec } from '../rl/rlIds.ts';
import { completionSeed, stepItems, trainItems } from '../rl/stepItems.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { RlRolloutInputSchema, RlRolloutResultSchema, type RlRolloutInput, type RlRolloutResult } from '../schemas/rl.ts';
import type { ActivityDeps } from './ActivityDeps.ts';
import { heldPolicy } from './heldPolicy.ts';

/**
 * RL step 2 (gpu queue): G sampled completions per prompt of the step at temperature T, decoded in batches with the KV
 * cache and seeded per completion, written as a rollouts artifact (Parquet) whose name is the policy state that sampled them.
 */
export function makeRlRollout(deps: ActivityDeps) {
  return async function rlRollout(raw: RlRolloutInput): Promise<RlRolloutResult> {
    const input = parseInput(RlRolloutInputSchema, raw, 'rlRollout input');
    const { config, step } = input;
    const ctx = Context.current();
    const startedAt = new Date();
    const t0 = performance.now();
    const { backend, session, policy, replayed } = await heldPolicy(deps, input);
    const items = stepItems(trainItems(await readItems(deps.store, input.itemsId), config), step, config);
    const cfg = policy.file.modelConfig;
    const images = session.images(cfg.imageSize);
    // Every completion of the step, in item order then sample order; decoded in batches of prompts of one length.
    const jobs: Array<{ item: (typeof items)[number]; g: number; prompt: number[]; image: Float32Array; limit: number }> = [];
    for (const item of items) {
      const prompt = policy.tokenizer.encode(item.prompt);
      const image = await images.load(item.imageSha256);
      const limit = Math.min(config.maxNewTokens, cfg.maxLen - prompt.length - 1);
      if (limit < 1) throw new Error(`item ${item.itemId}: prompt of ${prompt.length + 1} tokens leaves no room in maxLen ${cfg.maxLen}`);
      for (let g = 0; g < config.groupSize; g++) jobs.push({ item, g, prompt, image, limit });
    }
    const outs = await decodeAll(policy.params, cfg, jobs.map((j) => ({ image: j.image, prompt: j.prompt, seed: completionSeed(config, step, j.item.itemId, j.g) })), {
      maxNewTokens: config.maxNewTokens,
      temperature: config.temperature,
      onBatch: (completions) => ctx.heartbeat({ step, completions }),
    });
    let tokens = 0;
    const rows: RolloutRow[] = jobs.map((j, i) => {
      const out = outs[i]!;
      tokens += out.length;
      return { item_id: j.item.itemId, sample: j.g, tokens: out, text: policy.tokenizer.decode(out), ended: out.length < j.limit };
    });
    const spec = rlRolloutsSpec({
      itemsId: input.itemsId,
      policyKey: policyKey(input.policy),
      parents: [input.policy.checkpointId, ...input.policy.replay.flatMap((r) => [r.rolloutsId, r.rewardsId])],
      step,
      backend: backend.active,
      config,
    });
    const { manifest } = await deps.store.commit(spec, () => producingRun(ctx.info, deps.workerIdentity, startedAt), async (dir) => {
      await writeRollouts(rows, dir);
      return { step, completions: rows.length, tokens, meanTokens: rows.length ? tokens / rows.length : 0, ended: rows.filter((r) => r.ended).length };
    });
    return RlRolloutResultSchema.parse({ rolloutsId: manifest.id, completions: rows.length, tokens, seconds: (performance.now() - t0) / 1000, replayed });
  };
}
