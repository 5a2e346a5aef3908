import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { workflowsPath } from '../workers/workflowBundle.ts';

const history = (type: string): unknown => JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', 'histories', `${type}.json`), 'utf8'));

// Histories recorded from real runs (tests/fixtures/recordHistories.ts): today's workflow code must replay them exactly,
// or in-flight runs would break on deploy.
describe('replay of recorded histories', { timeout: 120_000 }, () => {
  for (const type of ['smokeWorkflow', 'pingWorkflow']) {
    it(`${type} replays deterministically on the current code`, async () => {
      await Worker.runReplayHistory({ workflowsPath }, history(type));
    });
  }

  it('a workflow whose commands drifted fails replay with a determinism violation', async () => {
    await assert.rejects(
      Worker.runReplayHistory({ workflowsPath: path.join(import.meta.dirname, 'fixtures', 'driftedWorkflows.ts') }, history('smokeWorkflow')),
      (e: unknown) => e instanceof DeterminismViolationError,
    );
  });
});
