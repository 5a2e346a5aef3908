import { z } from 'zod';
import { ArtifactIdSchema } from './artifactManifest.ts';
import { NodeIdSchema } from './hierarchy.ts';
import { WorkflowRuntimeSchema } from './temporalConfig.ts';

/** The buckets the RL reward checks: the method keeps only samples that resolve to one of these (neoplasms). */
export const RlBucketSchema = z.enum(['benign', 'precancerous_in_situ', 'malignant']);
export type RlBucket = z.infer<typeof RlBucketSchema>;

export const OPTION_LETTERS = ['A', 'B', 'C', 'D'] as const;

/** One answer option of a multiple-choice item: a hierarchy node and the credit for choosing it. */
export const RlOptionSchema = z.object({
  letter: z.string().regex(/^[A-Z]$/),
  node: NodeIdSchema,
  text: z.string().min(1),
  /** (i+1)/(max chosen index+1) x 0.75 for a node on the sample's path, 0 for a distractor. */
  score: z.number().min(0).max(0.75),
});
export type RlOption = z.infer<typeof RlOptionSchema>;

/** A hierarchy-aware multiple-choice item (Skin-R1's RL sample): an image, its path, four shuffled options. */
export const RlItemSchema = z.object({
  itemId: z.string(),
  datasetVersionId: z.string(),
  dataset: z.string(),
  sampleId: z.string(),
  imageKey: z.string(),
  imageSha256: z.string().regex(/^[0-9a-f]{64}$/),
  split: z.string(),
  fitzpatrick: z.number().int().min(1).max(6).nullable(),
  /** The sample's label node (the lowest common ancestor for a set label). */
  labelNode: NodeIdSchema,
  /** Coarse to fine, root excluded. */
  path: z.array(NodeIdSchema).min(1),
  bucket: RlBucketSchema,
  options: z.array(RlOptionSchema).min(2).max(OPTION_LETTERS.length),
  /** The letter of the finest correct option (score 0.75). */
  answer: z.string().regex(/^[A-Z]$/),
  prompt: z.string(),
});
export type RlItem = z.infer<typeof RlItemSchema>;

export const RewardVariantSchema = z.enum(['hierarchical', 'flat']);
export type RewardVariant = z.infer<typeof RewardVariantSchema>;

/** A completion's reward and its parts; `choice` is the option the answer was read as (null when none). */
export const RewardBreakdownSchema = z.object({
  format: z.number(),
  option: z.number(),
  malignancy: z.number(),
  total: z.number(),
  choice: z.string().nullable(),
  correct: z.boolean(),
});
export type RewardBreakdown = z.infer<typeof RewardBreakdownSchema>;

