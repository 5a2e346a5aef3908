import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { optionalTsToMs } from '@temporalio/common/lib/time.js';

export interface WorkflowTreeStats {
  /** Workflow executions in the tree (root, children, grandchildren), each continue-as-new run counted. */
  workflowRuns: number;
  /** Workflow tasks completed: each is a round trip server -> worker -> server to advance some workflow's code. */
  workflowTasks: number;
  /** Activity type -> activities scheduled. */
  activities: Record<string, number>;
  /** Activity type -> activities completed. */
  completed: Record<string, number>;
  /** Activity type -> activities that needed more than one attempt (from the started event's attempt number). */
  retried: Record<string, number>;
  /** Activity type -> the results of the activities that completed on a retried attempt. */
  retriedResults: Record<string, unknown[]>;
  /** Activity type -> seconds from started to completed (the last attempt), summed: parallel activities overlap. */
  activitySeconds: Record<string, number>;
  /** Seconds from scheduled to started (the last attempt), summed over all activities: dispatch and slot waits. */
  scheduleToStartSeconds: number;
  /** The root's children as the root's history shows them: initiated -> completed, epoch ms. */
  children: Array<{ workflowId: string; workflowType: string; startMs: number; endMs: number }>;
}

/**
 * Counts what a finished workflow run cost in orchestration, read from the histories of the root and every child
 * (following continue-as-new chains), and times each of the root's children from the root's own history.
 */
export async function workflowTreeStats(client: Client, workflowId: string): Promise<WorkflowTreeStats> {
  const stats: WorkflowTreeStats = { workflowRuns: 0, workflowTasks: 0, activities: {}, completed: {}, retried: {}, retriedResults: {}, activitySeconds: {}, scheduleToStartSeconds: 0, children: [] };
  const visit = async (id: string, runId: string | undefined, isRoot: boolean): Promise<void> => {
    for (let run = runId; ; ) {
      const history = await client.workflow.getHandle(id, run).fetchHistory();
      stats.workflowRuns++;
      const initiated = new Map<string, { workflowId: string; workflowType: string; at: number }>();
      // Keyed by the scheduled event's id. A started event is written when its attempt ends, but carries its start time.
      const activity = new Map<string, { type: string; scheduledAt: number; startedAt?: number; retried?: boolean }>();
      const childRuns: Array<Promise<void>> = [];
      let next: string | undefined;
      for (const e of history.events ?? []) {
        const at = optionalTsToMs(e.eventTime) ?? 0;
        if (e.workflowTaskCompletedEventAttributes) stats.workflowTasks++;
        const scheduled = e.activityTaskScheduledEventAttributes?.activityType?.name;
        if (scheduled) {
          stats.activities[scheduled] = (stats.activities[scheduled] ?? 0) + 1;
          activity.set(String(e.eventId), { type: scheduled, scheduledAt: at });
        }
        const started = e.activityTaskStartedEventAttributes;
        if (started) {
          const a = activity.get(String(started.scheduledEventId));
          if (a) {
            a.startedAt = at;
            stats.scheduleToStartSeconds += (at - a.scheduledAt) / 1000;
            if ((started.attempt ?? 1) > 1) {
              a.retried = true;
              stats.retried[a.type] = (stats.retried[a.type] ?? 0) + 1;
            }
          }
        }
        const completed = e.activityTaskCompletedEventAttributes;
        const a = completed ? activity.get(String(completed.scheduledEventId)) : undefined;
        if (a) {
          stats.completed[a.type] = (stats.completed[a.type] ?? 0) + 1;
          const payload = completed?.result?.payloads?.[0];
          if (a.retried && payload) (stats.retriedResults[a.type] ??= []).push(defaultPayloadConverter.fromPayload(payload));
        }
        if (a?.startedAt !== undefined) stats.activitySeconds[a.type] = (stats.activitySeconds[a.type] ?? 0) + (at - a.startedAt) / 1000;
        const init = e.startChildWorkflowExecutionInitiatedEventAttributes;
        if (init) initiated.set(String(e.eventId), { workflowId: init.workflowId ?? '', workflowType: init.workflowType?.name ?? '', at });
        const childStarted = e.childWorkflowExecutionStartedEventAttributes;
        if (childStarted?.workflowExecution?.workflowId) childRuns.push(visit(childStarted.workflowExecution.workflowId, childStarted.workflowExecution.runId ?? undefined, false));
        const closed = e.childWorkflowExecutionCompletedEventAttributes ?? e.childWorkflowExecutionFailedEventAttributes ?? e.childWorkflowExecutionTerminatedEventAttributes;
        if (isRoot && closed) {
          const from = initiated.get(String(closed.initiatedEventId));
          if (from) stats.children.push({ workflowId: from.workflowId, workflowType: from.workflowType, startMs: from.at, endMs: at });
        }
        next = e.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? next;
      }
      await Promise.all(childRuns);
      if (!next) return;
      run = next;
    }
  };
  await visit(workflowId, undefined, true);
  return stats;
}
