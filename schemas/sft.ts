import { z } from 'zod';
import { ArtifactIdSchema } from './artifactManifest.ts';
import { SftConfigSchema } from './model.ts';
import { WorkflowRuntimeSchema } from './temporalConfig.ts';

export const SftInputSchema = z.object({
  trajectorySetId: ArtifactIdSchema,
  /** Start from this checkpoint's weights (a fresh seeded model when null). */
  baseCheckpointId: ArtifactIdSchema.nullable().default(null),
  config: SftConfigSchema,
  runtime: WorkflowRuntimeSchema,
  /** Set by continue-as-new: where the previous run stopped, and what it has measured so far. */
  resume: z
    .object({
      epoch: z.number().int().min(0),
      checkpointId: ArtifactIdSchema,
      firstTrainLoss: z.number().nullable(),
      lastTrainLoss: z.number().nullable(),
      valLossByEpoch: z.array(z.number().nullable()),
      steps: z.number().int().min(0),
      seconds: z.number().min(0),
      samples: z.number().int().min(0),
    })
    .optional(),
});
export type SftInput = z.input<typeof SftInputSchema>;

export const SftPlanSchema = z.object({
  tokenizerId: ArtifactIdSchema,
  /** The checkpoint epoch 0 starts from: the base, or a fresh seeded init. */
  initCheckpointId: ArtifactIdSchema,
  trainExamples: z.number().int().min(0),
  valExamples: z.number().int().min(0),
  /** Trajectories longer than the model's position limit: skipped, never cut. */
  skippedTooLong: z.number().int().min(0),
  shardsPerEpoch: z.number().int().min(1),
  stepsPerEpoch: z.number().int().min(1),
  vocabSize: z.number().int().positive(),
  /**
   * The last epoch checkpoint an earlier run of this exact config left in the store (a run that failed or was
   * cancelled): a new run continues after it instead of starting over.
   */
  latest: z.object({ epoch: z.number().int().min(0), checkpointId: ArtifactIdSchema, step: z.number().int().min(0), valLossByEpoch: z.array(z.number().nullable()) }).nullable().optional(),
});
export type SftPlan = z.infer<typeof SftPlanSchema>;

export const SftShardInputSchema = z.object({
  trajectorySetId: ArtifactIdSchema,
  tokenizerId: ArtifactIdSchema,
  /** Where epoch 0 started (part of every checkpoint's identity). */
  initCheckpointId: ArtifactIdSchema,
  fromCheckpointId: ArtifactIdSchema,
  epoch: z.number().int().min(0),
  shard: z.number().int().min(0),
  /** The shard's range in the epoch's seeded order of training examples. */
  from: z.number().int().min(0),
  to: z.number().int().min(1),
  totalSteps: z.number().int().min(1),
  config: SftConfigSchema,
});
export type SftShardInput = z.input<typeof SftShardInputSchema>;

/** Heartbeat details: only the step and the step checkpoint to resume from; never data. */
export const SftHeartbeatSchema = z.object({ step: z.number().int().min(0), checkpointId: ArtifactIdSchema });
export type SftHeartbeat = z.infer<typeof SftHeartbeatSchema>;

export const SftShardResultSchema = z.object({
  checkpointId: ArtifactIdSchema,
  step: z.number().int().min(0),
  /** Null when an attempt resumed at the shard's end and had nothing left to train. */
  firstLoss: z.number().nullable(),
  lastLoss: z.number().nullable(),
  meanLoss: z.number().nullable(),
  samples: z.number().int().min(0),
  tokens: z.number().int().min(0),
  seconds: z.number().min(0),
  /** The attempt resumed from this step checkpoint (null when it started at the shard's beginning). */
  resumedFrom: z.number().int().min(0).nullable(),
  backend: z.string(),
});
export type SftShardResult = z.infer<typeof SftShardResultSchema>;

export const SftValidateInputSchema = z.object({
  trajectorySetId: ArtifactIdSchema,
  tokenizerId: ArtifactIdSchema,
  checkpointId: ArtifactIdSchema,
  epoch: z.number().int().min(0),
  trainLoss: z.number().nullable(),
  config: SftConfigSchema,
});
export type SftValidateInput = z.input<typeof SftValidateInputSchema>;

export const SftEpochResultSchema = z.object({ checkpointId: ArtifactIdSchema, epoch: z.number().int().min(0), valLoss: z.number().nullable(), trainLoss: z.number().nullable() });
export type SftEpochResult = z.infer<typeof SftEpochResultSchema>;

export const SftSummarySchema = z.object({
  checkpointId: ArtifactIdSchema,
  trajectorySetId: ArtifactIdSchema,
  epochs: z.number().int().min(0),
  steps: z.number().int().min(0),
  trainLoss: z.object({ first: z.number().nullable(), last: z.number().nullable() }),
  valLoss: z.number().nullable(),
  valLossByEpoch: z.array(z.number().nullable()),
  backend: z.string(),
  samplesPerSecond: z.number().min(0),
  trainExamples: z.number().int().min(0),
  valExamples: z.number().int().min(0),
  skippedTooLong: z.number().int().min(0),
  /** The checkpoint epoch 0 started from (the seeded base model, or --base). */
  initCheckpointId: ArtifactIdSchema.optional(),
});
export type SftSummary = z.infer<typeof SftSummarySchema>;
