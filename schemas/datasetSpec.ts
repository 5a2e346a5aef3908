import { z } from 'zod';

/** A column name as it appears in a CSV header (any text but control characters). */
const Column = z.string().min(1).max(200).regex(/^[^"\p{Cc}]+$/u, 'a column name may not contain quotes or control characters');

const ColumnChoice = z.union([Column, z.array(Column).min(1)]);

export const ModalitySchema = z.enum(['dermoscopic', 'clinical', 'mixed']);
export type Modality = z.infer<typeof ModalitySchema>;

export const SplitNameSchema = z.enum(['train', 'val', 'test']);
export type SplitName = z.infer<typeof SplitNameSchema>;

export const CsvSourceSchema = z.object({
  /** Path to the file; relative paths resolve against the spec file's folder. */
  file: z.string().min(1),
  delimiter: z.string().length(1).default(','),
});

/** A second table joined onto the metadata (ISIC 2019 metadata onto its ground truth, Fitzpatrick17k onto SkinCon). */
export const JoinSchema = CsvSourceSchema.extend({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  /** Column of the metadata file, and the matching column of this file. */
  leftColumn: Column,
  rightColumn: Column,
  /** Appended to this file's value before matching (SkinCon's ImageID is Fitzpatrick17k's md5hash + ".jpg"). */
  rightSuffix: z.string().default(''),
});

/** Where a row's image is: a column holding a relative path or name, or a file name pattern over columns ("{image_id}.jpg"). */
export const ImageRefSchema = z
  .object({
    column: Column.optional(),
    pattern: z.string().min(1).optional(),
    /** Appended to the sample id when a row has several images (Derm7pt: "derm", "clinic"). */
    key: z.string().regex(/^[a-z0-9_]+$/).optional(),
    modality: ModalitySchema.optional(),
  })
  .refine((r) => (r.column === undefined) !== (r.pattern === undefined), 'give exactly one of column or pattern');

export const LabelSchema = z
  .object({
    column: Column.optional(),
    /** One-hot label columns: the label is the name of the column whose value is 1 (ISIC 2019). */
    oneHot: z.array(Column).min(2).optional(),
    /** A label map file (JSON: {labels: {raw: {nodes: [...]}}}) or an inline map raw -> node ids. */
    mapFile: z.string().optional(),
    map: z.record(z.string(), z.array(z.string()).min(1)).optional(),
  })
  .refine((l) => (l.column === undefined) !== (l.oneHot === undefined), 'give exactly one of label.column or label.oneHot')
  .refine((l) => (l.mapFile === undefined) !== (l.map === undefined), 'give exactly one of label.mapFile or label.map');

export const SplitSpecSchema = z.union([
  z.object({ column: Column, values: z.record(z.string(), SplitNameSchema) }),
  /** Official split index files: one per split, a header then 0-based row numbers into the metadata file (Derm7pt). */
  z.object({ indexFiles: z.partialRecord(SplitNameSchema, z.string().min(1)), indexColumn: Column.default("indexes") }),
]);

export const ConceptsSchema = z.object({
  columns: z.array(Column).min(1),
  /** binary: a concept is present when its value is one of `present`; categorical: present unless one of `absent`, named column:value. */
  kind: z.enum(['binary', 'categorical']),
  present: z.array(z.string()).default(['1', '1.0', 'true', 'yes', 'present']),
  absent: z.array(z.string()).default(['', '0', 'absent', 'no', 'false']),
});

/**
 * How to read one dataset: the built-in adapters are instances of this, and a data team writes one as YAML or JSON
 * to onboard a dataset no adapter knows.
 */
export const DatasetSpecSchema = z.object({
  /** Dataset id, used in sample ids ("ham10000:ISIC_0024306"). */
  name: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'a lowercase dataset id such as "ham10000"'),
  description: z.string().optional(),
  licence: z.string().optional(),
  modality: ModalitySchema,
  metadata: CsvSourceSchema,
  joins: z.array(JoinSchema).default([]),
  /** The column that identifies a sample (image or case), and a suffix to strip from it ("_downsampled"). */
  id: z.object({ column: Column, stripSuffix: z.string().optional() }),
  /** Folder holding the images (searched recursively; names matched exactly, then ignoring case). */
  imageRoot: z.string().min(1),
  images: z
    .array(ImageRefSchema)
    .min(1)
    .refine((imgs) => new Set(imgs.map((im, k) => im.key ?? String(k))).size === imgs.length, 'image keys must be unique (they end each sample id)'),
  label: LabelSchema,
  /** Lesion or case id: images of one group always land in one split. */
  group: Column.optional(),
  patient: Column.optional(),
  split: SplitSpecSchema.optional(),
  concepts: ConceptsSchema.optional(),
  /** Rows the source itself marks as unusable (SkinCon "Do not consider this image"). */
  exclude: z.object({ column: Column, values: z.array(z.string()).min(1) }).optional(),
  /** Optional clinical fields; a list means "the first of these columns the file has" (ISIC 2019 writes sex or gender). */
  fields: z
    .object({
      age: ColumnChoice.optional(),
      sex: ColumnChoice.optional(),
      site: ColumnChoice.optional(),
      fitzpatrick: ColumnChoice.optional(),
    })
    .default({}),
  /** Raw site value (lowercased) -> harmonized site. */
  siteMap: z.record(z.string(), z.string()).default({}),
  /** Values meaning "missing" in any field. */
  missingValues: z.array(z.string()).default(['', 'nan', 'NaN', 'NA', 'unknown', 'UNK']),
});
export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;
export type DatasetSpecInput = z.input<typeof DatasetSpecSchema>;
