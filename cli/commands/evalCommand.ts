import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { EvalConfigSchema, type Evaluation } from '../../schemas/evaluation.ts';
import { executeWorkflow } from '../executeWorkflow.ts';
import { configFrom } from '../globalConfig.ts';
import { emit } from '../output.ts';
import { positiveInt } from '../positiveInt.ts';

interface EvalOptions {
  datasets?: string;
  split: string;
  max?: number;
  seed?: string;
  backend?: 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
  json?: boolean;
  progress: boolean;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** One line per benchmark: accuracy with its 95 % interval, macro-F1, accuracy per hierarchy level, questions. */
export function evaluationLines(e: Evaluation): string[] {
  return Object.entries(e.benchmarks).map(([b, s]) => {
    const levels = Object.entries(s.levels)
      .map(([l, v]) => `${l} ${pct(v)}`)
      .join(', ');
    return `  ${b.padEnd(12)} accuracy ${pct(s.accuracy.value)} [${pct(s.accuracy.low)}, ${pct(s.accuracy.high)}]  macro-F1 ${s.macroF1.toFixed(3)}  n ${s.n}${levels ? `  (${levels})` : ''}`;
  });
}

export const evalCommand = new Command('eval')
  .description("the method's benchmarks on a checkpoint: in-domain multiple choice, benign/malignant/precancerous, hierarchy path, DDx neighbours; per dataset and Fitzpatrick type")
  .argument('<checkpointId>', 'checkpoint to evaluate')
  .option('--datasets <ids>', 'comma-separated dataset version ids (default: those in the checkpoint lineage)')
  .option('--split <split>', 'split the questions come from', 'test')
  .option('--max <n>', 'at most n questions per benchmark', positiveInt)
  .option('--seed <seed>', 'seed of the questions and the bootstrap')
  .addOption(new Option('--backend <name>', 'tensor backend').choices(['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']))
  .option('--json', 'machine-readable output')
  .option('--no-progress', 'no progress bar')
  .action(async (checkpointId: string, o: EvalOptions, cmd: Command) => {
    const cfg = configFrom(cmd);
    const config = EvalConfigSchema.parse({ split: o.split, ...(o.max ? { maxPerBenchmark: o.max } : {}), ...(o.seed ? { seed: o.seed } : {}), ...(o.backend ? { backend: o.backend } : {}) });
    const datasetVersionIds = (o.datasets ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const bar = o.progress && process.stderr.isTTY && !o.json ? new cliProgress.SingleBar({ format: 'eval {stage} {bar} {value}/{total} questions', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
    bar?.start(1, 0, { stage: 'prepare' });
    const run = await executeWorkflow<Evaluation>(cfg, {
      workflowType: 'evaluate',
      args: [{ checkpointId, datasetVersionIds, config, runtime: { taskQueues: cfg.taskQueues, activities: cfg.activities } }],
      workflowId: `evaluate-${Date.now()}`,
      onProgress: (view) => {
        const d = view.progress?.detail;
        if (!bar || !d || typeof d.questions !== 'number') return;
        bar.setTotal(d.questions);
        bar.update(Number(d.answered ?? 0), { stage: view.progress?.stage });
      },
    });
    bar?.stop();
    const e = run.result;
    emit(!!o.json, { ...e, workflowId: run.workflowId }, () => [`evaluation ${e.evaluationId} of ${e.checkpointId} on the ${e.split} split`, ...evaluationLines(e)].join('\n'));
  });
