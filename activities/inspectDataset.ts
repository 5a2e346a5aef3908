import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { inspectSource } from '../datasets/inspectSource.ts';
import { onboardingIds, versionSpec } from '../datasets/onboardingIds.ts';
import { ACCEPTED_FILE, KNOWN_SPLITS_FILE, readDatasetReport, STAGED_FILE } from '../datasets/datasetFiles.ts';
import { str } from '../datasets/sql.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { producingRun } from '../lineage/producingRun.ts';
import { DatasetSpecSchema } from '../schemas/datasetSpec.ts';
import { InspectResultSchema, OnboardConfigSchema, type InspectResult, type OnboardConfig } from '../schemas/onboarding.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { artifactKey } from '../store/ArtifactStore.ts';
import type { ActivityDeps } from './ActivityDeps.ts';
import { z } from 'zod';

const InspectInputSchema = z.object({ spec: DatasetSpecSchema, config: OnboardConfigSchema });

/**
 * Onboarding step 1: stage the metadata, resolve and hash the images, and decide the dataset version's id. If that
 * version exists, onboarding is done (memoized); otherwise the staged rows are committed and cut into shards.
 */
export function makeInspectDataset(deps: ActivityDeps) {
  return async function inspectDataset(raw: { spec: unknown; config: OnboardConfig }): Promise<InspectResult> {
    const input = parseInput(InspectInputSchema, raw, 'inspectDataset input');
    const ctx = Context.current();
    const startedAt = new Date();
    const hierarchy = Hierarchy.fromFile();
    ctx.heartbeat({ phase: 'stage' });
    const ins = await inspectSource(input.spec, hierarchy, { onProgress: (done, total) => ctx.heartbeat({ phase: 'hash images', done, total }) });
    try {
      const { staging, versionInputs } = onboardingIds(ins, hierarchy);
      const versionId = artifactKey(versionSpec(versionInputs, input.config, [])).id;
      const existing = await deps.store.get(versionId);
      if (existing) {
        return InspectResultSchema.parse({ reused: true, summary: (await readDatasetReport(deps.store, versionId)).summary });
      }
      const { manifest } = await deps.store.commit(
        staging,
        () => producingRun(ctx.info, deps.workerIdentity, startedAt),
        async (out) => {
          await ins.con.run(`COPY (SELECT * FROM staged ORDER BY row_no) TO ${str(path.join(out, STAGED_FILE))} (FORMAT parquet, COMPRESSION zstd)`);
          await writeFile(path.join(out, 'sources.json'), JSON.stringify({ spec: ins.spec, sources: ins.sources }, null, 2) + '\n');
          // Splits these images already have in committed versions, fixed now so the commit does not depend on what
          // other onboardings commit meanwhile (HAM10000 images inside ISIC 2019 keep HAM's split).
          const versionsDir = path.join(deps.store.artifactsDir, 'dataset-version');
          const accepted = (await readdir(versionsDir).catch(() => [] as string[])).map((v) => path.join(versionsDir, v, ACCEPTED_FILE)).filter((f) => existsSync(f));
          const knownSql = accepted.length
            ? `SELECT image_original_sha256, min(split) AS split FROM read_parquet([${accepted.map(str).join(', ')}]) WHERE image_original_sha256 IN (SELECT image_original_sha256 FROM staged WHERE reason IS NULL) GROUP BY 1 ORDER BY 1`
            : `SELECT NULL::VARCHAR AS image_original_sha256, NULL::VARCHAR AS split WHERE false`;
          await ins.con.run(`COPY (${knownSql}) TO ${str(path.join(out, KNOWN_SPLITS_FILE))} (FORMAT parquet)`);
          return { samples: ins.staging.samples, sourceRecords: ins.staging.metadata.rows + ins.staging.metadata.rejected, imagesReferenced: ins.imagesReferenced };
        },
      );
      const shards = (
        await ins.con.runAndReadAll(
          `SELECT k::INTEGER AS idx, min(row_no)::BIGINT AS lo, max(row_no)::BIGINT AS hi, count(*)::INTEGER AS n
           FROM (SELECT row_no, (row_number() OVER (ORDER BY row_no) - 1) // ${input.config.shardSize} AS k FROM staged WHERE reason IS NULL)
           GROUP BY k ORDER BY k`,
        )
      )
        .getRowObjectsJson()
        .map((r) => ({ index: Number(r.idx), from: Number(r.lo), to: Number(r.hi), rows: Number(r.n) }));
      return InspectResultSchema.parse({ reused: false, stagingId: manifest.id, datasetVersionId: versionId, versionInputs, samples: ins.staging.samples, shards });
    } finally {
      ins.close();
    }
  };
}
