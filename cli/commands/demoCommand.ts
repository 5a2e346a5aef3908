import path from 'node:path';
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { adapterSpec } from '../../datasets/adapters.ts';
import { defaultKnowledgeDir } from '../../knowledge/KnowledgeBase.ts';
import { DistillConfigSchema, type TrajectorySetSummary } from '../../schemas/distill.ts';
import { generateSynthetic } from '../../datasets/synthetic/generateSynthetic.ts';
import { OnboardConfigSchema, type DatasetSummary } from '../../schemas/onboarding.ts';
import { executeWorkflows } from '../executeWorkflow.ts';
import { configFrom } from '../globalConfig.ts';
import { emit, note } from '../output.ts';
import { positiveInt } from '../positiveInt.ts';


/**
 * The main job on bundled demo data, as far as the pipeline goes today: generate the synthetic HAM10000-style and
 * Derm7pt-style datasets, then onboard both in parallel through Temporal (embedded server in local mode).
 */
export const demoCommand = new Command('demo')
  .description('run the pipeline on synthetic demo data: generate two datasets in real formats, onboard them and distill reasoning trajectories, all through Temporal')
  .option('--images <n>', 'synthetic HAM10000-style images', positiveInt, 400)
  .option('--cases <n>', 'synthetic Derm7pt-style cases (two images each)', positiveInt, 100)
  .option('--seed <seed>', 'same seed, same data, same dataset versions (memoized on a second run)', 'demo')
  .option('--json', 'machine-readable output')
  .option('--no-progress', 'no progress bars')
  .action(async (o: { images: number; cases: number; seed: string; json?: boolean; progress: boolean }, cmd: Command) => {
    const cfg = configFrom(cmd);
    const t0 = Date.now();
    const tty = o.progress && process.stderr.isTTY && !o.json;
    const bars = tty ? new cliProgress.MultiBar({ format: '{name} {bar} {value}/{total} {what}', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic) : undefined;
    const dataRoot = path.join(cfg.storeRoot, 'demo-data');
    const gen = async (format: 'ham10000' | 'derm7pt', n: number) => {
      const bar = bars?.create(n, 0, { name: `synth ${format}`.padEnd(18), what: format === 'ham10000' ? 'images' : 'cases' });
      const r = await generateSynthetic({ format, n, out: path.join(dataRoot, format), seed: o.seed, onProgress: (d) => bar?.update(d) });
      return r;
    };
    if (!tty && !o.json) note(`generating synthetic data in ${dataRoot} ...`);
    const [ham, d7] = await Promise.all([gen('ham10000', o.images), gen('derm7pt', o.cases)]);
    const specs = [adapterSpec('ham10000', ham.metadata, ham.out, {}), adapterSpec('derm7pt', d7.metadata, path.join(d7.out, 'images'), {})];
    const config = OnboardConfigSchema.parse({});
    const runtime = { taskQueues: cfg.taskQueues, activities: cfg.activities };
    const stamp = Date.now();
    const runs = specs.map((spec) => {
      const bar = bars?.create(1, 0, { name: `onboard ${spec.name}`.padEnd(18), what: 'inspect' });
      return {
        workflowType: 'onboardDataset',
        workflowId: `demo-onboard-${spec.name}-${stamp}`,
        args: [{ spec, config, runtime }],
        onProgress: (view: import('../describeRun.ts').RunView) => {
          const d = view.progress?.detail;
          if (!bar || !d) return;
          if (typeof d.shards === 'number') bar.setTotal(Math.max(1, d.shards));
          bar.update(Number(d.shardsDone ?? (view.progress?.state === 'done' ? 1 : 0)), { what: `shards, ${view.progress?.stage}` });
        },
      };
    });
    const results = await executeWorkflows<DatasetSummary>(cfg, runs);
    // Stage 2: trajectories from both dataset versions with the project's knowledge base.
    const dbar = bars?.create(1, 0, { name: 'distill'.padEnd(18), what: 'shards' });
    const [distilled] = await executeWorkflows<TrajectorySetSummary>(cfg, [
      {
        workflowType: 'distillTrajectories',
        workflowId: `demo-distill-${stamp}`,
        args: [{ datasetVersionIds: results.map((r) => r.result.datasetVersionId), knowledgeDir: defaultKnowledgeDir, config: DistillConfigSchema.parse({ seed: o.seed }), runtime }],
        onProgress: (view: import('../describeRun.ts').RunView) => {
          const d = view.progress?.detail;
          if (!dbar || !d) return;
          if (typeof d.shards === 'number') dbar.setTotal(Math.max(1, d.shards));
          dbar.update(Number(d.shardsDone ?? (view.progress?.state === 'done' ? 1 : 0)), { what: `shards, ${view.progress?.stage}` });
        },
      },
    ]);
    bars?.stop();
    const trajectories = distilled!.result;
    const out = {
      seconds: (Date.now() - t0) / 1000,
      storeRoot: cfg.storeRoot,
      datasets: results.map((r) => ({ workflowId: r.workflowId, ...r.result })),
      trajectories: { workflowId: distilled!.workflowId, ...trajectories },
      webUi: results[0]?.mode === 'local' ? `http://localhost:${cfg.embedded.uiPort}` : undefined,
    };
    emit(!!o.json, out, () =>
      [
        `demo finished in ${out.seconds.toFixed(1)} s (store ${out.storeRoot})`,
        ...out.datasets.map(
          (d) =>
            `  ${d.dataset.padEnd(10)} ${d.datasetVersionId}: ${d.rowsIn} rows = ${d.accepted} accepted + ${d.quarantined} quarantined; splits ${Object.entries(d.splits).map(([k, v]) => `${k} ${v}`).join('/')}`,
        ),
        `  quality reports: ${out.datasets.map((d) => `skinr1 datasets show ${d.datasetVersionId}`).join(' ; ')}`,
        `  trajectories ${trajectories.trajectorySetId}: ${trajectories.count} from ${trajectories.images} training images (types ${Object.entries(trajectories.byType).map(([k, v]) => `${k}:${v}`).join(' ')}), ${trajectories.grounded} grounded in annotations`,
        `  trajectory report: ${path.join(cfg.storeRoot, 'artifacts', 'trajectory-set', trajectories.trajectorySetId, 'report.md')}`,
        ...(out.webUi ? [`  runs in the Temporal web UI: ${out.webUi} (the embedded server keeps running; skinr1 dev-server stop)`] : []),
      ].join('\n'),
    );
  });
