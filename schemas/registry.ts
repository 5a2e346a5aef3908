import type { z } from 'zod';
import { ArtifactManifestSchema } from './artifactManifest.ts';
import { DatasetSpecSchema } from './datasetSpec.ts';
import { DistillConfigSchema, DistillInputSchema, TrajectorySetSummarySchema } from './distill.ts';
import { HierarchyFileSchema, LabelMapFileSchema } from './hierarchy.ts';
import { KnowledgeBaseSchema } from './knowledge.ts';
import { DatasetSummarySchema, OnboardConfigSchema, OnboardInputSchema } from './onboarding.ts';
import { PingInputSchema } from './ping.ts';
import { SmokeHeartbeatSchema, SmokeInputSchema, SmokeResultSchema } from './smoke.ts';
import { StageProgressSchema } from './stageProgress.ts';
import { TeacherConfigSchema } from './teacher.ts';
import { TemporalConfigSchema } from './temporalConfig.ts';

/** Every published schema by name: `skinr1 schema <name>` prints its JSON Schema for other tools and languages. */
export const schemaRegistry: Record<string, z.ZodType> = {
  'artifact-manifest': ArtifactManifestSchema,
  'temporal-config': TemporalConfigSchema,
  'stage-progress': StageProgressSchema,
  'smoke-input': SmokeInputSchema,
  'smoke-heartbeat': SmokeHeartbeatSchema,
  'smoke-result': SmokeResultSchema,
  'ping-input': PingInputSchema,
  'dataset-spec': DatasetSpecSchema,
  'onboard-config': OnboardConfigSchema,
  'onboard-input': OnboardInputSchema,
  'dataset-summary': DatasetSummarySchema,
  'hierarchy-file': HierarchyFileSchema,
  'label-map-file': LabelMapFileSchema,
  'knowledge-base': KnowledgeBaseSchema,
  'distill-config': DistillConfigSchema,
  'distill-input': DistillInputSchema,
  'teacher-config': TeacherConfigSchema,
  'trajectory-set-summary': TrajectorySetSummarySchema,
};
