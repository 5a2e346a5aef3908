import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { Rng } from '../datasets/synthetic/Rng.ts';
import { drawOptions } from '../rl/buildRlItems.ts';
import { mcPrompt } from '../rl/mcPrompt.ts';
import { parseAnswer, TAGS } from '../distill/trajectoryText.ts';
import type { SftRow } from './sftExamples.ts';

/**
 * Gives a share of SFT examples the RL stage's multiple-choice prompt, drawn the way RL items are (correct options
 * from the trajectory's hierarchy path, distractors from the set's other label nodes). When the finest correct option
 * is an ancestor of the trajectory's diagnosis, the final answer names that option instead, which is what the RL
 * prompt asks ("the most specific option"); the reasoning is unchanged. A 7B model pretrained on language reads a
 * new prompt format without help; our small model trained from scratch has only seen what SFT shows it, and with the
 * SFT prompts alone it answered the RL prompt well-formed 29 % of the time (100 % with the SFT prompt). Chosen per
 * trajectory from the seed, so every worker and every epoch sees the same prompts.
 */
export function withChoicePrompts(rows: SftRow[], h: Hierarchy, seed: string, share: number): SftRow[] {
  if (share <= 0) return rows;
  const pool = [...new Set(rows.filter((r) => h.has(r.target)).flatMap((r) => h.path(r.target).slice(1)))].sort();
  return rows.map((r) => {
    const rng = new Rng(`choice-prompt\u0000${seed}\u0000${r.trajectoryId}`);
    const parsed = parseAnswer(r.text);
    if (rng.next() >= share || !h.has(r.target) || !parsed?.bucket) return r;
    const drawn = drawOptions(h, h.path(r.target).slice(1), pool, rng);
    if (!drawn) return r;
    const answer = drawn.options.find((o) => o.letter === drawn.answer)!;
    // The answer names the finest offered option; reasoning and bucket stay as the trajectory has them.
    const text = answer.node === r.target ? r.text : `${TAGS.thinkingOpen}${parsed.thinking}${TAGS.thinkingClose}${TAGS.finalOpen}${answer.text} (${parsed.bucket})${TAGS.finalClose}`;
    return { ...r, prompt: mcPrompt(drawn.options), text };
  });
}
