import type { SftConfig } from '../schemas/model.ts';
import type { ArtifactSpec } from '../store/ArtifactStore.ts';

export const TOKENIZER_CODE_VERSION = 'tokenizer@1';
export const CHECKPOINT_CODE_VERSION = 'sft-checkpoint@7';

/** What changes the weights: not how the work is cut into shards or runs, nor how often step checkpoints are written. */
export function sftIdentity(config: SftConfig): Record<string, unknown> {
  const { shardSize: _s, checkpointEvery: _c, epochsPerRun: _e, backend: _b, ...identity } = config;
  return identity;
}

/** A tokenizer is its token list; the trajectory set and hierarchy it was built from are its lineage. */
export function tokenizerSpec(trajectorySetId: string, hierarchyDigest: string, tokensDigest: string): ArtifactSpec {
  return { kind: 'tokenizer', codeVersion: TOKENIZER_CODE_VERSION, inputs: { trajectorySetId, hierarchy: hierarchyDigest, tokens: tokensDigest }, config: {}, parents: [trajectorySetId] };
}

/**
 * A checkpoint is named by everything that determines its weights: the data, tokenizer, starting point, config,
 * backend and how far training has gone. A resumed run recomputes the same names for the same states.
 */
export function checkpointSpec(a: {
  role: 'init' | 'step' | 'shard' | 'epoch';
  trajectorySetId: string;
  tokenizerId: string;
  initCheckpointId: string | null;
  config: SftConfig;
  backend: string;
  epoch: number;
  position: number;
  step: number;
  parents: string[];
}): ArtifactSpec {
  return {
    kind: 'checkpoint',
    codeVersion: CHECKPOINT_CODE_VERSION,
    inputs: { role: a.role, trajectorySetId: a.trajectorySetId, tokenizerId: a.tokenizerId, init: a.initCheckpointId, backend: a.backend, epoch: a.epoch, position: a.position, step: a.step },
    config: sftIdentity(a.config),
    parents: [...new Set(a.parents)],
  };
}

/** Shard ranges over an epoch's training examples, cut on batch boundaries so batching never depends on shard size. */
export function shardRanges(examples: number, shardSize: number, batchSize: number): Array<{ from: number; to: number }> {
  const size = Math.max(batchSize, Math.floor(shardSize / batchSize) * batchSize);
  const out: Array<{ from: number; to: number }> = [];
  for (let from = 0; from < examples; from += size) out.push({ from, to: Math.min(examples, from + size) });
  return out;
}
