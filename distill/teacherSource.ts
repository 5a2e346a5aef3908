import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import type { KnowledgeBase } from '../knowledge/KnowledgeBase.ts';
import { ConfigError } from '../temporal.config.ts';
import { TeacherError, type TeacherClient } from '../teacher/TeacherClient.ts';
import { ddxComparisonPrompt, parseTagged, rephraseRulePrompt } from '../teacher/teacherPrompts.ts';
import type { TeacherSource } from './distillImages.ts';

/** HTTP statuses that mean the teacher is misconfigured (key, model, URL): no amount of retrying or falling back helps. */
const FATAL_STATUS = new Set([401, 403, 404]);

/**
 * Teacher texts for a plan: a rephrased rule for type 1, a written comparison for types 2-5 (as the method does with
 * gpt-4.1-mini). A misconfigured teacher fails the run (ConfigError, not retried). Any other failure (network, an
 * answer without the expected tag) yields null and the caller keeps the knowledge base's own words; the caller
 * compares failures with calls before committing, so an outage is retried rather than memoized.
 */
export interface TeacherSourceStats {
  calls: number;
  failures: number;
  /** HTTP requests made (retries included) and answers served from the cache, for this source only. */
  requests: number;
  cacheHits: number;
}

export function teacherSource(client: TeacherClient, kb: KnowledgeBase, h: Hierarchy): TeacherSource & { stats: () => TeacherSourceStats } {
  const stats: TeacherSourceStats = { calls: 0, failures: 0, requests: 0, cacheHits: 0 };
  const complete = async (messages: Parameters<TeacherClient['complete']>[0]) => {
    const r = await client.complete(messages);
    stats.requests += r.attempts;
    if (r.cached) stats.cacheHits++;
    return r;
  };
  const source = async (plan: Parameters<TeacherSource>[0]) => {
    const name = (n: string) => h.node(n).name;
    const phrases = (ids: string[]) => ids.map((id) => kb.feature(id).phrase);
    stats.calls++;
    try {
      if (plan.type === 1) {
        const r = await complete(rephraseRulePrompt(name(plan.target), plan.rules.target));
        const rule = parseTagged(r.text, 'rule');
        if (!rule) throw new Error('no <rule> in the answer');
        return { rule };
      }
      const other = plan.other!;
      // Only what the prompt claims: the target's own features seen, the alternative's own features not seen.
      const present = plan.grounding.present.filter((f) => kb.featuresOf(plan.target).has(f));
      const absent = plan.grounding.absent.filter((f) => kb.featuresOf(other).has(f) && !kb.featuresOf(plan.target).has(f)).slice(0, 4);
      const r = await complete(ddxComparisonPrompt(name(plan.target), plan.rules.target, name(other), plan.rules.other!, phrases(present), phrases(absent)));
      const comparison = parseTagged(r.text, 'differential diagnosis reasoning');
      if (!comparison) throw new Error('no <differential diagnosis reasoning> in the answer');
      return { comparison };
    } catch (e) {
      if (e instanceof TeacherError && e.status !== undefined && FATAL_STATUS.has(e.status)) {
        throw new ConfigError(`the teacher at ${client.config.url} refuses the requests (${e.message}); check the model name and the key in $${client.config.apiKeyEnv}`);
      }
      stats.failures++;
      stats.requests++;
      return null;
    }
  };
  return Object.assign(source, { stats: () => ({ ...stats }) });
}
