import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import type { KnowledgeBase } from '../knowledge/KnowledgeBase.ts';
import { bucketPhrases, parseAnswer } from './trajectoryText.ts';
import type { Grounding } from './groundSample.ts';

export const rejectionReasons = [
  'unparseable',
  'bad_final_format',
  'wrong_diagnosis',
  'wrong_bucket',
  'no_hierarchy_walk',
  'invalid_hierarchy_path',
  'path_not_target',
  'feature_not_allowed',
  'ungrounded',
  'contradicts_annotation',
] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

export interface Verdict {
  ok: boolean;
  reason?: RejectionReason;
  detail?: string;
  /** Feature ids the text names (for the trajectory record). */
  features: string[];
}

const bucketByPhrase = new Map(Object.entries(bucketPhrases).map(([k, v]) => [v, k]));

/**
 * Checks a trajectory as text, the way a reviewer would: it parses; it ends at the sample's true diagnosis with that
 * diagnosis's malignancy bucket; every "Hierarchy:" walk is a real root-to-node path and the last one reaches the
 * diagnosis; it names only features that the knowledge base allows for the diseases it mentions or that the image's
 * annotations record; and, when the image is annotated, its findings agree with the annotations.
 */
export function verifyTrajectory(text: string, target: string, grounding: Grounding, kb: KnowledgeBase, h: Hierarchy): Verdict {
  const fail = (reason: RejectionReason, detail: string, features: string[] = []): Verdict => ({ ok: false, reason, detail, features });
  const answer = parseAnswer(text);
  if (!answer) return fail('unparseable', 'expected exactly <thinking>...</thinking><final diagnosis>...</final diagnosis>');
  const thinking = answer.thinking;
  const bucket = answer.bucket === null ? undefined : bucketByPhrase.get(answer.bucket);
  if (!bucket) return fail('bad_final_format', `final diagnosis "${answer.final}" is not "<diagnosis> (<benign|precancerous in situ|malignant|non-neoplastic>)"`);
  const concluded = h.lookup(answer.diagnosis);
  if (concluded !== target) return fail('wrong_diagnosis', `concludes "${answer.diagnosis}" (${concluded ?? 'not a hierarchy node'}), the label is ${target}`);
  if (bucket !== h.bucket(target)) return fail('wrong_bucket', `says ${answer.bucket}, ${target} is ${h.bucket(target)}`);

  const walks = [...thinking.matchAll(/Hierarchy: (.+?)\.(?: |$)/g)].map((w) => w[1]!.split(' > '));
  if (walks.length === 0) return fail('no_hierarchy_walk', 'no "Hierarchy: group > category > disease." walk');
  for (const walk of walks) {
    const ids = walk.map((n) => h.lookup(n));
    const bad = ids.findIndex((id, i) => id === undefined || h.node(id).parent !== (i === 0 ? h.rootId : ids[i - 1]));
    if (bad >= 0) return fail('invalid_hierarchy_path', `"${walk.join(' > ')}" breaks at "${walk[bad]}"`);
  }
  const last = walks[walks.length - 1]!;
  if (h.lookup(last[last.length - 1]!) !== target) return fail('path_not_target', `the last walk ends at "${last[last.length - 1]}", not at ${target}`);

  const mentions = kb.mentions.scan(thinking).map((x) => x.value);
  const features = [...new Set(mentions.flatMap((x) => (x.type === 'feature' ? [x.id] : [])))];
  const allowed = new Set([...grounding.present, ...grounding.absent]);
  for (const x of mentions) if (x.type === 'node' && kb.has(x.id)) for (const f of kb.featuresOf(x.id)) allowed.add(f);
  const stray = features.filter((f) => !allowed.has(f));
  if (stray.length) return fail('feature_not_allowed', `names ${stray.map((f) => `"${kb.feature(f).phrase}"`).join(', ')}, allowed for none of the diseases it mentions`, features);

  if (grounding.annotated) {
    const g = /Annotated findings: present: (.*?); absent: (.*?)\.(?: |$)/.exec(thinking);
    if (!g) return fail('ungrounded', 'the image is annotated but the thinking does not state the annotated findings', features);
    const said = (s: string) => kb.mentions.scan(s).flatMap((x) => (x.value.type === 'feature' ? [x.value.id] : []));
    const wrongPresent = said(g[1]!).filter((f) => !grounding.present.includes(f));
    const wrongAbsent = said(g[2]!).filter((f) => !grounding.absent.includes(f));
    if (wrongPresent.length || wrongAbsent.length) {
      const names = [...wrongPresent.map((f) => `"${kb.feature(f).phrase}" is not annotated present`), ...wrongAbsent.map((f) => `"${kb.feature(f).phrase}" is not annotated absent`)];
      return fail('contradicts_annotation', names.join('; '), features);
    }
  }
  return { ok: true, features };
}
