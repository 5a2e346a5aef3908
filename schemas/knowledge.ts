import { z } from 'zod';
import { MalignancyBucketSchema, NodeIdSchema } from './hierarchy.ts';

/** Where a piece of knowledge was written: errors and lineage point back to the Markdown line. */
export const SourceRefSchema = z.object({ file: z.string().min(1), line: z.number().int().positive() });
export type SourceRef = z.infer<typeof SourceRefSchema>;

export const FeatureKindSchema = z.enum(['lesion', 'colour', 'border', 'surface', 'distribution', 'site', 'dermoscopy', 'clinical']);
export type FeatureKind = z.infer<typeof FeatureKindSchema>;

export const FeatureIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_]*$/, 'expected a snake_case feature id');

/** A visible feature the knowledge base may name; `concepts` are dataset annotation values that mean this feature. */
export const FeatureSchema = z.object({
  id: FeatureIdSchema,
  phrase: z.string().min(2),
  kind: FeatureKindSchema,
  aliases: z.array(z.string().min(2)),
  concepts: z.array(z.string().min(1)),
  source: SourceRefSchema,
});
export type Feature = z.infer<typeof FeatureSchema>;

export const MorphologySchema = z.object({
  lesion: z.array(FeatureIdSchema),
  colour: z.array(FeatureIdSchema),
  border: z.array(FeatureIdSchema),
  surface: z.array(FeatureIdSchema),
  distribution: z.array(FeatureIdSchema),
  site: z.array(FeatureIdSchema),
});
export type Morphology = z.infer<typeof MorphologySchema>;
export const morphologyAspects = MorphologySchema.keyof().options;

/** Diagnostic knowledge for one hierarchy node: the visible features and the rules that lead from them to it. */
export const DiseaseEntrySchema = z.object({
  node: NodeIdSchema,
  name: z.string().min(1),
  synonyms: z.array(z.string()),
  bucket: MalignancyBucketSchema,
  chapter: z.string().min(1),
  morphology: MorphologySchema,
  dermoscopy: z.array(FeatureIdSchema),
  clinical: z.array(FeatureIdSchema),
  /** Declarative rules in the team's own words, each naming at least one of the entry's features. */
  rules: z.array(z.string().min(10)).min(1),
  source: SourceRefSchema,
});
export type DiseaseEntry = z.infer<typeof DiseaseEntrySchema>;

/** One differential-diagnosis statement: `from` is confused with `to`, and the features that tell them apart. */
export const DdxStatementSchema = z.object({
  from: NodeIdSchema,
  to: NodeIdSchema,
  text: z.string().min(10),
  features: z.array(FeatureIdSchema).min(1),
  source: SourceRefSchema,
});
export type DdxStatement = z.infer<typeof DdxStatementSchema>;

/** The validated knowledge base: what the Markdown chapters say, resolved against the hierarchy. */
export const KnowledgeBaseSchema = z.object({
  formatVersion: z.literal(1),
  hierarchyVersion: z.string(),
  hierarchyDigest: z.string().regex(/^[0-9a-f]{64}$/),
  files: z.array(z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
  features: z.array(FeatureSchema),
  diseases: z.array(DiseaseEntrySchema),
  ddx: z.array(DdxStatementSchema),
});
export type KnowledgeBaseData = z.infer<typeof KnowledgeBaseSchema>;

export const KnowledgeIssueSchema = z.object({
  severity: z.enum(['error', 'warning']),
  file: z.string(),
  line: z.number().int().min(0),
  message: z.string(),
});
export type KnowledgeIssue = z.infer<typeof KnowledgeIssueSchema>;
