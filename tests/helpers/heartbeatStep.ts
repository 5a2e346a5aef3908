import type { Client } from '@temporalio/client';
import { describeRun } from '../../cli/describeRun.ts';
import { SmokeHeartbeatSchema } from '../../schemas/smoke.ts';

/** Waits until the server has recorded a smoke heartbeat at `step` or beyond (what a retry would resume from). */
export async function waitForHeartbeatStep(client: Client, workflowId: string, step: number, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await describeRun(client, workflowId, { queryTimeoutMs: 500 });
    const hb = SmokeHeartbeatSchema.safeParse(view.pendingActivities[0]?.heartbeatDetails);
    if (hb.success && hb.data.step >= step) return hb.data.step;
    if (view.status !== 'RUNNING') throw new Error(`workflow ${workflowId} is ${view.status} before heartbeat step ${step}`);
    if (Date.now() > deadline) throw new Error(`no heartbeat at step ${step} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
