import { z } from 'zod';
import { WorkflowRuntimeSchema } from './temporalConfig.ts';

/** The no-op round-trip probe used by the benchmark and by `skinr1 doctor`-style checks. */
export const PingInputSchema = z.object({ rounds: z.number().int().min(1).max(10_000), runtime: WorkflowRuntimeSchema });
export type PingInput = z.input<typeof PingInputSchema>;

export const PingResultSchema = z.object({
  /** Workflow-clock milliseconds from scheduling each no-op activity to handling its completion. */
  roundTripMs: z.array(z.number()),
});
export type PingResult = z.infer<typeof PingResultSchema>;
