import { z } from 'zod';
import { NodeIdSchema } from './hierarchy.ts';

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
