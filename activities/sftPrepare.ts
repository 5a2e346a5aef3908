import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { z } from 'zod';
import { ValidationError } from '../errors/ValidationError.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { producingRun } from '../lineage/producingRun.ts';
import { AdamW } from '../model/AdamW.ts';
import { readCheckpoint, SFT_RNG, TOKENIZER_FILE, writeCheckpoint } from '../model/checkpointFiles.ts';
import { initParams } from '../model/initParams.ts';
import { mcPromptCorpus } from '../rl/mcPrompt.ts';
import { Tokenizer } from '../model/Tokenizer.ts';
import { bucketPhrases, prompts } from '../distill/trajectoryText.ts';
import { ArtifactIdSchema } from '../schemas/artifactManifest.ts';
import { SftConfigSchema } from '../schemas/model.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { SftPlanSchema, type SftPlan } from '../schemas/sft.ts';
import { artifactKey } from '../store/ArtifactStore.ts';
import { sha256Json } from '../store/sha256.ts';
import { ensureBackend } from '../training/ensureBackend.ts';
import { readSftRows } from '../training/sftExamples.ts';
import { sftData, VAL_RATIO } from '../training/sftData.ts';
import { checkpointSpec, sftIdentity, shardRanges, tokenizerSpec } from '../training/sftIds.ts';
import * as tf from '@tensorflow/tfjs';
import type { ActivityDeps } from './ActivityDeps.ts';

export const SftPrepareInputSchema = z.object({
  trajectorySetId: ArtifactIdSchema,
  baseCheckpointId: ArtifactIdSchema.nullable(),
  config: SftConfigSchema,
});

/** Dataset versions a trajectory set came from (its parents other than the knowledge base), for checkpoint lineage. */
export async function datasetParents(deps: ActivityDeps, trajectorySetId: string): Promise<string[]> {
  const m = await deps.store.require(trajectorySetId);
  return m.parents.filter((p) => p.startsWith('dataset-version-'));
}

/**
 * SFT step 1 (cpu queue): the tokenizer (built from the trajectories, the prompts and every hierarchy name, or the
 * base checkpoint's own), the train/validation split, the epoch plan, and the checkpoint epoch 0 starts from.
 */
export function makeSftPrepare(deps: ActivityDeps) {
  return async function sftPrepare(raw: z.input<typeof SftPrepareInputSchema>): Promise<SftPlan> {
    const { trajectorySetId, baseCheckpointId, config } = parseInput(SftPrepareInputSchema, raw, 'sftPrepare input');
    const ctx = Context.current();
    const startedAt = new Date();
    const set = await deps.store.require(trajectorySetId);
    if (set.kind !== 'trajectory-set') throw new ValidationError(`${trajectorySetId} is a ${set.kind}, not a trajectory set`);
    const h = Hierarchy.fromFile();
    const run = () => producingRun(ctx.info, deps.workerIdentity, startedAt);

    let tokenizer: Tokenizer;
    if (baseCheckpointId) {
      // Continuing from a checkpoint keeps its vocabulary (its embedding rows are indexed by it) and its model shape.
      const base = await readCheckpoint(deps.store.dirOf(baseCheckpointId));
      tf.dispose([...base.params.values()]);
      base.optimizer.dispose();
      if (sha256Json(base.file.modelConfig) !== sha256Json(config.model)) throw new ValidationError(`base checkpoint ${baseCheckpointId} has another model config than the one asked for`);
      tokenizer = base.tokenizer;
    } else {
      const { train, val } = await readSftRows(deps.store, trajectorySetId, config.seed, VAL_RATIO);
      const corpus = [...Object.values(prompts), mcPromptCorpus, ...Object.values(bucketPhrases), ...h.nodes().map((n) => n.name), ...[...train, ...val].map((r) => r.text)];
      tokenizer = Tokenizer.build(corpus);
    }
    const { manifest: tok } = await deps.store.commit(tokenizerSpec(trajectorySetId, h.digest, tokenizer.digest), run, async (dir) => {
      await writeFile(path.join(dir, TOKENIZER_FILE), JSON.stringify(tokenizer.file));
      return { vocabSize: tokenizer.size };
    });
    const data = await sftData(deps.store, trajectorySetId, tok.id, config);
    if (data.train.length === 0) throw new ValidationError(`trajectory set ${trajectorySetId} has no trajectory that fits the model (maxLen ${config.model.maxLen}); ${data.skippedTooLong} are longer`);

    let initCheckpointId = baseCheckpointId;
    if (!initCheckpointId) {
      const backend = await ensureBackend(config.backend);
      const spec = checkpointSpec({ role: 'init', trajectorySetId, tokenizerId: tok.id, initCheckpointId: null, config, backend: backend.active, epoch: 0, position: 0, step: 0, parents: [tok.id, trajectorySetId, ...(await datasetParents(deps, trajectorySetId))] });
      const { manifest } = await deps.store.commit(spec, run, async (dir) => {
        const params = initParams(config.model, tokenizer.size, config.seed);
        const optimizer = new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: config.weightDecay });
        try {
          await writeCheckpoint(dir, { params, optimizer, tokenizer, modelConfig: config.model, trainingConfigDigest: sha256Json(sftIdentity(config)), backend: backend.active, state: { step: 0, epoch: 0, position: 0, seed: config.seed, rng: { algorithm: SFT_RNG, epoch: 0 } } });
        } finally {
          tf.dispose([...params.values()]);
          optimizer.dispose();
        }
        return { step: 0, epoch: 0 };
      });
      initCheckpointId = manifest.id;
    }
    const shards = shardRanges(data.train.length, config.shardSize, config.batchSize);
    // Epoch checkpoints of this very run (same data, tokenizer, start and weight-determining config), by epoch.
    const configDigest = artifactKey(checkpointSpec({ role: 'epoch', trajectorySetId, tokenizerId: tok.id, initCheckpointId, config, backend: '', epoch: 0, position: 0, step: 0, parents: [] })).configDigest;
    const epochs = (await deps.store.list('checkpoint'))
      .filter((c) => c.inputs.role === 'epoch' && c.inputs.trajectorySetId === trajectorySetId && c.inputs.tokenizerId === tok.id && c.inputs.init === initCheckpointId && c.configDigest === configDigest && Number(c.inputs.epoch) < config.epochs)
      .sort((a, b) => Number(a.inputs.epoch) - Number(b.inputs.epoch));
    const last = epochs[epochs.length - 1];
    const latest = last
      ? { epoch: Number(last.inputs.epoch), checkpointId: last.id, step: Number(last.inputs.step), valLossByEpoch: Array.from({ length: Number(last.inputs.epoch) + 1 }, (_, e) => { const v = epochs.find((c) => Number(c.inputs.epoch) === e)?.metrics.valLoss; return typeof v === 'number' ? v : null; }) }
      : null;
    return SftPlanSchema.parse({
      latest,
      tokenizerId: tok.id,
      initCheckpointId,
      trainExamples: data.train.length,
      valExamples: data.val.length,
      skippedTooLong: data.skippedTooLong,
      shardsPerEpoch: shards.length,
      stepsPerEpoch: shards.reduce((a, s) => a + Math.ceil((s.to - s.from) / config.batchSize), 0),
      vocabSize: tokenizer.size,
    });
  };
}
