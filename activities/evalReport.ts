import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { z } from 'zod';
import { EVALUATION_CODE_VERSION } from '../eval/evalCodeVersions.ts';
import { EVALUATION_FILE } from '../eval/evalFiles.ts';
import { gradePredictions } from '../eval/gradePredictions.ts';
import { summarizeEvaluation } from '../eval/summarizeEvaluation.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { producingRun } from '../lineage/producingRun.ts';
import { EvalReportInputSchema, EvaluationSchema, type Evaluation } from '../schemas/evaluation.ts';
import { parseInput } from '../schemas/parseInput.ts';
import type { ActivityDeps } from './ActivityDeps.ts';

/**
 * Evaluation step 3 (cpu queue): grades every answer, scores each benchmark (accuracy with a bootstrap interval,
 * macro-F1, accuracy per hierarchy level) overall, per dataset and per Fitzpatrick type, and commits the
 * `evaluation` artifact (evaluation.json) with the checkpoint, the questions and the answers as parents.
 */
export function makeEvalReport(deps: ActivityDeps) {
  return async function evalReport(raw: z.input<typeof EvalReportInputSchema>): Promise<Evaluation> {
    const input = parseInput(EvalReportInputSchema, raw, 'evalReport input');
    const ctx = Context.current();
    const startedAt = new Date();
    const h = Hierarchy.fromFile();
    const graded = await gradePredictions(deps.store, input.evalSetId, input.predictionIds, h);
    const summary = summarizeEvaluation(graded, h, input.config.seed);
    const spec = { kind: 'evaluation', codeVersion: EVALUATION_CODE_VERSION, inputs: { evalSetId: input.evalSetId, checkpointId: input.checkpointId, predictions: input.predictionIds }, config: { seed: input.config.seed }, parents: [input.checkpointId, input.evalSetId, ...input.predictionIds] };
    const { manifest } = await deps.store.commit(spec, () => producingRun(ctx.info, deps.workerIdentity, startedAt), async (dir) => {
      const metrics = Object.fromEntries(Object.entries(summary.benchmarks).map(([b, s]) => [`accuracy_${b}`, s.accuracy.value]));
      await writeFile(path.join(dir, EVALUATION_FILE), JSON.stringify({ checkpointId: input.checkpointId, evalSetId: input.evalSetId, ...summary }, null, 1) + '\n');
      return { questions: graded.length, ...metrics };
    });
    return EvaluationSchema.parse({ evaluationId: manifest.id, checkpointId: input.checkpointId, evalSetId: input.evalSetId, split: input.config.split, ...summary });
  };
}
