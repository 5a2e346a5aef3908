import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { SmokeHeartbeatSchema, type SmokeInput, type SmokeResult } from '../../schemas/smoke.ts';
import { executeWorkflow } from '../executeWorkflow.ts';
import { configFrom } from '../globalConfig.ts';
import { emit, note } from '../output.ts';
import { positiveInt } from '../positiveInt.ts';


export const smokeCommand = new Command('smoke')
  .description('run the smoke workflow: a stepped, heartbeating, resumable activity that commits an artifact to the store')
  .option('--steps <n>', 'number of steps', positiveInt, 12)
  .option('--step-ms <ms>', 'duration of each step', positiveInt, 500)
  .option('--seed <seed>', 'seed of the hash chain (same seed -> same artifact, reused)', 'demo')
  .option('--workflow-id <id>', 'workflow id (default smoke-<seed>-<time>)')
  .option('--json', 'machine-readable output')
  .option('--no-progress', 'no progress bar')
  .action(async (opts: { steps: number; stepMs: number; seed: string; workflowId?: string; json?: boolean; progress: boolean }, cmd: Command) => {
    const cfg = configFrom(cmd);
    const input: SmokeInput = { steps: opts.steps, stepMs: opts.stepMs, seed: opts.seed, runtime: { taskQueues: cfg.taskQueues, activities: cfg.activities } };
    const workflowId = opts.workflowId ?? `smoke-${opts.seed}-${Date.now()}`;
    const bar = opts.progress && process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'smoke {bar} {value}/{total} steps | attempt {attempt}', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
    bar?.start(opts.steps, 0, { attempt: 1 });
    const t0 = Date.now();
    const run = await executeWorkflow<SmokeResult>(cfg, {
      workflowType: 'smokeWorkflow',
      args: [input],
      workflowId,
      onProgress: (view) => {
        const a = view.pendingActivities[0];
        const hb = SmokeHeartbeatSchema.safeParse(a?.heartbeatDetails);
        if (hb.success) bar?.update(hb.data.step, { attempt: a?.attempt ?? 1 });
      },
    });
    bar?.update(opts.steps);
    bar?.stop();
    const r = run.result;
    const out = { workflowId: run.workflowId, runId: run.runId, mode: run.mode, seconds: (Date.now() - t0) / 1000, ...r, storeRoot: cfg.storeRoot };
    emit(!!opts.json, out, () =>
      [
        `smoke workflow ${run.workflowId} completed in ${out.seconds.toFixed(1)} s (${run.mode} mode, ${run.address})`,
        `  artifact:   ${r.artifactId}${r.reused ? ' (reused: same inputs were already committed)' : ''}`,
        `  final state ${r.finalState}`,
        `  attempt ${r.attempt}, resumed from step ${r.resumedFromStep}, ran ${r.stepsRunThisAttempt} steps, worker ${r.workerIdentity}`,
        `  store:      ${cfg.storeRoot}   (skinr1 store show ${r.artifactId})`,
      ].join('\n'),
    );
    if (run.mode === 'local') note(`the run's history is in the embedded server (web UI http://localhost:${cfg.embedded.uiPort}); \`skinr1 dev-server stop\` stops it, its state stays in the store`);
  });
