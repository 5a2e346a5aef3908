import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { adapterSpec } from '../datasets/adapters.ts';
import { generateSynthetic } from '../datasets/synthetic/generateSynthetic.ts';
import { defaultKnowledgeDir } from '../knowledge/KnowledgeBase.ts';
import { DistillConfigSchema, type TrajectorySetSummary } from '../schemas/distill.ts';
import { modelPresets, SftConfigSchema } from '../schemas/model.ts';
import { OnboardConfigSchema, type DatasetSummary } from '../schemas/onboarding.ts';
import type { SftSummary } from '../schemas/sft.ts';
import type { TemporalConfig, WorkflowRuntime } from '../schemas/temporalConfig.ts';
import { SftHeartbeatSchema } from '../schemas/sft.ts';
import { describeRun } from '../cli/describeRun.ts';
import { ArtifactStore } from '../store/ArtifactStore.ts';
import { createWorkers } from '../workers/createWorkers.ts';
import { finalWeights } from './helpers/finalWeights.ts';
import { localTestEnv } from './helpers/localTestEnv.ts';
import { fastRuntime, splitWorkers } from './helpers/splitWorkers.ts';
import { tempDir } from './helpers/tempDir.ts';
import { isolatedConfig } from './helpers/testEnv.ts';

const sftConfig = SftConfigSchema.parse({ model: { ...modelPresets.small, maxLen: 160 }, epochs: 1, batchSize: 2, shardSize: 1000, checkpointEvery: 3, learningRate: 3e-3, seed: 'resume' });

