import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { unspecifiedNode, type Hierarchy } from '../hierarchy/Hierarchy.ts';
import { LabelMapFileSchema } from '../schemas/hierarchy.ts';

const datasetsDir = path.join(import.meta.dirname, '..', 'datasets');

/**
 * The hierarchy nodes the built-in datasets' labels use, which the knowledge base must cover: every mapped node, and
 * for a label mapped to a set of nodes also the set's lowest common ancestor when it is a category or finer (that node
 * is what a trajectory for such a sample concludes). The root and the catch-all "unspecified" node are excluded.
 */
export function requiredNodes(hierarchy: Hierarchy): string[] {
  const out = new Set<string>();
  for (const d of readdirSync(datasetsDir, { withFileTypes: true })) {
    const file = path.join(datasetsDir, d.name, 'labels.json');
    if (!d.isDirectory()) continue;
    let raw: string;
    try {
      raw = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const { nodes } of Object.values(LabelMapFileSchema.parse(JSON.parse(raw)).labels)) {
      for (const n of nodes) out.add(n);
      if (nodes.length > 1) out.add(hierarchy.lca(...nodes));
    }
  }
  return [...out].filter((n) => hierarchy.depth(n) >= 2 && n !== unspecifiedNode).sort();
}
