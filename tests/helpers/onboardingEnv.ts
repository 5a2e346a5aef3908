import { after, before } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { DatasetSpec } from '../../schemas/datasetSpec.ts';
import { OnboardConfigSchema, type DatasetSummary, type OnboardConfig } from '../../schemas/onboarding.ts';
import type { TemporalConfig, WorkflowRuntime } from '../../schemas/temporalConfig.ts';
import { ArtifactStore } from '../../store/ArtifactStore.ts';
import { createWorkers } from '../../workers/createWorkers.ts';
import { localTestEnv } from './localTestEnv.ts';
import { tempDir } from './tempDir.ts';
import { isolatedConfig } from './testEnv.ts';

export interface OnboardingHarness {
  cfg: TemporalConfig;
  runtime: WorkflowRuntime;
  store: ArtifactStore;
  env: TestWorkflowEnvironment;
  onboard(spec: DatasetSpec, config?: Partial<OnboardConfig>): Promise<DatasetSummary>;
}

/** A real dev server, workers on both queues and a fresh store, shared by the tests of one file. */
export function onboardingHarness(label: string): OnboardingHarness {
  const h = {} as OnboardingHarness;
  let workers: Worker[] = [];
  let running: Promise<unknown> | undefined;
  before(async () => {
    h.env = await localTestEnv();
    const { cfg, runtime } = isolatedConfig(tempDir(label));
    h.cfg = cfg;
    h.runtime = runtime;
    h.store = new ArtifactStore(cfg.storeRoot);
    workers = await createWorkers(cfg, h.env.nativeConnection, 'all');
    running = Promise.all(workers.map((w) => w.run()));
    h.onboard = async (spec, config = {}) =>
      (await h.env.client.workflow.execute('onboardDataset', {
        taskQueue: cfg.taskQueues.cpu,
        workflowId: `onboard-${spec.name}-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`,
        args: [{ spec, config: OnboardConfigSchema.parse(config), runtime }],
      })) as DatasetSummary;
  });
  after(async () => {
    for (const w of workers) w.shutdown();
    await running;
    await h.env?.teardown();
  });
  return h;
}
