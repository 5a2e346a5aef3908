import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { smokeChainStep, smokeInitialState } from '../activities/smokeWork.ts';
import type { PingResult } from '../schemas/ping.ts';
import type { SmokeResult } from '../schemas/smoke.ts';
import type { TemporalConfig, WorkflowRuntime } from '../schemas/temporalConfig.ts';
import { ArtifactStore } from '../store/ArtifactStore.ts';
import { createWorkers } from '../workers/createWorkers.ts';
import { progressQuery } from '../workflows/progressQuery.ts';
import { describeRun } from '../cli/describeRun.ts';
import { isolatedConfig } from './helpers/testEnv.ts';
import { localTestEnv } from './helpers/localTestEnv.ts';
import { tempDir } from './helpers/tempDir.ts';

describe('workflows on the real Temporal dev server', { timeout: 180_000 }, () => {
  let env: TestWorkflowEnvironment;
  let cfg: TemporalConfig;
  let runtime: WorkflowRuntime;
  let workers: Worker[];
  let running: Promise<unknown>;

  before(async () => {
    env = await localTestEnv();
    ({ cfg, runtime } = isolatedConfig(tempDir('wf')));
    workers = await createWorkers(cfg, env.nativeConnection, 'all');
    running = Promise.all(workers.map((w) => w.run()));
  });

  after(async () => {
    for (const w of workers ?? []) w.shutdown();
    await running;
    await env?.teardown();
  });

  it('smokeWorkflow runs its activity on the cpu queue, commits an artifact and answers the progress query', async () => {
    const handle = await env.client.workflow.start('smokeWorkflow', {
      taskQueue: cfg.taskQueues.cpu,
      workflowId: `smoke-wf-${Date.now()}`,
      args: [{ steps: 4, stepMs: 50, seed: 'wf-test', roundsPerStep: 100, runtime }],
    });
    const r = (await handle.result()) as SmokeResult;
    let expected = smokeInitialState('wf-test');
    for (let i = 0; i < 4; i++) expected = smokeChainStep(expected, i, 100);
    assert.equal(r.finalState, expected);
    assert.equal(r.attempt, 1);
    assert.match(r.workerIdentity, /^cpu@/);
    const m = await new ArtifactStore(cfg.storeRoot).require(r.artifactId);
    assert.equal(m.run.workflowId, handle.workflowId);
    assert.equal(m.run.runId, handle.firstExecutionRunId);
    assert.equal(m.run.activityType, 'smokeWork');
    assert.equal(m.run.taskQueue, cfg.taskQueues.cpu);
    const progress = await handle.query(progressQuery);
    assert.equal(progress.state, 'done');
    assert.equal(progress.detail.artifactId, r.artifactId);
  });

  it('fails a run with bad input at once with a ValidationError naming the field (no retry loop)', async () => {
    const handle = await env.client.workflow.start('smokeWorkflow', {
      taskQueue: cfg.taskQueues.cpu,
      workflowId: `smoke-bad-${Date.now()}`,
      args: [{ steps: -1, stepMs: 0, seed: 'x', runtime }],
    });
    await assert.rejects(handle.result(), (e: unknown) => {
      assert.ok(e instanceof WorkflowFailedError);
      assert.ok(e.cause instanceof ApplicationFailure);
      assert.equal(e.cause.type, 'ValidationError');
      assert.match(e.cause.message, /invalid smokeWorkflow input: steps/);
      return true;
    });
  });

  it('status explains a workflow whose task keeps failing instead of showing a silent hang', async () => {
    const handle = await env.client.workflow.start('noSuchWorkflow', { taskQueue: cfg.taskQueues.cpu, workflowId: `broken-${Date.now()}`, args: [] });
    // Wait on the raw description (no queries: a query to a workflow whose task never succeeds just hangs).
    const deadline = Date.now() + 60_000;
    while (((await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0) <= 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    const view = await describeRun(env.client, handle.workflowId, { queryTimeoutMs: 200 });
    assert.equal(view.status, 'RUNNING');
    assert.ok((view.workflowTaskAttempt ?? 0) > 2);
    assert.match(String(view.workflowTaskFailure), /noSuchWorkflow/);
    await handle.terminate('test done');
  });

  it('pingWorkflow measures no-op activity round trips', async () => {
    const r = (await env.client.workflow.execute('pingWorkflow', {
      taskQueue: cfg.taskQueues.cpu,
      workflowId: `ping-${Date.now()}`,
      args: [{ rounds: 5, runtime }],
    })) as PingResult;
    assert.equal(r.roundTripMs.length, 5);
    assert.ok(r.roundTripMs.every((ms) => ms >= 0 && ms < 10_000));
  });
});
