import type { RlConfig } from '../schemas/rl.ts';
import type { ArtifactSpec } from '../store/ArtifactStore.ts';
import { rewardSpec } from './hierarchicalReward.ts';
import { RL_CHECKPOINT_CODE_VERSION, RL_ITEMS_CODE_VERSION, RL_REWARDS_CODE_VERSION, RL_ROLLOUTS_CODE_VERSION } from './rlCodeVersions.ts';


/** What changes the weights: not checkpoint cadence, run length, held-out checks or backend choice. */
export function rlIdentity(config: RlConfig): Record<string, unknown> {
  const { checkpointEvery: _c, stepsPerRun: _s, backend: _b, heldOutItems: _h, evalEvery: _e, heldOutSplit: _hs, ...identity } = config;
  return { ...identity, reward: rewardSpec(config.reward) };
}

export function rlItemsSpec(datasetVersionIds: string[], hierarchyDigest: string, config: RlConfig): ArtifactSpec {
  const ids = [...new Set(datasetVersionIds)].sort();
  return {
    kind: 'rl-items',
    codeVersion: RL_ITEMS_CODE_VERSION,
    inputs: { datasetVersionIds: ids, hierarchy: hierarchyDigest },
    config: { seed: config.seed, trainSplits: config.trainSplits, heldOutSplit: config.heldOutSplit },
    parents: ids,
  };
}

/** Rollouts are named by the policy that sampled them (checkpoint plus replayed steps), the step and the config. */
export function rlRolloutsSpec(a: { itemsId: string; policyKey: string; parents: string[]; step: number; backend: string; config: RlConfig }): ArtifactSpec {
  return { kind: 'rl-rollouts', codeVersion: RL_ROLLOUTS_CODE_VERSION, inputs: { itemsId: a.itemsId, policy: a.policyKey, step: a.step, backend: a.backend }, config: rlIdentity(a.config), parents: [...new Set([...a.parents, a.itemsId])] };
}

export function rlRewardsSpec(rolloutsId: string, itemsId: string, reward: RlConfig['reward'], hierarchyDigest: string): ArtifactSpec {
  return { kind: 'rl-rewards', codeVersion: RL_REWARDS_CODE_VERSION, inputs: { rolloutsId, itemsId, hierarchy: hierarchyDigest }, config: rewardSpec(reward), parents: [rolloutsId, itemsId] };
}

/**
 * An RL checkpoint is named by the reference it started from, the items, the config (reward version included), the
 * backend and the step; its parents are the previous checkpoint and the rollouts and rewards of the steps since.
 */
export function rlCheckpointSpec(a: { referenceCheckpointId: string; itemsId: string; step: number; backend: string; config: RlConfig; parents: string[] }): ArtifactSpec {
  return {
    kind: 'checkpoint',
    codeVersion: RL_CHECKPOINT_CODE_VERSION,
    inputs: { role: 'rl', reference: a.referenceCheckpointId, itemsId: a.itemsId, step: a.step, backend: a.backend },
    config: rlIdentity(a.config),
    parents: [...new Set([...a.parents, a.itemsId, a.referenceCheckpointId])],
  };
}
