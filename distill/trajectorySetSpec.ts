import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import type { DistillConfig, DistillShard } from '../schemas/distill.ts';
import type { ArtifactSpec } from '../store/ArtifactStore.ts';
import { TEACHER_PROMPTS_VERSION } from '../teacher/teacherPrompts.ts';

export const KNOWLEDGE_CODE_VERSION = 'knowledge-base@1';
export const TRAJECTORY_SET_CODE_VERSION = 'trajectory-set@2';
export const TRAJECTORY_SHARD_CODE_VERSION = 'trajectory-shard@2';

/** File names inside the distillation artifacts. */
export const KNOWLEDGE_FILE = 'knowledge.json';
export const TRAJECTORIES_FILE = 'trajectories.parquet';
export const SHARD_TRAJECTORIES_FILE = 'trajectories.parquet';
export const SHARD_STATS_FILE = 'stats.json';
export const SUMMARY_FILE = 'summary.json';

/** What makes trajectories differ: not the shard size, the teacher's timeouts or where its cache lives. */
export function distillIdentity(config: DistillConfig): Record<string, unknown> {
  const t = config.teacher;
  return {
    seed: config.seed,
    splits: [...config.splits].sort(),
    extraTypesPerSample: config.extraTypesPerSample,
    maxPerDiagnosisPerType: config.maxPerDiagnosisPerType,
    teacher: t ? { url: t.url, model: t.model, temperature: t.temperature, maxTokens: t.maxTokens, prompts: TEACHER_PROMPTS_VERSION } : null,
  };
}

export function knowledgeBaseSpec(contentDigest: string, h: Hierarchy): ArtifactSpec {
  return { kind: 'knowledge-base', codeVersion: KNOWLEDGE_CODE_VERSION, inputs: { content: contentDigest, hierarchy: { version: h.version, sha256: h.digest } }, config: {} };
}

/** The trajectory set's identity: knowledge version, dataset versions (as a set), hierarchy, code and config. */
export function trajectorySetSpec(knowledgeBaseId: string, datasetVersionIds: string[], config: DistillConfig): ArtifactSpec {
  const dvs = [...new Set(datasetVersionIds)].sort();
  return {
    kind: 'trajectory-set',
    codeVersion: TRAJECTORY_SET_CODE_VERSION,
    inputs: { knowledgeBase: knowledgeBaseId, datasetVersions: dvs },
    config: distillIdentity(config),
    parents: [knowledgeBaseId, ...dvs],
  };
}

export function trajectoryShardSpec(trajectorySetId: string, knowledgeBaseId: string, datasetVersionIds: string[], shard: DistillShard, config: DistillConfig): ArtifactSpec {
  const dvs = [...new Set(datasetVersionIds)].sort();
  return {
    kind: 'trajectory-shard',
    codeVersion: TRAJECTORY_SHARD_CODE_VERSION,
    inputs: { trajectorySetId, offset: shard.offset, limit: shard.limit },
    config: distillIdentity(config),
    parents: [knowledgeBaseId, ...dvs],
  };
}

/** At most this many shards per set: bounds the plan's payload and the workflow's history. */
export const MAX_SHARDS = 500;
