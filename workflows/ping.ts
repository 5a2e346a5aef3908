import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { PingInputSchema, type PingInput, type PingResult } from '../schemas/ping.ts';
import { activityOptions } from './activityOptions.ts';
import { parseInput } from '../schemas/parseInput.ts';

/** Runs the no-op activity `rounds` times in sequence and reports each round trip on the workflow clock. */
export async function pingWorkflow(rawInput: PingInput): Promise<PingResult> {
  const input = parseInput(PingInputSchema, rawInput, 'pingWorkflow input');
  const { ping } = proxyActivities<Activities>(activityOptions(input.runtime, 'control'));
  const roundTripMs: number[] = [];
  for (let i = 0; i < input.rounds; i++) {
    // Date.now() in a workflow is the deterministic time of the current workflow task, replayed identically.
    const t0 = Date.now();
    await ping(i);
    roundTripMs.push(Date.now() - t0);
  }
  return { roundTripMs };
}
