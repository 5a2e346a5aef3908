import { randomBytes } from 'node:crypto';
import { loadTemporalConfig } from '../../temporal.config.ts';
import type { TemporalConfig } from '../../schemas/temporalConfig.ts';
import type { WorkflowRuntime } from '../../schemas/temporalConfig.ts';

/** A config isolated for one test: its own store, ports and task queue names, as environment variables too. */
export function isolatedConfig(storeRoot: string, ports: { port: number; uiPort: number } = { port: 7233, uiPort: 8233 }): { cfg: TemporalConfig; env: NodeJS.ProcessEnv; runtime: WorkflowRuntime } {
  const tag = randomBytes(4).toString('hex');
  const env: NodeJS.ProcessEnv = {
    SKINR1_HOME: storeRoot,
    SKINR1_TEMPORAL_PORT: String(ports.port),
    SKINR1_TEMPORAL_UI_PORT: String(ports.uiPort),
    SKINR1_TASK_QUEUE_CPU: `test-${tag}-cpu`,
    SKINR1_TASK_QUEUE_GPU: `test-${tag}-gpu`,
    SKINR1_WORKER_SHUTDOWN_GRACE: '2s',
  };
  const cfg = loadTemporalConfig({ env });
  return { cfg, env, runtime: { taskQueues: cfg.taskQueues, activities: cfg.activities } };
}
