import { spawnCli, type CliProcess } from './spawnCli.ts';

/**
 * `skinr1 worker --queue <queue>` as its own process (so a test can SIGKILL it), resolved once it polls; its SIGKILL
 * goes on `cleanups`, which the caller runs at the end. `env` carries the isolated config and TEMPORAL_ADDRESS.
 */
export async function startWorkerProcess(queue: 'cpu' | 'gpu' | 'all', env: NodeJS.ProcessEnv, cleanups: Array<() => Promise<unknown>>, timeoutMs?: number): Promise<CliProcess> {
  const w = spawnCli(['worker', '--queue', queue], env);
  cleanups.push(async () => {
    w.child.kill('SIGKILL');
    await w.exited;
  });
  // `all` polls both queues; its cpu line is the one every selection prints.
  await w.waitFor(new RegExp(`polling .*-${queue === 'gpu' ? 'gpu' : 'cpu'}`), timeoutMs);
  return w;
}
