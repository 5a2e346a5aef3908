import { createHash } from 'node:crypto';
import type { SplitName } from '../schemas/datasetSpec.ts';

export interface SplitRow {
  rowNo: number;
  groupId: string | null;
  patientId: string | null;
  imageId: string;
  imageSha256: string;
  officialSplit: SplitName | null;
}

export interface SplitAssignment {
  split: Map<number, SplitName>;
  /** Groups whose rows ended in different splits (official splits that disagree, or an image seen in two splits before). */
  crossing: Array<{ members: string[]; splits: SplitName[]; why: string }>;
}

/**
 * Leakage-safe splits. Rows that share a lesion/case id, a patient id or an image (by content hash) form one group;
 * a group takes, in order: the official split of its rows, else the split its images already have in a committed
 * dataset version (HAM10000 images inside ISIC 2019), else a seeded hash of the group's key, so adding rows never
 * moves existing groups. Every copy of an image lands in one split.
 */
export function assignSplits(
  rows: SplitRow[],
  opts: { seed: string; ratios: Record<SplitName, number>; known: Map<string, SplitName> },
): SplitAssignment {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let c = x;
    while (parent.get(c) !== r) {
      const next = parent.get(c)!;
      parent.set(c, r);
      c = next;
    }
    return r;
  };
  const add = (x: string) => parent.has(x) || parent.set(x, x);
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    // The smaller key wins, so a group's representative does not depend on row order.
    if (ra < rb) parent.set(rb, ra);
    else if (rb < ra) parent.set(ra, rb);
  };
  const keysOf = (r: SplitRow) => [
    `img:${r.imageSha256}`,
    r.groupId ? `group:${r.groupId}` : `id:${r.imageId}`,
    ...(r.patientId ? [`patient:${r.patientId}`] : []),
  ];
  for (const r of rows) {
    const keys = keysOf(r);
    keys.forEach(add);
    for (const k of keys.slice(1)) union(keys[0]!, k);
  }
  const members = new Map<string, SplitRow[]>();
  for (const r of rows) {
    const root = find(`img:${r.imageSha256}`);
    const list = members.get(root);
    if (list) list.push(r);
    else members.set(root, [r]);
  }

  const split = new Map<number, SplitName>();
  const crossing: SplitAssignment['crossing'] = [];
  for (const [root, group] of members) {
    const official = [...new Set(group.map((r) => r.officialSplit).filter((s): s is SplitName => s !== null))];
    const known = [...new Set(group.map((r) => opts.known.get(r.imageSha256)).filter((s): s is SplitName => s !== undefined))];
    const ids = group.map((r) => r.imageId);
    if (official.length > 0) {
      // Official splits are kept as published; a group they split is reported, not silently moved.
      const fallback = official.sort()[0]!;
      for (const r of group) split.set(r.rowNo, r.officialSplit ?? fallback);
      if (official.length > 1) crossing.push({ members: ids, splits: official, why: 'official splits put one group in several splits' });
      if (known.some((k) => !official.includes(k))) crossing.push({ members: ids, splits: [...official, ...known], why: 'an image is already in another split in a committed dataset version' });
      continue;
    }
    let s: SplitName;
    if (known.length > 0) {
      s = known.sort()[0]!;
      if (known.length > 1) crossing.push({ members: ids, splits: known, why: 'its images are in different splits in committed dataset versions' });
    } else {
      s = hashSplit(`${opts.seed}\u0000${root}`, opts.ratios);
    }
    for (const r of group) split.set(r.rowNo, s);
  }
  return { split, crossing };
}

function hashSplit(key: string, ratios: Record<SplitName, number>): SplitName {
  const h = createHash('sha256').update(key).digest();
  const u = h.readUInt32BE(0) / 2 ** 32;
  if (u < ratios.train) return 'train';
  if (u < ratios.train + ratios.val) return 'val';
  return 'test';
}
