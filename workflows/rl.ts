import { continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { RlInputSchema, type PolicyState, type RlEvaluation, type RlStepMetrics, type RlSummary } from '../schemas/rl.ts';
import type { StageProgress } from '../schemas/stageProgress.ts';
import type { z } from 'zod';
import { activityOptions } from './activityOptions.ts';
import { markDone, progressQuery } from './progressQuery.ts';

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * Stage 4 of the DAG: GRPO reinforcement learning from an SFT checkpoint on hierarchy-aware multiple-choice items.
 * Each step is three activities: rollout (gpu), reward (cpu), update (gpu). The policy between them is named by value
 * (a checkpoint plus the steps since), so a step can land on any worker; a checkpoint every K steps bounds what a lost
 * worker redoes. Held-out accuracy before training, every `evalEvery` steps and at the end. Continues as new every
 * `stepsPerRun` steps, at a checkpoint.
 */
export async function rl(rawInput: z.input<typeof RlInputSchema>): Promise<RlSummary> {
  const input = parseInput(RlInputSchema, rawInput, 'rl input');
  const { config } = input;
  const progress: StageProgress = { workflow: workflowInfo().workflowType, stage: 'prepare', state: 'running', detail: { steps: config.steps } };
  setHandler(progressQuery, () => progress);
  const { rlPrepare, rlReward } = proxyActivities<Activities>(activityOptions(input.runtime, 'data'));
  const { rlRollout, rlUpdate, rlEvaluate } = proxyActivities<Activities>(activityOptions(input.runtime, 'training'));
  try {
    const plan = input.resume?.plan ?? (await rlPrepare({ fromCheckpointId: input.fromCheckpointId, datasetVersionIds: input.datasetVersionIds, config }));
    // Continue after the last checkpoint an earlier run of the same config committed (e.g. `skinr1 train --resume`).
    const r = input.resume ?? (plan.latest ? { plan, step: plan.latest.step, checkpointId: plan.latest.checkpointId, steps: plan.latest.steps, evaluations: [] } : undefined);
    const base = { itemsId: plan.itemsId, referenceCheckpointId: plan.referenceCheckpointId, config };
    let policy: PolicyState = { checkpointId: r?.checkpointId ?? plan.initCheckpointId, replay: [] };
    const steps: RlStepMetrics[] = [...(r?.steps ?? [])];
    const evaluations: RlEvaluation[] = [...(r?.evaluations ?? [])];
    let backend = 'unknown';
    let rewardVersion = 'unknown';
    const startStep = r?.step ?? 0;
    progress.detail = { ...progress.detail, trainItems: plan.trainItems, heldOutItems: plan.heldOutItems, itemsId: plan.itemsId };

    const evaluate = async (step: number) => {
      if (plan.heldOutItems === 0) return;
      progress.stage = 'evaluate';
      const e = await rlEvaluate({ ...base, policy, step });
      evaluations.push(e);
      progress.detail = { ...progress.detail, heldOutAccuracy: e.accuracy };
    };
    if (startStep === 0) await evaluate(0);
    else if (!evaluations.some((e) => e.step === 0)) {
      // A run continued from an earlier one's checkpoint measures the starting policy again, for the before/after.
      const resumed = policy;
      policy = { checkpointId: plan.initCheckpointId, replay: [] };
      await evaluate(0);
      policy = resumed;
    }

    for (let step = startStep; step < config.steps; step++) {
      const t0 = Date.now();
      progress.stage = 'rollout';
      progress.detail = { ...progress.detail, step };
      const ro = await rlRollout({ ...base, policy, step });
      progress.stage = 'reward';
      const rw = await rlReward({ rolloutsId: ro.rolloutsId, itemsId: plan.itemsId, reward: config.reward, groupSize: config.groupSize });
      progress.stage = 'update';
      const last = step + 1 === config.steps;
      const runEnds = step + 1 - startStep >= config.stepsPerRun;
      const commit = last || runEnds || (step + 1) % config.checkpointEvery === 0;
      const recent = policy.replay.length ? steps.slice(-policy.replay.length) : [];
      const up = await rlUpdate({ ...base, policy, step, rolloutsId: ro.rolloutsId, rewardsId: rw.rewardsId, commit, rewardSummary: rw.summary, recent });
      backend = up.backend;
      rewardVersion = rw.rewardVersion;
      policy = up.checkpointId ? { checkpointId: up.checkpointId, replay: [] } : { checkpointId: policy.checkpointId, replay: [...policy.replay, { step, rolloutsId: ro.rolloutsId, rewardsId: rw.rewardsId }] };
      const s = rw.summary;
      steps.push({
        step,
        rewardMean: s.mean,
        rewardStd: s.std,
        format: s.format,
        option: s.option,
        malignancy: s.malignancy,
        accuracy: s.accuracy,
        flatGroups: s.flatGroups,
        loss: up.loss,
        kl: up.kl,
        gradNorm: up.gradNorm,
        rolloutSeconds: ro.seconds,
        rewardSeconds: rw.seconds,
        updateSeconds: up.seconds,
        stepSeconds: (Date.now() - t0) / 1000,
        replayed: ro.replayed + up.replayed,
      });
      progress.detail = { ...progress.detail, step: step + 1, rewardMean: s.mean, kl: up.kl, ...(up.checkpointId ? { checkpointId: up.checkpointId } : {}) };
      if (last || (step + 1) % config.evalEvery === 0) await evaluate(step + 1);
      if (runEnds && !last) {
        await continueAsNew<typeof rl>({ ...rawInput, resume: { plan, step: step + 1, checkpointId: policy.checkpointId, steps, evaluations } });
      }
    }
    // A run that found every step already done (an earlier run's checkpoints) still reports the final accuracy.
    if (evaluations[evaluations.length - 1]?.step !== config.steps) await evaluate(config.steps);
    const tail = steps.slice(-10);
    const summary: RlSummary = {
      checkpointId: policy.checkpointId,
      fromCheckpointId: input.fromCheckpointId,
      itemsId: plan.itemsId,
      steps: steps.length,
      reward: config.reward,
      rewardVersion,
      trainItems: plan.trainItems,
      heldOutItems: plan.heldOutItems,
      rewardMean: { first: steps[0]?.rewardMean ?? null, last: steps[steps.length - 1]?.rewardMean ?? null },
      rewardComponents: { format: mean(tail.map((t) => t.format)), option: mean(tail.map((t) => t.option)), malignancy: mean(tail.map((t) => t.malignancy)) },
      kl: steps[steps.length - 1]?.kl ?? null,
      heldOutAccuracy: { before: evaluations.find((e) => e.step === 0)?.accuracy ?? null, after: evaluations[evaluations.length - 1]?.accuracy ?? null },
      evaluations,
      stepMetrics: steps,
      backend,
    };
    markDone(progress, { checkpointId: policy.checkpointId, steps: steps.length });
    return summary;
  } catch (e) {
    progress.state = 'failed';
    throw e;
  }
}
