import type { ProducingRun } from '../../schemas/artifactManifest.ts';

/** A producing-run record for store tests that do not go through Temporal. */
export function fakeRun(overrides: Partial<ProducingRun> = {}): ProducingRun {
  const now = new Date().toISOString();
  return {
    workflowId: 'wf-test',
    runId: 'run-test',
    workflowType: 'testWorkflow',
    activityId: '1',
    activityType: 'testActivity',
    attempt: 1,
    taskQueue: 'test',
    workerIdentity: 'test@host:1',
    host: 'host',
    gitCommit: 'unknown',
    gitDirty: false,
    lockfileDigest: 'unknown',
    startedAt: now,
    finishedAt: now,
    ...overrides,
  };
}
