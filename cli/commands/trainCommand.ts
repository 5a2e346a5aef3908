import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import type { SftConfigInput } from '../../schemas/model.ts';
import type { RlConfigInput, RlSummary } from '../../schemas/rl.ts';
import type { SftInput, SftSummary } from '../../schemas/sft.ts';
import { loadRlConfig } from '../../rl/loadRlConfig.ts';
import { loadSftConfig } from '../../training/loadSftConfig.ts';
import { executeWorkflow } from '../executeWorkflow.ts';
import { ValidationError } from '../../errors/ValidationError.ts';
import { loadPipelineConfig } from '../../pipeline/loadPipelineConfig.ts';
import { pipelineConfigOf } from '../pipelineConfigOf.ts';
import { runPipeline } from '../runPipeline.ts';
import { trainSummaryLines } from '../trainSummaryLines.ts';
import { configFrom } from '../globalConfig.ts';
import { emit } from '../output.ts';
import { positiveInt } from '../positiveInt.ts';

export const trainCommand = new Command('train')
  // Options after 'sft' or 'rl' belong to that subcommand (both have their own --config and --json).
  .enablePositionalOptions()
  .description('the whole pipeline (trainSkinR1: onboard, distill, SFT, RL, evaluate, report) from a config file, or one training stage (sft, rl)')
  .option('--config <file>', 'pipeline config (YAML/JSON): datasets, knowledge, sft, rl, evaluate')
  .option('--resume <workflowId>', 'continue a failed or cancelled run: same config, finished stages reused, training from its last checkpoint')
  .option('--id <workflowId>', 'workflow id of the run (default: <name>-<time>)')
  .option('--json', 'machine-readable output')
  .option('--no-progress', 'no progress bars')
  .action(async (o: { config?: string; resume?: string; id?: string; json?: boolean; progress: boolean }, cmd: Command) => {
    const cfg = configFrom(cmd);
    if (!o.config === !o.resume) throw new ValidationError('give exactly one of --config <file> or --resume <workflowId> (or a stage: train sft | train rl)');
    const config = o.config ? loadPipelineConfig(o.config) : await pipelineConfigOf(cfg, o.resume!);
    const workflowId = o.id ?? (o.resume ? `${o.resume.replace(/-resumed-\d+$/, '')}-resumed-${Date.now()}` : `${config.name}-${Date.now()}`);
    const s = await runPipeline(cfg, config, { workflowId, progress: o.progress && process.stderr.isTTY && !o.json });
    emit(!!o.json, s, () => trainSummaryLines(s).join('\n'), true);
  });

interface SftOptions {
  trajectories: string;
  config: string;
  base?: string;
  epochs?: number;
  batchSize?: number;
  lr?: string;
  seed?: string;
  backend?: SftConfigInput['backend'];
  shardSize?: number;
  checkpointEvery?: number;
  json?: boolean;
  progress: boolean;
}

