import os from 'node:os';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import type { TemporalConfig } from '../schemas/temporalConfig.ts';
import { codeVersion } from '../lineage/codeVersion.ts';
import { ArtifactStore } from '../store/ArtifactStore.ts';
import { queuesOf, type QueueSelection } from './queueSelection.ts';
import { workflowBundle } from './workflowBundle.ts';

export function workerIdentity(queue: 'cpu' | 'gpu'): string {
  return `${queue}@${os.hostname()}:${process.pid}`;
}

/**
 * One worker per selected task queue on a shared connection. Workflows run on the cpu queue's worker; every worker
 * registers every activity, and the workflow's choice of queue decides where each runs. A gpu worker takes one
 * activity at a time: one training shard owns the accelerator.
 */
export async function createWorkers(cfg: TemporalConfig, connection: NativeConnection, sel: QueueSelection): Promise<Worker[]> {
  const store = new ArtifactStore(cfg.storeRoot);
  // Read the code version now, so manifests name the code this process loaded, not what a later `git pull` left on disk.
  codeVersion();
  // Scratch folders of writers that died on this host (SIGKILL, power loss) are never part of an artifact.
  await store.cleanScratch();
  const workers: Worker[] = [];
  try {
    for (const queue of queuesOf(sel)) {
      const identity = workerIdentity(queue);
      workers.push(
        await Worker.create({
          connection,
          namespace: cfg.namespace,
          taskQueue: cfg.taskQueues[queue],
          identity,
          activities: createActivities({ store, workerIdentity: identity }),
          workflowBundle: queue === 'cpu' ? await workflowBundle() : undefined,
          shutdownGraceTime: cfg.workerShutdownGraceTime,
          maxConcurrentActivityTaskExecutions: queue === 'gpu' ? 1 : Math.max(2, os.availableParallelism()),
          // Flush heartbeats at least every second, well inside the shortest heartbeat timeout, even on a loaded machine.
          maxHeartbeatThrottleInterval: '1s',
          defaultHeartbeatThrottleInterval: '1s',
        }),
      );
    }
  } catch (e) {
    for (const w of workers) w.shutdown();
    throw e;
  }
  return workers;
}
