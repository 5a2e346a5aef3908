import type { ActivityOptions } from '@temporalio/workflow';
import type { ActivityKind } from '../schemas/activityPolicy.ts';
import type { WorkflowRuntime } from '../schemas/temporalConfig.ts';

/** Turns the configured policy of one kind of activity into Temporal activity options (queue, timeouts, retries). */
export function activityOptions(runtime: WorkflowRuntime, kind: ActivityKind): ActivityOptions {
  const p = runtime.activities[kind];
  if (!p) throw new Error(`no activity policy configured for kind "${kind}"`);
  return {
    taskQueue: runtime.taskQueues[p.taskQueue],
    startToCloseTimeout: p.startToCloseTimeout,
    heartbeatTimeout: p.heartbeatTimeout,
    retry: {
      initialInterval: p.retry.initialInterval,
      backoffCoefficient: p.retry.backoffCoefficient,
      maximumInterval: p.retry.maximumInterval,
      // 0 means unlimited in our config; the SDK wants it left out for that.
      maximumAttempts: p.retry.maximumAttempts === 0 ? undefined : p.retry.maximumAttempts,
      nonRetryableErrorTypes: p.retry.nonRetryableErrorTypes,
    },
  };
}
