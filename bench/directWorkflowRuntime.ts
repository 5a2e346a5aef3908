/**
 * Runs a workflow of this project (`workflows/*.ts`, the very code the Temporal workers bundle) in plain Node, with no
 * server: the workflows' imports of `@temporalio/workflow` are redirected to `bench/workflowShim.ts` by a module
 * resolve hook, activities are the real implementations (`createActivities`) run inside a MockActivityEnvironment so
 * `Context.current()` (heartbeats, info) works, and children are awaited directly. The end-to-end bench compares this
 * with the same workflow under Temporal to measure what the orchestration costs.
 *
 * Kept like the workers: one ArtifactStore, activities limited per task queue to the worker's slots (the cpu worker's
 * max(2, cpus), the gpu worker's 1), so parallel stages (onboarding, distillation shards) overlap as much as under
 * Temporal. Not kept: retries, timeouts, heartbeat-based resume, queries, history (see the shim).
 */
import { register } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import { msOptionalToNumber } from '@temporalio/common/lib/time.js';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import { projectRoot } from '../devserver/projectRoot.ts';
import { codeVersion } from '../lineage/codeVersion.ts';
import { ArtifactStore } from '../store/ArtifactStore.ts';
import { jsonCopy, runShimWorkflow, setShimHost } from './workflowShim.ts';

export interface DirectRunStats {
  /** Activity type -> calls and the seconds spent inside them (summed: parallel calls overlap). */
  activities: Record<string, { calls: number; seconds: number }>;
  /** Workflow executions, counting each continue-as-new run. */
  workflowRuns: number;
  /** Each child workflow: when it started and ended, in ms after the root started. */
  children: Array<{ workflowId: string; workflowType: string; startMs: number; endMs: number }>;
}

export interface DirectRunResult {
  result: unknown;
  /** The root workflow from call to result. */
  seconds: number;
  /** Hook registration, importing the workflows and activities, the store's scratch clean-up. */
  setupSeconds: number;
  /** CPU time of this process (all its threads) during the root workflow. */
  cpuSeconds: number;
  /** Garbage collection pauses on the main thread during the root workflow. */
  gcSeconds: number;
  stats: DirectRunStats;
}

type WorkflowFn = (...args: unknown[]) => Promise<unknown>;

let redirected = false;

/** Must run before anything imports workflows/*.ts: a module, once loaded, keeps the SDK it was linked to. */
function redirectWorkflowSdk(): void {
  if (redirected) return;
  redirected = true;
  register(new URL('./workflowShimHook.mjs', import.meta.url), {
    data: { workflowsDirUrl: pathToFileURL(path.join(projectRoot, 'workflows')).href, shimUrl: new URL('./workflowShim.ts', import.meta.url).href },
  });
}

/** A counting semaphore: at most `n` holders at once, the rest wait in order. */
function slots(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let free = n;
  const waiting: Array<() => void> = [];
  return async (f) => {
    if (free > 0) free--;
    else await new Promise<void>((r) => waiting.push(r));
    try {
      return await f();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}

export async function runWorkflowDirect(o: {
  workflowType: string;
  workflowId: string;
  args: unknown[];
  storeRoot: string;
  taskQueues: { cpu: string; gpu: string };
  log?: (line: string) => void;
}): Promise<DirectRunResult> {
  const t0 = performance.now();
  redirectWorkflowSdk();
  const workflows = (await import('../workflows/index.ts')) as unknown as Record<string, WorkflowFn | undefined>;
  const store = new ArtifactStore(o.storeRoot);
  codeVersion();
  await store.cleanScratch();
  const identity = `direct@${os.hostname()}:${process.pid}`;
  const activities = createActivities({ store, workerIdentity: identity }) as unknown as Record<string, ((...args: unknown[]) => Promise<unknown>) | undefined>;
  // Activity logs at WARN on stderr, as the Temporal run's installRuntime('WARN').
  const logger = new DefaultLogger('WARN');
  const queues = new Map([
    [o.taskQueues.cpu, slots(Math.max(2, os.availableParallelism()))],
    [o.taskQueues.gpu, slots(1)],
  ]);
  const stats: DirectRunStats = { activities: {}, workflowRuns: 0, children: [] };
  let seq = 0;
  let rootStart = 0;
  const workflowFn = (type: string): WorkflowFn => {
    const fn = workflows[type];
    if (typeof fn !== 'function') throw new Error(`no workflow "${type}" in workflows/index.ts`);
    return fn;
  };

  setShimHost({
    activity: async (name, options, args, caller) => {
      const fn = activities[name];
      if (!fn) throw new Error(`no activity "${name}"`);
      const queue = options.taskQueue ?? caller.taskQueue;
      const limit = queues.get(queue);
      if (!limit) throw new Error(`activity ${name}: task queue "${queue}" is neither ${o.taskQueues.cpu} nor ${o.taskQueues.gpu}`);
      return limit(async () => {
        const now = Date.now();
        const env = new MockActivityEnvironment(
          {
            attempt: 1,
            activityId: String(++seq),
            activityType: name,
            workflowType: caller.workflowType,
            workflowExecution: { workflowId: caller.workflowId, runId: caller.runId },
            taskQueue: queue,
            heartbeatTimeoutMs: msOptionalToNumber(options.heartbeatTimeout),
            startToCloseTimeoutMs: msOptionalToNumber(options.startToCloseTimeout) ?? 0,
            scheduleToCloseTimeoutMs: 0,
            scheduledTimestampMs: now,
            currentAttemptScheduledTimestampMs: now,
            heartbeatDetails: undefined,
          },
          { logger },
        );
        const s = performance.now();
        try {
          return jsonCopy(await env.run(fn, ...jsonCopy(args)));
        } finally {
          const a = (stats.activities[name] ??= { calls: 0, seconds: 0 });
          a.calls++;
          a.seconds += (performance.now() - s) / 1000;
        }
      });
    },
    child: async (workflowType, workflowId, args, parent) => {
      const start = performance.now() - rootStart;
      o.log?.(`direct: ${workflowId} started`);
      const result = await runShimWorkflow(workflowFn(workflowType), { workflowType, workflowId, args, taskQueue: parent.taskQueue, parent });
      stats.children.push({ workflowId, workflowType, startMs: start, endMs: performance.now() - rootStart });
      return result;
    },
    started: () => {
      stats.workflowRuns++;
    },
  });

  const setupSeconds = (performance.now() - t0) / 1000;
  rootStart = performance.now();
  const cpu = process.cpuUsage();
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => list.getEntries().forEach((e) => (gcMs += e.duration)));
  gc.observe({ entryTypes: ['gc'] });
  try {
    const result = await runShimWorkflow(workflowFn(o.workflowType), { workflowType: o.workflowType, workflowId: o.workflowId, args: o.args, taskQueue: o.taskQueues.cpu });
    const seconds = (performance.now() - rootStart) / 1000;
    const used = process.cpuUsage(cpu);
    return { result, seconds, setupSeconds, cpuSeconds: (used.user + used.system) / 1e6, gcSeconds: gcMs / 1000, stats };
  } finally {
    gc.disconnect();
  }
}
