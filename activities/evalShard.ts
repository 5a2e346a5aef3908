import { Context, log } from '@temporalio/activity';
import * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import { EVAL_PREDICTIONS_CODE_VERSION } from '../eval/evalCodeVersions.ts';
import { readQuestions, writePredictions, type PredictionRow } from '../eval/evalFiles.ts';
import { producingRun } from '../lineage/producingRun.ts';
import { readCheckpoint } from '../model/checkpointFiles.ts';
import { decodeAll } from '../model/generateBatch.ts';
import { EvalShardInputSchema, EvalShardResultSchema } from '../schemas/evaluation.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { ensureBackend } from '../training/ensureBackend.ts';
import { ImageLoader } from '../training/loadImage.ts';
import type { ActivityDeps } from './ActivityDeps.ts';

/**
 * Evaluation step 2 (gpu queue): greedy answers of a checkpoint to a range of questions, as in the method's protocol,
 * committed per shard (named by checkpoint, questions and range, so a retried or repeated shard is reused).
 */
export function makeEvalShard(deps: ActivityDeps) {
  return async function evalShard(raw: z.input<typeof EvalShardInputSchema>): Promise<z.infer<typeof EvalShardResultSchema>> {
    const input = parseInput(EvalShardInputSchema, raw, 'evalShard input');
    const ctx = Context.current();
    const startedAt = new Date();
    const t0 = performance.now();
    const spec = { kind: 'eval-predictions', codeVersion: EVAL_PREDICTIONS_CODE_VERSION, inputs: { evalSetId: input.evalSetId, checkpointId: input.checkpointId, from: input.from, to: input.to }, config: { maxNewTokens: input.config.maxNewTokens }, parents: [input.evalSetId, input.checkpointId] };
    const existing = await deps.store.find(spec);
    if (existing) return EvalShardResultSchema.parse({ predictionsId: existing.id, answered: input.to - input.from, seconds: 0, tokensPerSecond: 0 });
    await ensureBackend(input.config.backend);
    log.info('evaluating shard', { checkpointId: input.checkpointId, from: input.from, to: input.to });
    const questions = (await readQuestions(deps.store, input.evalSetId)).slice(input.from, input.to);
    const ck = await readCheckpoint(deps.store.dirOf(input.checkpointId));
    let tokens = 0;
    const rows: PredictionRow[] = [];
    try {
      const cfg = ck.file.modelConfig;
      const images = new ImageLoader(deps.store.root, cfg.imageSize);
      const inputs = await Promise.all(questions.map(async (q) => ({ image: await images.load(q.imageSha256), prompt: ck.tokenizer.encode(q.prompt), seed: 'greedy' })));
      const outs = await decodeAll(ck.params, cfg, inputs, { maxNewTokens: input.config.maxNewTokens, temperature: 0, onBatch: (answered) => ctx.heartbeat({ answered }) });
      questions.forEach((q, i) => {
        tokens += outs[i]!.length;
        rows.push({ index: input.from + i, benchmark: q.benchmark, item_id: q.itemId, completion: ck.tokenizer.decode(outs[i]!) });
      });
    } finally {
      tf.dispose([...ck.params.values()]);
      ck.optimizer.dispose();
    }
    const { manifest } = await deps.store.commit(spec, () => producingRun(ctx.info, deps.workerIdentity, startedAt), async (dir) => {
      await writePredictions(rows, dir);
      return { answered: rows.length, tokens };
    });
    const seconds = (performance.now() - t0) / 1000;
    return EvalShardResultSchema.parse({ predictionsId: manifest.id, answered: rows.length, seconds, tokensPerSecond: seconds > 0 ? tokens / seconds : 0 });
  };
}
