import path from 'node:path';
import { Context } from '@temporalio/activity';
import { KNOWN_SPLITS_FILE, readDatasetReport, SHARD_FILE, STAGED_FILE } from '../datasets/datasetFiles.ts';
import { finalizeDatasetVersion } from '../datasets/finalizeDatasetVersion.ts';
import { versionSpec } from '../datasets/onboardingIds.ts';
import { producingRun } from '../lineage/producingRun.ts';
import { CommitInputSchema, DatasetSummarySchema, type CommitInput, type DatasetSummary } from '../schemas/onboarding.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { artifactKey } from '../store/ArtifactStore.ts';
import type { ActivityDeps } from './ActivityDeps.ts';

/**
 * Onboarding step 3: merge staged rows and shard results into the dataset version (accepted and quarantined rows as
 * Parquet, splits, quality report) and commit it atomically under the id the inspection announced.
 */
export function makeCommitDatasetVersion(deps: ActivityDeps) {
  return async function commitDatasetVersion(raw: CommitInput): Promise<DatasetSummary> {
    const input = parseInput(CommitInputSchema, raw, 'commitDatasetVersion input');
    const ctx = Context.current();
    const startedAt = new Date();
    const spec = versionSpec(input.versionInputs, input.config, [input.stagingId, ...input.shardIds]);
    const id = artifactKey(spec).id;
    if (id !== input.datasetVersionId) throw new Error(`dataset version id mismatch: inspection said ${input.datasetVersionId}, commit computes ${id}`);
    const staging = await deps.store.require(input.stagingId);
    ctx.heartbeat({ phase: 'finalize' });
    let summary: DatasetSummary | undefined;
    const { manifest } = await deps.store.commit(
      spec,
      () => producingRun(ctx.info, deps.workerIdentity, startedAt),
      async (dir) => {
        summary = await finalizeDatasetVersion({
          dataset: String(input.versionInputs.dataset),
          stagedFile: path.join(deps.store.dirOf(input.stagingId), STAGED_FILE),
          shardFiles: input.shardIds.map((s) => path.join(deps.store.dirOf(s), SHARD_FILE)),
          knownSplitsFile: path.join(deps.store.dirOf(input.stagingId), KNOWN_SPLITS_FILE),
          stagedRows: Number(staging.metrics.samples),
          onPhase: (phase) => ctx.heartbeat({ phase }),
          config: input.config,
          outDir: dir,
          datasetVersionId: id,
        });
        return { rowsIn: summary.rowsIn, accepted: summary.accepted, quarantined: summary.quarantined, imagesStored: summary.imagesStored };
      },
    );
    if (!summary) {
      // Committed by an earlier attempt: its report is the answer.
      summary = (await readDatasetReport(deps.store, manifest.id)).summary;
    }
    return DatasetSummarySchema.parse(summary);
  };
}
