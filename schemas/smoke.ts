import { z } from 'zod';
import { ArtifactIdSchema } from './artifactManifest.ts';
import { WorkflowRuntimeSchema } from './temporalConfig.ts';

/** What the smoke work computes: `steps` rounds of a sha256 chain seeded by `seed`, paced at `stepMs` per step. */
export const SmokeWorkInputSchema = z.object({
  steps: z.number().int().min(1).max(10_000),
  stepMs: z.number().int().min(0).max(60_000),
  seed: z.string().min(1).max(200),
  /** Hash rounds per step: the CPU part of a step (the rest of stepMs is an interruptible wait). */
  roundsPerStep: z.number().int().min(1).max(1_000_000).default(20_000),
});
export type SmokeWorkInput = z.infer<typeof SmokeWorkInputSchema>;

export const SmokeInputSchema = SmokeWorkInputSchema.extend({ runtime: WorkflowRuntimeSchema });
export type SmokeInput = z.input<typeof SmokeInputSchema>;

/** Heartbeat details: the step reached and the chain state after it (64 hex chars), nothing bigger. */
export const SmokeHeartbeatSchema = z.object({
  step: z.number().int().min(0),
  steps: z.number().int().min(1),
  state: z.string().regex(/^[0-9a-f]{64}$/),
});
export type SmokeHeartbeat = z.infer<typeof SmokeHeartbeatSchema>;

export const SmokeResultSchema = z.object({
  artifactId: ArtifactIdSchema,
  finalState: z.string().regex(/^[0-9a-f]{64}$/),
  /** True when an artifact for these inputs existed and no work ran. */
  reused: z.boolean(),
  /** Attempt of the activity that finished (2 after one worker crash). */
  attempt: z.number().int().min(1),
  /** Step the finishing attempt started from: 0 for a fresh start, the last heartbeat's step after a crash. */
  resumedFromStep: z.number().int().min(0),
  stepsRunThisAttempt: z.number().int().min(0),
  workerIdentity: z.string(),
});
export type SmokeResult = z.infer<typeof SmokeResultSchema>;
