import { z } from 'zod';

export const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex sha256 digest');
export const ArtifactKindSchema = z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a lowercase kind such as "dataset-version"');
export const ArtifactIdSchema = z.string().regex(/^[a-z][a-z0-9-]*-[0-9a-f]{24}$/, 'expected an artifact id such as "smoke-0123456789abcdef01234567"');
export type ArtifactId = z.infer<typeof ArtifactIdSchema>;

/** Who and what produced an artifact: enough to find the Temporal run and to rebuild the same code and config. */
export const ProducingRunSchema = z.object({
  workflowId: z.string(),
  runId: z.string(),
  workflowType: z.string(),
  activityId: z.string(),
  activityType: z.string(),
  attempt: z.number().int().min(1),
  taskQueue: z.string(),
  workerIdentity: z.string(),
  host: z.string(),
  gitCommit: z.string(),
  gitDirty: z.boolean(),
  lockfileDigest: z.string(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
});
export type ProducingRun = z.infer<typeof ProducingRunSchema>;

export const ArtifactFileSchema = z.object({
  /** Path relative to the artifact folder, with forward slashes. */
  path: z.string().min(1),
  sha256: Sha256Schema,
  bytes: z.number().int().min(0),
});
export type ArtifactFile = z.infer<typeof ArtifactFileSchema>;

export const ArtifactManifestSchema = z.object({
  manifestVersion: z.literal(1),
  id: ArtifactIdSchema,
  kind: ArtifactKindSchema,
  /** sha256 of the canonical JSON of {kind, codeVersion, inputs, configDigest}; the id is its prefix. */
  key: Sha256Schema,
  /** Version of the step's logic; bumped when the same inputs should give a different artifact. */
  codeVersion: z.string().min(1),
  /** What the artifact was derived from: digests and small values only. */
  inputs: z.record(z.string(), z.unknown()),
  configDigest: Sha256Schema,
  parents: z.array(ArtifactIdSchema),
  files: z.array(ArtifactFileSchema),
  run: ProducingRunSchema,
  metrics: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  createdAt: z.iso.datetime(),
});
export type ArtifactManifest = z.infer<typeof ArtifactManifestSchema>;
