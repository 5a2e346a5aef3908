import { Context, log } from '@temporalio/activity';
import { policySession, type Policy, type PolicySession } from '../rl/policySession.ts';
import type { PolicyState, RlConfig } from '../schemas/rl.ts';
import { ensureBackend } from '../training/ensureBackend.ts';
import type { BackendInfo } from '../model/selectBackend.ts';
import type { ActivityDeps } from './ActivityDeps.ts';

/**
 * What every RL activity on the gpu queue starts with: the backend, this worker's policy session, and the policy at
 * the requested state, rebuilt (heartbeating each replayed step) when this worker does not hold it.
 */
export async function heldPolicy(
  deps: ActivityDeps,
  input: { policy: PolicyState; itemsId: string; referenceCheckpointId: string; config: RlConfig },
): Promise<{ backend: BackendInfo; session: PolicySession; policy: Policy; replayed: number }> {
  const ctx = Context.current();
  const backend = await ensureBackend(input.config.backend);
  const session = policySession(deps.store);
  const { policy, replayed } = await session.at(input.policy, { ...input, onReplay: (s) => ctx.heartbeat({ replaying: s }) });
  if (replayed) log.info('rebuilt the policy from its checkpoint', { checkpointId: input.policy.checkpointId, replayed });
  return { backend, session, policy, replayed };
}
