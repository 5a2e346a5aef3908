import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { optionalTsToDate } from '@temporalio/common/lib/time.js';
import { progressQuery } from '../workflows/progressQuery.ts';
import type { StageProgress } from '../schemas/stageProgress.ts';

export interface PendingActivityView {
  activityId: string;
  activityType: string;
  state: string;
  attempt: number;
  lastHeartbeatTime?: string;
  heartbeatDetails?: unknown;
  lastFailure?: string;
  lastWorkerIdentity?: string;
}

export interface RunView {
  workflowId: string;
  runId: string;
  workflowType: string;
  status: string;
  taskQueue: string;
  startTime: string;
  closeTime?: string;
  historyLength: number;
  /** Attempt of the pending workflow task: above 1 means workflow code keeps failing (a bug, or non-determinism). */
  workflowTaskAttempt?: number;
  /** Why the last workflow task failed, read from history when the attempt is above 2. */
  workflowTaskFailure?: string;
  /** The workflow's own answer to the progress query; absent when no worker is polling to answer it. */
  progress?: StageProgress;
  progressError?: string;
  pendingActivities: PendingActivityView[];
  result?: unknown;
  failure?: string;
}

const activityStates = ['UNSPECIFIED', 'SCHEDULED', 'STARTED', 'CANCEL_REQUESTED', 'PAUSED', 'PAUSE_REQUESTED'];

/** Everything `skinr1 status` shows: server-side state, pending activities with their last heartbeat, and the progress query. */
export async function describeRun(client: Client, workflowId: string, opts: { queryTimeoutMs?: number } = {}): Promise<RunView> {
  const handle = client.workflow.getHandle(workflowId);
  const d = await handle.describe();
  const view: RunView = {
    workflowId: d.workflowId,
    runId: d.runId,
    workflowType: d.type,
    status: d.status.name,
    taskQueue: d.taskQueue,
    startTime: d.startTime.toISOString(),
    closeTime: d.closeTime?.toISOString(),
    historyLength: d.historyLength,
    workflowTaskAttempt: d.raw.pendingWorkflowTask?.attempt ?? undefined,
    pendingActivities: (d.raw.pendingActivities ?? []).map((a) => ({
      activityId: a.activityId ?? '',
      activityType: a.activityType?.name ?? '',
      state: activityStates[a.state ?? 0] ?? String(a.state),
      attempt: a.attempt ?? 1,
      lastHeartbeatTime: optionalTsToDate(a.lastHeartbeatTime)?.toISOString(),
      heartbeatDetails: a.heartbeatDetails?.payloads?.[0] ? defaultPayloadConverter.fromPayload(a.heartbeatDetails.payloads[0]) : undefined,
      lastFailure: a.lastFailure?.message ?? undefined,
      lastWorkerIdentity: a.lastWorkerIdentity ?? undefined,
    })),
  };
  if ((view.workflowTaskAttempt ?? 0) > 2) {
    // A workflow task failing again and again never fails the run by itself: say why, or the user just sees a hang.
    const history = await handle.fetchHistory();
    const failed = [...(history.events ?? [])].reverse().find((e) => e.workflowTaskFailedEventAttributes);
    view.workflowTaskFailure = failed?.workflowTaskFailedEventAttributes?.failure?.message ?? undefined;
  }
  if (view.status === 'RUNNING' && (view.workflowTaskAttempt ?? 0) > 1) {
    // A query needs a workflow task to succeed: with the task failing it would only hang.
    view.progressError = 'workflow task failing; no progress until it succeeds';
  } else if (view.status === 'RUNNING') {
    // A deadline on the call itself, not a race beside it: a query left running past the caller would retry on its
    // own timer and, once the connection is closed, crash the process ("Channel has been shut down").
    const timeoutMs = opts.queryTimeoutMs ?? 3000;
    try {
      view.progress = await client.connection.withDeadline(Date.now() + timeoutMs, () => handle.query(progressQuery));
    } catch (e) {
      const code = (e as { cause?: { code?: number } }).cause?.code;
      // gRPC status 4 is DEADLINE_EXCEEDED: nobody answered in time.
      view.progressError = code === 4 ? `no worker answered the progress query within ${timeoutMs} ms (are workers running?)` : (e as Error).message;
    }
  } else if (view.status === 'COMPLETED') {
    view.result = await handle.result();
  } else {
    try {
      await handle.result();
    } catch (e) {
      view.failure = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
    }
  }
  return view;
}
