import { continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { SftInputSchema, type SftInput, type SftSummary } from '../schemas/sft.ts';
import type { StageProgress } from '../schemas/stageProgress.ts';
import { shardRanges } from '../training/sftIds.ts';
import { activityOptions } from './activityOptions.ts';
import { markDone, progressQuery } from './progressQuery.ts';

/**
 * Stage 3 of the DAG: supervised fine-tuning on a trajectory set. Prepare (tokenizer, split, init checkpoint) on the cpu
 * queue, then per epoch the shards one after another on the gpu queue, each continuing from the previous one's
 * checkpoint (sequential: the result is exactly that of one uninterrupted loop, which determinism needs), then the
 * validation loss and the epoch checkpoint. Continues as new every `epochsPerRun` epochs to keep the history short.
 */
export async function sft(rawInput: SftInput): Promise<SftSummary> {
  const input = parseInput(SftInputSchema, rawInput, 'sft input');
  const { config } = input;
  const progress: StageProgress = { workflow: workflowInfo().workflowType, stage: 'prepare', state: 'running', detail: { epochs: config.epochs } };
  setHandler(progressQuery, () => progress);
  const { sftPrepare } = proxyActivities<Activities>(activityOptions(input.runtime, 'data'));
  const { sftShard, sftValidate } = proxyActivities<Activities>(activityOptions(input.runtime, 'training'));
  try {
    const plan = await sftPrepare({ trajectorySetId: input.trajectorySetId, baseCheckpointId: input.baseCheckpointId, config });
    const totalSteps = plan.stepsPerEpoch * config.epochs;
    // Continue after the last epoch an earlier run of the same config finished (e.g. `skinr1 train --resume`).
    const r = input.resume ?? (plan.latest ? { epoch: plan.latest.epoch + 1, checkpointId: plan.latest.checkpointId, firstTrainLoss: null, lastTrainLoss: null, valLossByEpoch: plan.latest.valLossByEpoch, steps: plan.latest.step, seconds: 0, samples: 0 } : undefined);
    let checkpointId = r?.checkpointId ?? plan.initCheckpointId;
    let firstTrainLoss = r?.firstTrainLoss ?? null;
    let lastTrainLoss = r?.lastTrainLoss ?? null;
    const valLossByEpoch = [...(r?.valLossByEpoch ?? [])];
    let steps = r?.steps ?? 0;
    let seconds = r?.seconds ?? 0;
    let samples = r?.samples ?? 0;
    let backend = 'unknown';
    const startEpoch = r?.epoch ?? 0;
    const shards = shardRanges(plan.trainExamples, config.shardSize, config.batchSize);
    progress.detail = { ...progress.detail, trainExamples: plan.trainExamples, valExamples: plan.valExamples, shards: shards.length, totalSteps };

    for (let epoch = startEpoch; epoch < config.epochs; epoch++) {
      let lossSum = 0;
      let lossSamples = 0;
      for (const [i, s] of shards.entries()) {
        progress.stage = 'train';
        progress.detail = { ...progress.detail, epoch, shard: i, step: steps };
        const res = await sftShard({
          trajectorySetId: input.trajectorySetId,
          tokenizerId: plan.tokenizerId,
          initCheckpointId: plan.initCheckpointId,
          fromCheckpointId: checkpointId,
          epoch,
          shard: i,
          from: s.from,
          to: s.to,
          totalSteps,
          config,
        });
        checkpointId = res.checkpointId;
        steps = res.step;
        seconds += res.seconds;
        samples += res.samples;
        backend = res.backend;
        if (res.meanLoss !== null) {
          lossSum += res.meanLoss * res.samples;
          lossSamples += res.samples;
        }
        firstTrainLoss ??= res.firstLoss;
        lastTrainLoss = res.lastLoss ?? lastTrainLoss;
        progress.detail = { ...progress.detail, step: steps, ...(res.lastLoss !== null ? { trainLoss: res.lastLoss } : {}) };
      }
      progress.stage = 'validate';
      const ep = await sftValidate({ trajectorySetId: input.trajectorySetId, tokenizerId: plan.tokenizerId, checkpointId, epoch, trainLoss: lossSamples ? lossSum / lossSamples : null, config });
      checkpointId = ep.checkpointId;
      valLossByEpoch.push(ep.valLoss);
      progress.detail = { ...progress.detail, epochsDone: epoch + 1, ...(ep.valLoss !== null ? { valLoss: ep.valLoss } : {}), checkpointId };
      const doneThisRun = epoch + 1 - startEpoch;
      if (doneThisRun >= config.epochsPerRun && epoch + 1 < config.epochs) {
        await continueAsNew<typeof sft>({
          ...rawInput,
          resume: { epoch: epoch + 1, checkpointId, firstTrainLoss, lastTrainLoss, valLossByEpoch, steps, seconds, samples },
        });
      }
    }
    const summary: SftSummary = {
      checkpointId,
      trajectorySetId: input.trajectorySetId,
      epochs: config.epochs,
      steps,
      trainLoss: { first: firstTrainLoss, last: lastTrainLoss },
      valLoss: valLossByEpoch[valLossByEpoch.length - 1] ?? null,
      valLossByEpoch,
      backend,
      samplesPerSecond: seconds > 0 ? samples / seconds : 0,
      trainExamples: plan.trainExamples,
      valExamples: plan.valExamples,
      skippedTooLong: plan.skippedTooLong,
      initCheckpointId: plan.initCheckpointId,
    };
    markDone(progress, { checkpointId, steps });
    return summary;
  } catch (e) {
    progress.state = 'failed';
    throw e;
  }
}
