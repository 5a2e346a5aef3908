import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { optionalTsToMs } from '@temporalio/common/lib/time.js';
import type { NativeConnection } from '@temporalio/worker';
import type { PipelineConfig } from '../schemas/pipeline.ts';
import { SftHeartbeatSchema } from '../schemas/sft.ts';
import { fastRuntime, splitWorkers } from '../tests/helpers/splitWorkers.ts';
import { isolatedConfig } from '../tests/helpers/testEnv.ts';

export interface KillRecovery {
  workflowId: string;
  heartbeatTimeout: string;
  retryInitialInterval: string;
  /** The shard activity killed, as the server saw it just before the kill. */
  activityId: string;
  attemptBefore: number;
  stepBefore: number;
  /** Seconds after the SIGKILL. */
  workerPollingS: number;
  retryScheduledS: number | null;
  activityStartedAgainS: number;
  progressS: number;
  /** The step of the first heartbeat seen from the new attempt (where it resumed: its last step checkpoint). */
  resumeStep: number | null;
  progressStep: number;
  attemptAfter: number;
  ending: 'terminated' | 'finished';
  /** Start of the run to its end, when it was let finish. */
  runSeconds: number | null;
}

const STARTED = 2; // PENDING_ACTIVITY_STATE_STARTED
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ShardView {
  activityId: string;
  attempt: number;
  started: boolean;
  step: number | null;
  heartbeatMs: number | null;
  startedMs: number | null;
}

/** The pending sftShard of the run's SFT child as the server sees it, or null (child not started yet, or between shards). */
async function shardView(client: Client, sftId: string): Promise<ShardView | null> {
  let d;
  try {
    d = await client.workflow.getHandle(sftId).describe();
  } catch {
    return null; // the child does not exist yet
  }
  const a = (d.raw.pendingActivities ?? []).find((p) => p.activityType?.name === 'sftShard');
  if (!a) return null;
  const payload = a.heartbeatDetails?.payloads?.[0];
  const hb = SftHeartbeatSchema.safeParse(payload ? defaultPayloadConverter.fromPayload(payload) : undefined);
  return {
    activityId: a.activityId ?? '',
    attempt: a.attempt ?? 1,
    started: a.state === STARTED,
    step: hb.success ? hb.data.step : null,
    heartbeatMs: optionalTsToMs(a.lastHeartbeatTime) ?? null,
    startedMs: optionalTsToMs(a.lastStartedTime) ?? null,
  };
}

/**
 * Runs `trainSkinR1` with the cpu worker in this process and the gpu worker as its own process (`skinr1 worker --queue
 * gpu`). Once an SFT shard is running and the server has recorded `killAfterSteps` steps of its heartbeats, SIGKILLs
 * the gpu worker, starts a new one at once, and times from the kill: the new worker polling, the server scheduling
 * the retry, the shard running again, and the first heartbeat past the step the server had before the kill.
 *
 * The kill is silent: the server learns of it only when no heartbeat arrived for the training policy's heartbeat
 * timeout (5 min in production, temporal.config.ts; shortened here), and then waits the retry policy's first backoff
 * (5 s) before the next attempt, so "running again" is about timeout + backoff. A SIGTERM would instead let the worker
 * hand the activity back at once (graceful shutdown).
 */
