import { NativeConnection, type Worker } from '@temporalio/worker';
import { openTemporal } from '../devserver/openTemporal.ts';
import type { TemporalConfig } from '../schemas/temporalConfig.ts';
import { createWorkers } from '../workers/createWorkers.ts';
import { installRuntime } from '../workers/installRuntime.ts';
import { spawnGpuWorker, type ChildWorker } from '../workers/spawnGpuWorker.ts';
import { describeRun, type RunView } from './describeRun.ts';
import { note } from './output.ts';

/** Workflows whose activities train on the gpu queue: in local mode their gpu worker runs as a child process. */
const TRAINING_WORKFLOWS = new Set(['sft', 'rl', 'evaluate', 'trainSkinR1']);

export interface ExecuteOptions {
  workflowType: string;
  args: unknown[];
  workflowId: string;
  /** Called about twice a second with the run's server-side view (pending activities, last heartbeats, progress query). */
  onProgress?: (view: RunView, peek: (workflowId: string) => Promise<RunView>) => void | Promise<void>;
}

export interface Execution<R> {
  result: R;
  workflowId: string;
  runId: string;
  mode: 'local' | 'cluster';
  address: string;
}

/**
 * Starts workflows on the cpu queue and waits for all their results. Local mode: starts the embedded server when
 * needed and hosts both queues' workers in this process while waiting. Cluster mode: workers run elsewhere.
 */
export async function executeWorkflows<R>(cfg: TemporalConfig, runs: ExecuteOptions[]): Promise<Array<Execution<R>>> {
  if (cfg.address === undefined) installRuntime('WARN');
  const session = await openTemporal(cfg, { startServer: true, log: note });
  let workers: Worker[] = [];
  let gpuChild: ChildWorker | undefined;
  let native: NativeConnection | undefined;
  const polls = new Map<string, NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  try {
    if (session.local) {
      native = await NativeConnection.connect({ address: session.address });
      const training = runs.some((r) => TRAINING_WORKFLOWS.has(r.workflowType));
      if (training) gpuChild = spawnGpuWorker(cfg, session.address, note);
      workers = await createWorkers(cfg, native, training ? 'cpu' : 'all');
    }
    const handles = await Promise.all(
      runs.map((r) => session.client.workflow.start(r.workflowType, { taskQueue: cfg.taskQueues.cpu, workflowId: r.workflowId, args: r.args })),
    );
    const warned = new Set<string>();
    for (const r of runs) {
      const tick = async () => {
        try {
          const view = await describeRun(session.client, r.workflowId, { queryTimeoutMs: 1000 });
          await r.onProgress?.(view, (id) => describeRun(session.client, id, { queryTimeoutMs: 1000 }));
          if (view.workflowTaskFailure && !warned.has(r.workflowId)) {
            warned.add(r.workflowId);
            note(`\n${r.workflowId}: its workflow task keeps failing (attempt ${view.workflowTaskAttempt}): ${view.workflowTaskFailure}\n` + `  the run waits for a fix (redeploy workers) or a cancel: temporal workflow terminate --workflow-id ${r.workflowId}`);
          }
        } catch {
          // progress is best effort; the results below are what count
        }
        // A tick in flight when the runs end must not schedule another on a closed connection.
        if (!stopped) polls.set(r.workflowId, setTimeout(track, 500).unref());
      };
      const track = () => {
        const t = tick();
        inFlight.add(t);
        void t.finally(() => inFlight.delete(t));
      };
      polls.set(r.workflowId, setTimeout(track, 300).unref());
    }
    const all = Promise.all(handles.map((h) => h.result() as Promise<R>));
    const results = await workers.reduce<Promise<R[]>>((inner, w) => w.runUntil(inner), all).catch((e: unknown) => {
      throw rootCause(e);
    });
    return results.map((result, i) => ({
      result,
      workflowId: handles[i]!.workflowId,
      runId: handles[i]!.firstExecutionRunId,
      mode: session.local ? 'local' : 'cluster',
      address: session.address,
    }));
  } finally {
    stopped = true;
    for (const p of polls.values()) clearTimeout(p);
    // Let a progress tick finish its calls before the connection closes under it (its query has a deadline; the
    // bound covers a describe retrying against a server that went away).
    await Promise.race([Promise.all(inFlight), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    await gpuChild?.stop();
    await native?.close().catch(() => {});
    await session.close();
  }
}

/**
 * A failed run's innermost cause, named after its failure type (e.g. ValidationError) and prefixed with where it
 * failed, instead of the client's generic "Workflow execution failed".
 */
function rootCause(e: unknown): Error {
  const chain: Array<{ name: string; message: string; type?: string }> = [];
  for (let cur = e as (Error & { cause?: unknown; type?: string; activityType?: string; workflowType?: string }) | undefined; cur; cur = cur.cause as typeof cur) {
    chain.push({ name: cur.activityType ? `activity ${cur.activityType}` : cur.name, message: cur.message, type: cur.type });
  }
  const last = chain[chain.length - 1];
  if (!last || chain.length < 2) return e as Error;
  const where = chain.filter((c) => c.name.startsWith('activity ')).map((c) => c.name);
  const err = new Error(`${where.length ? `${where.join(' > ')}: ` : ''}${last.message}`);
  err.name = last.type ?? last.name;
  return err;
}

export async function executeWorkflow<R>(cfg: TemporalConfig, opts: ExecuteOptions): Promise<Execution<R>> {
  const [run] = await executeWorkflows<R>(cfg, [opts]);
  return run!;
}
