import { Context } from '@temporalio/activity';
import type { z } from 'zod';
import { buildBenchmarks } from '../eval/buildBenchmarks.ts';
import { EVAL_SET_CODE_VERSION } from '../eval/evalCodeVersions.ts';
import { writeQuestions } from '../eval/evalFiles.ts';
import { ancestorsOfKind } from '../eval/ancestorsOfKind.ts';
import { ValidationError } from '../errors/ValidationError.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { defaultKnowledgeDir, KnowledgeBase } from '../knowledge/KnowledgeBase.ts';
import { producingRun } from '../lineage/producingRun.ts';
import { buildRlItems } from '../rl/buildRlItems.ts';
import { rlSources } from '../rl/rlSources.ts';
import { EvalPlanSchema, EvalPrepareInputSchema, type EvalPlan } from '../schemas/evaluation.ts';
import { parseInput } from '../schemas/parseInput.ts';
import type { ActivityDeps } from './ActivityDeps.ts';

/**
 * Evaluation step 1 (cpu queue): the benchmark questions of the held-out split of the dataset versions (those in the
 * checkpoint's lineage unless named), committed as an `eval-set` artifact. The set depends on the data, hierarchy,
 * knowledge base and seed, not on the checkpoint, so every checkpoint of a run (and every ablation) answers the same
 * questions.
 */
export function makeEvalPrepare(deps: ActivityDeps) {
  return async function evalPrepare(raw: z.input<typeof EvalPrepareInputSchema>): Promise<EvalPlan> {
    const input = parseInput(EvalPrepareInputSchema, raw, 'evalPrepare input');
    const { config } = input;
    const ctx = Context.current();
    const startedAt = new Date();
    const ck = await deps.store.require(input.checkpointId);
    if (ck.kind !== 'checkpoint') throw new ValidationError(`${input.checkpointId} is a ${ck.kind}, not a checkpoint`);
    const ids = input.datasetVersionIds.length ? [...new Set(input.datasetVersionIds)].sort() : await ancestorsOfKind(deps.store, input.checkpointId, 'dataset-version');
    if (ids.length === 0) throw new ValidationError(`checkpoint ${input.checkpointId} has no dataset version in its lineage; name some with --datasets`);
    const h = Hierarchy.fromFile();
    const { kb } = KnowledgeBase.load(defaultKnowledgeDir, h);
    const { sources } = await rlSources(deps.store, ids, ['train']);
    const items = buildRlItems(h, sources.filter((s) => s.split === config.split), config.seed).items;
    let questions = buildBenchmarks(h, kb, items, config.seed).sort((a, b) => (a.benchmark < b.benchmark ? -1 : a.benchmark > b.benchmark ? 1 : a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
    if (config.maxPerBenchmark > 0) {
      const seen = new Map<string, number>();
      questions = questions.filter((q) => {
        const n = seen.get(q.benchmark) ?? 0;
        seen.set(q.benchmark, n + 1);
        return n < config.maxPerBenchmark;
      });
    }
    if (questions.length === 0) throw new ValidationError(`no ${config.split} images with a neoplastic label in ${ids.join(', ')}`);
    const byBenchmark: Record<string, number> = {};
    for (const q of questions) byBenchmark[q.benchmark] = (byBenchmark[q.benchmark] ?? 0) + 1;
    const spec = { kind: 'eval-set', codeVersion: EVAL_SET_CODE_VERSION, inputs: { datasetVersionIds: ids, hierarchy: h.digest, knowledge: kb.digest }, config: { split: config.split, seed: config.seed, maxPerBenchmark: config.maxPerBenchmark }, parents: ids };
    const { manifest } = await deps.store.commit(spec, () => producingRun(ctx.info, deps.workerIdentity, startedAt), async (dir) => {
      await writeQuestions(questions, dir);
      return { questions: questions.length, ...byBenchmark };
    });
    const shards: Array<{ from: number; to: number }> = [];
    for (let from = 0; from < questions.length; from += config.shardSize) shards.push({ from, to: Math.min(questions.length, from + config.shardSize) });
    return EvalPlanSchema.parse({ evalSetId: manifest.id, datasetVersionIds: ids, questions: questions.length, byBenchmark, shards });
  };
}
