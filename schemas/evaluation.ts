import { z } from 'zod';
import { ArtifactIdSchema } from './artifactManifest.ts';
import { NodeIdSchema } from './hierarchy.ts';
import { WorkflowRuntimeSchema } from './temporalConfig.ts';

/** The method's four benchmarks: in-domain multiple choice, benign / precancerous / malignant, the hierarchy path, DDx neighbours. */
export const BenchmarkSchema = z.enum(['indomain', 'bucket', 'hierarchical', 'ddx']);
export type Benchmark = z.infer<typeof BenchmarkSchema>;

export const BenchmarkOptionSchema = z.object({ letter: z.string().regex(/^[A-Z]$/), text: z.string(), node: z.string().nullable(), score: z.number() });

/** One question of a benchmark: an image, shuffled lettered options, the answer letter and its class (node or bucket). */
export const BenchmarkItemSchema = z.object({
  benchmark: BenchmarkSchema,
  itemId: z.string(),
  dataset: z.string(),
  fitzpatrick: z.number().int().min(1).max(6).nullable(),
  imageSha256: z.string(),
  /** The sample's path, coarse to fine (root excluded): hierarchical accuracy compares predictions against it. */
  path: z.array(NodeIdSchema),
  options: z.array(BenchmarkOptionSchema).min(2).max(26),
  answer: z.string().regex(/^[A-Z]$/),
  /** The answer's class for macro-F1: a node id, or a bucket for the bucket benchmark. */
  answerClass: z.string(),
  prompt: z.string(),
});
export type BenchmarkItem = z.infer<typeof BenchmarkItemSchema>;

export const IntervalSchema = z.object({ value: z.number(), low: z.number(), high: z.number() });
export type Interval = z.infer<typeof IntervalSchema>;

/**
 * Two checkpoints answering the same questions: accuracy before and after, the difference with a paired bootstrap
 * interval, the questions one got right and the other wrong, and McNemar's exact two-sided p over those.
 */
export const PairedDeltaSchema = z.object({
  n: z.number().int(),
  before: z.number(),
  after: z.number(),
  delta: IntervalSchema,
  /** Wrong before, right after. */
  gained: z.number().int(),
  /** Right before, wrong after. */
  lost: z.number().int(),
  p: z.number(),
});
export type PairedDelta = z.infer<typeof PairedDeltaSchema>;

/** What one stage changed over the one before it (e.g. sft -> sft+rl), per benchmark, on the same questions. */
export const StageChangeSchema = z.object({ from: z.string(), to: z.string(), benchmarks: z.record(z.string(), PairedDeltaSchema) });
export type StageChange = z.infer<typeof StageChangeSchema>;

export const ScoreSchema = z.object({
  n: z.number().int(),
  accuracy: IntervalSchema,
  macroF1: z.number(),
  /** Share of answers whose node agrees with the truth at each level (group, category, disease); node benchmarks only. */
  levels: z.record(z.string(), z.number()),
  wellFormed: z.number(),
});
export type Score = z.infer<typeof ScoreSchema>;

const Id = ArtifactIdSchema;

export const EvalConfigSchema = z.object({
  /** The split questions come from. */
  split: z.string().default('test'),
  /** At most this many questions per benchmark (the first by item id); 0 = all. */
  maxPerBenchmark: z.number().int().min(0).default(0),
  /** Questions per shard activity. */
  shardSize: z.number().int().positive().default(200),
  maxNewTokens: z.number().int().positive().default(200),
  seed: z.string().min(1).default('skinr1-eval'),
  backend: z.enum(['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']).default('auto'),
});
export type EvalConfig = z.output<typeof EvalConfigSchema>;

export const EvalPrepareInputSchema = z.object({ checkpointId: Id, datasetVersionIds: z.array(Id), config: EvalConfigSchema });
export const EvalPlanSchema = z.object({
  evalSetId: Id,
  datasetVersionIds: z.array(Id),
  questions: z.number().int(),
  byBenchmark: z.record(z.string(), z.number().int()),
  shards: z.array(z.object({ from: z.number().int(), to: z.number().int() })),
});
export type EvalPlan = z.infer<typeof EvalPlanSchema>;

export const EvalShardInputSchema = z.object({ evalSetId: Id, checkpointId: Id, shard: z.number().int().min(0), from: z.number().int().min(0), to: z.number().int().min(1), config: EvalConfigSchema });
export const EvalShardResultSchema = z.object({ predictionsId: Id, answered: z.number().int(), seconds: z.number(), tokensPerSecond: z.number() });

export const ConfusionSchema = z.object({ labels: z.array(z.string()), matrix: z.array(z.array(z.number().int())) });
export type Confusion = z.infer<typeof ConfusionSchema>;

/** What `evaluate` returns and stores: scores per benchmark, per dataset and per Fitzpatrick type, and confusion matrices. */
export const EvaluationSchema = z.object({
  evaluationId: Id,
  checkpointId: Id,
  evalSetId: Id,
  split: z.string(),
  benchmarks: z.record(z.string(), ScoreSchema),
  byDataset: z.record(z.string(), z.record(z.string(), ScoreSchema)),
  byFitzpatrick: z.record(z.string(), z.record(z.string(), ScoreSchema)),
  /** In-domain answers against the truth's path: at the disease level (the answer node) and at the group level. */
  confusion: z.object({ disease: ConfusionSchema, group: ConfusionSchema }),
});
export type Evaluation = z.infer<typeof EvaluationSchema>;
export const EvalReportInputSchema = z.object({ evalSetId: Id, checkpointId: Id, predictionIds: z.array(Id), config: EvalConfigSchema });

export const EvaluateInputSchema = z.object({
  checkpointId: Id,
  /** Dataset versions to draw questions from; empty = those in the checkpoint's lineage. */
  datasetVersionIds: z.array(Id).default([]),
  config: EvalConfigSchema,
  runtime: WorkflowRuntimeSchema,
});
