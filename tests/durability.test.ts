import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { smokeChainStep, smokeInitialState } from '../activities/smokeWork.ts';
import { DevServer } from '../devserver/DevServer.ts';
import type { SmokeResult } from '../schemas/smoke.ts';
import { ArtifactStore } from '../store/ArtifactStore.ts';
import { freePort } from './helpers/freePort.ts';
import { waitForHeartbeatStep } from './helpers/heartbeatStep.ts';
import { runCli, type CliProcess } from './helpers/spawnCli.ts';
import { startWorkerProcess } from './helpers/startWorkerProcess.ts';
import { tempDir } from './helpers/tempDir.ts';
import { isolatedConfig } from './helpers/testEnv.ts';
import { temporalBinary } from './helpers/temporalBinary.ts';

function expectedFinal(seed: string, steps: number, rounds: number): string {
  let s = smokeInitialState(seed);
  for (let i = 0; i < steps; i++) s = smokeChainStep(s, i, rounds);
  return s;
}

async function setup(label: string) {
  const root = tempDir(label);
  const port = await freePort();
  const { cfg, env, runtime } = isolatedConfig(root, { port, uiPort: await freePort() });
  const serverOptions = { binary: await temporalBinary(), ip: '127.0.0.1', port, uiPort: cfg.embedded.uiPort, dbFile: path.join(root, 'temporal.sqlite'), namespace: 'default', headless: true };
  // Workers run in cluster mode against this server, as they would on another machine.
  const workerEnv = { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${port}` };
  return { root, cfg, runtime, serverOptions, workerEnv };
}

describe('durability against a real Temporal dev server', { timeout: 240_000 }, () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });
  const startWorker = (env: NodeJS.ProcessEnv): Promise<CliProcess> => startWorkerProcess('all', env, cleanups);

  /** A dev server for one test and a client on it, both cleaned up after the suite. */
  const serverAndClient = async (options: Parameters<typeof DevServer.start>[0]): Promise<Client> => {
    const server = await DevServer.start(options);
    cleanups.push(() => server.stop());
    const connection = await Connection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    return new Client({ connection });
  };

  it('a worker killed with SIGKILL mid-activity: a new worker finishes the run from the last heartbeat (attempt 2)', async () => {
    const { cfg, runtime, serverOptions, workerEnv } = await setup('kill');
    const client = await serverAndClient(serverOptions);

    const first = await startWorker(workerEnv);
    const input = { steps: 10, stepMs: 600, seed: 'kill-test', roundsPerStep: 2000, runtime };
    const handle = await client.workflow.start('smokeWorkflow', { taskQueue: cfg.taskQueues.cpu, workflowId: `kill-${Date.now()}`, args: [input] });
    const stepAtKill = await waitForHeartbeatStep(client, handle.workflowId, 3);
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');

    const second = await startWorker(workerEnv);
    const r = (await handle.result()) as SmokeResult;
    assert.equal(r.attempt, 2, 'the activity was retried once, after the heartbeat timeout');
    assert.ok(r.resumedFromStep >= stepAtKill, `resumed from step ${r.resumedFromStep}, last heartbeat seen at ${stepAtKill}`);
    assert.ok(r.stepsRunThisAttempt < input.steps, 'work was not redone from zero');
    assert.equal(r.stepsRunThisAttempt + r.resumedFromStep, input.steps);
    assert.equal(r.finalState, expectedFinal('kill-test', 10, 2000), 'the resumed result equals an uninterrupted one');
    assert.equal(r.workerIdentity, `cpu@${os.hostname()}:${second.child.pid}`, 'the second worker finished it');
    const m = await new ArtifactStore(cfg.storeRoot).require(r.artifactId);
    assert.equal(m.run.attempt, 2);
    assert.equal(m.metrics.resumedFromStep, r.resumedFromStep);
  });

  it('a worker stopped with SIGTERM mid-activity hands the activity back after its grace time; another worker resumes it', async () => {
    const { cfg, runtime, serverOptions, workerEnv } = await setup('term');
    const client = await serverAndClient(serverOptions);

    const first = await startWorker(workerEnv);
    // Long enough that the activity is still running after the status call and the 2 s shutdown grace time.
    const input = { steps: 30, stepMs: 400, seed: 'term-test', roundsPerStep: 2000, runtime };
    const handle = await client.workflow.start('smokeWorkflow', { taskQueue: cfg.taskQueues.cpu, workflowId: `term-${Date.now()}`, args: [input] });
    const stepAtStop = await waitForHeartbeatStep(client, handle.workflowId, 2);
    // What an operator sees mid-run: state, the workflow's progress query, the activity's attempt and last heartbeat.
    const status = await runCli(['status', handle.workflowId, '--json'], workerEnv);
    assert.equal(status.code, 0, status.stderr);
    const view = JSON.parse(status.stdout);
    assert.equal(view.status, 'RUNNING');
    assert.deepEqual([view.progress.stage, view.progress.state], ['smokeWork', 'running']);
    assert.equal(view.pendingActivities[0].activityType, 'smokeWork');
    assert.equal(view.pendingActivities[0].attempt, 1);
    assert.ok(view.pendingActivities[0].heartbeatDetails.step >= stepAtStop);
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    assert.equal(exit.code, 0, `graceful exit expected:\n${first.output()}`);

    await startWorker(workerEnv);
    const r = (await handle.result()) as SmokeResult;
    assert.equal(r.attempt, 2);
    assert.ok(r.resumedFromStep >= stepAtStop, `resumed from ${r.resumedFromStep}, heartbeat seen at ${stepAtStop}`);
    assert.ok(r.resumedFromStep < input.steps, 'the first worker handed the activity back unfinished');
    assert.equal(r.finalState, expectedFinal('term-test', 30, 2000));
  });

  it('the dev server killed and restarted on the same SQLite file mid-workflow: the run completes', async () => {
    const { cfg, runtime, serverOptions, workerEnv } = await setup('restart');
    let server = await DevServer.start(serverOptions);
    cleanups.push(() => server.stop());
    await startWorker(workerEnv);
    const input = { steps: 12, stepMs: 600, seed: 'restart-test', roundsPerStep: 2000, runtime };
    const workflowId = `restart-${Date.now()}`;
    let runId: string;
    {
      const connection = await Connection.connect({ address: server.address });
      const client = new Client({ connection });
      runId = (await client.workflow.start('smokeWorkflow', { taskQueue: cfg.taskQueues.cpu, workflowId, args: [input] })).firstExecutionRunId;
      const step = await waitForHeartbeatStep(client, workflowId, 2);
      assert.ok(step < input.steps, 'the activity is still running when the server dies');
      await connection.close();
    }
    await server.kill();
    await new Promise((r) => setTimeout(r, 1000));
    server = await DevServer.start(serverOptions);

    const connection = await Connection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection });
    const handle = client.workflow.getHandle(workflowId);
    const r = (await handle.result()) as SmokeResult;
    assert.equal(r.finalState, expectedFinal('restart-test', 12, 2000));
    const d = await handle.describe();
    assert.equal(d.status.name, 'COMPLETED');
    assert.equal(d.runId, runId, 'the same run continued: its history survived the restart in SQLite');
    assert.ok(await new ArtifactStore(cfg.storeRoot).get(r.artifactId), 'the artifact was committed');
  });
});
