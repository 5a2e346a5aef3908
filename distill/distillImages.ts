import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import type { KnowledgeBase } from '../knowledge/KnowledgeBase.ts';
import type { DistillConfig, DistillSample, TrajectoryType } from '../schemas/distill.ts';
import { sha256Hex } from '../store/sha256.ts';
import { checkTeacherTexts } from './checkTeacherTexts.ts';
import { groundSample } from './groundSample.ts';
import { planTrajectories } from './planTrajectories.ts';
import { renderTrajectory, type TeacherTexts, type TrajectoryPlan } from './renderTrajectory.ts';
import { resolveTarget } from './resolveTarget.ts';
import { prompts } from './trajectoryText.ts';
import { verifyTrajectory } from './verifyTrajectory.ts';

/** One row of a trajectory set's Parquet file. */
export interface TrajectoryRecord {
  trajectory_id: string;
  type: TrajectoryType;
  dataset_version_id: string;
  dataset: string;
  sample_id: string;
  image_key: string;
  image_sha256: string;
  split: string;
  modality: string;
  fitzpatrick: number | null;
  target_node: string;
  start_node: string;
  other_node: string | null;
  bucket: string;
  grounded: boolean;
  present_features: string[];
  absent_features: string[];
  features: string[];
  prompt: string;
  text: string;
  teacher: boolean;
  /** Seeded sort key: which trajectories survive a per-(diagnosis, type) cap. */
  order_key: string;
}

/** Asks a teacher for replacement texts; null when it has nothing (or failed: the caller falls back). */
export type TeacherSource = (plan: TrajectoryPlan) => Promise<TeacherTexts | null>;

export interface DistillOutcome {
  records: TrajectoryRecord[];
  images: number;
  skipped: Record<string, number>;
  rejected: Record<string, number>;
  /** Rejection details, a few per reason, for the report. */
  examples: Array<{ reason: string; trajectory: string; detail: string }>;
  unmappedConcepts: Record<string, number>;
  /** Teacher texts that failed verification (the knowledge base's own words were used instead), by reason. */
  teacherRejected: Record<string, number>;
  /** Extra types (2-5) asked for but not possible for an image's diagnosis. */
  extraTypesUnavailable: number;
}

const EXAMPLES_PER_REASON = 3;
const YIELD_EVERY = 25;

/**
 * Distills trajectories for a list of images: resolve the diagnosis, ground it in the annotations, plan the types,
 * render (with teacher texts when configured), verify, and keep only what verifies. A teacher text that fails
 * verification falls back to the knowledge base's own words; a deterministic text that fails is dropped and counted.
 */
export async function distillImages(
  samples: DistillSample[],
  ctx: {
    kb: KnowledgeBase;
    h: Hierarchy;
    config: Pick<DistillConfig, 'seed' | 'extraTypesPerSample'>;
    conceptKeys: (datasetVersionId: string) => ReadonlySet<string>;
    randomPool: (target: string) => string[];
    teacher?: TeacherSource;
    onImage?: (done: number) => void;
  },
): Promise<DistillOutcome> {
  const { kb, h, config } = ctx;
  const out: DistillOutcome = { records: [], images: 0, skipped: {}, rejected: {}, examples: [], unmappedConcepts: {}, teacherRejected: {}, extraTypesUnavailable: 0 };
  const bump = (r: Record<string, number>, k: string) => (r[k] = (r[k] ?? 0) + 1);
  for (const s of samples) {
    out.images++;
    const resolved = resolveTarget(s.labelNodes, h, kb);
    if ('skip' in resolved) {
      bump(out.skipped, resolved.skip);
      ctx.onImage?.(out.images);
      continue;
    }
    const grounding = groundSample(s.concepts, ctx.conceptKeys(s.datasetVersionId), kb, s.modality);
    for (const c of grounding.unmapped) bump(out.unmappedConcepts, c);
    const imageKey = `${s.datasetVersionId}/${s.sampleId}/${s.imageKey}`;
    const plans = planTrajectories({ target: resolved.target, grounding, seed: config.seed, imageKey, extra: config.extraTypesPerSample }, kb, h, ctx.randomPool);
    out.extraTypesUnavailable += config.extraTypesPerSample - (plans.length - 1);
    for (const plan of plans) {
      let text: string | null = null;
      let byTeacher = false;
      let verdict;
      const texts = ctx.teacher ? await ctx.teacher(plan) : null;
      const teacherProblem = texts ? checkTeacherTexts(texts, plan, kb, h) : null;
      if (teacherProblem) bump(out.teacherRejected, teacherProblem);
      if (texts && !teacherProblem) {
        const candidate = renderTrajectory(plan, kb, h, texts);
        verdict = verifyTrajectory(candidate, plan.target, grounding, kb, h);
        if (verdict.ok) {
          text = candidate;
          byTeacher = true;
        } else bump(out.teacherRejected, verdict.reason!);
      }
      if (text === null) {
        const candidate = renderTrajectory(plan, kb, h);
        verdict = verifyTrajectory(candidate, plan.target, grounding, kb, h);
        if (!verdict.ok) {
          bump(out.rejected, verdict.reason!);
          if (out.examples.filter((e) => e.reason === verdict!.reason).length < EXAMPLES_PER_REASON) out.examples.push({ reason: verdict.reason!, trajectory: candidate, detail: verdict.detail ?? '' });
          continue;
        }
        text = candidate;
      }
      const id = sha256Hex(`${imageKey}\u0000${plan.type}`).slice(0, 24);
      out.records.push({
        trajectory_id: id,
        type: plan.type,
        dataset_version_id: s.datasetVersionId,
        dataset: s.dataset,
        sample_id: s.sampleId,
        image_key: s.imageKey,
        image_sha256: s.imageSha256,
        split: s.split,
        modality: s.modality,
        fitzpatrick: s.fitzpatrick,
        target_node: plan.target,
        start_node: plan.start,
        other_node: plan.other,
        bucket: h.bucket(plan.target)!,
        grounded: grounding.annotated,
        present_features: grounding.present,
        absent_features: grounding.absent,
        features: verdict!.features,
        prompt: plan.type === 1 ? prompts.rule : prompts.differential,
        text,
        teacher: byTeacher,
        order_key: sha256Hex(`${config.seed}\u0000${id}`),
      });
    }
    ctx.onImage?.(out.images);
    // Generation is synchronous CPU work: let heartbeats and cancellation through now and then.
    if (out.images % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
  }
  return out;
}
