import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import { ValidationError } from '../errors/ValidationError.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { producingRun } from '../lineage/producingRun.ts';
import { AdamW } from '../model/AdamW.ts';
import { readCheckpoint, RL_RNG, writeCheckpoint } from '../model/checkpointFiles.ts';
import { buildRlItems } from '../rl/buildRlItems.ts';
import { rlSources } from '../rl/rlSources.ts';
import { rlCheckpointSpec, rlIdentity, rlItemsSpec } from '../rl/rlIds.ts';
import { RL_STEPS_FILE, writeItems } from '../rl/rlFiles.ts';
import type { ArtifactManifest } from '../schemas/artifactManifest.ts';
import { artifactKey } from '../store/ArtifactStore.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { RlPlanSchema, RlPrepareInputSchema, RlStepMetricsSchema, type RlPlan, type RlStepMetrics } from '../schemas/rl.ts';
import { sha256Json } from '../store/sha256.ts';
import { ensureBackend } from '../training/ensureBackend.ts';
import type { ActivityDeps } from './ActivityDeps.ts';

/**
 * RL step 1 (cpu queue): the hierarchy-aware multiple-choice items of the dataset versions (Parquet, with lineage),
 * and the policy's step-0 checkpoint: the starting weights with a fresh optimizer. The starting checkpoint is also
 * the frozen reference of the KL term.
 */
export function makeRlPrepare(deps: ActivityDeps) {
  return async function rlPrepare(raw: z.input<typeof RlPrepareInputSchema>): Promise<RlPlan> {
    const { fromCheckpointId, datasetVersionIds, config } = parseInput(RlPrepareInputSchema, raw, 'rlPrepare input');
    const ctx = Context.current();
    const startedAt = new Date();
    const run = () => producingRun(ctx.info, deps.workerIdentity, startedAt);
    const from = await deps.store.require(fromCheckpointId);
    if (from.kind !== 'checkpoint') throw new ValidationError(`${fromCheckpointId} is a ${from.kind}, not a checkpoint`);
    const h = Hierarchy.fromFile();
    const ids = [...new Set(datasetVersionIds)].sort();

    const { sources, skipped: dropped, rows } = await rlSources(deps.store, ids, config.trainSplits);
    const { items, skipped } = buildRlItems(h, sources, config.seed);
    const allSkipped = { ...dropped };
    for (const [k, v] of Object.entries(skipped)) allSkipped[k] = (allSkipped[k] ?? 0) + v;
    const train = items.filter((i) => config.trainSplits.includes(i.split)).length;
    const heldOut = Math.min(config.heldOutItems, items.filter((i) => i.split === config.heldOutSplit).length);
    if (train === 0) throw new ValidationError(`no RL training items in ${ids.join(', ')} (splits ${config.trainSplits.join(', ')}; skipped: ${JSON.stringify(allSkipped)})`);
    const { manifest: itemsManifest } = await deps.store.commit(rlItemsSpec(ids, h.digest, config), run, async (dir) => {
      await writeItems(items, dir);
      // rows in = items + skipped, by reason.
      return { rowsIn: rows, items: items.length, trainItems: train, heldOutItems: heldOut, ...Object.fromEntries(Object.entries(allSkipped).map(([k, v]) => [`skipped_${k}`, v])) };
    });

    const backend = await ensureBackend(config.backend);
    const spec = rlCheckpointSpec({ referenceCheckpointId: fromCheckpointId, itemsId: itemsManifest.id, step: 0, backend: backend.active, config, parents: [fromCheckpointId] });
    const { manifest: init } = await deps.store.commit(spec, run, async (dir) => {
      const ck = await readCheckpoint(deps.store.dirOf(fromCheckpointId));
      ck.optimizer.dispose();
      const optimizer = new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: config.weightDecay });
      try {
        await writeCheckpoint(dir, {
          params: ck.params,
          optimizer,
          tokenizer: ck.tokenizer,
          modelConfig: ck.file.modelConfig,
          trainingConfigDigest: sha256Json(rlIdentity(config)),
          backend: backend.active,
          state: { step: 0, epoch: 0, position: 0, seed: config.seed, rng: { algorithm: RL_RNG, epoch: 0 } },
        });
      } finally {
        tf.dispose([...ck.params.values()]);
        optimizer.dispose();
      }
      return { step: 0 };
    });
    // RL checkpoints an earlier run of this exact config committed; the metrics of every step come from their rl-steps.json.
    const configDigest = artifactKey(spec).configDigest;
    const mine = (await deps.store.list('checkpoint')).filter((c) => c.inputs.role === 'rl' && c.inputs.reference === fromCheckpointId && c.inputs.itemsId === itemsManifest.id && c.configDigest === configDigest && Number(c.inputs.step) > 0 && Number(c.inputs.step) <= config.steps);
    const last = mine.sort((a, b) => Number(a.inputs.step) - Number(b.inputs.step))[mine.length - 1];
    let latest: RlPlan['latest'] = null;
    if (last) {
      const steps: RlStepMetrics[] = [];
      for (let c: ArtifactManifest | undefined = last; c && Number(c.inputs.step) > 0; c = mine.find((x) => c!.parents.includes(x.id)) ?? undefined) {
        const rows = JSON.parse(await readFile(path.join(deps.store.dirOf(c.id), RL_STEPS_FILE), 'utf8')) as unknown[];
        steps.unshift(...rows.map((row) => RlStepMetricsSchema.parse(row)));
      }
      // Usable only when the chain reaches step 0 without a gap.
      if (steps.length === Number(last.inputs.step) && steps.every((s, i) => s.step === i)) latest = { step: Number(last.inputs.step), checkpointId: last.id, steps };
    }
    return RlPlanSchema.parse({ latest, itemsId: itemsManifest.id, trainItems: train, heldOutItems: heldOut, skipped: allSkipped, referenceCheckpointId: fromCheckpointId, initCheckpointId: init.id });
  };
}
