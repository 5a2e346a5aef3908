import { NativeConnection, type Worker } from '@temporalio/worker';
import { openTemporal } from '../devserver/openTemporal.ts';
import type { TemporalConfig } from '../schemas/temporalConfig.ts';
import { createWorkers } from '../workers/createWorkers.ts';
import { installRuntime } from '../workers/installRuntime.ts';
import { describeRun, type RunView } from './describeRun.ts';
import { note } from './output.ts';

export interface ExecuteOptions {
  workflowType: string;
  args: unknown[];
  workflowId: string;
  /** Called about twice a second with the run's server-side view (pending activities, last heartbeats). */
  onProgress?: (view: RunView) => void;
}

export interface Execution<R> {
  result: R;
  workflowId: string;
  runId: string;
  mode: 'local' | 'cluster';
  address: string;
}

/**
 * Starts a workflow on the cpu queue and waits for its result. Local mode: starts the embedded server when needed
 * and hosts both queues' workers in this process while waiting. Cluster mode: workers run elsewhere; this only waits.
 */
export async function executeWorkflow<R>(cfg: TemporalConfig, opts: ExecuteOptions): Promise<Execution<R>> {
  if (cfg.address === undefined) installRuntime('WARN');
  const session = await openTemporal(cfg, { startServer: true, log: note });
  let workers: Worker[] = [];
  let native: NativeConnection | undefined;
  let poll: NodeJS.Timeout | undefined;
  let stopped = false;
  try {
    if (session.local) {
      native = await NativeConnection.connect({ address: session.address });
      workers = await createWorkers(cfg, native, 'all');
    }
    const handle = await session.client.workflow.start(opts.workflowType, {
      taskQueue: cfg.taskQueues.cpu,
      workflowId: opts.workflowId,
      args: opts.args,
    });
    if (opts.onProgress) {
      const tick = async () => {
        try {
          opts.onProgress?.(await describeRun(session.client, opts.workflowId, { queryTimeoutMs: 1000 }));
        } catch {
          // progress is best effort; the result below is what counts
        }
        // A tick in flight when the run ends must not schedule another on a closed connection.
        if (!stopped) poll = setTimeout(tick, 500).unref();
      };
      poll = setTimeout(tick, 300).unref();
    }
    const wait = handle.result() as Promise<R>;
    const result = await runWorkersUntil(workers, wait);
    return { result, workflowId: handle.workflowId, runId: handle.firstExecutionRunId, mode: session.local ? 'local' : 'cluster', address: session.address };
  } finally {
    stopped = true;
    if (poll) clearTimeout(poll);
    await native?.close().catch(() => {});
    await session.close();
  }
}

function runWorkersUntil<R>(workers: Worker[], done: Promise<R>): Promise<R> {
  return workers.reduce<Promise<R>>((inner, w) => w.runUntil(inner), done);
}
