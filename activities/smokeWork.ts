import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { producingRun } from '../lineage/producingRun.ts';
import { sha256Hex } from '../store/sha256.ts';
import { SmokeHeartbeatSchema, SmokeResultSchema, SmokeWorkInputSchema, type SmokeResult, type SmokeWorkInput } from '../schemas/smoke.ts';
import type { ActivityDeps } from './ActivityDeps.ts';
import { parseInput } from '../schemas/parseInput.ts';

export const SMOKE_CODE_VERSION = 'smoke@1';

/** One step of the chain: `rounds` sha256 rounds over the state and the step number. Deterministic, CPU-bound. */
export function smokeChainStep(state: string, step: number, rounds: number): string {
  let s = `${state}:${step}`;
  for (let i = 0; i < rounds; i++) s = sha256Hex(s);
  return s;
}

export function smokeInitialState(seed: string): string {
  return sha256Hex(`skinr1-smoke:${seed}`);
}

/**
 * The pattern every long stage copies: look up the memoized artifact; otherwise resume from the last heartbeat
 * (validated, small), work in steps that heartbeat their progress and yield to the event loop, then commit the
 * artifact atomically with its manifest.
 */
export function makeSmokeWork(deps: ActivityDeps) {
  return async function smokeWork(raw: SmokeWorkInput): Promise<SmokeResult> {
    const input = parseInput(SmokeWorkInputSchema, raw, 'smokeWork input');
    const ctx = Context.current();
    const startedAt = new Date();
    const spec = {
      kind: 'smoke',
      codeVersion: SMOKE_CODE_VERSION,
      inputs: { steps: input.steps, seed: input.seed, roundsPerStep: input.roundsPerStep },
      // Pacing does not change the result, so it is not part of the artifact's identity.
      config: {},
    };
    const existing = await deps.store.find(spec);
    if (existing) {
      return SmokeResultSchema.parse({
        artifactId: existing.id,
        finalState: existing.metrics.finalState,
        reused: true,
        attempt: ctx.info.attempt,
        resumedFromStep: input.steps,
        stepsRunThisAttempt: 0,
        workerIdentity: deps.workerIdentity,
      });
    }

    let step = 0;
    let state = smokeInitialState(input.seed);
    const hb = SmokeHeartbeatSchema.safeParse(ctx.info.heartbeatDetails);
    if (hb.success && hb.data.steps === input.steps && hb.data.step <= input.steps) {
      step = hb.data.step;
      state = hb.data.state;
      ctx.log.info('resuming from heartbeat', { step, attempt: ctx.info.attempt });
    }
    const resumedFromStep = step;

    while (step < input.steps) {
      const t0 = Date.now();
      state = smokeChainStep(state, step, input.roundsPerStep);
      step++;
      ctx.heartbeat({ step, steps: input.steps, state });
      // Sleeping through the context yields to the event loop (heartbeats flush) and throws on cancellation.
      await ctx.sleep(Math.max(0, input.stepMs - (Date.now() - t0)));
    }

    const finalState = state;
    const { manifest } = await deps.store.commit(
      spec,
      () => producingRun(ctx.info, deps.workerIdentity, startedAt),
      async (dir) => {
        await writeFile(path.join(dir, 'result.json'), JSON.stringify({ seed: input.seed, steps: input.steps, roundsPerStep: input.roundsPerStep, finalState }, null, 2) + '\n');
        return { finalState, attempt: ctx.info.attempt, resumedFromStep };
      },
    );
    return SmokeResultSchema.parse({
      artifactId: manifest.id,
      finalState,
      reused: false,
      attempt: ctx.info.attempt,
      resumedFromStep,
      stepsRunThisAttempt: input.steps - resumedFromStep,
      workerIdentity: deps.workerIdentity,
    });
  };
}
