import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { DuckDBInstance } from '@duckdb/node-api';
import { createEligibleImages } from '../distill/readDistillSamples.ts';
import { KNOWLEDGE_FILE, knowledgeBaseSpec, MAX_SHARDS, SUMMARY_FILE, trajectorySetSpec } from '../distill/trajectorySetSpec.ts';
import { ValidationError } from '../errors/ValidationError.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { KnowledgeBase } from '../knowledge/KnowledgeBase.ts';
import { producingRun } from '../lineage/producingRun.ts';
import { DistillConfigSchema, DistillPlanSchema, TrajectorySetSummarySchema, type DistillPlan, type DistillShard } from '../schemas/distill.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { ArtifactIdSchema } from '../schemas/artifactManifest.ts';
import { artifactKey } from '../store/ArtifactStore.ts';
import { z } from 'zod';
import type { ActivityDeps } from './ActivityDeps.ts';

export const PlanDistillationInputSchema = z.object({
  datasetVersionIds: z.array(ArtifactIdSchema).min(1),
  knowledgeDir: z.string().min(1),
  config: DistillConfigSchema,
});

/**
 * Distillation step 1: validate the knowledge base and commit it as an artifact (so shards on any worker read the
 * same version), check the dataset versions (present, on this hierarchy), keep each image once and none held out
 * elsewhere, and cut the eligible images into shards (at most MAX_SHARDS). A trajectory set that already exists
 * for these inputs is returned as is.
 */
export function makePlanDistillation(deps: ActivityDeps) {
  return async function planDistillation(raw: z.input<typeof PlanDistillationInputSchema>): Promise<DistillPlan> {
    const input = parseInput(PlanDistillationInputSchema, raw, 'planDistillation input');
    const ctx = Context.current();
    const startedAt = new Date();
    const h = Hierarchy.fromFile();
    const { kb } = KnowledgeBase.load(input.knowledgeDir, h);
    const { manifest: kbManifest } = await deps.store.commit(
      knowledgeBaseSpec(kb.digest, h),
      () => producingRun(ctx.info, deps.workerIdentity, startedAt),
      async (dir) => {
        // The Markdown as written (what a reviewer reads) and the validated form (what shards load).
        for (const f of kb.data.files) {
          await mkdir(path.dirname(path.join(dir, 'chapters', f.path)), { recursive: true });
          await copyFile(path.join(input.knowledgeDir, f.path), path.join(dir, 'chapters', f.path));
        }
        await writeFile(path.join(dir, KNOWLEDGE_FILE), JSON.stringify(kb.data));
        return { features: kb.data.features.length, diseases: kb.data.diseases.length, ddxStatements: kb.data.ddx.length };
      },
    );
    for (const id of input.datasetVersionIds) {
      const m = await deps.store.get(id);
      if (!m) throw new ValidationError(`dataset version ${id} is not in the store ${deps.store.root}`);
      if (m.kind !== 'dataset-version') throw new ValidationError(`${id} is a ${m.kind}, not a dataset version`);
      const hv = m.inputs.hierarchy as { version?: string; sha256?: string } | undefined;
      if (hv?.sha256 !== h.digest) {
        throw new ValidationError(`dataset version ${id} was onboarded on hierarchy ${hv?.version ?? '?'} (${String(hv?.sha256).slice(0, 12)}), not the current ${h.version} (${h.digest.slice(0, 12)}): onboard it again`);
      }
    }
    const setSpec = trajectorySetSpec(kbManifest.id, input.datasetVersionIds, input.config);
    const setId = (await deps.store.find(setSpec))?.id;
    if (setId) {
      const summary = TrajectorySetSummarySchema.parse({ ...JSON.parse(await readFile(path.join(deps.store.dirOf(setId), SUMMARY_FILE), 'utf8')), reused: true });
      return DistillPlanSchema.parse({ reused: true, summary });
    }

    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    try {
      const { images, skipped, eligible } = await createEligibleImages(con, deps.store, input.datasetVersionIds, input.config.splits);
      if (eligible === 0) throw new ValidationError(`the dataset versions have no usable images in the split(s) ${input.config.splits.join(', ')} (${images} in those splits, skipped: ${JSON.stringify(skipped)})`);
      const size = Math.max(input.config.shardSize, Math.ceil(eligible / MAX_SHARDS));
      const shards: DistillShard[] = [];
      for (let offset = 0; offset < eligible; offset += size) shards.push({ index: shards.length, offset, limit: Math.min(size, eligible - offset) });
      return DistillPlanSchema.parse({ reused: false, trajectorySetId: artifactKey(setSpec).id, knowledgeBaseId: kbManifest.id, images, skipped, shards });
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  };
}
