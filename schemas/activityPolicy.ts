import { z } from 'zod';

/** A Temporal duration as the SDK accepts it: milliseconds or a string such as "30s", "5m", "2h". */
export const DurationSchema = z.union([
  z.number().int().positive(),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'expected a duration such as "500ms", "30s", "5m", "2h" or "1d"'),
]);
export type Duration = z.infer<typeof DurationSchema>;

export const RetryPolicySchema = z.object({
  initialInterval: DurationSchema,
  backoffCoefficient: z.number().min(1),
  maximumInterval: DurationSchema,
  /** 0 means unlimited, as in Temporal. */
  maximumAttempts: z.number().int().min(0),
  nonRetryableErrorTypes: z.array(z.string()).default([]),
});
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

/** How one kind of activity is scheduled: which queue, how long it may run, how often it must heartbeat, how it retries. */
export const ActivityPolicySchema = z.object({
  taskQueue: z.enum(['cpu', 'gpu']),
  startToCloseTimeout: DurationSchema,
  heartbeatTimeout: DurationSchema.optional(),
  retry: RetryPolicySchema,
});
export type ActivityPolicy = z.infer<typeof ActivityPolicySchema>;

/** The kinds of activity the pipeline has; each stage picks the policy of its kind. */
export const ActivityKindSchema = z.enum(['control', 'data', 'training', 'reward', 'smoke']);
export type ActivityKind = z.infer<typeof ActivityKindSchema>;
