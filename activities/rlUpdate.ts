import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { producingRun } from '../lineage/producingRun.ts';
import { RL_RNG, writeCheckpoint } from '../model/checkpointFiles.ts';
import { readItems, readRewards, readRollouts, RL_STEPS_FILE } from '../rl/rlFiles.ts';
import { rlCheckpointSpec, rlIdentity } from '../rl/rlIds.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { RlUpdateInputSchema, RlUpdateResultSchema, type PolicyState, type RlUpdateInput, type RlUpdateResult } from '../schemas/rl.ts';
import { sha256Json } from '../store/sha256.ts';
import type { ActivityDeps } from './ActivityDeps.ts';
import { heldPolicy } from './heldPolicy.ts';

/**
 * RL step 4 (gpu queue): the GRPO update of the policy from the step's rollouts and rewards. When `commit` is set
 * (every K steps, at the end and before continue-as-new) the result is written as a checkpoint whose parents are the
 * previous checkpoint and the rollouts and rewards of every step since; otherwise the new state stays in this worker's
 * memory and is named by value (checkpoint + steps), so any worker can rebuild it.
 */
export function makeRlUpdate(deps: ActivityDeps) {
  return async function rlUpdate(raw: RlUpdateInput): Promise<RlUpdateResult> {
    const input = parseInput(RlUpdateInputSchema, raw, 'rlUpdate input');
    const { config, step } = input;
    const ctx = Context.current();
    const startedAt = new Date();
    const t0 = performance.now();
    const { backend, session, replayed } = await heldPolicy(deps, input);
    ctx.heartbeat({ step, updating: true });
    const next: PolicyState = { checkpointId: input.policy.checkpointId, replay: [...input.policy.replay, { step, rolloutsId: input.rolloutsId, rewardsId: input.rewardsId }] };
    const items = new Map((await readItems(deps.store, input.itemsId)).map((i) => [i.itemId, i]));
    const out = await session.advance(next, {
      rollouts: await readRollouts(deps.store, input.rolloutsId),
      rewards: await readRewards(deps.store, input.rewardsId),
      items,
      reference: await session.reference(input.referenceCheckpointId),
      step,
      config,
    });
    let checkpointId: string | null = null;
    if (input.commit) {
      const { policy } = await session.at(next, input);
      const spec = rlCheckpointSpec({ referenceCheckpointId: input.referenceCheckpointId, itemsId: input.itemsId, step: step + 1, backend: backend.active, config, parents: [input.policy.checkpointId, ...next.replay.flatMap((r) => [r.rolloutsId, r.rewardsId])] });
      const { manifest } = await deps.store.commit(spec, () => producingRun(ctx.info, deps.workerIdentity, startedAt), async (dir) => {
        await writeCheckpoint(dir, {
          params: policy.params,
          optimizer: policy.optimizer,
          tokenizer: policy.tokenizer,
          modelConfig: policy.file.modelConfig,
          trainingConfigDigest: sha256Json(rlIdentity(config)),
          backend: backend.active,
          state: { step: step + 1, epoch: 0, position: (step + 1) * config.promptsPerStep, seed: config.seed, rng: { algorithm: RL_RNG, epoch: 0 } },
        });
        // The per-step record of the steps this checkpoint covers, for `lineage card` and reports.
        const r = input.rewardSummary;
        // This step's timings are not known yet (the update is still running): recorded as 0.
        const steps = [...input.recent, { step, rewardMean: r.mean, rewardStd: r.std, format: r.format, option: r.option, malignancy: r.malignancy, accuracy: r.accuracy, flatGroups: r.flatGroups, ...out, rolloutSeconds: 0, rewardSeconds: 0, updateSeconds: 0, stepSeconds: 0, replayed }];
        await writeFile(path.join(dir, RL_STEPS_FILE), JSON.stringify(steps, null, 1) + '\n');
        return { step: step + 1, loss: out.loss, kl: out.kl, gradNorm: out.gradNorm, rewardMean: input.rewardSummary.mean, accuracy: input.rewardSummary.accuracy };
      });
      checkpointId = manifest.id;
      session.rename({ checkpointId, replay: [] });
      ctx.heartbeat({ step: step + 1, checkpointId });
    }
    return RlUpdateResultSchema.parse({ checkpointId, ...out, seconds: (performance.now() - t0) / 1000, replayed, backend: backend.active });
  };
}
