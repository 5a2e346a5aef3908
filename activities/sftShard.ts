import { Context, log } from '@temporalio/activity';
import * as tf from '@tensorflow/tfjs';
import { producingRun } from '../lineage/producingRun.ts';
import { learningRateAt } from '../model/AdamW.ts';
import { readCheckpoint, SFT_RNG, writeCheckpoint, type LoadedCheckpoint } from '../model/checkpointFiles.ts';
import { disposeBatch, makeBatch, trainStep } from '../model/trainStep.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { SftHeartbeatSchema, SftShardInputSchema, SftShardResultSchema, type SftShardInput, type SftShardResult } from '../schemas/sft.ts';
import { sha256Json } from '../store/sha256.ts';
import { augmentationOp, dihedral } from '../training/augmentImage.ts';
import { ensureBackend } from '../training/ensureBackend.ts';
import { epochOrder } from '../training/sftExamples.ts';
import { sftData } from '../training/sftData.ts';
import { checkpointSpec, sftIdentity } from '../training/sftIds.ts';
import { datasetParents } from './sftPrepare.ts';
import type { ActivityDeps } from './ActivityDeps.ts';

function release(c: LoadedCheckpoint): void {
  tf.dispose([...c.params.values()]);
  c.optimizer.dispose();
}

/**
 * SFT step 2 (gpu queue), one shard: trains a contiguous range of the epoch's seeded order from a checkpoint, with
 * teacher forcing and the loss on response tokens. Every `checkpointEvery` steps it commits a step checkpoint and then
 * heartbeats `{step, checkpointId}`; a retried attempt reads that heartbeat and continues from the checkpoint instead
 * of the shard's start. It yields to the event loop between steps so heartbeats and cancellation get through.
 */
export function makeSftShard(deps: ActivityDeps) {
  return async function sftShard(raw: SftShardInput): Promise<SftShardResult> {
    const input = parseInput(SftShardInputSchema, raw, 'sftShard input');
    const { config, epoch, from, to } = input;
    const ctx = Context.current();
    const startedAt = new Date();
    const t0 = performance.now();
    const backend = await ensureBackend(config.backend);
    const data = await sftData(deps.store, input.trajectorySetId, input.tokenizerId, config);
    const order = epochOrder(data.train.length, config.seed, epoch);
    const lineage = [input.tokenizerId, input.trajectorySetId, ...(await datasetParents(deps, input.trajectorySetId))];
    const initCheckpointId = input.initCheckpointId;

    const hb = SftHeartbeatSchema.safeParse(ctx.info.heartbeatDetails);
    const startId = hb.success ? hb.data.checkpointId : input.fromCheckpointId;
    const ck = await readCheckpoint(deps.store.dirOf(startId));
    const st = ck.file.state;
    // A checkpoint from this epoch carries its position; one from before (the previous epoch's end, or init) starts at 0.
    let position = st.epoch === epoch && hb.success ? st.position : from;
    if (position < from || position > to) throw new Error(`checkpoint ${startId} is at position ${position} of epoch ${st.epoch}, outside shard [${from}, ${to}) of epoch ${epoch}`);
    let step = st.step;
    const resumedFrom = hb.success ? step : null;
    if (hb.success) log.info('resuming shard from step checkpoint', { step, checkpointId: startId, position });
    log.info('training shard', { backend: backend.active, epoch, shard: input.shard, from, to });

    const losses: number[] = [];
    let samples = 0;
    let tokens = 0;
    let lastCheckpoint = startId;
    ctx.heartbeat({ step, checkpointId: lastCheckpoint });
    const commit = async (role: 'step' | 'shard') => {
      const spec = checkpointSpec({ role, trajectorySetId: input.trajectorySetId, tokenizerId: input.tokenizerId, initCheckpointId, config, backend: backend.active, epoch, position, step, parents: [lastCheckpoint, ...lineage] });
      const { manifest } = await deps.store.commit(spec, () => producingRun(ctx.info, deps.workerIdentity, startedAt), async (dir) => {
        await writeCheckpoint(dir, {
          params: ck.params,
          optimizer: ck.optimizer,
          tokenizer: data.tokenizer,
          modelConfig: config.model,
          trainingConfigDigest: sha256Json(sftIdentity(config)),
          backend: backend.active,
          state: { step, epoch, position, seed: config.seed, rng: { algorithm: SFT_RNG, epoch } },
        });
        // attemptStartStep: where this attempt began (a resumed attempt starts at its step checkpoint, not the shard start).
        return { step, epoch, position, attempt: ctx.info.attempt, attemptStartStep: resumedFrom ?? st.step, ...(losses.length ? { loss: losses[losses.length - 1]! } : {}) };
      });
      lastCheckpoint = manifest.id;
      ctx.heartbeat({ step, checkpointId: lastCheckpoint });
    };

    const totalSteps = input.totalSteps;
    try {
      while (position < to) {
        const rows = order.slice(position, Math.min(position + config.batchSize, to)).map((i) => data.train[i]!);
        const examples = await Promise.all(rows.map((r) => data.example(r)));
        if (config.augment === 'dihedral') examples.forEach((e, j) => (e.image = dihedral(e.image, config.model.imageSize, augmentationOp(config.seed, epoch, position + j))));
        const batch = makeBatch(examples, config.model.imageSize);
        const lr = learningRateAt(step, totalSteps, config.learningRate, config.minLearningRate, config.warmupRatio);
        const { loss } = trainStep(ck.params, config.model, ck.optimizer, batch, lr, config.gradClip);
        tokens += batch.tokens;
        disposeBatch(batch);
        if (!Number.isFinite(loss)) throw new Error(`loss became ${loss} at step ${step}; lower the learning rate`);
        losses.push(loss);
        samples += rows.length;
        position += rows.length;
        step++;
        if (step % config.checkpointEvery === 0 && position < to) await commit('step');
        else ctx.heartbeat({ step, checkpointId: lastCheckpoint });
        // Tensor work is synchronous: let the heartbeat and cancellation through between steps.
        await new Promise((r) => setImmediate(r));
      }
      await commit('shard');
      const mean = losses.length ? losses.reduce((a, b) => a + b, 0) / losses.length : null;
      return SftShardResultSchema.parse({
        checkpointId: lastCheckpoint,
        step,
        firstLoss: losses[0] ?? null,
        lastLoss: losses[losses.length - 1] ?? null,
        meanLoss: mean,
        samples,
        tokens,
        seconds: (performance.now() - t0) / 1000,
        resumedFrom,
        backend: backend.active,
      });
    } finally {
      release(ck);
    }
  };
}
