import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { describeRun } from '../cli/describeRun.ts';
import { adapterSpec } from '../datasets/adapters.ts';
import { generateSynthetic } from '../datasets/synthetic/generateSynthetic.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { defaultKnowledgeDir } from '../knowledge/KnowledgeBase.ts';
import { REWARD_VERSION, scoreCompletion } from '../rl/hierarchicalReward.ts';
import { ITEMS_FILE, readItems, readRewards, readRollouts, RL_STEPS_FILE } from '../rl/rlFiles.ts';
import { DistillConfigSchema, type TrajectorySetSummary } from '../schemas/distill.ts';
import { modelPresets, SftConfigSchema } from '../schemas/model.ts';
import { OnboardConfigSchema, type DatasetSummary } from '../schemas/onboarding.ts';
import { RlConfigSchema, type RlConfigInput, type RlSummary } from '../schemas/rl.ts';
import type { SftSummary } from '../schemas/sft.ts';
import type { TemporalConfig, WorkflowRuntime } from '../schemas/temporalConfig.ts';
import { ArtifactStore } from '../store/ArtifactStore.ts';
import { readParquetRows } from '../store/parquetRows.ts';
import { createWorkers } from '../workers/createWorkers.ts';
import { finalWeights } from './helpers/finalWeights.ts';
import { localTestEnv } from './helpers/localTestEnv.ts';
import { fastRuntime, splitWorkers } from './helpers/splitWorkers.ts';
import { tempDir } from './helpers/tempDir.ts';
import { isolatedConfig } from './helpers/testEnv.ts';

const rlConfig = (o: Partial<RlConfigInput> = {}) => RlConfigSchema.parse({ steps: 6, promptsPerStep: 2, groupSize: 4, maxNewTokens: 60, checkpointEvery: 3, heldOutItems: 6, evalEvery: 3, seed: 'rl-test', ...o });

