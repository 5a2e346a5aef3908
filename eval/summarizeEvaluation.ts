import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import type { Confusion, Evaluation, Score } from '../schemas/evaluation.ts';
import { scoreAnswers, type Graded } from './scoreAnswers.ts';

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return new Map([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function scores(graded: Graded[], h: Hierarchy, seed: string): Record<string, Score> {
  return Object.fromEntries([...groupBy(graded, (g) => g.item.benchmark)].map(([b, gs]) => [b, scoreAnswers(gs, h, `${seed}\u0000${b}`)]));
}

/** Rows = truth, columns = prediction ("(none)" when no option was chosen), over the labels seen in either. */
function confusion(pairs: Array<[string, string]>): Confusion {
  const labels = [...new Set(pairs.flatMap(([t, p]) => [t, p]))].sort();
  const at = new Map(labels.map((l, i) => [l, i]));
  const matrix = labels.map(() => labels.map(() => 0));
  for (const [t, p] of pairs) matrix[at.get(t)!]![at.get(p)!]!++;
  return { labels, matrix };
}

/**
 * Scores per benchmark, per dataset and per Fitzpatrick type (unknown when the dataset has none), and in-domain
 * confusion matrices at the answer-node level and at the group level of the hierarchy.
 */
export function summarizeEvaluation(graded: Graded[], h: Hierarchy, seed: string): Omit<Evaluation, 'evaluationId' | 'checkpointId' | 'evalSetId' | 'split'> {
  const inDomain = graded.filter((g) => g.item.benchmark === 'indomain');
  const nodeOf = (g: Graded, letter: string | null) => g.item.options.find((o) => o.letter === letter)?.node ?? null;
  const groupOf = (node: string | null) => (node && h.has(node) ? (h.path(node)[1] ?? node) : '(none)');
  const name = (node: string | null) => (node && h.has(node) ? h.node(node).name : '(none)');
  return {
    benchmarks: scores(graded, h, seed),
    byDataset: Object.fromEntries([...groupBy(graded, (g) => g.item.dataset)].map(([d, gs]) => [d, scores(gs, h, seed)])),
    byFitzpatrick: Object.fromEntries([...groupBy(graded, (g) => (g.item.fitzpatrick === null ? 'unknown' : `type ${g.item.fitzpatrick}`))].map(([f, gs]) => [f, scores(gs, h, seed)])),
    confusion: {
      disease: confusion(inDomain.map((g) => [name(nodeOf(g, g.item.answer)), name(nodeOf(g, g.choice))])),
      group: confusion(inDomain.map((g) => [name(groupOf(nodeOf(g, g.item.answer))), g.choice === null ? '(none)' : name(groupOf(nodeOf(g, g.choice)))])),
    },
  };
}
