import { executeChild, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { z } from 'zod';
import type { Activities } from '../activities/index.ts';
import type { TrajectorySetSummary } from '../schemas/distill.ts';
import type { Evaluation } from '../schemas/evaluation.ts';
import type { DatasetSummary } from '../schemas/onboarding.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { TrainInputSchema, type TrainSummary } from '../schemas/pipeline.ts';
import type { RlSummary } from '../schemas/rl.ts';
import type { SftSummary } from '../schemas/sft.ts';
import type { StageProgress } from '../schemas/stageProgress.ts';
import { EVALUATION_CODE_VERSION } from '../eval/evalCodeVersions.ts';
import { RL_CHECKPOINT_CODE_VERSION } from '../rl/rlCodeVersions.ts';
import { CHECKPOINT_CODE_VERSION } from '../training/sftIds.ts';
import { activityOptions } from './activityOptions.ts';
import { distillTrajectories } from './distillTrajectories.ts';
import { evaluate } from './evaluate.ts';
import { onboardDataset } from './onboardDataset.ts';
import { markDone, progressQuery } from './progressQuery.ts';
import { rl } from './rl.ts';
import { sft } from './sft.ts';

/** Part of each memoized stage's key: bump when a stage's code changes what it produces. */
const STAGE_VERSIONS = { sft: `sft:${CHECKPOINT_CODE_VERSION}`, rl: `rl:${RL_CHECKPOINT_CODE_VERSION}`, evaluate: `evaluate:${EVALUATION_CODE_VERSION}` } as const;

/**
 * The whole DAG: onboarding (a child per dataset, in parallel) -> distillation -> SFT -> RL -> evaluation of each
 * stage's checkpoint -> the report and model card. Onboarding and distillation memoize themselves by content; SFT, RL
 * and each evaluation are looked up by the digest of their inputs first and reused when an earlier run (this one
 * before a failure, or any other) finished them. `progress` names the stage and the child running it.
 */
export async function trainSkinR1(rawInput: z.input<typeof TrainInputSchema>): Promise<TrainSummary> {
  const input = parseInput(TrainInputSchema, rawInput, 'trainSkinR1 input');
  const { config, runtime } = input;
  const id = workflowInfo().workflowId;
  const started = Date.now();
  const reused: Record<string, boolean> = {};
  const progress: StageProgress = { workflow: workflowInfo().workflowType, stage: 'onboard', state: 'running', detail: { name: config.name, stagesDone: 0 } };
  setHandler(progressQuery, () => progress);
  const { stageLookup, stageRecord, writeRunReport } = proxyActivities<Activities>(activityOptions(runtime, 'data'));
  const child = { taskQueue: runtime.taskQueues.cpu };
  const enter = (stage: string, childId: string | null) => {
    progress.stage = stage;
    progress.detail = { ...progress.detail, child: childId ?? '' };
  };
  const done = () => (progress.detail = { ...progress.detail, stagesDone: Number(progress.detail?.stagesDone ?? 0) + 1 });

  /** Runs a stage unless a run with the same inputs recorded its result. */
  async function memoized<R>(stage: string, key: string, inputs: unknown, run: () => Promise<R>): Promise<R> {
    const hit = await stageLookup({ stage: key, inputs });
    reused[stage] = hit.found;
    if (hit.found) return hit.result as R;
    const result = await run();
    await stageRecord({ stage: key, inputs, result });
    return result;
  }

  try {
    enter('onboard', `${id}.onboard.*`);
    const datasets = await Promise.all(
      config.datasets.map((spec, i) => executeChild(onboardDataset, { ...child, workflowId: `${id}.onboard.${i}.${spec.name}`, args: [{ spec, config: config.onboard, runtime }] })),
    );
    const datasetVersionIds = datasets.map((d: DatasetSummary) => d.datasetVersionId);
    done();

    enter('distill', `${id}.distill`);
    const set: TrajectorySetSummary = await executeChild(distillTrajectories, { ...child, workflowId: `${id}.distill`, args: [{ datasetVersionIds, knowledgeDir: config.knowledgeDir, config: config.distill, runtime }] });
    done();

    enter('sft', `${id}.sft`);
    const sftInputs = { trajectorySetId: set.trajectorySetId, config: { ...config.sft, shardSize: 0, checkpointEvery: 0, epochsPerRun: 0 } };
    const sftResult: SftSummary = await memoized('sft', STAGE_VERSIONS.sft, sftInputs, () =>
      executeChild(sft, { ...child, workflowId: `${id}.sft`, args: [{ trajectorySetId: set.trajectorySetId, baseCheckpointId: null, config: config.sft, runtime }] }),
    );
    done();

    let rlResult: RlSummary | null = null;
    if (config.rl) {
      const rlConfig = config.rl;
      enter('rl', `${id}.rl`);
      const rlInputs = { fromCheckpointId: sftResult.checkpointId, datasetVersionIds, config: { ...rlConfig, checkpointEvery: 0, stepsPerRun: 0 } };
      rlResult = await memoized('rl', STAGE_VERSIONS.rl, rlInputs, () =>
        executeChild(rl, { ...child, workflowId: `${id}.rl`, args: [{ fromCheckpointId: sftResult.checkpointId, datasetVersionIds, config: rlConfig, runtime }] }),
      );
      done();
    }
    const finalCheckpointId = rlResult?.checkpointId ?? sftResult.checkpointId;

    const targets: Array<{ label: string; checkpointId: string }> = [];
    if (config.compareStages && sftResult.initCheckpointId && sftResult.initCheckpointId !== sftResult.checkpointId) targets.push({ label: 'base', checkpointId: sftResult.initCheckpointId });
    if (config.compareStages || !rlResult) targets.push({ label: 'sft', checkpointId: sftResult.checkpointId });
    if (rlResult) targets.push({ label: 'sft+rl', checkpointId: rlResult.checkpointId });
    const evaluations: Array<{ label: string; evaluation: Evaluation }> = [];
    for (const t of targets) {
      enter('evaluate', `${id}.eval.${t.label}`);
      const evalInputs = { checkpointId: t.checkpointId, datasetVersionIds, config: { ...config.evaluate, shardSize: 0 } };
      const evaluation = await memoized(`evaluate:${t.label}`, STAGE_VERSIONS.evaluate, evalInputs, () =>
        executeChild(evaluate, { ...child, workflowId: `${id}.eval.${t.label}`, args: [{ checkpointId: t.checkpointId, datasetVersionIds, config: config.evaluate, runtime }] }),
      );
      evaluations.push({ label: t.label, evaluation });
      progress.detail = { ...progress.detail, [`accuracy.${t.label}`]: evaluation.benchmarks.indomain?.accuracy.value ?? -1 };
    }
    done();

    enter('report', null);
    const report = await writeRunReport({ workflowId: id, name: config.name, finalCheckpointId, sft: sftResult, rl: rlResult, evaluations });
    const accuracies = (e: Evaluation) => Object.fromEntries(Object.entries(e.benchmarks).map(([b, s]) => [b, s.accuracy.value]));
    const summary: TrainSummary = {
      workflowId: id,
      name: config.name,
      datasetVersionIds,
      trajectorySetId: set.trajectorySetId,
      sftCheckpointId: sftResult.checkpointId,
      finalCheckpointId,
      evaluation: accuracies(evaluations[evaluations.length - 1]!.evaluation),
      stages: Object.fromEntries(evaluations.map((e) => [e.label, accuracies(e.evaluation)])),
      evaluations,
      reused,
      ...report,
      seconds: (Date.now() - started) / 1000,
    };
    markDone(progress, { finalCheckpointId, reportPath: report.reportPath });
    return summary;
  } catch (e) {
    progress.state = 'failed';
    throw e;
  }
}
