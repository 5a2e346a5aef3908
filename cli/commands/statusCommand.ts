import { Command } from 'commander';
import { openTemporal } from '../../devserver/openTemporal.ts';
import { describeRun, type RunView } from '../describeRun.ts';
import { configFrom } from '../globalConfig.ts';
import { emit } from '../output.ts';

function render(v: RunView): string {
  const lines = [
    `${v.workflowId} (${v.workflowType}) ${v.status}`,
    `  run ${v.runId}, queue ${v.taskQueue}, started ${v.startTime}${v.closeTime ? `, closed ${v.closeTime}` : ''}, ${v.historyLength} history events`,
  ];
  if (v.workflowTaskFailure) lines.push(`  workflow task failing (attempt ${v.workflowTaskAttempt}): ${v.workflowTaskFailure}`);
  if (v.progress) lines.push(`  progress: stage ${v.progress.stage} ${v.progress.state} ${JSON.stringify(v.progress.detail)}`);
  if (v.progressError) lines.push(`  progress: ${v.progressError}`);
  for (const a of v.pendingActivities) {
    lines.push(`  activity ${a.activityType} #${a.activityId}: ${a.state}, attempt ${a.attempt}${a.lastWorkerIdentity ? ` on ${a.lastWorkerIdentity}` : ''}`);
    if (a.heartbeatDetails !== undefined) lines.push(`    last heartbeat ${a.lastHeartbeatTime ?? '?'}: ${JSON.stringify(a.heartbeatDetails)}`);
    if (a.lastFailure) lines.push(`    last failure: ${a.lastFailure}`);
  }
  if (v.result !== undefined) lines.push(`  result: ${JSON.stringify(v.result)}`);
  if (v.failure) lines.push(`  failure: ${v.failure}`);
  return lines.join('\n');
}

export const statusCommand = new Command('status')
  .description("show a run's state, its pending activities with their last heartbeat, and its progress query")
  .argument('<workflowId>', 'the workflow id printed when the run started')
  .option('--json', 'machine-readable output')
  .action(async (workflowId: string, opts: { json?: boolean }, cmd: Command) => {
    const cfg = configFrom(cmd);
    // In local mode the history lives in the store's SQLite file, so starting the embedded server (about a second) can read it.
    const session = await openTemporal(cfg, { startServer: true });
    try {
      const view = await describeRun(session.client, workflowId);
      emit(!!opts.json, view, () => render(view));
    } finally {
      await session.close();
    }
  });
