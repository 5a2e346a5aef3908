import { z } from 'zod';
import { ActivityKindSchema, ActivityPolicySchema } from './activityPolicy.ts';

export const EmbeddedServerSchema = z.object({
  /** Interface the embedded dev server binds; 0.0.0.0 lets workers on other machines reach it. */
  ip: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  uiPort: z.number().int().min(1).max(65535),
  /** SQLite file for the dev server's state; relative paths are inside the store root. */
  dbFile: z.string().min(1),
  /** Temporal CLI tag to provision; v1.5.1 is the newest that `go install` accepts (later tags carry a replace directive). */
  cliVersion: z.string().regex(/^v\d+\.\d+\.\d+$/),
});
export type EmbeddedServer = z.infer<typeof EmbeddedServerSchema>;

export const TaskQueuesSchema = z.object({ cpu: z.string().min(1), gpu: z.string().min(1) });
export type TaskQueues = z.infer<typeof TaskQueuesSchema>;

export const TemporalConfigSchema = z.object({
  /** host:port of a Temporal frontend; absent means local mode with the embedded dev server. */
  address: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. temporal.internal:7233')
    .optional(),
  namespace: z.string().min(1),
  embedded: EmbeddedServerSchema,
  taskQueues: TaskQueuesSchema,
  activities: z.record(ActivityKindSchema, ActivityPolicySchema),
  /** Root of the artifact store (datasets, checkpoints, lineage, the dev server's SQLite file). */
  storeRoot: z.string().min(1),
  /** How long a worker lets running activities finish after SIGINT/SIGTERM before cancelling them. */
  workerShutdownGraceTime: z.string().regex(/^\d+(ms|s|m)$/),
});
export type TemporalConfig = z.infer<typeof TemporalConfigSchema>;

/** The part of the config that workflow code needs, passed in its input because workflows may not read the environment. */
export const WorkflowRuntimeSchema = TemporalConfigSchema.pick({ taskQueues: true, activities: true });
export type WorkflowRuntime = z.infer<typeof WorkflowRuntimeSchema>;
