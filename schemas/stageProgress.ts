import { z } from 'zod';

/** What every workflow answers to the `progress` query: the stage it is in and a few small numbers about it. */
export const StageProgressSchema = z.object({
  workflow: z.string(),
  stage: z.string(),
  state: z.enum(['pending', 'running', 'done', 'failed']),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type StageProgress = z.infer<typeof StageProgressSchema>;
