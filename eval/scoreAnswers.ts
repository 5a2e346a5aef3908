import { Rng } from '../datasets/synthetic/Rng.ts';
import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { finalContent, formatReward, readChoice, statedBucket } from '../rl/hierarchicalReward.ts';
import { bucketPhrases } from '../distill/trajectoryText.ts';
import type { BenchmarkItem, Interval, Score } from '../schemas/evaluation.ts';

/** One graded answer: the letter it chose (or null), whether that is the answer, whether it was well formed. */
export interface Graded {
  item: BenchmarkItem;
  choice: string | null;
  correct: boolean;
  wellFormed: boolean;
}

/**
 * Reads a model's answer to a benchmark item: the option letter or text inside <final diagnosis> (as the reward
 * does); for the bucket benchmark an answer that only states a bucket ("melanoma (malignant)") picks that bucket.
 */
export function gradeAnswer(item: BenchmarkItem, completion: string, h: Hierarchy): Graded {
  const final = finalContent(completion);
  let choice = final === null ? null : readChoice(final, item.options.map((o) => ({ ...o, node: o.node ?? 'unspecified_lesion' })), h);
  if (choice === null && final !== null && item.benchmark === 'bucket') {
    const b = statedBucket(final);
    choice = b ? (item.options.find((o) => o.text === bucketPhrases[b])?.letter ?? null) : null;
  }
  return { item, choice, correct: choice === item.answer, wellFormed: formatReward(completion) === 1 };
}

/** Percentile bootstrap interval of a mean (seeded, so a report is reproducible). */
export function bootstrapMean(xs: number[], seed: string, resamples = 1000, level = 0.95): Interval {
  const n = xs.length;
  const value = n ? xs.reduce((a, b) => a + b, 0) / n : 0;
  if (n === 0) return { value: 0, low: 0, high: 0 };
  const rng = new Rng(`bootstrap\u0000${seed}`);
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += xs[Math.floor(rng.next() * n)]!;
    means.push(s / n);
  }
  means.sort((a, b) => a - b);
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!;
  return { value, low: at((1 - level) / 2), high: at(1 - (1 - level) / 2) };
}

/** Unweighted mean of per-class F1 over the classes that occur as answers. */
export function macroF1(pairs: Array<{ truth: string; predicted: string | null }>): number {
  const classes = [...new Set(pairs.map((p) => p.truth))];
  if (classes.length === 0) return 0;
  const f1 = classes.map((c) => {
    const tp = pairs.filter((p) => p.truth === c && p.predicted === c).length;
    const fp = pairs.filter((p) => p.truth !== c && p.predicted === c).length;
    const fn = pairs.filter((p) => p.truth === c && p.predicted !== c).length;
    return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  });
  return f1.reduce((a, b) => a + b, 0) / f1.length;
}

const LEVELS = ['group', 'category', 'disease'] as const;

/**
 * Accuracy with its bootstrap interval, macro-F1 over answer classes, and for node benchmarks the share of answers
 * agreeing with the truth at each level of the hierarchy (a wrong disease in the right category still counts at the
 * category level; no answer counts as wrong everywhere).
 */
export function scoreAnswers(graded: Graded[], h: Hierarchy, seed: string): Score {
  const classOf = (g: Graded) => {
    const o = g.item.options.find((x) => x.letter === g.choice);
    return o ? (o.node ?? o.text) : null;
  };
  const answerClass = (g: Graded) => {
    const o = g.item.options.find((x) => x.letter === g.item.answer)!;
    return o.node ?? o.text;
  };
  const levels: Record<string, number> = {};
  const nodeItems = graded.filter((g) => g.item.benchmark !== 'bucket');
  if (nodeItems.length) {
    LEVELS.forEach((name, i) => {
      const applicable = nodeItems.filter((g) => g.item.path.length > i);
      if (!applicable.length) return;
      const ok = applicable.filter((g) => {
        const o = g.item.options.find((x) => x.letter === g.choice);
        if (!o?.node || !h.has(o.node)) return false;
        const p = h.path(o.node).slice(1);
        return p.length > i && p[i] === g.item.path[i];
      }).length;
      levels[name] = ok / applicable.length;
    });
  }
  return {
    n: graded.length,
    accuracy: bootstrapMean(graded.map((g) => (g.correct ? 1 : 0)), seed),
    macroF1: macroF1(graded.map((g) => ({ truth: answerClass(g), predicted: classOf(g) }))),
    levels,
    wellFormed: graded.length ? graded.filter((g) => g.wellFormed).length / graded.length : 0,
  };
}
