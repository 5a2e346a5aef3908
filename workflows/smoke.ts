import { proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { SmokeInputSchema, type SmokeInput, type SmokeResult } from '../schemas/smoke.ts';
import type { StageProgress } from '../schemas/stageProgress.ts';
import { activityOptions } from './activityOptions.ts';
import { progressQuery } from './progressQuery.ts';
import { parseInput } from '../schemas/parseInput.ts';

/** The first durable workflow: one stepped, heartbeating, resumable activity that writes an artifact. */
export async function smokeWorkflow(rawInput: SmokeInput): Promise<SmokeResult> {
  const input = parseInput(SmokeInputSchema, rawInput, 'smokeWorkflow input');
  const progress: StageProgress = { workflow: workflowInfo().workflowType, stage: 'smokeWork', state: 'running', detail: { steps: input.steps } };
  setHandler(progressQuery, () => progress);

  const { smokeWork } = proxyActivities<Activities>(activityOptions(input.runtime, 'smoke'));
  try {
    const result = await smokeWork({ steps: input.steps, stepMs: input.stepMs, seed: input.seed, roundsPerStep: input.roundsPerStep });
    progress.state = 'done';
    progress.detail = { ...progress.detail, artifactId: result.artifactId, attempt: result.attempt, reused: result.reused };
    return result;
  } catch (e) {
    progress.state = 'failed';
    throw e;
  }
}
