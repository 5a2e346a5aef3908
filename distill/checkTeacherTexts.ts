import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import type { KnowledgeBase } from '../knowledge/KnowledgeBase.ts';
import type { TeacherTexts, TrajectoryPlan } from './renderTrajectory.ts';

export type TeacherRejection = 'teacher_no_feature' | 'teacher_off_target' | 'teacher_wrong_conclusion' | 'teacher_contradicts_annotation';

/**
 * Stricter checks for the only free text in a trajectory, the teacher's, before the general verifier sees it: a
 * rephrased rule must argue for the target with the target's own features and name no other disease; a comparison
 * must name both diagnoses, the target first (the one it argues for); and neither may name a feature of the target
 * that the image's annotations record as absent. A refusal ("I can't help with that") names no feature and fails.
 */
export function checkTeacherTexts(texts: TeacherTexts, plan: TrajectoryPlan, kb: KnowledgeBase, h: Hierarchy): TeacherRejection | null {
  const targetFeatures = kb.featuresOf(plan.target);
  const absentOfTarget = new Set(plan.grounding.absent.filter((f) => targetFeatures.has(f)));
  for (const [kind, text] of Object.entries(texts) as Array<[keyof TeacherTexts, string | undefined]>) {
    if (text === undefined) continue;
    const mentions = kb.mentions.scan(text).map((m) => m.value);
    const features = mentions.flatMap((m) => (m.type === 'feature' ? [m.id] : []));
    const nodes = mentions.flatMap((m) => (m.type === 'node' ? [m.id] : []));
    if (features.length === 0) return 'teacher_no_feature';
    if (features.some((f) => absentOfTarget.has(f))) return 'teacher_contradicts_annotation';
    if (kind === 'rule') {
      if (!features.some((f) => targetFeatures.has(f)) || features.some((f) => !targetFeatures.has(f))) return 'teacher_off_target';
      if (nodes.some((n) => !h.isAncestorOrSelf(n, plan.target))) return 'teacher_off_target';
    } else {
      const first = nodes[0];
      if (!nodes.includes(plan.target) || !nodes.includes(plan.other!)) return 'teacher_wrong_conclusion';
      if (first !== plan.target) return 'teacher_wrong_conclusion';
    }
  }
  return null;
}
