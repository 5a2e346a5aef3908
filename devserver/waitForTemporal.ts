import { Connection } from '@temporalio/client';

/** One attempt to reach a Temporal frontend and read its system info; true when it answers. */
export async function temporalAnswers(address: string, timeoutMs = 1500): Promise<boolean> {
  let conn: Connection | undefined;
  try {
    conn = await Connection.connect({ address, connectTimeout: timeoutMs });
    await conn.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await conn?.close().catch(() => {});
  }
}

/** Polls until the frontend answers, `isDead()` says the process exited, or the deadline passes. */
export async function waitForTemporal(
  address: string,
  opts: { timeoutMs: number; isDead?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const dead = opts.isDead?.();
    if (dead) throw new Error(dead);
    if (await temporalAnswers(address)) return;
    if (Date.now() > deadline) throw new Error(`Temporal at ${address} did not answer within ${opts.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
