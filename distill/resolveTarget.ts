import { unspecifiedNode, type Hierarchy } from '../hierarchy/Hierarchy.ts';
import type { KnowledgeBase } from '../knowledge/KnowledgeBase.ts';

export type TargetResolution = { target: string } | { skip: 'label_not_specific' | 'no_knowledge' };

/**
 * The diagnosis a sample's trajectories conclude. A single-node label is that node. A set label (HAM10000 `bkl`)
 * concludes at the set's lowest common ancestor when that is a category or finer and has knowledge ("benign
 * keratinocytic lesion"); a set whose ancestor is a top group or the root (HAM10000 `akiec`: actinic keratosis or
 * Bowen disease) names no single diagnosis and is skipped, like the catch-all "unspecified lesion" and a node the
 * knowledge base does not describe.
 */
export function resolveTarget(labelNodes: string[], hierarchy: Hierarchy, kb: KnowledgeBase | null): TargetResolution {
  const node = labelNodes.length === 1 ? labelNodes[0]! : hierarchy.lca(...labelNodes);
  if (hierarchy.depth(node) < 2 || node === unspecifiedNode) return { skip: 'label_not_specific' };
  // Without a knowledge base (evaluation), any specific node is a target.
  if (kb && !kb.has(node)) return { skip: 'no_knowledge' };
  return { target: node };
}
