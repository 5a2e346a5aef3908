import { z } from 'zod';

export const MalignancyBucketSchema = z.enum(['benign', 'precancerous_in_situ', 'malignant', 'non_neoplastic']);
export type MalignancyBucket = z.infer<typeof MalignancyBucketSchema>;

export const NodeIdSchema = z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case node id');

export const HierarchyNodeSchema = z.object({
  id: NodeIdSchema,
  name: z.string().min(1),
  parent: NodeIdSchema.nullable(),
  /** Set on the top groups (and where a node differs from its group, e.g. Bowen disease); inherited otherwise. */
  bucket: MalignancyBucketSchema.nullable().optional(),
  synonyms: z.array(z.string().min(1)),
});
export type HierarchyNode = z.infer<typeof HierarchyNodeSchema>;

/** The disease hierarchy data file: root -> group -> category -> disease -> subtype, versioned. */
export const HierarchyFileSchema = z.object({
  name: z.string(),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  buckets: z.array(MalignancyBucketSchema),
  nodes: z.array(HierarchyNodeSchema).min(1),
});
export type HierarchyFile = z.infer<typeof HierarchyFileSchema>;

/** A dataset's label vocabulary mapped onto hierarchy nodes; a bucket label maps to several nodes (the union of subtrees). */
export const LabelMapFileSchema = z.object({
  dataset: z.string().min(1),
  field: z.string().min(1),
  labels: z.record(z.string(), z.object({ nodes: z.array(NodeIdSchema).min(1), note: z.string().optional() })),
});
export type LabelMapFile = z.infer<typeof LabelMapFileSchema>;
