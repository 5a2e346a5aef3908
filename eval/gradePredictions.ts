import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import type { ArtifactStore } from '../store/ArtifactStore.ts';
import { readPredictions, readQuestions } from './evalFiles.ts';
import { gradeAnswer, type Graded } from './scoreAnswers.ts';

/**
 * Every answer of an evaluation's prediction shards graded against its eval set's questions, in question order. Refuses
 * answers that are missing, extra or matched to another question: a silent mismatch would score the wrong item.
 */
export async function gradePredictions(store: ArtifactStore, evalSetId: string, predictionIds: string[], h: Hierarchy): Promise<Graded[]> {
  const questions = await readQuestions(store, evalSetId);
  const answers = (await Promise.all(predictionIds.map((id) => readPredictions(store, id)))).flat();
  if (answers.length !== questions.length) throw new Error(`${answers.length} answers for ${questions.length} questions of ${evalSetId}`);
  return answers
    .map((a) => {
      const q = questions[a.index];
      if (!q || q.itemId !== a.item_id || q.benchmark !== a.benchmark) throw new Error(`answer ${a.index} does not match question ${a.index} of ${evalSetId}`);
      return { index: a.index, graded: gradeAnswer(q, a.completion, h) };
    })
    .sort((x, y) => x.index - y.index)
    .map((x) => x.graded);
}
