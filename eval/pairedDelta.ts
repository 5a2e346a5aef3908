import type { PairedDelta } from '../schemas/evaluation.ts';
import { bootstrapMean } from './scoreAnswers.ts';

/**
 * McNemar's exact test: under "neither checkpoint is better" each discordant question is a fair coin, so the two-sided
 * p is twice the binomial tail of the smaller count (at most 1). Exact rather than chi-squared because stage
 * comparisons often have a few dozen discordant questions.
 */
export function mcnemarExactP(gained: number, lost: number): number {
  const m = gained + lost;
  if (m === 0) return 1;
  const k = Math.min(gained, lost);
  // Sum C(m, i) / 2^m for i <= k in log space, so large m neither overflows nor underflows.
  let logC = 0;
  let tail = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(m - i + 1) - Math.log(i);
    tail += Math.exp(logC - m * Math.LN2);
  }
  return Math.min(1, 2 * tail);
}

/**
 * The change from `before` to `after`, two checkpoints' correctness on the same questions in the same order. The
 * interval resamples questions (not the two runs independently): a paired comparison is far tighter than two
 * overlapping per-checkpoint intervals suggest. Seeded, so a report is reproducible.
 */
export function pairedDelta(before: boolean[], after: boolean[], seed: string): PairedDelta {
  if (before.length !== after.length) throw new Error(`paired comparison of ${before.length} and ${after.length} answers`);
  const d = before.map((b, i) => (after[i]! ? 1 : 0) - (b ? 1 : 0));
  const gained = d.filter((x) => x > 0).length;
  const lost = d.filter((x) => x < 0).length;
  const share = (xs: boolean[]) => (xs.length ? xs.filter(Boolean).length / xs.length : 0);
  return { n: d.length, before: share(before), after: share(after), delta: bootstrapMean(d, `paired\u0000${seed}`), gained, lost, p: mcnemarExactP(gained, lost) };
}
