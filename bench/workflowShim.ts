/**
 * A stand-in for `@temporalio/workflow` that runs the project's workflow code as plain async functions in one Node
 * process, for the end-to-end bench's "direct" run (`bench/directWorkflowRuntime.ts` points the workflows' imports of
 * the SDK here). It offers exactly what `workflows/*.ts` import: proxyActivities, executeChild, continueAsNew,
 * workflowInfo, setHandler, defineQuery (and the type ActivityOptions).
 *
 * What differs from Temporal on purpose: no history, no replay, no retries, no timeouts, no queries. The host decides
 * how an activity or a child runs (see ShimHost); this module only keeps each workflow's identity (an
 * AsyncLocalStorage, so parallel children each see their own) and the continue-as-new loop.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { ActivityOptions } from '@temporalio/common';

export type { ActivityOptions };

/** The part of Temporal's WorkflowInfo that workflow code or activities read. */
export interface ShimWorkflowInfo {
  workflowId: string;
  workflowType: string;
  runId: string;
  firstExecutionRunId: string;
  continuedFromExecutionRunId?: string;
  parent?: { workflowId: string; runId: string; namespace: string };
  taskQueue: string;
  namespace: string;
  attempt: number;
}

/** How activities and children are carried out; set once by the runtime before any workflow runs. */
export interface ShimHost {
  activity(name: string, options: ActivityOptions, args: unknown[], caller: ShimWorkflowInfo): Promise<unknown>;
  child(workflowType: string, workflowId: string, args: unknown[], parent: ShimWorkflowInfo): Promise<unknown>;
  /** Called as each workflow run begins (a continue-as-new starts a new run of the same workflow id). */
  started?(info: ShimWorkflowInfo): void;
}

let host: ShimHost | undefined;
const current = new AsyncLocalStorage<ShimWorkflowInfo>();

export function setShimHost(h: ShimHost): void {
  host = h;
}

function theHost(): ShimHost {
  if (!host) throw new Error('workflow shim: no host set (call setShimHost before running a workflow)');
  return host;
}

function info(): ShimWorkflowInfo {
  const i = current.getStore();
  if (!i) throw new Error('workflow shim: called outside a workflow');
  return i;
}

/** Thrown by continueAsNew and caught by runShimWorkflow, which starts the same workflow again with these args. */
export class ContinueAsNewSignal {
  constructor(readonly args: unknown[]) {}
}

// Temporal hands values between workflows and activities as JSON payloads: the copy keeps that behaviour (undefined
// fields dropped, no shared objects), so the workflow code sees the same values in both runs.
export const jsonCopy = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** Runs a workflow function as one workflow execution, following continue-as-new until it returns or fails. */
export async function runShimWorkflow(fn: (...args: unknown[]) => Promise<unknown>, o: { workflowType: string; workflowId: string; args: unknown[]; taskQueue: string; parent?: ShimWorkflowInfo }): Promise<unknown> {
  let args = o.args;
  const firstExecutionRunId = randomUUID();
  let previous: string | undefined;
  for (;;) {
    const i: ShimWorkflowInfo = {
      workflowId: o.workflowId,
      workflowType: o.workflowType,
      runId: previous === undefined ? firstExecutionRunId : randomUUID(),
      firstExecutionRunId,
      ...(previous !== undefined ? { continuedFromExecutionRunId: previous } : {}),
      ...(o.parent ? { parent: { workflowId: o.parent.workflowId, runId: o.parent.runId, namespace: o.parent.namespace } } : {}),
      taskQueue: o.taskQueue,
      namespace: 'default',
      attempt: 1,
    };
    theHost().started?.(i);
    try {
      return jsonCopy(await current.run(i, () => fn(...jsonCopy(args))));
    } catch (e) {
      if (!(e instanceof ContinueAsNewSignal)) throw e;
      args = e.args;
      previous = i.runId;
    }
  }
}

export function workflowInfo(): ShimWorkflowInfo {
  return info();
}

/** Every property is an activity: calling it hands the call to the host with the calling workflow's identity. */
export function proxyActivities<A extends object>(options: ActivityOptions): A {
  return new Proxy({} as A, {
    get: (_target, name) => (typeof name === 'string' ? (...args: unknown[]) => theHost().activity(name, options, args, info()) : undefined),
  });
}

export async function executeChild(workflow: string | ((...args: never[]) => Promise<unknown>), options: { workflowId?: string; args?: unknown[] }): Promise<never> {
  const type = typeof workflow === 'string' ? workflow : workflow.name;
  return (await theHost().child(type, options.workflowId ?? randomUUID(), options.args ?? [], info())) as never;
}

export async function continueAsNew(...args: unknown[]): Promise<never> {
  // Like the SDK: the call never returns, it ends this run (the workflow's own catch blocks see it pass through).
  throw new ContinueAsNewSignal(args);
}

/** Queries need a server to ask them; the direct run has none. Type parameters at call sites are erased at run time. */
export function setHandler(): void {}

export function defineQuery(name: string): { type: 'query'; name: string } {
  return { type: 'query', name };
}
