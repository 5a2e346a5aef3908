import { z } from 'zod';
import { ArtifactIdSchema } from './artifactManifest.ts';
import { DatasetSpecSchema } from './datasetSpec.ts';
import { DistillConfigSchema } from './distill.ts';
import { EvalConfigSchema, EvaluationSchema, StageChangeSchema } from './evaluation.ts';
import { SftConfigSchema } from './model.ts';
import { OnboardConfigSchema } from './onboarding.ts';
import { RlConfigSchema } from './rl.ts';
import { WorkflowRuntimeSchema } from './temporalConfig.ts';

/** A dataset in a pipeline config file: a built-in adapter with its files, or a declarative spec file. */
export const PipelineDatasetSchema = z.union([
  z.object({ adapter: z.string(), metadata: z.string(), images: z.string(), extra: z.record(z.string(), z.string()).default({}) }).strict(),
  z.object({ spec: z.string() }).strict(),
]);

/** The file `skinr1 train --config` reads (YAML or JSON); paths are relative to the file. */
export const PipelineFileSchema = z
  .object({
    name: z.string().min(1).default('skinr1'),
    datasets: z.array(PipelineDatasetSchema).min(1),
    /** Folder of knowledge-base chapters (default: the project's). */
    knowledge: z.string().optional(),
    onboard: z.record(z.string(), z.unknown()).default({}),
    distill: z.record(z.string(), z.unknown()).default({}),
    /** SFT config: `model` is a preset name or a model config. */
    sft: z.record(z.string(), z.unknown()).default({}),
    /** RL config, or false for the "SFT only" ablation. */
    rl: z.union([z.record(z.string(), z.unknown()), z.literal(false)]).default({}),
    evaluate: z.record(z.string(), z.unknown()).default({}),
    /** Also evaluate the base (untrained) and the SFT checkpoints, so the report shows what each stage added. */
    compareStages: z.boolean().default(true),
  })
  .strict();
export type PipelineFile = z.input<typeof PipelineFileSchema>;

/** What the `trainSkinR1` workflow runs: the config file resolved (absolute paths, every default applied). */
export const PipelineConfigSchema = z.object({
  name: z.string(),
  datasets: z.array(DatasetSpecSchema).min(1),
  knowledgeDir: z.string(),
  onboard: OnboardConfigSchema,
  distill: DistillConfigSchema,
  sft: SftConfigSchema,
  rl: RlConfigSchema.nullable(),
  evaluate: EvalConfigSchema,
  compareStages: z.boolean(),
});
export type PipelineConfig = z.output<typeof PipelineConfigSchema>;

export const TrainInputSchema = z.object({ config: PipelineConfigSchema, runtime: WorkflowRuntimeSchema });
export type TrainInput = z.input<typeof TrainInputSchema>;

export const TrainSummarySchema = z.object({
  workflowId: z.string(),
  name: z.string(),
  datasetVersionIds: z.array(ArtifactIdSchema),
  trajectorySetId: ArtifactIdSchema,
  sftCheckpointId: ArtifactIdSchema,
  finalCheckpointId: ArtifactIdSchema,
  /** Benchmark -> accuracy of the final checkpoint. */
  evaluation: z.record(z.string(), z.number()),
  /** Label (base, sft, sft+rl) -> benchmark -> accuracy. */
  stages: z.record(z.string(), z.record(z.string(), z.number())),
  evaluations: z.array(z.object({ label: z.string(), evaluation: EvaluationSchema })),
  /** What each stage changed over the one before it (e.g. sft -> sft+rl), per benchmark, paired on the same questions. */
  changes: z.array(StageChangeSchema),
  /** Stage -> whether it was reused from an earlier run instead of run again. */
  reused: z.record(z.string(), z.boolean()),
  reportId: ArtifactIdSchema,
  reportPath: z.string(),
  modelCardPath: z.string(),
  seconds: z.number(),
});
export type TrainSummary = z.infer<typeof TrainSummarySchema>;
