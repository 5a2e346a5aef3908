import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import type { KnowledgeBase } from '../knowledge/KnowledgeBase.ts';
import type { TeacherClient } from '../teacher/TeacherClient.ts';
import { ddxComparisonPrompt, parseTagged, rephraseRulePrompt } from '../teacher/teacherPrompts.ts';
import type { TeacherSource } from './distillImages.ts';
import { relevantAbsent } from './renderTrajectory.ts';

/**
 * Teacher texts for a plan: a rephrased rule for type 1, a written comparison for types 2-5 (as the method does with
 * gpt-4.1-mini). Any failure (network, budget, an answer without the expected tag) yields null, and the caller keeps
 * the knowledge base's own words; `failures` counts them.
 */
export function teacherSource(client: TeacherClient, kb: KnowledgeBase, h: Hierarchy): TeacherSource & { failures: () => number } {
  let failures = 0;
  const source = async (plan: Parameters<TeacherSource>[0]) => {
    const name = (n: string) => h.node(n).name;
    const phrases = (ids: string[]) => ids.map((id) => kb.feature(id).phrase);
    try {
      if (plan.type === 1) {
        const r = await client.complete(rephraseRulePrompt(name(plan.target), plan.rules.target));
        const rule = parseTagged(r.text, 'rule');
        if (!rule) throw new Error('no <rule> in the answer');
        return { rule };
      }
      const r = await client.complete(
        ddxComparisonPrompt(name(plan.target), plan.rules.target, name(plan.other!), plan.rules.other!, phrases(plan.grounding.present), phrases(relevantAbsent(plan, kb).slice(0, 4))),
      );
      const comparison = parseTagged(r.text, 'differential diagnosis reasoning');
      if (!comparison) throw new Error('no <differential diagnosis reasoning> in the answer');
      return { comparison };
    } catch {
      failures++;
      return null;
    }
  };
  return Object.assign(source, { failures: () => failures });
}
