import { Rng } from '../datasets/synthetic/Rng.ts';
import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import type { KnowledgeBase } from '../knowledge/KnowledgeBase.ts';
import type { TrajectoryType } from '../schemas/distill.ts';
import type { Grounding } from './groundSample.ts';
import { visible, type TrajectoryPlan } from './renderTrajectory.ts';

const MAX_EXPECTED = 4;

/**
 * Decides one image's trajectories: always type 1, plus `extra` of types 2-5 drawn without repeats. Every choice
 * comes from a generator seeded by (seed, image), so the plan does not depend on how the work is sharded.
 */
export function planTrajectories(
  args: { target: string; grounding: Grounding; seed: string; imageKey: string; extra: number },
  kb: KnowledgeBase,
  h: Hierarchy,
  randomPool: (target: string) => string[],
): TrajectoryPlan[] {
  const rng = new Rng(`${args.seed}\u0000${args.imageKey}`);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)]!;
  const t = args.target;
  // A neighbour that is the target's own ancestor or descendant is not an alternative: "revising" a correct but finer
  // hypothesis would teach the opposite of the hierarchical reward.
  const neighbours = kb.neighbours(t).filter((n) => !h.isAncestorOrSelf(n, t) && !h.isAncestorOrSelf(t, n));
  const pool = randomPool(t);
  const available: TrajectoryType[] = [];
  if (neighbours.length) available.push(2, 3);
  if (pool.length) available.push(4, 5);
  const extras = rng.shuffle(available).slice(0, args.extra);
  const types: TrajectoryType[] = [1, ...extras.sort()];

  return types.map((type) => {
    const other = type === 1 ? null : type <= 3 ? pick(neighbours) : pick(pool);
    const contrasts = other && type <= 3 ? kb.contrast(t, other) : [];
    // Expected findings lead with what sets the target apart from the alternative.
    const otherFeatures = other ? kb.featuresOf(other) : new Set<string>();
    const vis = visible(kb, t);
    const expected = [...vis.filter((f) => !otherFeatures.has(f)), ...vis.filter((f) => otherFeatures.has(f))].slice(0, MAX_EXPECTED);
    return {
      type,
      target: t,
      start: type === 3 || type === 5 ? other! : t,
      other,
      grounding: args.grounding,
      expected,
      rules: { target: pick(kb.entry(t).rules), other: other ? pick(kb.entry(other).rules) : null },
      contrast: contrasts.length ? pick(contrasts).text : null,
    };
  });
}

/**
 * Candidates for types 4-5: diseases (depth 3 or finer) with knowledge that are neither the target's relatives in the
 * hierarchy nor its DDx neighbours. Memoized per target.
 */
export function randomPoolOf(kb: KnowledgeBase, h: Hierarchy): (target: string) => string[] {
  const cache = new Map<string, string[]>();
  const diseases = kb
    .diseases()
    .map((e) => e.node)
    .filter((n) => h.depth(n) >= 3)
    .sort();
  return (target) => {
    let pool = cache.get(target);
    if (!pool) {
      const near = new Set(kb.neighbours(target));
      pool = diseases.filter((n) => n !== target && !near.has(n) && !h.isAncestorOrSelf(n, target) && !h.isAncestorOrSelf(target, n));
      cache.set(target, pool);
    }
    return pool;
  };
}
