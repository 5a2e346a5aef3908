import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import * as tf from '@tensorflow/tfjs';
import { producingRun } from '../lineage/producingRun.ts';
import { CHECKPOINT_FILE, readCheckpoint, TOKENIZER_FILE, WEIGHTS_FILE } from '../model/checkpointFiles.ts';
import { batchLoss, disposeBatch, makeBatch } from '../model/trainStep.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { SftEpochResultSchema, SftValidateInputSchema, type SftEpochResult, type SftValidateInput } from '../schemas/sft.ts';
import { ensureBackend } from '../training/ensureBackend.ts';
import { sftData } from '../training/sftData.ts';
import { checkpointSpec } from '../training/sftIds.ts';
import { datasetParents } from './sftPrepare.ts';
import type { ActivityDeps } from './ActivityDeps.ts';

/**
 * SFT step 3 (gpu queue), once per epoch: the validation loss of the epoch's last checkpoint over the held-out
 * trajectories (weighted by response tokens), committed as the epoch checkpoint with its train and validation loss.
 */
export function makeSftValidate(deps: ActivityDeps) {
  return async function sftValidate(raw: SftValidateInput): Promise<SftEpochResult> {
    const input = parseInput(SftValidateInputSchema, raw, 'sftValidate input');
    const { config } = input;
    const ctx = Context.current();
    const startedAt = new Date();
    const backend = await ensureBackend(config.backend);
    const data = await sftData(deps.store, input.trajectorySetId, input.tokenizerId, config);
    const ck = await readCheckpoint(deps.store.dirOf(input.checkpointId));
    let valLoss: number;
    try {
      let sum = 0;
      let weight = 0;
      for (let i = 0; i < data.val.length; i += config.batchSize) {
        const batch = makeBatch(await Promise.all(data.val.slice(i, i + config.batchSize).map((r) => data.example(r))), config.model.imageSize);
        sum += batchLoss(ck.params, config.model, batch) * batch.tokens;
        weight += batch.tokens;
        disposeBatch(batch);
        ctx.heartbeat({ validated: i });
        await new Promise((r) => setImmediate(r));
      }
      valLoss = weight ? sum / weight : NaN;
    } finally {
      tf.dispose([...ck.params.values()]);
      ck.optimizer.dispose();
    }
    const st = ck.file.state;
    const src = deps.store.dirOf(input.checkpointId);
    const spec = checkpointSpec({
      role: 'epoch',
      trajectorySetId: input.trajectorySetId,
      tokenizerId: input.tokenizerId,
      initCheckpointId: (await deps.store.require(input.checkpointId)).inputs.init as string | null,
      config,
      backend: backend.active,
      epoch: st.epoch,
      position: st.position,
      step: st.step,
      parents: [input.checkpointId, input.tokenizerId, input.trajectorySetId, ...(await datasetParents(deps, input.trajectorySetId))],
    });
    const { manifest } = await deps.store.commit(spec, () => producingRun(ctx.info, deps.workerIdentity, startedAt), async (dir) => {
      for (const f of [WEIGHTS_FILE, CHECKPOINT_FILE, TOKENIZER_FILE]) await copyFile(path.join(src, f), path.join(dir, f));
      return { epoch: input.epoch, step: st.step, ...(input.trainLoss !== null ? { trainLoss: input.trainLoss } : {}), ...(Number.isFinite(valLoss) ? { valLoss } : {}), valExamples: data.val.length };
    });
    return SftEpochResultSchema.parse({ checkpointId: manifest.id, epoch: input.epoch, valLoss: Number.isFinite(valLoss) ? valLoss : null, trainLoss: input.trainLoss });
  };
}
