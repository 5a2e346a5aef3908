import path from 'node:path';
import { Context } from '@temporalio/activity';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { producingRun } from '../lineage/producingRun.ts';
import { REWARD_VERSION, scoreCompletion } from '../rl/hierarchicalReward.ts';
import { readItems, readRollouts, REWARDS_FILE, writeRewards, type RewardRow } from '../rl/rlFiles.ts';
import { rlRewardsSpec } from '../rl/rlIds.ts';
import { summarizeRewards } from '../rl/summarizeRewards.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { RlRewardInputSchema, RlRewardResultSchema, type RlRewardInput, type RlRewardResult } from '../schemas/rl.ts';
import type { ActivityDeps } from './ActivityDeps.ts';

/**
 * RL step 3 (cpu queue): scores every completion of a rollouts artifact against its item and the hierarchy with the
 * versioned reward library, writes the rewards next to them as their own artifact (rollouts as parent), and returns
 * its location and summary statistics. Pure: the same rollouts always give the same rewards artifact.
 */
export function makeRlReward(deps: ActivityDeps) {
  return async function rlReward(raw: RlRewardInput): Promise<RlRewardResult> {
    const input = parseInput(RlRewardInputSchema, raw, 'rlReward input');
    const ctx = Context.current();
    const startedAt = new Date();
    const t0 = performance.now();
    const h = Hierarchy.fromFile();
    const items = new Map((await readItems(deps.store, input.itemsId)).map((i) => [i.itemId, i]));
    const rollouts = await readRollouts(deps.store, input.rolloutsId);
    const rows: RewardRow[] = rollouts.map((r) => {
      const item = items.get(r.item_id);
      if (!item) throw new Error(`${input.rolloutsId}: completion for unknown item ${r.item_id}`);
      return { item_id: r.item_id, sample: r.sample, ...scoreCompletion(r.text, item, input.reward, h) };
    });
    const summary = summarizeRewards(rows, input.groupSize);
    const { manifest } = await deps.store.commit(rlRewardsSpec(input.rolloutsId, input.itemsId, input.reward, h.digest), () => producingRun(ctx.info, deps.workerIdentity, startedAt), async (dir) => {
      await writeRewards(rows, dir);
      return { ...summary, variant: input.reward, rewardVersion: REWARD_VERSION };
    });
    return RlRewardResultSchema.parse({ rewardsId: manifest.id, uri: path.join(deps.store.dirOf(manifest.id), REWARDS_FILE), rewardVersion: REWARD_VERSION, summary, seconds: (performance.now() - t0) / 1000 });
  };
}
