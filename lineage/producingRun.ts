import os from 'node:os';
import type { Info } from '@temporalio/activity';
import type { ProducingRun } from '../schemas/artifactManifest.ts';
import { codeVersion } from './codeVersion.ts';

/** The lineage record of the activity attempt that is producing an artifact right now. */
export function producingRun(info: Info, workerIdentity: string, startedAt: Date): ProducingRun {
  return {
    // Optional in the SDK because standalone activities exist; ours always run inside a workflow.
    workflowId: info.workflowExecution?.workflowId ?? 'none',
    runId: info.workflowExecution?.runId ?? 'none',
    workflowType: info.workflowType ?? 'none',
    activityId: info.activityId,
    activityType: info.activityType,
    attempt: info.attempt,
    taskQueue: info.taskQueue,
    workerIdentity,
    host: os.hostname(),
    ...codeVersion(),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  };
}
