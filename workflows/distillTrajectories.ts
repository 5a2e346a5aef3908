import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { DistillInputSchema, type DistillInput, type TrajectorySetSummary } from '../schemas/distill.ts';
import { parseInput } from '../schemas/parseInput.ts';
import type { StageProgress } from '../schemas/stageProgress.ts';
import { activityOptions } from './activityOptions.ts';
import { markDone, progressQuery } from './progressQuery.ts';

/**
 * Stage 2 of the DAG: plan (validate and commit the knowledge base, cut shards) -> distill shards in parallel on the
 * cpu queue -> commit the trajectory set. Unchanged inputs return the existing set at planning.
 */
export async function distillTrajectories(rawInput: DistillInput): Promise<TrajectorySetSummary> {
  const input = parseInput(DistillInputSchema, rawInput, 'distillTrajectories input');
  const progress: StageProgress = { workflow: workflowInfo().workflowType, stage: 'plan', state: 'running', detail: { datasetVersions: input.datasetVersionIds.length } };
  setHandler(progressQuery, () => progress);
  const { planDistillation, distillShard, commitTrajectorySet } = proxyActivities<Activities>(activityOptions(input.runtime, 'data'));
  try {
    const plan = await planDistillation({ datasetVersionIds: input.datasetVersionIds, knowledgeDir: input.knowledgeDir, config: input.config });
    if (plan.reused) {
      markDone(progress, { trajectorySetId: plan.summary.trajectorySetId, reused: true });
      return plan.summary;
    }
    progress.stage = 'distill';
    progress.detail = { ...progress.detail, images: plan.images, shards: plan.shards.length, shardsDone: 0, trajectories: 0 };
    const shards = await Promise.all(
      plan.shards.map(async (shard) => {
        const r = await distillShard({ trajectorySetId: plan.trajectorySetId, knowledgeBaseId: plan.knowledgeBaseId, datasetVersionIds: input.datasetVersionIds, shard, config: input.config });
        progress.detail.shardsDone = Number(progress.detail.shardsDone) + 1;
        progress.detail.trajectories = Number(progress.detail.trajectories) + r.count;
        return r;
      }),
    );
    progress.stage = 'commit';
    const summary = await commitTrajectorySet({
      trajectorySetId: plan.trajectorySetId,
      knowledgeBaseId: plan.knowledgeBaseId,
      datasetVersionIds: input.datasetVersionIds,
      shardIds: shards.map((s) => s.shardId),
      images: plan.images,
      skipped: plan.skipped,
      config: input.config,
    });
    markDone(progress, { trajectorySetId: summary.trajectorySetId, count: summary.count });
    return summary;
  } catch (e) {
    progress.state = 'failed';
    throw e;
  }
}
