import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { Rng } from '../datasets/synthetic/Rng.ts';
import { mcPrompt } from '../rl/mcPrompt.ts';
import type { SftRow } from './sftExamples.ts';

/**
 * Gives a share of SFT examples the RL stage's multiple-choice prompt: the trajectory's own diagnosis among up to
 * three other diagnoses of the set (never its ancestors or descendants), shuffled into letters. The trajectory and its
 * final answer are unchanged, and the answer is one option's text. A 7B model pretrained on language reads a new
 * prompt format without help; our small model trained from scratch has only ever seen what SFT shows it, so without
 * this the RL prompt is out of distribution (measured: 29 % well-formed greedy answers against 100 % with the SFT
 * prompt). Chosen per trajectory from the seed, so every worker and every epoch sees the same prompts.
 */
export function withChoicePrompts(rows: SftRow[], h: Hierarchy, seed: string, share: number): SftRow[] {
  if (share <= 0) return rows;
  const targets = [...new Set(rows.map((r) => r.target))].filter((t) => h.has(t)).sort();
  return rows.map((r) => {
    const rng = new Rng(`choice-prompt\u0000${seed}\u0000${r.trajectoryId}`);
    if (rng.next() >= share || !h.has(r.target)) return r;
    const others = targets.filter((t) => !h.isAncestorOrSelf(t, r.target) && !h.isAncestorOrSelf(r.target, t));
    const nodes = rng.shuffle([r.target, ...rng.shuffle(others).slice(0, 3)]);
    return { ...r, prompt: mcPrompt(nodes.map((n, i) => ({ letter: 'ABCD'[i]!, text: h.node(n).name }))) };
  });
}