/** How RL trains: GRPO's group size, temperature, KL coefficient and clip, optimisation, checkpoints, held-out checks. */
export const RlConfigSchema = z.object({
  /** Optimiser steps (each: rollout, reward, update). */
  steps: z.number().int().positive().default(40),
  /** Items per step; each gets `groupSize` sampled completions. */
  promptsPerStep: z.number().int().positive().default(4),
  groupSize: z.number().int().min(2).default(4),
  temperature: z.number().positive().default(1.0),
  /** Most tokens per completion (the model's position limit also applies). */
  maxNewTokens: z.number().int().positive().default(200),
  /** KL coefficient toward the frozen reference (the starting checkpoint). */
  beta: z.number().min(0).default(0.04),
  clipEpsilon: z.number().positive().default(0.2),
  /** Updates per rollout batch; with 1 the ratio is 1 and the clip never acts, as in the reference trainer. */
  updatesPerBatch: z.number().int().positive().default(1),
  learningRate: z.number().positive().default(1e-4),
  minLearningRate: z.number().min(0).default(1e-5),
  warmupRatio: z.number().min(0).max(0.5).default(0.03),
  weightDecay: z.number().min(0).default(0),
  gradClip: z.number().positive().default(1.0),
  /**
   * Whether RL also updates the convolutional image encoder. The method's RL leaves its pretrained ViT blocks as they
   * are (LoRA on the LLM and the vision merger); false does the same here. Our encoder is trained from scratch in SFT,
   * and freezing it changed nothing measurable (52.2 % held-out frozen, 51.8 % trained, same config, 600 items), so it
   * stays trained by default.
   */
  trainVisionTower: z.boolean().default(true),
  reward: RewardVariantSchema.default('hierarchical'),
  /** Splits whose images RL trains on, and the split the held-out accuracy is measured on. */
  trainSplits: z.array(z.string()).min(1).default(['train']),
  heldOutSplit: z.string().default('test'),
  /** Held-out items decoded greedily for accuracy (the first N by item id), every `evalEvery` steps and at the end. */
  heldOutItems: z.number().int().positive().default(48),
  evalEvery: z.number().int().positive().default(10),
  /** A checkpoint every this many steps; a lost worker redoes at most this many updates (from stored rollouts). */
  checkpointEvery: z.number().int().positive().default(10),
  /** Continue-as-new after this many steps, at a checkpoint. */
  stepsPerRun: z.number().int().positive().default(50),
  seed: z.string().min(1).default('skinr1'),
  backend: z.enum(['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']).default('auto'),
});
export type RlConfig = z.output<typeof RlConfigSchema>;
export type RlConfigInput = z.input<typeof RlConfigSchema>;

const Id = ArtifactIdSchema;

export const RewardSummarySchema = z.object({
  completions: z.number().int(),
  mean: z.number(),
  std: z.number(),
  format: z.number(),
  option: z.number(),
  malignancy: z.number(),
  accuracy: z.number(),
  /** Groups whose completions all earned the same reward: their advantages are 0 and they teach nothing. */
  flatGroups: z.number().int(),
});
export type RewardSummary = z.infer<typeof RewardSummarySchema>;

/** What one RL step measured; the workflow keeps them and every checkpoint stores those of the steps it covers. */
export const RlStepMetricsSchema = z.object({
  step: z.number().int().min(0),
  rewardMean: z.number(),
  rewardStd: z.number(),
  format: z.number(),
  option: z.number(),
  malignancy: z.number(),
  accuracy: z.number(),
  flatGroups: z.number().int(),
  loss: z.number(),
  kl: z.number(),
  gradNorm: z.number(),
  rolloutSeconds: z.number(),
  rewardSeconds: z.number(),
  updateSeconds: z.number(),
  /** Wall time of the whole step as the workflow saw it (activity scheduling included). */
  stepSeconds: z.number(),
  /** Updates this step's rollout and update activities redid to rebuild a policy their worker did not hold. */
  replayed: z.number().int().min(0),
});
export type RlStepMetrics = z.infer<typeof RlStepMetricsSchema>;


/** The policy at a step: a committed checkpoint plus the updates applied since (each from stored rollouts and rewards). */
export const PolicyStateSchema = z.object({
  checkpointId: Id,
  replay: z.array(z.object({ step: z.number().int().min(0), rolloutsId: Id, rewardsId: Id })),
});
export type PolicyState = z.infer<typeof PolicyStateSchema>;

export const RlPrepareInputSchema = z.object({ fromCheckpointId: Id, datasetVersionIds: z.array(Id).min(1), config: RlConfigSchema });
export const RlPlanSchema = z.object({
  itemsId: Id,
  trainItems: z.number().int().min(0),
  heldOutItems: z.number().int().min(0),
  skipped: z.record(z.string(), z.number().int()),
  /** The frozen reference for the KL term: the checkpoint RL starts from. */
  referenceCheckpointId: Id,
  /** Step 0 of the policy: the starting weights with a fresh optimizer, as an RL checkpoint. */
  initCheckpointId: Id,
  /** The last checkpoint an earlier run of this exact config left (a failed or cancelled run): continue from it. */
  latest: z.object({ step: z.number().int().min(0), checkpointId: Id, steps: z.array(RlStepMetricsSchema) }).nullable().optional(),
});
export type RlPlan = z.infer<typeof RlPlanSchema>;

