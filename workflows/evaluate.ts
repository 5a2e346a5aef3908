import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { z } from 'zod';
import type { Activities } from '../activities/index.ts';
import { EvaluateInputSchema, type Evaluation } from '../schemas/evaluation.ts';
import { parseInput } from '../schemas/parseInput.ts';
import type { StageProgress } from '../schemas/stageProgress.ts';
import { activityOptions } from './activityOptions.ts';
import { markDone, progressQuery } from './progressQuery.ts';

/**
 * Stage 5 of the DAG: the method's benchmarks on a checkpoint. Questions (cpu), greedy answers in shards (gpu, one
 * after another: one model on one device), then grading and scores (cpu).
 */
export async function evaluate(rawInput: z.input<typeof EvaluateInputSchema>): Promise<Evaluation> {
  const input = parseInput(EvaluateInputSchema, rawInput, 'evaluate input');
  const progress: StageProgress = { workflow: workflowInfo().workflowType, stage: 'prepare', state: 'running', detail: { checkpointId: input.checkpointId } };
  setHandler(progressQuery, () => progress);
  const { evalPrepare, evalReport } = proxyActivities<Activities>(activityOptions(input.runtime, 'data'));
  const { evalShard } = proxyActivities<Activities>(activityOptions(input.runtime, 'training'));
  try {
    const plan = await evalPrepare({ checkpointId: input.checkpointId, datasetVersionIds: input.datasetVersionIds, config: input.config });
    progress.detail = { ...progress.detail, questions: plan.questions, shards: plan.shards.length, answered: 0 };
    const predictionIds: string[] = [];
    for (const [i, s] of plan.shards.entries()) {
      progress.stage = 'answer';
      const r = await evalShard({ evalSetId: plan.evalSetId, checkpointId: input.checkpointId, shard: i, from: s.from, to: s.to, config: input.config });
      predictionIds.push(r.predictionsId);
      progress.detail = { ...progress.detail, answered: s.to };
    }
    progress.stage = 'score';
    const e = await evalReport({ evalSetId: plan.evalSetId, checkpointId: input.checkpointId, predictionIds, config: input.config });
    markDone(progress, { evaluationId: e.evaluationId, ...Object.fromEntries(Object.entries(e.benchmarks).map(([b, s]) => [b, s.accuracy.value])) });
    return e;
  } catch (err) {
    progress.state = 'failed';
    throw err;
  }
}
