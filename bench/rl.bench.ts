/**
 * RL benchmarks, in one run:
 * - the reward library: completions scored per second (hierarchical and flat), on items built from the real hierarchy;
 * - a short real `rl` workflow on the dev server (synthetic data, tiny SFT checkpoint): the median round trip of the
 *   reward activity as the workflow history shows it (scheduled -> completed), and the share of each step's wall time
 *   spent outside rollout and update (reward activity, scheduling, persistence: the orchestration overhead).
 * `npm run bench:rl [-- --json] [-- --steps N] [-- --completions N]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { adapterSpec } from '../datasets/adapters.ts';
import { generateSynthetic } from '../datasets/synthetic/generateSynthetic.ts';
import { Rng } from '../datasets/synthetic/Rng.ts';
import { DevServer } from '../devserver/DevServer.ts';
import { provisionTemporalCli } from '../devserver/provisionTemporalCli.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { defaultKnowledgeDir } from '../knowledge/KnowledgeBase.ts';
import { buildRlItems } from '../rl/buildRlItems.ts';
import { scoreCompletion } from '../rl/hierarchicalReward.ts';
import { DistillConfigSchema, type TrajectorySetSummary } from '../schemas/distill.ts';
import { modelPresets, SftConfigSchema } from '../schemas/model.ts';
import { OnboardConfigSchema, type DatasetSummary } from '../schemas/onboarding.ts';
import { RlConfigSchema, type RlSummary } from '../schemas/rl.ts';
import type { SftSummary } from '../schemas/sft.ts';
import { defaultTemporalConfig, loadTemporalConfig } from '../temporal.config.ts';
import { freePort } from '../tests/helpers/freePort.ts';
import { createWorkers } from '../workers/createWorkers.ts';
import { installRuntime } from '../workers/installRuntime.ts';
import { median, printTable } from './table.ts';

const { values: args } = parseArgs({ options: { json: { type: 'boolean' }, steps: { type: 'string', default: '8' }, completions: { type: 'string', default: '40000' } } });
const progress = (l: string) => !args.json && process.stderr.write(l + '\n');

// 1. The reward library.
const h = Hierarchy.fromFile();
const labels = ['melanoma', 'melanocytic_nevus', 'bcc', 'dermatofibroma', 'seborrheic_keratosis', 'actinic_keratosis', 'melanoma_nodular'];
const { items } = buildRlItems(
  h,
  Array.from({ length: 500 }, (_, i) => ({ datasetVersionId: 'dataset-version-bench', dataset: 'bench', sampleId: `s${i}`, imageKey: '', imageSha256: String(i).padStart(64, '0'), split: 'train', labelNodes: [labels[i % labels.length]!], fitzpatrick: null })),
  'bench',
);
const rng = new Rng('bench-completions');
const n = Number(args.completions);
// A mix of what a policy writes: a letter, the option's text with a bucket, a synonym-free wrong name, malformed text.
const completions = Array.from({ length: n }, (_, i) => {
  const item = items[i % items.length]!;
  const o = rng.pick(item.options);
  const final = rng.pick([`${o.letter}`, `(${o.letter}) ${o.text}`, `${o.text.toLowerCase()} (malignant)`, `${o.text}, benign`, 'something else (benign)']);
  const thinking = 'Findings: asymmetry, multiple colours and an atypical pigment network. Hierarchy: Malignant neoplasm > Malignant melanocytic neoplasm > melanoma.';
  return { item, text: rng.chance(0.9) ? `<thinking>${thinking}</thinking><final diagnosis>${final}</final diagnosis>` : `${thinking} ${final}` };
});
const rewardRows: Array<Record<string, string | number>> = [];
for (const variant of ['hierarchical', 'flat'] as const) {
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    let sum = 0;
    for (const c of completions) sum += scoreCompletion(c.text, c.item, variant, h).total;
    times.push(performance.now() - t0);
    if (!Number.isFinite(sum)) throw new Error('bad reward');
  }
  rewardRows.push({ variant, completions: n, 'median ms': Math.round(median(times)), 'rewards/s': Math.round(n / (median(times) / 1000)) });
}

// 2. A real rl workflow.
installRuntime('WARN');
const work = mkdtempSync(path.join(os.tmpdir(), 'skinr1-bench-rl-'));
let summary: RlSummary;
const rewardRoundTrips: number[] = [];
try {
  const cli = await provisionTemporalCli({ version: defaultTemporalConfig.embedded.cliVersion, log: progress });
  const server = await DevServer.start({ binary: cli.path, ip: '127.0.0.1', port: await freePort(), uiPort: await freePort(), namespace: 'default', headless: true, dbFile: path.join(work, 'dev.sqlite') });
  const cfg = loadTemporalConfig({ env: { SKINR1_HOME: path.join(work, 'store'), SKINR1_TASK_QUEUE_CPU: 'bench-cpu', SKINR1_TASK_QUEUE_GPU: 'bench-gpu' } });
  const runtime = { taskQueues: cfg.taskQueues, activities: cfg.activities };
  const native = await NativeConnection.connect({ address: server.address });
  const workers = await createWorkers(cfg, native, 'all');
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const run = <R>(type: string, a: unknown, id = `bench-${type}`) => client.workflow.execute(type, { taskQueue: cfg.taskQueues.cpu, workflowId: id, args: [a] }) as Promise<R>;
  await workers.reduce<Promise<unknown>>(
    (inner, w) => w.runUntil(inner),
    (async () => {
      progress('setup: synthetic data, onboarding, distillation, one SFT epoch (tiny) ...');
      const syn = await generateSynthetic({ format: 'ham10000', n: 80, out: path.join(work, 'data'), seed: 'bench' });
      const dv = await run<DatasetSummary>('onboardDataset', { spec: adapterSpec('ham10000', syn.metadata, syn.out, {}), config: OnboardConfigSchema.parse({}), runtime });
      const set = await run<TrajectorySetSummary>('distillTrajectories', { datasetVersionIds: [dv.datasetVersionId], knowledgeDir: defaultKnowledgeDir, config: DistillConfigSchema.parse({ extraTypesPerSample: 0 }), runtime });
      const sft = await run<SftSummary>('sft', { trajectorySetId: set.trajectorySetId, baseCheckpointId: null, config: SftConfigSchema.parse({ model: modelPresets.tiny, epochs: 1, seed: 'bench' }), runtime });
      progress(`rl: ${args.steps} steps ...`);
      const config = RlConfigSchema.parse({ steps: Number(args.steps), heldOutItems: 4, evalEvery: 1000, checkpointEvery: 4, seed: 'bench' });
      summary = await run<RlSummary>('rl', { fromCheckpointId: sft.checkpointId, datasetVersionIds: [dv.datasetVersionId], config, runtime }, 'bench-rl');
      // Reward activity round trips from the history: scheduled -> completed.
      const history = await client.workflow.getHandle('bench-rl').fetchHistory();
      const scheduled = new Map<string, { type: string; at: number }>();
      const ms = (t: unknown) => Number((t as { seconds?: unknown }).seconds ?? 0) * 1000 + Number((t as { nanos?: number }).nanos ?? 0) / 1e6;
      for (const e of history.events ?? []) {
        const s = e.activityTaskScheduledEventAttributes;
        if (s) scheduled.set(String(e.eventId), { type: s.activityType?.name ?? '', at: ms(e.eventTime) });
        const c = e.activityTaskCompletedEventAttributes;
        if (c) {
          const from = scheduled.get(String(c.scheduledEventId));
          if (from?.type === 'rlReward') rewardRoundTrips.push(ms(e.eventTime) - from.at);
        }
      }
    })(),
  );
  await connection.close();
  await native.close();
  await server.stop();
} finally {
  rmSync(work, { recursive: true, force: true });
}

const s = summary!;
// Step 0 includes loading the policy and reference; the steady state is what a long run sees.
const steady = s.stepMetrics.slice(1);
const share = (m: RlSummary['stepMetrics'][number]) => (m.stepSeconds - m.rolloutSeconds - m.updateSeconds) / m.stepSeconds;
const rlRows = [
  { measure: 'reward activity round trip, scheduled -> completed (ms)', n: rewardRoundTrips.length, median: Math.round(median(rewardRoundTrips)) },
  { measure: 'reward activity own time (ms)', n: steady.length, median: Math.round(median(steady.map((m) => m.rewardSeconds * 1000))) },
  { measure: 'RL step wall time (ms)', n: steady.length, median: Math.round(median(steady.map((m) => m.stepSeconds * 1000))) },
  { measure: 'rollout activity own time (ms)', n: steady.length, median: Math.round(median(steady.map((m) => m.rolloutSeconds * 1000))) },
  { measure: 'update activity own time (ms)', n: steady.length, median: Math.round(median(steady.map((m) => m.updateSeconds * 1000))) },
  { measure: 'share of step outside rollout and update (%)', n: steady.length, median: Math.round(1000 * median(steady.map(share))) / 10 },
];
if (args.json) process.stdout.write(JSON.stringify({ host: os.hostname(), cpus: os.availableParallelism(), node: process.version, reward: rewardRows, rl: rlRows, backend: s.backend }, null, 2) + '\n');
else {
  printTable(`reward library (${os.availableParallelism()} cpus, node ${process.version})`, rewardRows);
  printTable(`rl workflow on the dev server: ${s.steps} steps, tiny model, ${s.backend}, G=4 x 4 prompts (step 0 left out)`, rlRows);
}
