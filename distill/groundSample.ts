import { conceptKey, type KnowledgeBase } from '../knowledge/KnowledgeBase.ts';

/** What an image's annotations say is visible, in knowledge-base features. */
export interface Grounding {
  annotated: boolean;
  present: string[];
  absent: string[];
  /** Annotated concepts the feature vocabulary has no feature for (reported, not used). */
  unmapped: string[];
}

/**
 * Maps an image's annotated concepts onto features. A feature is absent when its concept key was annotated in the
 * dataset (it occurs on some image of the version) but not on this image: a Derm7pt criterion recorded as "absent",
 * a SkinCon concept not ticked. Present wins if two concepts disagree. A dataset with no concept annotated on any
 * image is unannotated, and dermoscopic features ground only dermoscopic images.
 */
export function groundSample(concepts: string[] | null, datasetConceptKeys: ReadonlySet<string>, kb: KnowledgeBase, modality: string): Grounding {
  // A dataset without concept annotations stores empty lists: nothing was annotated, so nothing is "absent".
  if (concepts === null || datasetConceptKeys.size === 0) return { annotated: false, present: [], absent: [], unmapped: [] };
  // Dermoscopic structures (Derm7pt's checklist) are not visible on a clinical photo of the same lesion.
  const visible = (id: string) => modality === 'dermoscopic' || kb.feature(id).kind !== 'dermoscopy';
  const present = new Set<string>();
  const unmapped: string[] = [];
  const keys = new Set<string>();
  for (const c of concepts) {
    keys.add(conceptKey(c));
    const f = kb.conceptFeatures(c);
    if (f.length === 0) unmapped.push(c);
    for (const id of f) if (visible(id)) present.add(id);
  }
  const absent = new Set<string>();
  for (const k of [...datasetConceptKeys].sort()) if (!keys.has(k)) for (const id of kb.conceptKeyFeatures(k)) if (!present.has(id) && visible(id)) absent.add(id);
  // An image whose annotations say nothing visible in its modality is unannotated: the rules speak instead.
  const annotated = present.size + absent.size > 0;
  return { annotated, present: annotated ? [...present].sort() : [], absent: annotated ? [...absent].sort() : [], unmapped };
}