const StepInput = { itemsId: Id, referenceCheckpointId: Id, policy: PolicyStateSchema, step: z.number().int().min(0), config: RlConfigSchema };
export const RlRolloutInputSchema = z.object(StepInput);
export type RlRolloutInput = z.input<typeof RlRolloutInputSchema>;
export const RlRolloutResultSchema = z.object({ rolloutsId: Id, completions: z.number().int(), tokens: z.number().int(), seconds: z.number(), replayed: z.number().int() });
export type RlRolloutResult = z.infer<typeof RlRolloutResultSchema>;

export const RlRewardInputSchema = z.object({ rolloutsId: Id, itemsId: Id, reward: RewardVariantSchema, groupSize: z.number().int().min(1) });
export type RlRewardInput = z.input<typeof RlRewardInputSchema>;
export const RlRewardResultSchema = z.object({ rewardsId: Id, uri: z.string(), rewardVersion: z.string(), summary: RewardSummarySchema, seconds: z.number() });
export type RlRewardResult = z.infer<typeof RlRewardResultSchema>;

export const RlUpdateInputSchema = z.object({
  ...StepInput,
  rolloutsId: Id,
  rewardsId: Id,
  commit: z.boolean(),
  /** This step's reward summary and the finished steps since the last checkpoint: stored with a committed checkpoint. */
  rewardSummary: RewardSummarySchema,
  recent: z.array(RlStepMetricsSchema).default([]),
});
export type RlUpdateInput = z.input<typeof RlUpdateInputSchema>;
export const RlUpdateResultSchema = z.object({
  /** Set when this step committed a checkpoint. */
  checkpointId: Id.nullable(),
  loss: z.number(),
  kl: z.number(),
  gradNorm: z.number(),
  seconds: z.number(),
  replayed: z.number().int(),
  backend: z.string(),
});
export type RlUpdateResult = z.infer<typeof RlUpdateResultSchema>;

export const RlEvaluateInputSchema = z.object(StepInput);
export type RlEvaluateInput = z.input<typeof RlEvaluateInputSchema>;
export const RlEvaluationSchema = z.object({ step: z.number().int(), items: z.number().int(), accuracy: z.number(), rewardMean: z.number(), format: z.number(), option: z.number(), malignancy: z.number() });
export type RlEvaluation = z.infer<typeof RlEvaluationSchema>;

export const RlInputSchema = z.object({
  fromCheckpointId: Id,
  datasetVersionIds: z.array(Id).min(1),
  config: RlConfigSchema,
  runtime: WorkflowRuntimeSchema,
  /** Set by continue-as-new: where the previous run stopped and what it measured. */
  resume: z
    .object({
      plan: RlPlanSchema,
      step: z.number().int().min(0),
      checkpointId: Id,
      steps: z.array(RlStepMetricsSchema),
      evaluations: z.array(RlEvaluationSchema),
    })
    .optional(),
});

export const RlSummarySchema = z.object({
  checkpointId: Id,
  fromCheckpointId: Id,
  itemsId: Id,
  steps: z.number().int(),
  reward: RewardVariantSchema,
  rewardVersion: z.string(),
  trainItems: z.number().int(),
  heldOutItems: z.number().int(),
  rewardMean: z.object({ first: z.number().nullable(), last: z.number().nullable() }),
  /** Means over the last min(10, steps) steps. */
  rewardComponents: z.object({ format: z.number(), option: z.number(), malignancy: z.number() }),
  kl: z.number().nullable(),
  heldOutAccuracy: z.object({ before: z.number().nullable(), after: z.number().nullable() }),
  evaluations: z.array(RlEvaluationSchema),
  stepMetrics: z.array(RlStepMetricsSchema),
  backend: z.string(),
});
export type RlSummary = z.infer<typeof RlSummarySchema>;
