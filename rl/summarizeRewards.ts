import type { RewardBreakdown, RewardSummary } from '../schemas/rl.ts';

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** Means of the reward and each part, the accuracy, and how many groups carry no learning signal (all equal). */
export function summarizeRewards(rows: RewardBreakdown[], groupSize: number): RewardSummary {
  const totals = rows.map((r) => r.total);
  const m = mean(totals);
  let flatGroups = 0;
  for (let g = 0; g + groupSize <= totals.length; g += groupSize) {
    const grp = totals.slice(g, g + groupSize);
    if (grp.every((x) => x === grp[0])) flatGroups++;
  }
  return {
    completions: rows.length,
    mean: m,
    std: Math.sqrt(mean(totals.map((x) => (x - m) ** 2))),
    format: mean(rows.map((r) => r.format)),
    option: mean(rows.map((r) => r.option)),
    malignancy: mean(rows.map((r) => r.malignancy)),
    accuracy: mean(rows.map((r) => (r.correct ? 1 : 0))),
    flatGroups,
  };
}
