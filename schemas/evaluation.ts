import { z } from 'zod';
import { NodeIdSchema } from './hierarchy.ts';

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

export const ScoreSchema = z.object({
  n: z.number().int(),
  accuracy: IntervalSchema,
  macroF1: z.number(),
  /** Share of answers whose node agrees with the truth at each level (group, category, disease); node benchmarks only. */
  levels: z.record(z.string(), z.number()),
  wellFormed: z.number(),
});
export type Score = z.infer<typeof ScoreSchema>;