describe('SFT survives a killed GPU worker', { timeout: 400_000 }, () => {
  let env: TestWorkflowEnvironment;
  const rootA = tempDir('sft-a');
  const rootB = tempDir('sft-b');
  let a: { cfg: TemporalConfig; runtime: WorkflowRuntime; env: NodeJS.ProcessEnv };
  let b: { cfg: TemporalConfig; runtime: WorkflowRuntime; env: NodeJS.ProcessEnv };
  let workersA: Worker[] = [];
  let runningA: Promise<unknown> | undefined;
  let trajectorySetId = '';
  const cleanups: Array<() => Promise<unknown>> = [];

  before(async () => {
    env = await localTestEnv();
    a = isolatedConfig(rootA);
    b = isolatedConfig(rootB);
    workersA = await createWorkers(a.cfg, env.nativeConnection, 'all');
    runningA = Promise.all(workersA.map((w) => w.run()));
    // Data: a small synthetic HAM10000-style dataset, onboarded and distilled (type 1 only: short trajectories).
    const data = tempDir('sft-data');
    const syn = await generateSynthetic({ format: 'ham10000', n: 60, out: data, seed: 'sft' });
    const run = <R>(type: string, args: unknown) => env.client.workflow.execute(type, { taskQueue: a.cfg.taskQueues.cpu, workflowId: `${type}-${Date.now()}`, args: [args] }) as Promise<R>;
    const dv = await run<DatasetSummary>('onboardDataset', { spec: adapterSpec('ham10000', syn.metadata, syn.out, {}), config: OnboardConfigSchema.parse({}), runtime: a.runtime });
    const set = await run<TrajectorySetSummary>('distillTrajectories', { datasetVersionIds: [dv.datasetVersionId], knowledgeDir: defaultKnowledgeDir, config: DistillConfigSchema.parse({ extraTypesPerSample: 0 }), runtime: a.runtime });
    trajectorySetId = set.trajectorySetId;
    // Store B starts as a copy of A before any training: the same data under the same ids.
    for (const d of ['artifacts', 'images']) cpSync(path.join(rootA, d), path.join(rootB, d), { recursive: true });
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    for (const w of workersA) w.shutdown();
    await runningA;
    await env?.teardown();
  });

  it('resumes the shard from its last step checkpoint and ends with the same weights as an uninterrupted run', async () => {
    // The uninterrupted reference, in store A with in-process workers.
    const reference = (await env.client.workflow.execute('sft', {
      taskQueue: a.cfg.taskQueues.cpu,
      workflowId: `sft-ref-${Date.now()}`,
      args: [{ trajectorySetId, baseCheckpointId: null, config: sftConfig, runtime: fastRuntime(a.runtime) }],
    })) as SftSummary;
    assert.ok(reference.steps >= 12, `${reference.steps} steps`);

    // Store B: the cpu worker in this process, the gpu worker a separate process that gets SIGKILLed mid-shard.
    const { startGpu } = await splitWorkers(env, b, cleanups);
    const first = await startGpu();
    const handle = await env.client.workflow.start('sft', {
      taskQueue: b.cfg.taskQueues.cpu,
      workflowId: `sft-kill-${Date.now()}`,
      args: [{ trajectorySetId, baseCheckpointId: null, config: sftConfig, runtime: fastRuntime(b.runtime) }],
    });
    // Wait for a heartbeat that names a step checkpoint (step 6 or later), then kill the worker.
    let killedAt: number;
    for (const deadline = Date.now() + 120_000; ; ) {
      const view = await describeRun(env.client, handle.workflowId, { queryTimeoutMs: 500 });
      const hb = SftHeartbeatSchema.safeParse(view.pendingActivities.find((p) => p.activityType === 'sftShard')?.heartbeatDetails);
      if (hb.success && hb.data.step >= 6 && hb.data.checkpointId.startsWith('checkpoint-')) {
        killedAt = hb.data.step;
        break;
      }
      assert.ok(Date.now() < deadline, 'no step checkpoint heartbeat within 2 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');
    await startGpu();
    const resumed = (await handle.result()) as SftSummary;

    const storeA = new ArtifactStore(rootA);
    const storeB = new ArtifactStore(rootB);
    assert.equal(resumed.steps, reference.steps);
    assert.equal(finalWeights(storeB, resumed.checkpointId), finalWeights(storeA, reference.checkpointId), 'same final weights digest');
    assert.equal(resumed.checkpointId, reference.checkpointId, 'and the same checkpoint identity');
    // The shard's final checkpoint was written by attempt 2, which began at a step checkpoint, not at step 0.
    const shards = (await storeB.list('checkpoint')).filter((m) => m.inputs.role === 'shard');
    assert.equal(shards.length, 1);
    assert.equal(shards[0]!.run.attempt, 2);
    const start = Number(shards[0]!.metrics.attemptStartStep);
    assert.ok(start >= 6 && start % sftConfig.checkpointEvery === 0 && start <= killedAt + sftConfig.checkpointEvery, `attempt 2 started at step ${start}, killed after the heartbeat at ${killedAt}`);
    assert.deepEqual(await storeB.verify(resumed.checkpointId), []);
  });

  it('continues as new between epochs and carries the losses over; more epochs lower the validation loss', async () => {
    const config = SftConfigSchema.parse({ model: { ...modelPresets.tiny, maxLen: 160 }, epochs: 3, epochsPerRun: 1, batchSize: 4, checkpointEvery: 50, learningRate: 5e-3, seed: 'can' });
    const handle = await env.client.workflow.start('sft', {
      taskQueue: a.cfg.taskQueues.cpu,
      workflowId: `sft-can-${Date.now()}`,
      args: [{ trajectorySetId, baseCheckpointId: null, config, runtime: a.runtime }],
    });
    const s = (await handle.result()) as SftSummary;
    assert.equal(s.valLossByEpoch.length, 3, 'one validation loss per epoch, across runs');
    const firstRun = await env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
    assert.equal(firstRun.status.name, 'CONTINUED_AS_NEW');
    assert.ok(s.valLossByEpoch[2]! < s.valLossByEpoch[0]!, `validation loss ${s.valLossByEpoch.join(' -> ')}`);
    assert.ok(s.trainLoss.last! < s.trainLoss.first!);
    const m = await new ArtifactStore(rootA).require(s.checkpointId);
    assert.equal(m.inputs.role, 'epoch');
    assert.equal(m.metrics.epoch, 2);
  });
});