trainCommand
  .command('sft')
  .description('supervised fine-tuning on a trajectory set: sharded epochs on the gpu queue, resumable from step checkpoints')
  .requiredOption('--trajectories <id>', 'trajectory set id (from skinr1 distill)')
  .option('--config <preset|file>', 'model preset (tiny, small, base, large) or a YAML/JSON SFT config', 'small')
  .option('--base <checkpointId>', 'start from this checkpoint instead of a fresh seeded model')
  .option('--epochs <n>', 'epochs', positiveInt)
  .option('--batch-size <n>', 'examples per step', positiveInt)
  .option('--lr <rate>', 'peak learning rate')
  .option('--seed <seed>', 'seed of the init, the split and every epoch order')
  .addOption(new Option('--backend <name>', 'tensor backend').choices(['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']))
  .option('--shard-size <n>', 'examples per shard activity', positiveInt)
  .option('--checkpoint-every <n>', 'steps between step checkpoints', positiveInt)
  .option('--json', 'machine-readable output')
  .option('--no-progress', 'no progress bar')
  .action(async (o: SftOptions, cmd: Command) => {
    const cfg = configFrom(cmd);
    const overrides: Partial<SftConfigInput> = {
      ...(o.epochs ? { epochs: o.epochs } : {}),
      ...(o.batchSize ? { batchSize: o.batchSize } : {}),
      ...(o.lr ? { learningRate: Number(o.lr) } : {}),
      ...(o.seed ? { seed: o.seed } : {}),
      ...(o.backend ? { backend: o.backend } : {}),
      ...(o.shardSize ? { shardSize: o.shardSize } : {}),
      ...(o.checkpointEvery ? { checkpointEvery: o.checkpointEvery } : {}),
    };
    const config = loadSftConfig(o.config, overrides);
    const input: SftInput = { trajectorySetId: o.trajectories, baseCheckpointId: o.base ?? null, config, runtime: { taskQueues: cfg.taskQueues, activities: cfg.activities } };
    const bar = o.progress && process.stderr.isTTY && !o.json ? new cliProgress.SingleBar({ format: 'sft {stage} {bar} step {value}/{total} epoch {epoch} loss {loss}', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
    bar?.start(1, 0, { stage: 'prepare', epoch: 0, loss: '-' });
    const t0 = Date.now();
    const run = await executeWorkflow<SftSummary>(cfg, {
      workflowType: 'sft',
      args: [input],
      workflowId: `sft-${Date.now()}`,
      onProgress: (view) => {
        const d = view.progress?.detail;
        if (!bar || !d || typeof d.totalSteps !== 'number') return;
        bar.setTotal(d.totalSteps);
        bar.update(Number(d.step ?? 0), { stage: view.progress?.stage, epoch: d.epoch ?? 0, loss: typeof d.trainLoss === 'number' ? d.trainLoss.toFixed(3) : '-' });
      },
    });
    bar?.stop();
    const s = run.result;
    const seconds = (Date.now() - t0) / 1000;
    emit(!!o.json, { ...s, workflowId: run.workflowId, seconds }, () =>
      [
        `checkpoint ${s.checkpointId} after ${s.epochs} epochs, ${s.steps} steps, in ${seconds.toFixed(1)} s on ${s.backend}`,
        `  train loss ${s.trainLoss.first?.toFixed(3)} -> ${s.trainLoss.last?.toFixed(3)}; validation loss by epoch ${s.valLossByEpoch.map((v) => v?.toFixed(3) ?? '-').join(', ')}`,
        `  ${s.trainExamples} training and ${s.valExamples} validation trajectories (${s.skippedTooLong} too long, skipped); ${s.samplesPerSecond.toFixed(1)} samples/s`,
      ].join('\n'),
    );
  });

interface RlOptions {
  from: string;
  datasets: string;
  config?: string;
  reward?: 'hierarchical' | 'flat';
  steps?: number;
  lr?: string;
  seed?: string;
  backend?: RlConfigInput['backend'];
  json?: boolean;
  progress: boolean;
}

trainCommand
  .command('rl')
  .description('GRPO reinforcement learning from an SFT checkpoint on hierarchy-aware multiple-choice items, with the hierarchical reward')
  .requiredOption('--from <checkpointId>', 'the SFT checkpoint to start from (also the frozen KL reference)')
  .requiredOption('--datasets <ids>', 'comma-separated dataset version ids the items come from')
  .option('--config <file>', 'YAML/JSON RL config (group size, temperature, beta, steps, ...); defaults follow the method')
  .addOption(new Option('--reward <variant>', 'hierarchical partial credit, or flat (exact answer only, the ablation)').choices(['hierarchical', 'flat']))
  .option('--steps <n>', 'optimiser steps', positiveInt)
  .option('--lr <rate>', 'peak learning rate')
  .option('--seed <seed>', 'seed of the items, the prompt order and every sample')
  .addOption(new Option('--backend <name>', 'tensor backend').choices(['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']))
  .option('--json', 'machine-readable output')
  .option('--no-progress', 'no progress bar')
  .action(async (o: RlOptions, cmd: Command) => {
    const cfg = configFrom(cmd);
    const config = loadRlConfig(o.config, {
      ...(o.reward ? { reward: o.reward } : {}),
      ...(o.steps ? { steps: o.steps } : {}),
      ...(o.lr ? { learningRate: Number(o.lr) } : {}),
      ...(o.seed ? { seed: o.seed } : {}),
      ...(o.backend ? { backend: o.backend } : {}),
    });
    const datasetVersionIds = o.datasets.split(',').map((s) => s.trim()).filter(Boolean);
    const bar = o.progress && process.stderr.isTTY && !o.json ? new cliProgress.SingleBar({ format: 'rl {stage} {bar} step {value}/{total} reward {reward} held-out acc {acc}', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
    bar?.start(config.steps, 0, { stage: 'prepare', reward: '-', acc: '-' });
    const t0 = Date.now();
    const run = await executeWorkflow<RlSummary>(cfg, {
      workflowType: 'rl',
      args: [{ fromCheckpointId: o.from, datasetVersionIds, config, runtime: { taskQueues: cfg.taskQueues, activities: cfg.activities } }],
      workflowId: `rl-${Date.now()}`,
      onProgress: (view) => {
        const d = view.progress?.detail;
        if (!bar || !d) return;
        bar.update(Number(d.step ?? 0), { stage: view.progress?.stage, reward: typeof d.rewardMean === 'number' ? d.rewardMean.toFixed(3) : '-', acc: typeof d.heldOutAccuracy === 'number' ? d.heldOutAccuracy.toFixed(3) : '-' });
      },
    });
    bar?.stop();
    const s = run.result;
    const seconds = (Date.now() - t0) / 1000;
    const f = (x: number | null) => (x === null ? '-' : x.toFixed(3));
    emit(!!o.json, { ...s, workflowId: run.workflowId, seconds }, () =>
      [
        `checkpoint ${s.checkpointId} after ${s.steps} GRPO steps (${s.reward} reward, ${s.rewardVersion}) in ${seconds.toFixed(1)} s on ${s.backend}`,
        `  mean reward ${f(s.rewardMean.first)} -> ${f(s.rewardMean.last)}; last 10 steps: format ${f(s.rewardComponents.format)}, option ${f(s.rewardComponents.option)}, malignancy ${f(s.rewardComponents.malignancy)}; KL ${f(s.kl)}`,
        `  held-out multiple-choice accuracy ${f(s.heldOutAccuracy.before)} -> ${f(s.heldOutAccuracy.after)} (${s.heldOutItems} items; ${s.trainItems} training items)`,
      ].join('\n'),
    );
  });
