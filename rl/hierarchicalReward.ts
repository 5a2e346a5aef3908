import { normalizeTerm, type Hierarchy } from '../hierarchy/Hierarchy.ts';
import type { RewardBreakdown, RewardVariant, RlBucket, RlItem } from '../schemas/rl.ts';

/** Bump when any scoring rule changes: it is part of every RL checkpoint's identity and lineage. */
export const REWARD_VERSION = 'skinr1-reward@1';

/** The method's weights: format 1, option up to 0.75, malignancy 0.25 (at most 2.0 in all). */
export const REWARD_WEIGHTS = { format: 1, option: 0.75, malignancy: 0.25 } as const;

/** What goes into lineage: the version, the variant and its parameters. */
export function rewardSpec(variant: RewardVariant): { version: string; variant: RewardVariant; weights: typeof REWARD_WEIGHTS } {
  return { version: REWARD_VERSION, variant, weights: REWARD_WEIGHTS };
}

const FORMAT = /^\s*<thinking>.*?<\/thinking>\s*<final diagnosis>.*?<\/final diagnosis>\s*$/is;
const FINAL = /<final diagnosis>(.*?)<\/final diagnosis>/is;
// A letter on its own at the start, bare or bracketed ("B", "(B)", "[B]", "B:", "B. text"); "Basal cell" is not a letter.
const LETTER = /^[\s:([]*([A-Z])(?![A-Za-z])/;
const BUCKET = /\b(benign|precancerous|malignant)\b/i;
const TRAILING_BUCKET = /[\s,;:-]*[([]?\s*(?:benign|malignant|precancerous(?: in situ)?|non-neoplastic)\s*[)\]]?\s*\.?\s*$/i;

/** 1 when the completion is exactly `<thinking>…</thinking>` then `<final diagnosis>…</final diagnosis>`, else 0. */
export function formatReward(completion: string): number {
  return FORMAT.test(completion) ? 1 : 0;
}

/** The text inside the first `<final diagnosis>` pair, or null. */
export function finalContent(completion: string): string | null {
  const m = FINAL.exec(completion);
  return m ? m[1]!.trim() : null;
}

/**
 * Which option an answer picks: a letter at its start (with or without brackets) that names an option, else the
 * option whose text (or, given the hierarchy, one of its node's synonyms) the answer is, once a trailing
 * "(benign)"-style bucket and a leading "B:" are taken off. Null when it picks none.
 */
export function readChoice(final: string, options: RlItem['options'], hierarchy?: Hierarchy): string | null {
  const letter = LETTER.exec(final)?.[1];
  if (letter && options.some((o) => o.letter === letter)) return letter;
  const text = normalizeTerm(final.replace(TRAILING_BUCKET, '').replace(/^[\s:([]*[A-Z][\s:)\].]+(?=\S)/, ''));
  if (!text) return null;
  const byText = options.find((o) => normalizeTerm(o.text) === text);
  if (byText) return byText.letter;
  const node = hierarchy?.lookup(text);
  return (node && options.find((o) => o.node === node)?.letter) || null;
}

/** The bucket an answer states (the first of benign, precancerous, malignant), or null. */
export function statedBucket(final: string): RlBucket | null {
  const m = BUCKET.exec(final)?.[1]?.toLowerCase();
  return m === undefined ? null : m === 'precancerous' ? 'precancerous_in_situ' : (m as RlBucket);
}

/**
 * Scores one completion against its item: format + option score + malignancy match. The hierarchical variant pays
 * the chosen option's partial credit; the flat variant (the ablation) pays only for the exact answer.
 */
export function scoreCompletion(completion: string, item: RlItem, variant: RewardVariant, hierarchy?: Hierarchy): RewardBreakdown {
  const format = formatReward(completion) * REWARD_WEIGHTS.format;
  const final = finalContent(completion);
  const choice = final === null ? null : readChoice(final, item.options, hierarchy);
  const chosen = item.options.find((o) => o.letter === choice);
  const correct = choice !== null && choice === item.answer;
  const option = variant === 'flat' ? (correct ? REWARD_WEIGHTS.option : 0) : (chosen?.score ?? 0);
  const malignancy = final !== null && statedBucket(final) === item.bucket ? REWARD_WEIGHTS.malignancy : 0;
  return { format, option, malignancy, total: format + option + malignancy, choice, correct };
}
