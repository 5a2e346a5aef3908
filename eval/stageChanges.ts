import { z } from 'zod';
import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { parseInput } from '../schemas/parseInput.ts';
import type { Evaluation, StageChange } from '../schemas/evaluation.ts';
import type { ArtifactStore } from '../store/ArtifactStore.ts';
import { gradePredictions } from './gradePredictions.ts';
import { pairedDelta } from './pairedDelta.ts';

/**
 * What each stage changed over the one before it (base -> sft -> sft+rl), per benchmark, paired on the same
 * questions: each evaluation's stored answers are graded again, so the comparison needs nothing but the artifacts.
 * Consecutive evaluations of different eval sets are not comparable question by question and are left out. The
 * bootstrap is seeded by the two evaluations, so the same pair always reports the same interval.
 */
export async function stageChanges(store: ArtifactStore, evaluations: Array<{ label: string; evaluation: Evaluation }>, h: Hierarchy): Promise<StageChange[]> {
  const correctness = await Promise.all(
    evaluations.map(async ({ evaluation }) => {
      const manifest = await store.require(evaluation.evaluationId);
      const predictionIds = parseInput(z.array(z.string()), manifest.inputs.predictions, `${evaluation.evaluationId} manifest inputs.predictions`);
      const byBenchmark = new Map<string, boolean[]>();
      for (const g of await gradePredictions(store, evaluation.evalSetId, predictionIds, h)) {
        const list = byBenchmark.get(g.item.benchmark) ?? [];
        list.push(g.correct);
        byBenchmark.set(g.item.benchmark, list);
      }
      return byBenchmark;
    }),
  );
  const out: StageChange[] = [];
  for (let i = 1; i < evaluations.length; i++) {
    const a = evaluations[i - 1]!;
    const b = evaluations[i]!;
    if (a.evaluation.evalSetId !== b.evaluation.evalSetId) continue;
    const benchmarks: StageChange['benchmarks'] = {};
    for (const [benchmark, before] of correctness[i - 1]!) {
      const after = correctness[i]!.get(benchmark);
      if (after) benchmarks[benchmark] = pairedDelta(before, after, `${a.evaluation.evaluationId}\u0000${b.evaluation.evaluationId}\u0000${benchmark}`);
    }
    out.push({ from: a.label, to: b.label, benchmarks });
  }
  return out;
}
