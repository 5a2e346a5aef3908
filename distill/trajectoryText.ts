import type { MalignancyBucket } from '../schemas/hierarchy.ts';

/** Plain-text pieces shared by the renderer and the verifier, so both agree on the format. */

export const bucketPhrases: Record<MalignancyBucket, string> = {
  benign: 'benign',
  precancerous_in_situ: 'precancerous in situ',
  malignant: 'malignant',
  non_neoplastic: 'non-neoplastic',
};

export const prompts = {
  /** Type 1: describe, apply the rule, conclude (our wording of the method's type-1 SFT prompt). */
  rule:
    'Examine the skin image. Inside <thinking> describe the visible features, walk the disease hierarchy and state the rule that leads to the diagnosis. ' +
    'Inside <final diagnosis> give the most specific diagnosis and, in brackets, whether it is benign, precancerous in situ, malignant or non-neoplastic.',
  /** Types 2-5: propose, consider an alternative, compare, conclude. */
  differential:
    'Examine the skin image. Inside <thinking> describe the visible features, propose a diagnosis, consider at least one alternative and its features, compare them step by step and conclude, walking the disease hierarchy. ' +
    'Inside <final diagnosis> give the most specific diagnosis and, in brackets, whether it is benign, precancerous in situ, malignant or non-neoplastic.',
};

export const TAGS = {
  thinkingOpen: '<thinking>',
  thinkingClose: '</thinking>',
  finalOpen: '<final diagnosis>',
  finalClose: '</final diagnosis>',
} as const;

/** "a", "a and b", "a, b and c". */
export function joinList(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function finalDiagnosis(name: string, bucket: MalignancyBucket): string {
  return `${TAGS.finalOpen}${name} (${bucketPhrases[bucket]})${TAGS.finalClose}`;
}

const ANSWER = new RegExp(`^${TAGS.thinkingOpen}([^<]+)${TAGS.thinkingClose}${TAGS.finalOpen}([^<]+)${TAGS.finalClose}$`);
const FINAL = /^(.+) \(([a-z -]+)\)$/;

/**
 * The parts of an answer that is exactly `<thinking>…</thinking><final diagnosis>…</final diagnosis>`, or null; the
 * bucket is null when the final diagnosis is not `<name> (<bucket>)`. The verifier and `diagnose` both read with it.
 */
export function parseAnswer(text: string): { thinking: string; final: string; diagnosis: string; bucket: string | null } | null {
  const m = ANSWER.exec(text);
  if (!m) return null;
  const f = FINAL.exec(m[2]!.trim());
  return { thinking: m[1]!, final: m[2]!, diagnosis: (f ? f[1]! : m[2]!).trim(), bucket: f ? f[2]! : null };
}