export async function measureWorkerKillRecovery(o: {
  client: Client;
  native: NativeConnection;
  serverAddress: string;
  storeRoot: string;
  config: PipelineConfig;
  workflowId: string;
  heartbeatTimeout: string;
  killAfterSteps: number;
  finish: boolean;
  progress: (line: string) => void;
}): Promise<KillRecovery> {
  const t = isolatedConfig(o.storeRoot);
  const runtime = fastRuntime(t.runtime, o.heartbeatTimeout);
  const training = runtime.activities.training;
  if (!training) throw new Error('no training activity policy configured');
  const cleanups: Array<() => Promise<unknown>> = [];
  const sftId = `${o.workflowId}.sft`;
  try {
    const { startGpu } = await splitWorkers({ nativeConnection: o.native, address: o.serverAddress }, t, cleanups);
    const gpu = await startGpu(120_000);
    const t0 = performance.now();
    const handle = await o.client.workflow.start('trainSkinR1', { taskQueue: t.cfg.taskQueues.cpu, workflowId: o.workflowId, args: [{ config: o.config, runtime }] });
    o.progress(`kill: ${o.workflowId} started; waiting for an SFT shard with ${o.killAfterSteps} heartbeat steps on the server ...`);

    // 1. Wait until the server has seen the shard's heartbeats advance by killAfterSteps within one attempt.
    let before: ShardView | undefined;
    let firstStep: { activityId: string; attempt: number; step: number } | undefined;
    for (;;) {
      const v = await shardView(o.client, sftId);
      if (v?.started && v.step !== null) {
        if (!firstStep || firstStep.activityId !== v.activityId || firstStep.attempt !== v.attempt) firstStep = { activityId: v.activityId, attempt: v.attempt, step: v.step };
        else if (v.step >= firstStep.step + o.killAfterSteps) {
          before = v;
          break;
        }
      }
      else {
        const d = await handle.describe();
        if (d.status.name !== 'RUNNING') throw new Error(`${o.workflowId} is ${d.status.name} before an SFT shard could be interrupted`);
      }
      await sleep(v ? 100 : 500);
    }

    // 2. Kill the worker running it, start another at once, and watch the server.
    gpu.child.kill('SIGKILL');
    const killAt = performance.now();
    const since = () => (performance.now() - killAt) / 1000;
    o.progress(`kill: SIGKILL gpu worker (pid ${gpu.child.pid}) at heartbeat step ${before.step} (sftShard activity ${before.activityId}, attempt ${before.attempt}); starting a new one`);
    let workerPollingS: number | undefined;
    const pollingSeen = startGpu(120_000).then(() => (workerPollingS = since()));
    pollingSeen.catch(() => {}); // awaited below; never left unhandled meanwhile
    let retryScheduledS: number | null = null;
    let activityStartedAgainS: number | undefined;
    let resumeStep: number | null = null;
    let after: ShardView | undefined;
    const stepBefore = before.step!;
    for (;;) {
      const v = await shardView(o.client, sftId);
      if (v && v.activityId === before.activityId && v.attempt > before.attempt) {
        retryScheduledS ??= since();
        if (v.started) {
          activityStartedAgainS ??= since();
          // A heartbeat later than this attempt's start comes from the new attempt (the earlier details carry over).
          if (resumeStep === null && v.heartbeatMs !== null && v.startedMs !== null && v.heartbeatMs >= v.startedMs && v.step !== null) resumeStep = v.step;
          if (v.step !== null && v.step > stepBefore && v.heartbeatMs !== null && v.startedMs !== null && v.heartbeatMs >= v.startedMs) {
            after = v;
            break;
          }
        }
      } else if (!v && activityStartedAgainS !== undefined) {
        throw new Error(`the shard ${before.activityId} finished before a heartbeat past step ${stepBefore} was seen; use a larger --kill-after-steps margin or more data`);
      }
      if (since() > 600) throw new Error('no progress within 10 minutes of the kill');
      await sleep(100);
    }
    const progressS = since();
    await pollingSeen;
    o.progress(`kill: progress again after ${progressS.toFixed(1)} s (step ${after.step}, attempt ${after.attempt})`);

    // 3. End the run: let it finish (its result proves the retried shard joined the run), or terminate it to save time.
    let runSeconds: number | null = null;
    if (o.finish) {
      o.progress('kill: letting the run finish ...');
      await handle.result();
      runSeconds = (performance.now() - t0) / 1000;
    } else {
      await handle.terminate('bench: worker-kill recovery measured');
    }
    return {
      workflowId: o.workflowId,
      heartbeatTimeout: o.heartbeatTimeout,
      retryInitialInterval: String(training.retry.initialInterval),
      activityId: before.activityId,
      attemptBefore: before.attempt,
      stepBefore,
      workerPollingS: workerPollingS!,
      retryScheduledS,
      activityStartedAgainS: activityStartedAgainS!,
      progressS,
      resumeStep,
      progressStep: after.step!,
      attemptAfter: after.attempt,
      ending: o.finish ? 'finished' : 'terminated',
      runSeconds,
    };
  } finally {
    // The run is over (finished or terminated): the gpu worker processes are killed, the cpu worker shut down.
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
}
