import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { makeSmokeWork, smokeChainStep, smokeInitialState } from '../activities/smokeWork.ts';
import type { SmokeHeartbeat, SmokeResult, SmokeWorkInput } from '../schemas/smoke.ts';
import { ArtifactStore } from '../store/ArtifactStore.ts';
import { tempDir } from './helpers/tempDir.ts';

/** The SDK's `run` does not infer the activity's result type; this keeps the assertions typed. */
function runSmoke(env: MockActivityEnvironment, store: ArtifactStore, workerIdentity: string, inp: SmokeWorkInput): Promise<SmokeResult> {
  return env.run(makeSmokeWork({ store, workerIdentity }), inp) as Promise<SmokeResult>;
}

const input = { steps: 5, stepMs: 0, seed: 'unit', roundsPerStep: 50 };

function expectedFinal(seed: string, steps: number, rounds: number): string {
  let s = smokeInitialState(seed);
  for (let i = 0; i < steps; i++) s = smokeChainStep(s, i, rounds);
  return s;
}

describe('smokeWork activity (MockActivityEnvironment)', () => {
  it('heartbeats every step with small details and commits an artifact with its lineage', async () => {
    const store = new ArtifactStore(tempDir('smoke-act'));
    const env = new MockActivityEnvironment({ attempt: 1 });
    const beats: SmokeHeartbeat[] = [];
    env.on('heartbeat', (d: SmokeHeartbeat) => beats.push(d));
    const r = await runSmoke(env, store, 'cpu@test:1', input);
    assert.deepEqual(beats.map((b) => b.step), [1, 2, 3, 4, 5]);
    assert.ok(beats.every((b) => JSON.stringify(b).length < 200), 'heartbeat details stay small');
    assert.equal(r.finalState, expectedFinal('unit', 5, 50));
    assert.equal(r.reused, false);
    assert.equal(r.resumedFromStep, 0);
    assert.equal(r.stepsRunThisAttempt, 5);
    const m = await store.require(r.artifactId);
    assert.equal(m.kind, 'smoke');
    assert.equal(m.run.workerIdentity, 'cpu@test:1');
    assert.equal(m.metrics.finalState, r.finalState);
    assert.deepEqual(m.files.map((f) => f.path), ['result.json']);
  });

  it('resumes from the last heartbeat on a retry and reaches the same final state', async () => {
    const store = new ArtifactStore(tempDir('smoke-resume'));
    let state = smokeInitialState('unit');
    for (let i = 0; i < 3; i++) state = smokeChainStep(state, i, 50);
    const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { step: 3, steps: 5, state } });
    const beats: number[] = [];
    env.on('heartbeat', (d: SmokeHeartbeat) => beats.push(d.step));
    const r = await runSmoke(env, store, 'cpu@test:2', input);
    assert.deepEqual(beats, [4, 5], 'steps 1-3 are not redone');
    assert.equal(r.resumedFromStep, 3);
    assert.equal(r.stepsRunThisAttempt, 2);
    assert.equal(r.attempt, 2);
    assert.equal(r.finalState, expectedFinal('unit', 5, 50));
    assert.equal((await store.require(r.artifactId)).metrics.resumedFromStep, 3);
  });

  it('ignores heartbeat details that do not validate and starts from zero', async () => {
    const store = new ArtifactStore(tempDir('smoke-badhb'));
    const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { step: 3, steps: 5, state: 'garbage' } });
    const r = await runSmoke(env, store, 'w', input);
    assert.equal(r.resumedFromStep, 0);
    assert.equal(r.finalState, expectedFinal('unit', 5, 50));
  });

  it('returns the memoized artifact without working when the same inputs were committed', async () => {
    const store = new ArtifactStore(tempDir('smoke-memo'));
    const first = await runSmoke(new MockActivityEnvironment(), store, 'w', input);
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => beats++);
    const second = await runSmoke(env, store, 'w', input);
    assert.equal(second.reused, true);
    assert.equal(second.artifactId, first.artifactId);
    assert.equal(beats, 0);
    const other = await runSmoke(new MockActivityEnvironment(), store, 'w', { ...input, seed: 'other' });
    assert.notEqual(other.artifactId, first.artifactId);
  });

  it('stops on cancellation without committing anything', async () => {
    const store = new ArtifactStore(tempDir('smoke-cancel'));
    const env = new MockActivityEnvironment();
    env.on('heartbeat', (d: SmokeHeartbeat) => {
      if (d.step === 2) env.cancel('CANCELLED');
    });
    await assert.rejects(runSmoke(env, store, 'w', { ...input, stepMs: 50 }), (e: unknown) => e instanceof CancelledFailure);
    assert.deepEqual(await store.list(), []);
  });

  it('rejects invalid input with the field name', async () => {
    const store = new ArtifactStore(tempDir('smoke-invalid'));
    await assert.rejects(runSmoke(new MockActivityEnvironment(), store, 'w', { ...input, steps: 0 }), /invalid smokeWork input: steps: /);
  });
});
