import { z } from 'zod';
import { ArtifactIdSchema } from './artifactManifest.ts';
import { DatasetSpecSchema } from './datasetSpec.ts';
import { WorkflowRuntimeSchema } from './temporalConfig.ts';

export const SplitRatiosSchema = z
  .object({ train: z.number().min(0), val: z.number().min(0), test: z.number().min(0) })
  .refine((r) => Math.abs(r.train + r.val + r.test - 1) < 1e-9, 'split ratios must sum to 1');

export const OnboardConfigSchema = z.object({
  /** Side of the square images are resized to (the model's input size). */
  imageSize: z.number().int().min(8).max(1024).default(128),
  /** Images per harmonization shard (one activity each; a retry redoes at most one shard). */
  shardSize: z.number().int().min(1).max(100_000).default(256),
  maxImageBytes: z.number().int().positive().default(50 * 1024 * 1024),
  /** Decompression-bomb guard: images with more pixels are refused before decoding. */
  maxImagePixels: z.number().int().positive().default(100_000_000),
  split: z
    .object({ seed: z.string().min(1).default('skinr1'), ratios: SplitRatiosSchema.default({ train: 0.8, val: 0.1, test: 0.1 }) })
    .default({ seed: 'skinr1', ratios: { train: 0.8, val: 0.1, test: 0.1 } }),
});
export type OnboardConfig = z.infer<typeof OnboardConfigSchema>;

export const OnboardInputSchema = z.object({
  spec: DatasetSpecSchema,
  config: OnboardConfigSchema.default(OnboardConfigSchema.parse({})),
  runtime: WorkflowRuntimeSchema,
});
export type OnboardInput = z.input<typeof OnboardInputSchema>;

export const ShardSchema = z.object({ index: z.number().int().min(0), from: z.number().int().min(1), to: z.number().int().min(1), rows: z.number().int().min(1) });
export type Shard = z.infer<typeof ShardSchema>;

export const DatasetSummarySchema = z.object({
  datasetVersionId: ArtifactIdSchema,
  dataset: z.string(),
  rowsIn: z.number().int(),
  accepted: z.number().int(),
  quarantined: z.number().int(),
  quarantineReasons: z.record(z.string(), z.number().int()),
  /** Hierarchy node id (or "a|b" for a bucket label's node set) -> accepted rows. */
  labelCounts: z.record(z.string(), z.number().int()),
  splits: z.record(z.string(), z.number().int()),
  /** Groups (lesion, patient or same image) whose rows ended up in more than one split. */
  groupsCrossingSplits: z.number().int(),
  imagesStored: z.number().int(),
});
export type DatasetSummary = z.infer<typeof DatasetSummarySchema>;

export const InspectResultSchema = z.discriminatedUnion('reused', [
  z.object({ reused: z.literal(true), summary: DatasetSummarySchema }),
  z.object({
    reused: z.literal(false),
    stagingId: ArtifactIdSchema,
    datasetVersionId: ArtifactIdSchema,
    /** The dataset version's identity, handed to the commit so it lands on exactly this id. */
    versionInputs: z.record(z.string(), z.unknown()),
    samples: z.number().int(),
    shards: z.array(ShardSchema),
  }),
]);
export type InspectResult = z.infer<typeof InspectResultSchema>;

export const ShardInputSchema = z.object({ stagingId: ArtifactIdSchema, shard: ShardSchema, config: OnboardConfigSchema });
export type ShardInput = z.input<typeof ShardInputSchema>;

export const ShardResultSchema = z.object({ shardId: ArtifactIdSchema, rows: z.number().int(), ok: z.number().int(), reused: z.boolean() });
export type ShardResult = z.infer<typeof ShardResultSchema>;

export const ShardHeartbeatSchema = z.object({ shard: z.number().int(), done: z.number().int(), total: z.number().int() });

export const CommitInputSchema = z.object({
  stagingId: ArtifactIdSchema,
  shardIds: z.array(ArtifactIdSchema),
  datasetVersionId: ArtifactIdSchema,
  versionInputs: z.record(z.string(), z.unknown()),
  config: OnboardConfigSchema,
});
export type CommitInput = z.input<typeof CommitInputSchema>;
