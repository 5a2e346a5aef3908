import path from 'node:path';
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { defaultKnowledgeDir } from '../../knowledge/KnowledgeBase.ts';
import { DistillConfigSchema, trajectoryTypeNames, type DistillInput, type TrajectorySetSummary, type TrajectoryType } from '../../schemas/distill.ts';
import { executeWorkflow } from '../executeWorkflow.ts';
import { configFrom } from '../globalConfig.ts';
import { emit, note } from '../output.ts';
import { positiveInt } from '../positiveInt.ts';

interface DistillOptions {
  datasets: string;
  knowledge: string;
  teacher?: string;
  teacherModel: string;
  teacherKeyEnv: string;
  seed: string;
  splits: string;
  extraTypes: string;
  maxPerType?: number;
  shardSize: number;
  json?: boolean;
  progress: boolean;
}

function render(s: TrajectorySetSummary, seconds: number): string {
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  return [
    `trajectory set ${s.trajectorySetId}${s.reused ? ' (reused)' : ''} in ${seconds.toFixed(1)} s`,
    `  knowledge base ${s.knowledgeBaseId}; dataset versions ${s.datasetVersionIds.join(', ')}`,
    `  ${s.images} images, ${sum(s.skipped)} skipped (${Object.entries(s.skipped).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'})`,
    `  ${s.count} trajectories, ${s.grounded} grounded in annotations; ${sum(s.rejected)} rejected, ${s.capped} capped`,
    ...Object.entries(s.byType).map(([t, n]) => `    type ${t} ${String(n).padStart(6)}  ${trajectoryTypeNames[Number(t) as TrajectoryType]}`),
    ...(sum(s.rejected) ? [`  rejected: ${Object.entries(s.rejected).map(([k, v]) => `${k} ${v}`).join(', ')}`] : []),
    ...(s.teacher ? [`  teacher: ${s.teacher.requests} requests, ${s.teacher.cacheHits} cached, ${s.teacher.failures} failed calls, ${sum(s.teacher.rejected)} texts rejected and replaced`] : []),
  ].join('\n');
}

export const distillCommand = new Command('distill')
  .description('distill hierarchy-aware and DDx reasoning trajectories (the five Skin-R1 types) from dataset versions and the knowledge base')
  .requiredOption('--datasets <ids>', 'dataset version ids, comma-separated')
  .option('--knowledge <dir>', 'knowledge folder (Markdown chapters)', defaultKnowledgeDir)
  .option('--teacher <url>', 'an OpenAI-compatible endpoint (base URL, e.g. http://host:8000/v1) that rephrases rules and writes DDx comparisons')
  .option('--teacher-model <model>', 'the teacher model', 'gpt-4.1-mini')
  .option('--teacher-key-env <var>', 'environment variable holding the teacher API key (never logged)', 'SKINR1_TEACHER_API_KEY')
  .option('--seed <seed>', 'seed of every choice (types, rules, neighbours)', 'skinr1')
  .option('--splits <list>', 'splits to distill from (val and test stay held out)', 'train')
  .option('--extra-types <n>', 'trajectories of types 2-5 per image besides type 1 (0-4)', '2')
  .option('--max-per-type <n>', 'at most n trajectories per (diagnosis, type)', positiveInt)
  .option('--shard-size <n>', 'images per shard', positiveInt, 2000)
  .option('--json', 'machine-readable output')
  .option('--no-progress', 'no progress bar')
  .action(async (o: DistillOptions, cmd: Command) => {
    const cfg = configFrom(cmd);
    const config = DistillConfigSchema.parse({
      seed: o.seed,
      splits: o.splits.split(',').map((s) => s.trim()),
      extraTypesPerSample: Number(o.extraTypes),
      maxPerDiagnosisPerType: o.maxPerType ?? null,
      shardSize: o.shardSize,
      teacher: o.teacher ? { url: o.teacher, model: o.teacherModel, apiKeyEnv: o.teacherKeyEnv } : null,
    });
    const input: DistillInput = {
      datasetVersionIds: o.datasets.split(',').map((s) => s.trim()).filter(Boolean),
      knowledgeDir: path.resolve(o.knowledge),
      config,
      runtime: { taskQueues: cfg.taskQueues, activities: cfg.activities },
    };
    const bar = o.progress && process.stderr.isTTY ? new cliProgress.SingleBar({ format: 'distill {stage} {bar} {value}/{total} shards, {trajectories} trajectories', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
    bar?.start(1, 0, { stage: 'plan', trajectories: 0 });
    const t0 = Date.now();
    const run = await executeWorkflow<TrajectorySetSummary>(cfg, {
      workflowType: 'distillTrajectories',
      args: [input],
      workflowId: `distill-${Date.now()}`,
      onProgress: (view) => {
        const d = view.progress?.detail;
        if (bar && d && typeof d.shards === 'number') {
          bar.setTotal(Math.max(1, d.shards));
          bar.update(Number(d.shardsDone ?? 0), { stage: view.progress?.stage, trajectories: d.trajectories ?? 0 });
        }
      },
    });
    bar?.stop();
    const seconds = (Date.now() - t0) / 1000;
    emit(!!o.json, { ...run.result, workflowId: run.workflowId, seconds }, () => render(run.result, seconds));
    if (!o.json) note(`report: ${path.join(cfg.storeRoot, 'artifacts', 'trajectory-set', run.result.trajectorySetId, 'report.md')}`);
  });
