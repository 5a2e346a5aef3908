import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../devserver/projectRoot.ts';
import type { TemporalConfig } from '../schemas/temporalConfig.ts';

export interface ChildWorker {
  child: ChildProcess;
  /** Asks the worker to finish (SIGTERM: it hands back or finishes its activity) and waits for it. */
  stop(): Promise<void>;
}

/**
 * The gpu-queue worker as a separate process, for local mode. Training steps are long synchronous tensor work: in the
 * process that also runs the workflow worker they would hold up workflow tasks for whole steps (Temporal warns past
 * 5 s and times a task out at 10 s). A child process is also what a GPU machine runs in a cluster.
 */
export function spawnGpuWorker(cfg: TemporalConfig, address: string, log: (line: string) => void): ChildWorker {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: cfg.namespace,
    SKINR1_HOME: cfg.storeRoot,
    SKINR1_TASK_QUEUE_CPU: cfg.taskQueues.cpu,
    SKINR1_TASK_QUEUE_GPU: cfg.taskQueues.gpu,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'cli', 'main.ts'), 'worker', '--queue', 'gpu'], { cwd: projectRoot, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  child.stderr!.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') log(`gpu worker (pid ${child.pid}) exited with ${signal ?? code}:\n${tail}`);
    resolve();
  }));
  return {
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
