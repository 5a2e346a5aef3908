import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import type { DiseaseEntry, Feature } from '../schemas/knowledge.ts';
import { PhraseIndex } from './PhraseIndex.ts';

/** What a phrase in knowledge text or a trajectory names: a feature of the vocabulary or a hierarchy node. */
export type Mention = { type: 'feature'; id: string } | { type: 'node'; id: string };

/**
 * One phrase index over hierarchy names and feature phrases, shared by the importer's checks and the trajectory
 * verifier so both read text the same way. Longest match wins, so "erythema nodosum" reads as the disease, not as the
 * feature "erythema"; a phrase that is both (e.g. "telangiectasia") yields both mentions.
 */
export function mentionIndex(hierarchy: Hierarchy, features: Feature[], entries: DiseaseEntry[]): PhraseIndex<Mention> {
  const idx = new PhraseIndex<Mention>();
  const nodeMention = new Map<string, Mention>();
  const featureMention = new Map<string, Mention>();
  // One object per id, so PhraseIndex's identity de-duplication works.
  const node = (id: string) => nodeMention.get(id) ?? nodeMention.set(id, { type: 'node', id }).get(id)!;
  const feature = (id: string) => featureMention.get(id) ?? featureMention.set(id, { type: 'feature', id }).get(id)!;
  for (const n of hierarchy.nodes()) for (const t of [n.name, ...n.synonyms]) idx.add(t, node(n.id));
  for (const e of entries) for (const t of e.synonyms) idx.add(t, node(e.node));
  for (const f of features) for (const t of [f.phrase, ...f.aliases]) idx.add(t, feature(f.id));
  return idx;
}

/** The distinct feature ids a text mentions. */
export function featureMentions(idx: PhraseIndex<Mention>, text: string): string[] {
  return [...new Set(idx.scan(text).flatMap((m) => (m.value.type === 'feature' ? [m.value.id] : [])))];
}
