import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { OnboardInputSchema, type DatasetSummary, type OnboardInput } from '../schemas/onboarding.ts';
import { parseInput } from '../schemas/parseInput.ts';
import type { StageProgress } from '../schemas/stageProgress.ts';
import { activityOptions } from './activityOptions.ts';
import { markDone, progressQuery } from './progressQuery.ts';

/**
 * Stage 1 of the DAG: inspect -> harmonize shards (in parallel on the cpu queue) -> commit the dataset version.
 * An unchanged input is recognised at inspection and returns the existing version without further work.
 */
export async function onboardDataset(rawInput: OnboardInput): Promise<DatasetSummary> {
  const input = parseInput(OnboardInputSchema, rawInput, 'onboardDataset input');
  const progress: StageProgress = { workflow: workflowInfo().workflowType, stage: 'inspect', state: 'running', detail: { dataset: input.spec.name } };
  setHandler(progressQuery, () => progress);
  const { inspectDataset, harmonizeShard, commitDatasetVersion } = proxyActivities<Activities>(activityOptions(input.runtime, 'data'));
  try {
    const inspected = await inspectDataset({ spec: input.spec, config: input.config });
    if (inspected.reused) {
      markDone(progress, { datasetVersionId: inspected.summary.datasetVersionId, reused: true });
      return inspected.summary;
    }
    progress.stage = 'harmonize';
    progress.detail = { ...progress.detail, samples: inspected.samples, shards: inspected.shards.length, shardsDone: 0 };
    const shards = await Promise.all(
      inspected.shards.map(async (shard) => {
        const r = await harmonizeShard({ stagingId: inspected.stagingId, shard, config: input.config });
        progress.detail.shardsDone = Number(progress.detail.shardsDone) + 1;
        return r;
      }),
    );
    progress.stage = 'commit';
    const summary = await commitDatasetVersion({
      stagingId: inspected.stagingId,
      shardIds: shards.map((s) => s.shardId),
      datasetVersionId: inspected.datasetVersionId,
      versionInputs: inspected.versionInputs,
      config: input.config,
    });
    markDone(progress, { datasetVersionId: summary.datasetVersionId, accepted: summary.accepted, quarantined: summary.quarantined });
    return summary;
  } catch (e) {
    progress.state = 'failed';
    throw e;
  }
}
