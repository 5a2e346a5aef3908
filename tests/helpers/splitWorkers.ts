import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TemporalConfig, WorkflowRuntime } from '../../schemas/temporalConfig.ts';
import { createWorkers } from '../../workers/createWorkers.ts';
import { spawnCli, type CliProcess } from './spawnCli.ts';

/** A short heartbeat timeout for training, so a killed GPU worker's activity is retried within seconds. */
export function fastRuntime(runtime: WorkflowRuntime): WorkflowRuntime {
  return { ...runtime, activities: { ...runtime.activities, training: { ...runtime.activities.training, heartbeatTimeout: '3s' } } };
}

/**
 * The cpu worker in this process and the gpu worker as a separate process (`skinr1 worker --queue gpu`), so a test
 * can SIGKILL the GPU worker and start another. Everything started is stopped by the returned cleanups.
 */
export async function splitWorkers(env: TestWorkflowEnvironment, t: { cfg: TemporalConfig; env: NodeJS.ProcessEnv }, cleanups: Array<() => Promise<unknown>>): Promise<{ startGpu: () => Promise<CliProcess> }> {
  const workers = await createWorkers(t.cfg, env.nativeConnection, 'cpu');
  const running = Promise.all(workers.map((w) => w.run()));
  cleanups.push(async () => {
    for (const w of workers) w.shutdown();
    await running;
  });
  const gpuEnv = { ...t.env, TEMPORAL_ADDRESS: env.address };
  return {
    startGpu: async () => {
      const w = spawnCli(['worker', '--queue', 'gpu'], gpuEnv);
      cleanups.push(async () => {
        w.child.kill('SIGKILL');
        await w.exited;
      });
      await w.waitFor(/polling .*-gpu/);
      return w;
    },
  };
}
