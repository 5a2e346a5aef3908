import type { NativeConnection } from '@temporalio/worker';
import type { TemporalConfig, WorkflowRuntime } from '../../schemas/temporalConfig.ts';
import { createWorkers } from '../../workers/createWorkers.ts';
import type { CliProcess } from './spawnCli.ts';
import { startWorkerProcess } from './startWorkerProcess.ts';

/** A short heartbeat timeout for training, so a killed GPU worker's activity is retried within seconds. */
export function fastRuntime(runtime: WorkflowRuntime, heartbeatTimeout = '3s'): WorkflowRuntime {
  return { ...runtime, activities: { ...runtime.activities, training: { ...runtime.activities.training, heartbeatTimeout } } };
}

/**
 * The cpu worker in this process and the gpu worker as a separate process (`skinr1 worker --queue gpu`), so a test
 * can SIGKILL the GPU worker and start another. `server` is a TestWorkflowEnvironment or any connection and address
 * to one server. Everything started is stopped by the returned cleanups.
 */
export async function splitWorkers(server: { nativeConnection: NativeConnection; address: string }, t: { cfg: TemporalConfig; env: NodeJS.ProcessEnv }, cleanups: Array<() => Promise<unknown>>): Promise<{ startGpu: (timeoutMs?: number) => Promise<CliProcess> }> {
  const workers = await createWorkers(t.cfg, server.nativeConnection, 'cpu');
  const running = Promise.all(workers.map((w) => w.run()));
  cleanups.push(async () => {
    for (const w of workers) w.shutdown();
    await running;
  });
  const gpuEnv = { ...t.env, TEMPORAL_ADDRESS: server.address };
  return { startGpu: (timeoutMs) => startWorkerProcess('gpu', gpuEnv, cleanups, timeoutMs) };
}
