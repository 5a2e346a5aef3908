import cliProgress from 'cli-progress';
import type { PipelineConfig, TrainSummary } from '../schemas/pipeline.ts';
import type { TemporalConfig } from '../schemas/temporalConfig.ts';
import { executeWorkflow } from './executeWorkflow.ts';

const num = (x: unknown) => (typeof x === 'number' ? x : Number(x ?? 0));

/**
 * Runs `trainSkinR1` and shows a progress bar per stage, fed by the parent's `progress` query (which stage, which
 * child) and the running child's own `progress` (shards, steps, questions).
 */
export async function runPipeline(cfg: TemporalConfig, config: PipelineConfig, o: { workflowId: string; progress: boolean }): Promise<TrainSummary> {
  const bars = o.progress ? new cliProgress.MultiBar({ format: '{stage} {bar} {value}/{total} {what}', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic) : undefined;
  const byStage = new Map<string, cliProgress.SingleBar>();
  const bar = (stage: string, total: number, what: string) => {
    let b = byStage.get(stage);
    if (!b && bars) byStage.set(stage, (b = bars.create(Math.max(1, total), 0, { stage: stage.padEnd(14), what })));
    b?.setTotal(Math.max(1, total));
    return b;
  };
  try {
    const run = await executeWorkflow<TrainSummary>(cfg, {
      workflowType: 'trainSkinR1',
      workflowId: o.workflowId,
      args: [{ config, runtime: { taskQueues: cfg.taskQueues, activities: cfg.activities } }],
      onProgress: async (view, peek) => {
        if (!bars) return;
        const stage = view.progress?.stage ?? '';
        const childId = String(view.progress?.detail?.child ?? '');
        for (const [s, b] of byStage) if (s !== stage && !s.startsWith(`${stage}:`)) b.update(b.getTotal());
        if (stage === 'onboard') {
          await Promise.all(
            config.datasets.map(async (d, i) => {
              const c = await peek(`${o.workflowId}.onboard.${i}.${d.name}`).catch(() => null);
              const p = c?.progress?.detail;
              if (p) bar(`onboard ${d.name}`, num(p.shards), 'shards')?.update(num(p.shardsDone ?? (c?.progress?.state === 'done' ? p.shards : 0)));
            }),
          );
          return;
        }
        if (!childId) return;
        const c = await peek(childId).catch(() => null);
        const p = c?.progress?.detail;
        if (!p) return;
        if (stage === 'distill') bar('distill', num(p.shards), 'shards')?.update(num(p.shardsDone));
        else if (stage === 'sft') bar('sft', num(p.totalSteps), `steps, epoch ${num(p.epoch) + 1}, loss ${typeof p.trainLoss === 'number' ? p.trainLoss.toFixed(3) : '-'}`)?.update(num(p.step));
        else if (stage === 'rl') bar('rl', num(config.rl?.steps ?? 1), `steps, reward ${typeof p.rewardMean === 'number' ? p.rewardMean.toFixed(3) : '-'}, held-out acc ${typeof p.heldOutAccuracy === 'number' ? p.heldOutAccuracy.toFixed(3) : '-'}`)?.update(num(p.step));
        else if (stage === 'evaluate') bar(`eval ${childId.split('.').pop()}`, num(p.questions), 'questions')?.update(num(p.answered));
      },
    });
    return run.result;
  } finally {
    bars?.stop();
  }
}
