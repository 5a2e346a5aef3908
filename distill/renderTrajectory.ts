import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import type { KnowledgeBase } from '../knowledge/KnowledgeBase.ts';
import type { TrajectoryType } from '../schemas/distill.ts';
import type { Grounding } from './groundSample.ts';
import { bucketPhrases, capitalize, finalDiagnosis, joinList, TAGS } from './trajectoryText.ts';

/** Everything one trajectory says, decided before any text is written (so a teacher can replace single pieces). */
export interface TrajectoryPlan {
  type: TrajectoryType;
  /** The sample's true diagnosis, where every trajectory ends. */
  target: string;
  /** The first hypothesis: the target for types 1, 2 and 4; the look-alike for types 3 and 5. */
  start: string;
  /** The alternative compared against (a DDx neighbour for 2-3, a random other diagnosis for 4-5); null for type 1. */
  other: string | null;
  grounding: Grounding;
  /** Findings stated when the image has no annotations: visible features the knowledge base expects for the target. */
  expected: string[];
  rules: { target: string; other: string | null };
  /** The knowledge base's DDx statement for the pair (types 2-3). */
  contrast: string | null;
}

/** Replacement texts from a teacher; absent pieces use the knowledge base's own words. */
export interface TeacherTexts {
  rule?: string;
  comparison?: string;
}

const MAX_PRESENT = 6;
const MAX_ABSENT = 4;

export function renderTrajectory(p: TrajectoryPlan, kb: KnowledgeBase, h: Hierarchy, teacher: TeacherTexts = {}): string {
  const name = (n: string) => h.node(n).name;
  const phrases = (ids: string[]) => ids.map((id) => kb.feature(id).phrase);
  const walk = (n: string) => `Hierarchy: ${h.path(n).slice(1).map(name).join(' > ')}.`;
  const bucket = bucketPhrases[h.bucket(p.target)!];
  const parts: string[] = [findings(p, kb, phrases)];

  if (p.type === 1) {
    parts.push(walk(p.target), `Rule: ${teacher.rule ?? p.rules.target}`, `Conclusion: the findings fit ${name(p.target)}, which is ${bucket}.`);
  } else {
    const other = p.other!;
    const keep = p.type === 2 || p.type === 4;
    const first = keep ? p.target : other;
    const second = keep ? other : p.target;
    const firstRule = keep ? p.rules.target : p.rules.other!;
    const secondRule = keep ? p.rules.other! : p.rules.target;
    parts.push(`First hypothesis: ${name(first)}.`, `Rule: ${firstRule}`, walk(first));
    parts.push(
      p.type <= 3
        ? `Differential: ${name(second)} is often confused with ${name(first)}.`
        : `To sharpen the reasoning, compare with ${name(second)}, which is not a usual look-alike.`,
      `Rule for ${name(second)}: ${secondRule}`,
    );
    parts.push(`Comparison: ${teacher.comparison ?? comparison(p, kb, h, phrases)}`);
    if (keep) {
      parts.push(`Conclusion: the findings fit ${name(p.target)} better than ${name(other)}, so the first hypothesis stands; ${name(p.target)} is ${bucket}.`);
    } else {
      parts.push(`Conclusion: the findings fit ${name(p.target)} better than ${name(other)}, so the hypothesis is revised.`, walk(p.target), `${capitalize(name(p.target))} is ${bucket}.`);
    }
  }
  return `${TAGS.thinkingOpen}${parts.join(' ')}${TAGS.thinkingClose}${finalDiagnosis(name(p.target), h.bucket(p.target)!)}`;
}

function findings(p: TrajectoryPlan, kb: KnowledgeBase, phrases: (ids: string[]) => string[]): string {
  const g = p.grounding;
  if (!g.annotated) return `Findings: ${joinList(phrases(p.expected))}.`;
  const present = g.present.slice(0, MAX_PRESENT);
  const absent = relevantAbsent(p, kb).slice(0, MAX_ABSENT);
  return `Annotated findings: present: ${present.length ? joinList(phrases(present)) : 'none of the annotated features'}; absent: ${absent.length ? joinList(phrases(absent)) : 'none recorded'}.`;
}

/** Absent features that matter for this comparison first (expected for the other diagnosis, then for the target). */
export function relevantAbsent(p: TrajectoryPlan, kb: KnowledgeBase): string[] {
  const other = p.other ? kb.featuresOf(p.other) : new Set<string>();
  const target = kb.featuresOf(p.target);
  const rank = (f: string) => (other.has(f) ? 0 : target.has(f) ? 1 : 2);
  return [...p.grounding.absent].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The deterministic comparison: the knowledge base's DDx statement, then what the annotations show. */
function comparison(p: TrajectoryPlan, kb: KnowledgeBase, h: Hierarchy, phrases: (ids: string[]) => string[]): string {
  const name = (n: string) => h.node(n).name;
  const other = p.other!;
  const out: string[] = [];
  const t = kb.featuresOf(p.target);
  const o = kb.featuresOf(other);
  if (p.contrast) out.push(ensurePeriod(p.contrast));
  if (p.grounding.annotated) {
    const support = p.grounding.present.filter((f) => t.has(f)).slice(0, 3);
    const against = relevantAbsent(p, kb).filter((f) => o.has(f) && !t.has(f)).slice(0, 3);
    if (support.length) out.push(`Present here, as expected for ${name(p.target)}: ${joinList(phrases(support))}.`);
    if (against.length) out.push(`Absent here, though expected for ${name(other)}: ${joinList(phrases(against))}.`);
  }
  if (out.length === 0 || (!p.contrast && !p.grounding.annotated)) {
    const mine = p.expected.filter((f) => !o.has(f)).slice(0, 3);
    const theirs = visible(kb, other).filter((f) => !t.has(f)).slice(0, 3);
    if (mine.length && theirs.length) out.push(`${capitalize(name(p.target))} is marked by ${joinList(phrases(mine))}, whereas ${name(other)} would show ${joinList(phrases(theirs))}.`);
    else out.push(`The findings match the rule for ${name(p.target)} more closely than the rule for ${name(other)}.`);
  }
  return out.join(' ');
}

/** Features one could see on an image (morphology and dermoscopy, not history or symptoms), in entry order. */
export function visible(kb: KnowledgeBase, node: string): string[] {
  const e = kb.entry(node);
  return [...new Set([...e.morphology.lesion, ...e.morphology.colour, ...e.morphology.border, ...e.morphology.surface, ...e.dermoscopy, ...e.morphology.distribution, ...e.morphology.site])];
}

function ensurePeriod(s: string): string {
  const t = s.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
