import { z } from 'zod';
import { ArtifactIdSchema } from './artifactManifest.ts';
import { NodeIdSchema } from './hierarchy.ts';
import { TeacherConfigSchema } from './teacher.ts';
import { WorkflowRuntimeSchema } from './temporalConfig.ts';

/** The five Skin-R1 trajectory types (reference/skin-r1-method.md section 4, step E). */
export const TrajectoryTypeSchema = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]);
export type TrajectoryType = z.infer<typeof TrajectoryTypeSchema>;
export const trajectoryTypeNames: Record<TrajectoryType, string> = {
  1: 'rule to diagnosis',
  2: 'DDx neighbour, keep the first hypothesis',
  3: 'DDx neighbour, switch to the true diagnosis',
  4: 'random other diagnosis, keep',
  5: 'random other diagnosis, switch',
};

export const DistillConfigSchema = z.object({
  seed: z.string().min(1).default('skinr1'),
  /** Only these splits feed SFT; val and test stay held out for evaluation. */
  splits: z.array(z.enum(['train', 'val', 'test'])).min(1).default(['train']),
  /** Besides its type-1 trajectory, each image gets this many of types 2-5 (drawn without repeats, seeded). */
  extraTypesPerSample: z.number().int().min(0).max(4).default(2),
  /** At most this many trajectories per (diagnosis, type), kept in a seeded order; null = no cap. */
  maxPerDiagnosisPerType: z.number().int().positive().nullable().default(null),
  /** Rows per distillation shard (how the work is cut, not part of the result's identity). */
  shardSize: z.number().int().positive().default(2000),
  /** An OpenAI-compatible teacher that rephrases rules and writes DDx comparisons; null = deterministic text. */
  teacher: TeacherConfigSchema.nullable().default(null),
});
export type DistillConfig = z.output<typeof DistillConfigSchema>;
export type DistillConfigInput = z.input<typeof DistillConfigSchema>;

export const DistillInputSchema = z.object({
  datasetVersionIds: z.array(ArtifactIdSchema).min(1),
  /** Folder of Markdown chapters, readable by the CPU workers (like onboarding's source files). */
  knowledgeDir: z.string().min(1),
  config: DistillConfigSchema,
  runtime: WorkflowRuntimeSchema,
});
export type DistillInput = z.input<typeof DistillInputSchema>;

/** A contiguous range of the eligible images of all input versions, in (dataset version, sample, image key) order. */
export const DistillShardSchema = z.object({
  index: z.number().int().min(0),
  offset: z.number().int().min(0),
  limit: z.number().int().min(1),
});
export type DistillShard = z.infer<typeof DistillShardSchema>;

const Counts = z.record(z.string(), z.number().int().min(0));

export const TrajectorySetSummarySchema = z.object({
  trajectorySetId: ArtifactIdSchema,
  knowledgeBaseId: ArtifactIdSchema,
  datasetVersionIds: z.array(ArtifactIdSchema),
  reused: z.boolean(),
  /** Images read from the chosen splits. */
  images: z.number().int().min(0),
  /** Images that yielded no trajectory, by reason (a label too coarse to name one diagnosis, a duplicate image, ...). */
  skipped: Counts,
  count: z.number().int().min(0),
  /** Trajectories of types 2-5 an image could not get (no DDx neighbour or no unrelated disease to compare with). */
  extraTypesUnavailable: z.number().int().min(0),
  byType: z.record(z.enum(['1', '2', '3', '4', '5']), z.number().int().min(0)),
  /** Trajectories the verifier dropped, by reason. */
  rejected: Counts,
  /** Trajectories beyond maxPerDiagnosisPerType. */
  capped: z.number().int().min(0),
  grounded: z.number().int().min(0),
  /** Teacher use: requests, cache hits, failed calls, and texts that failed verification (by reason) and fell back. */
  teacher: z.object({ requests: z.number().int(), cacheHits: z.number().int(), failures: z.number().int(), rejected: Counts }).nullable(),
});
export type TrajectorySetSummary = z.infer<typeof TrajectorySetSummarySchema>;

export const DistillPlanSchema = z.discriminatedUnion('reused', [
  z.object({ reused: z.literal(true), summary: TrajectorySetSummarySchema }),
  z.object({
    reused: z.literal(false),
    trajectorySetId: ArtifactIdSchema,
    knowledgeBaseId: ArtifactIdSchema,
    /** Images of the chosen splits in all input versions. */
    images: z.number().int().min(0),
    /** Images left out before distillation: duplicates across inputs, images held out in another input's split. */
    skipped: Counts,
    shards: z.array(DistillShardSchema),
  }),
]);
export type DistillPlan = z.infer<typeof DistillPlanSchema>;

export const DistillShardInputSchema = z.object({
  trajectorySetId: ArtifactIdSchema,
  knowledgeBaseId: ArtifactIdSchema,
  datasetVersionIds: z.array(ArtifactIdSchema).min(1),
  shard: DistillShardSchema,
  config: DistillConfigSchema,
});
export type DistillShardInput = z.input<typeof DistillShardInputSchema>;

export const DistillShardResultSchema = z.object({
  shardId: ArtifactIdSchema,
  images: z.number().int().min(0),
  count: z.number().int().min(0),
  reused: z.boolean(),
});
export type DistillShardResult = z.infer<typeof DistillShardResultSchema>;

export const CommitTrajectoriesInputSchema = z.object({
  trajectorySetId: ArtifactIdSchema,
  knowledgeBaseId: ArtifactIdSchema,
  datasetVersionIds: z.array(ArtifactIdSchema).min(1),
  shardIds: z.array(ArtifactIdSchema),
  /** From the plan: the shards' images must add up to `images` minus the planned skips. */
  images: z.number().int().min(0),
  skipped: Counts,
  config: DistillConfigSchema,
});

/** What a distillation shard records next to its trajectories (stats.json). */
export const ShardStatsSchema = z.object({
  images: z.number().int().min(0),
  skipped: Counts,
  rejected: Counts,
  extraTypesUnavailable: z.number().int().min(0),
  examples: z.array(z.object({ reason: z.string(), trajectory: z.string(), detail: z.string() })),
  unmappedConcepts: Counts,
  teacher: z.object({ requests: z.number().int(), cacheHits: z.number().int(), failures: z.number().int(), rejected: Counts }).nullable(),
});
export type ShardStats = z.infer<typeof ShardStatsSchema>;
export type CommitTrajectoriesInput = z.input<typeof CommitTrajectoriesInputSchema>;

/** One image's facts that distillation uses (read from a dataset version's accepted rows). */
export const DistillSampleSchema = z.object({
  datasetVersionId: ArtifactIdSchema,
  dataset: z.string(),
  sampleId: z.string(),
  imageKey: z.string(),
  imageSha256: z.string(),
  split: z.string(),
  /** dermoscopic or clinical: dermoscopic annotations (Derm7pt's checklist) say nothing about a clinical photo. */
  modality: z.string(),
  labelNodes: z.array(NodeIdSchema).min(1),
  /** Annotated concepts present on the image; null when the dataset has no concept annotations. */
  concepts: z.array(z.string()).nullable(),
  fitzpatrick: z.number().int().nullable(),
});
export type DistillSample = z.infer<typeof DistillSampleSchema>;
