import { createHash } from 'node:crypto';
import { Rng } from '../datasets/synthetic/Rng.ts';
import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { OPTION_LETTERS, RlBucketSchema, type RlItem, type RlOption } from '../schemas/rl.ts';
import { mcPrompt } from './mcPrompt.ts';

/** One accepted image of a dataset version, as RL items are built from it. */
export interface RlSource {
  datasetVersionId: string;
  dataset: string;
  sampleId: string;
  imageKey: string;
  imageSha256: string;
  split: string;
  labelNodes: string[];
  fitzpatrick: number | null;
}

export interface RlItemsResult {
  items: RlItem[];
  /** Images left out, by reason (rows in = items + sum of skipped). */
  skipped: Record<string, number>;
}

/** The sample's path (coarse to fine, root excluded) and bucket, or why it cannot be an RL item. */
function target(h: Hierarchy, labelNodes: string[]): { path: string[]; label: string; bucket: RlItem['bucket'] } | { skip: string } {
  const known = labelNodes.filter((n) => h.has(n));
  if (known.length === 0) return { skip: 'label_not_in_hierarchy' };
  const label = h.lca(...known);
  const path = h.path(label).slice(1);
  if (path.length === 0) return { skip: 'label_not_specific' };
  const bucket = RlBucketSchema.safeParse(h.bucketOfSet(known));
  // The method trains RL only on samples that resolve to benign, precancerous in situ or malignant.
  if (!bucket.success) return { skip: 'no_neoplastic_bucket' };
  return { path, label, bucket: bucket.data };
}

/**
 * The options of one hierarchy-aware question: k correct nodes (k uniform in 1..min(3, path length)) from the
 * sample's path (coarse to fine), each scored (i+1)/(max chosen index+1) x 0.75; distractors (score 0) from `pool`
 * off the path; shuffled into letters. The answer is the finest correct option. Null when fewer than two options.
 */
export function drawOptions(h: Hierarchy, path: string[], pool: string[], rng: Rng): { options: RlOption[]; answer: string } | null {
  const k = rng.int(1, Math.min(3, path.length));
  const chosen = rng.shuffle(path.map((_, i) => i)).slice(0, k).sort((a, b) => a - b);
  const maxIdx = chosen[chosen.length - 1]!;
  const correct = chosen.map((i) => ({ node: path[i]!, score: ((i + 1) / (maxIdx + 1)) * 0.75 }));
  const others = pool.filter((n) => !path.includes(n));
  const distractors = rng.shuffle(others).slice(0, OPTION_LETTERS.length - k).map((node) => ({ node, score: 0 }));
  if (correct.length + distractors.length < 2) return null;
  const options: RlOption[] = rng.shuffle([...correct, ...distractors]).map((o, i) => ({ letter: OPTION_LETTERS[i]!, node: o.node, text: h.node(o.node).name, score: o.score }));
  return { options, answer: options.find((o) => o.node === path[maxIdx])!.letter };
}

/**
 * Skin-R1's hierarchy-aware multiple-choice items: k correct options (k uniform in 1..min(3, path length)) drawn
 * from the sample's path, each scored (i+1)/(max chosen index+1) x 0.75, the finest being the answer; the rest are
 * distractors (score 0) from other nodes of the same dataset's label paths; all shuffled into letters. Each item's
 * draws come from its own seeded stream, so adding or removing other samples never changes it.
 */
export function buildRlItems(h: Hierarchy, sources: RlSource[], seed: string): RlItemsResult {
  const skipped: Record<string, number> = {};
  const skip = (reason: string) => (skipped[reason] = (skipped[reason] ?? 0) + 1);
  // Distractor pools: every node on any label path of each dataset, in a stable order.
  const pools = new Map<string, string[]>();
  const resolved = sources.map((s) => ({ s, t: target(h, s.labelNodes) }));
  for (const { s, t } of resolved) {
    if ('skip' in t) continue;
    const pool = pools.get(s.dataset) ?? [];
    pools.set(s.dataset, pool);
    for (const n of t.path) if (!pool.includes(n)) pool.push(n);
  }
  for (const pool of pools.values()) pool.sort();

  const items: RlItem[] = [];
  for (const { s, t } of resolved) {
    if ('skip' in t) {
      skip(t.skip);
      continue;
    }
    const itemId = `rl-${createHash('sha256').update(`${s.datasetVersionId}\u0000${s.sampleId}\u0000${s.imageKey}`).digest('hex').slice(0, 24)}`;
    const rng = new Rng(`rl-item\u0000${seed}\u0000${itemId}`);
    const drawn = drawOptions(h, t.path, pools.get(s.dataset) ?? [], rng);
    if (!drawn) {
      skip('too_few_options');
      continue;
    }
    const { options, answer } = drawn;
    items.push({
      itemId,
      datasetVersionId: s.datasetVersionId,
      dataset: s.dataset,
      sampleId: s.sampleId,
      imageKey: s.imageKey,
      imageSha256: s.imageSha256,
      split: s.split,
      fitzpatrick: s.fitzpatrick,
      labelNode: t.label,
      path: t.path,
      bucket: t.bucket,
      options,
      answer,
      prompt: mcPrompt(options),
    });
  }
  return { items, skipped };
}