describe('GRPO reinforcement learning (workflow rl)', { timeout: 600_000 }, () => {
  let env: TestWorkflowEnvironment;
  const rootA = tempDir('rl-a');
  const rootB = tempDir('rl-b');
  let a: { cfg: TemporalConfig; runtime: WorkflowRuntime; env: NodeJS.ProcessEnv };
  let b: { cfg: TemporalConfig; runtime: WorkflowRuntime; env: NodeJS.ProcessEnv };
  let workersA: Worker[] = [];
  let runningA: Promise<unknown> | undefined;
  let sftCheckpointId = '';
  let datasetVersionId = '';
  let reference: RlSummary | undefined;
  const cleanups: Array<() => Promise<unknown>> = [];
  const run = <R>(type: string, args: unknown, id = `${type}-${Date.now()}`) => env.client.workflow.execute(type, { taskQueue: a.cfg.taskQueues.cpu, workflowId: id, args: [args] }) as Promise<R>;

  before(async () => {
    env = await localTestEnv();
    a = isolatedConfig(rootA);
    b = isolatedConfig(rootB);
    workersA = await createWorkers(a.cfg, env.nativeConnection, 'all');
    runningA = Promise.all(workersA.map((w) => w.run()));
    // A small synthetic HAM10000-style dataset, onboarded, distilled (type 1) and fine-tuned for one epoch.
    const data = tempDir('rl-data');
    const syn = await generateSynthetic({ format: 'ham10000', n: 60, out: data, seed: 'rl' });
    const dv = await run<DatasetSummary>('onboardDataset', { spec: adapterSpec('ham10000', syn.metadata, syn.out, {}), config: OnboardConfigSchema.parse({}), runtime: a.runtime });
    datasetVersionId = dv.datasetVersionId;
    const set = await run<TrajectorySetSummary>('distillTrajectories', { datasetVersionIds: [datasetVersionId], knowledgeDir: defaultKnowledgeDir, config: DistillConfigSchema.parse({ extraTypesPerSample: 0 }), runtime: a.runtime });
    const sft = await run<SftSummary>('sft', { trajectorySetId: set.trajectorySetId, baseCheckpointId: null, config: SftConfigSchema.parse({ model: modelPresets.tiny, epochs: 1, batchSize: 8, learningRate: 5e-3, seed: 'rl' }), runtime: a.runtime });
    sftCheckpointId = sft.checkpointId;
    // Store B starts as a copy of A before any RL.
    for (const d of ['artifacts', 'images']) cpSync(path.join(rootA, d), path.join(rootB, d), { recursive: true });
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    for (const w of workersA) w.shutdown();
    await runningA;
    await env?.teardown();
  });

  it('trains from the SFT checkpoint, records every step, and links items, rollouts, rewards and checkpoints in lineage', async () => {
    const config = rlConfig({ stepsPerRun: 4 });
    const handle = await env.client.workflow.start('rl', { taskQueue: a.cfg.taskQueues.cpu, workflowId: `rl-a-${Date.now()}`, args: [{ fromCheckpointId: sftCheckpointId, datasetVersionIds: [datasetVersionId], config, runtime: a.runtime }] });
    const s = (await handle.result()) as RlSummary;
    reference = s;
    const store = new ArtifactStore(rootA);
    assert.equal(s.steps, 6);
    assert.equal(s.stepMetrics.length, 6);
    assert.deepEqual(s.stepMetrics.map((m) => m.step), [0, 1, 2, 3, 4, 5], 'metrics carried across continue-as-new');
    assert.deepEqual(s.evaluations.map((e) => e.step), [0, 3, 6]);
    assert.equal(s.rewardVersion, REWARD_VERSION);
    assert.ok(s.heldOutAccuracy.before !== null && s.heldOutAccuracy.after !== null);
    assert.ok(s.stepMetrics.every((m) => m.replayed === 0), 'one worker held the policy throughout');
    const firstRun = await env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
    assert.equal(firstRun.status.name, 'CONTINUED_AS_NEW', 'continued as new after stepsPerRun steps');

    // Items: Parquet with the dataset version as parent; rows in = items + skipped.
    const items = await store.require(s.itemsId);
    assert.equal(items.kind, 'rl-items');
    assert.ok(items.parents.includes(datasetVersionId));
    const itemRows = await readParquetRows(path.join(store.dirOf(s.itemsId), ITEMS_FILE));
    const skipped = Object.entries(items.metrics).filter(([k]) => k.startsWith('skipped_')).reduce((n, [, v]) => n + Number(v), 0);
    assert.equal(itemRows.length + skipped, Number(items.metrics.rowsIn));
    assert.equal(s.trainItems, (await readItems(store, s.itemsId)).filter((i) => i.split === 'train').length);

    // Rewards: one artifact per step, parent the rollouts; every stored reward is what the library gives for the stored text.
    const h = Hierarchy.fromFile();
    const byId = new Map((await readItems(store, s.itemsId)).map((i) => [i.itemId, i]));
    const rewards = await store.list('rl-rewards');
    assert.equal(rewards.length, 6);
    for (const r of rewards) {
      const rolloutsId = r.parents.find((p) => p.startsWith('rl-rollouts-'))!;
      const rollouts = await readRollouts(store, rolloutsId);
      const rows = await readRewards(store, r.id);
      assert.equal(rows.length, config.promptsPerStep * config.groupSize);
      rows.forEach((row, i) => {
        const again = scoreCompletion(rollouts[i]!.text, byId.get(row.item_id)!, 'hierarchical', h);
        assert.equal(row.total, again.total);
      });
    }

    // Checkpoints at steps 3, 4 (before continue-as-new) and 6; the last one's parents are the previous checkpoint, the
    // rollouts and rewards of steps 4-5, the items and the SFT reference.
    const last = await store.require(s.checkpointId);
    assert.equal(last.inputs.role, 'rl');
    assert.equal(last.inputs.step, 6);
    const previous = last.parents.filter((p) => p.startsWith('checkpoint-') && p !== sftCheckpointId);
    assert.equal(previous.length, 1);
    assert.equal((await store.require(previous[0]!)).inputs.step, 4);
    assert.equal(last.parents.filter((p) => p.startsWith('rl-rollouts-')).length, 2);
    assert.equal(last.parents.filter((p) => p.startsWith('rl-rewards-')).length, 2);
    assert.ok(last.parents.includes(s.itemsId) && last.parents.includes(sftCheckpointId));
    const steps = JSON.parse(readFileSync(path.join(store.dirOf(s.checkpointId), RL_STEPS_FILE), 'utf8')) as Array<{ step: number }>;
    assert.deepEqual(steps.map((x) => x.step), [4, 5]);
    assert.deepEqual(await store.verify(s.checkpointId), []);
  });

  it('runs the flat-reward ablation: option credit only for the exact answer', async () => {
    const s = await run<RlSummary>('rl', { fromCheckpointId: sftCheckpointId, datasetVersionIds: [datasetVersionId], config: rlConfig({ steps: 2, reward: 'flat', heldOutItems: 2 }), runtime: a.runtime });
    assert.equal(s.reward, 'flat');
    const store = new ArtifactStore(rootA);
    const flat = (await store.list('rl-rewards')).filter((r) => r.metrics.variant === 'flat');
    assert.equal(flat.length, 2);
    for (const r of flat) for (const row of await readRewards(store, r.id)) assert.ok(row.option === 0 || (row.option === 0.75 && row.correct), `flat option credit ${row.option}`);
    assert.equal((await store.list('rl-rewards')).filter((r) => r.metrics.variant === 'hierarchical').length, 6);
    const ckpt = await store.require(s.checkpointId);
    assert.notEqual(ckpt.id, reference?.checkpointId, 'another reward is another checkpoint');
  });

  it('survives a SIGKILLed GPU worker: the new worker rebuilds the policy from the last checkpoint and ends with the same weights', async () => {
    assert.ok(reference, 'needs the uninterrupted run above');
    const { startGpu } = await splitWorkers(env, b, cleanups);
    const first = await startGpu();
    // Same identity as the reference (checkpoint cadence and run length are not part of it).
    const handle = await env.client.workflow.start('rl', {
      taskQueue: b.cfg.taskQueues.cpu,
      workflowId: `rl-kill-${Date.now()}`,
      args: [{ fromCheckpointId: sftCheckpointId, datasetVersionIds: [datasetVersionId], config: rlConfig({ stepsPerRun: 100 }), runtime: fastRuntime(b.runtime) }],
    });
    // Kill once step 4 is under way: the policy is then checkpoint(3) + replayed steps, held only in that worker.
    for (const deadline = Date.now() + 180_000; ; ) {
      const view = await describeRun(env.client, handle.workflowId, { queryTimeoutMs: 500 });
      const step = Number(view.progress?.detail?.step ?? 0);
      if (step >= 4 && ['rollout', 'reward', 'update'].includes(String(view.progress?.stage))) break;
      assert.ok(Date.now() < deadline, 'RL did not reach step 4 within 3 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');
    await startGpu();
    const resumed = (await handle.result()) as RlSummary;
    assert.equal(resumed.steps, reference.steps);
    assert.ok(resumed.stepMetrics.reduce((n, m) => n + m.replayed, 0) > 0, 'the new worker replayed stored updates');
    assert.equal(resumed.checkpointId, reference.checkpointId, 'the same final checkpoint identity');
    assert.equal(finalWeights(new ArtifactStore(rootB), resumed.checkpointId), finalWeights(new ArtifactStore(rootA), reference.checkpointId), 'the same final weights digest');
    assert.deepEqual(resumed.stepMetrics.map((m) => m.rewardMean), reference.stepMetrics.map((m) => m.rewardMean), 'the same rewards at every step');
  });
});
