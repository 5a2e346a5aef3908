import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { generateSynthetic } from '../datasets/synthetic/generateSynthetic.ts';
import { resolvePipelineConfig } from '../pipeline/loadPipelineConfig.ts';
import type { PipelineConfig, PipelineFile, TrainSummary } from '../schemas/pipeline.ts';
import type { TemporalConfig, WorkflowRuntime } from '../schemas/temporalConfig.ts';
import { ArtifactStore } from '../store/ArtifactStore.ts';
import { createWorkers } from '../workers/createWorkers.ts';
import { localTestEnv } from './helpers/localTestEnv.ts';
import { tempDir } from './helpers/tempDir.ts';
import { isolatedConfig } from './helpers/testEnv.ts';

describe('trainSkinR1: the whole DAG', { timeout: 600_000 }, () => {
  let env: TestWorkflowEnvironment;
  const root = tempDir('dag');
  let t: { cfg: TemporalConfig; runtime: WorkflowRuntime; env: NodeJS.ProcessEnv };
  let workers: Worker[] = [];
  let running: Promise<unknown> | undefined;
  let file: PipelineFile;
  // At describe level: a tempDir made inside a hook is removed when the hook ends.
  const data = tempDir('dag-data');
  let first: TrainSummary | undefined;
  const store = () => new ArtifactStore(root);
  const start = (config: PipelineConfig, workflowId: string) => env.client.workflow.start('trainSkinR1', { taskQueue: t.cfg.taskQueues.cpu, workflowId, args: [{ config, runtime: t.runtime }] });

  before(async () => {
    env = await localTestEnv();
    t = isolatedConfig(root);
    workers = await createWorkers(t.cfg, env.nativeConnection, 'all');
    running = Promise.all(workers.map((w) => w.run()));
    await generateSynthetic({ format: 'ham10000', n: 60, out: path.join(data, 'ham'), seed: 'dag' });
    await generateSynthetic({ format: 'derm7pt', n: 16, out: path.join(data, 'd7'), seed: 'dag' });
    file = {
      name: 'dag-test',
      datasets: [
        { adapter: 'ham10000', metadata: 'ham/HAM10000_metadata.csv', images: 'ham', extra: {} },
        { adapter: 'derm7pt', metadata: 'd7/meta/meta.csv', images: 'd7/images', extra: {} },
      ],
      distill: { extraTypesPerSample: 0 },
      sft: { model: 'tiny', epochs: 1, batchSize: 8, seed: 'dag' },
      rl: { steps: 2, promptsPerStep: 2, maxNewTokens: 40, heldOutItems: 4, checkpointEvery: 2, seed: 'dag' },
      evaluate: { maxPerBenchmark: 4, maxNewTokens: 40, seed: 'dag' },
      compareStages: true,
    };
  });
  after(async () => {
    for (const w of workers) w.shutdown();
    await running;
    await env?.teardown();
  });

  it('runs onboarding, distillation, SFT, RL and an evaluation per stage as child workflows, and writes the report and model card', async () => {
    const h = await start(resolvePipelineConfig(file, data), 'dag-1');
    const s = (await h.result()) as TrainSummary;
    first = s;
    assert.equal(s.workflowId, 'dag-1');
    assert.equal(s.datasetVersionIds.length, 2);
    assert.deepEqual(Object.keys(s.stages), ['base', 'sft', 'sft+rl']);
    assert.ok(['indomain', 'bucket', 'hierarchical'].every((b) => b in s.evaluation), JSON.stringify(s.evaluation));
    assert.notEqual(s.finalCheckpointId, s.sftCheckpointId);
    assert.equal((await store().require(s.finalCheckpointId)).inputs.role, 'rl');
    for (const c of ['dag-1.onboard.0.ham10000', 'dag-1.onboard.1.derm7pt', 'dag-1.distill', 'dag-1.sft', 'dag-1.rl', 'dag-1.eval.base', 'dag-1.eval.sft', 'dag-1.eval.sft+rl']) {
      const d = await env.client.workflow.getHandle(c).describe();
      assert.equal(d.status.name, 'COMPLETED', c);
      assert.equal(d.parentExecution?.workflowId, 'dag-1', `${c} is a child of the run`);
    }
    // Each stage's change is paired on the same questions, and its counts reconcile with the stages' accuracies.
    assert.deepEqual(s.changes.map((c) => `${c.from}->${c.to}`), ['base->sft', 'sft->sft+rl']);
    for (const c of s.changes) {
      assert.deepEqual(Object.keys(c.benchmarks).sort(), Object.keys(s.stages[c.to]!).sort(), `${c.from}->${c.to} covers every benchmark`);
      for (const [b, d] of Object.entries(c.benchmarks)) {
        assert.equal(d.n, s.evaluations[0]!.evaluation.benchmarks[b]!.n, `${b}: every question paired`);
        assert.ok(Math.abs(d.after - d.before - (s.stages[c.to]![b]! - s.stages[c.from]![b]!)) < 1e-9, `${c.from}->${c.to} ${b}`);
        assert.ok(Math.abs((d.gained - d.lost) / d.n - d.delta.value) < 1e-9 && d.delta.low <= d.delta.value && d.delta.value <= d.delta.high);
      }
    }
    const html = readFileSync(s.reportPath, 'utf8');
    assert.match(html, /What each stage changed/);
    assert.match(html, /sft \u2192 sft\+rl/);
    assert.equal((html.match(/<svg/g) ?? []).length, 7, 'loss, reward, KL, benchmarks, skin types, two confusion matrices');
    assert.match(html, /sft\+rl/);
    const card = readFileSync(s.modelCardPath, 'utf8');
    assert.match(card, /Reinforcement learning \(GRPO\)/);
    assert.match(card, /\| evaluation \| questions \|/);
    assert.deepEqual(s.reused, { sft: false, rl: false, 'evaluate:base': false, 'evaluate:sft': false, 'evaluate:sft+rl': false });
    const progress = await h.query('progress');
    assert.equal((progress as { state: string }).state, 'done');
  });

  it('a second run with the same config reuses SFT, RL and every evaluation, and ends at the same checkpoint', async () => {
    assert.ok(first);
    const s = (await (await start(resolvePipelineConfig(file, data), 'dag-2')).result()) as TrainSummary;
    assert.deepEqual(s.reused, { sft: true, rl: true, 'evaluate:base': true, 'evaluate:sft': true, 'evaluate:sft+rl': true });
    assert.equal(s.finalCheckpointId, first.finalCheckpointId);
    assert.deepEqual(s.evaluation, first.evaluation);
    await assert.rejects(env.client.workflow.getHandle('dag-2.sft').describe(), 'no SFT child was started');
  });

  it('a bad dataset fails onboarding with an error naming the file, and nothing already committed changes', async () => {
    writeFileSync(path.join(data, 'bad.csv'), 'image,diagnosis\na,nv\n');
    const manifests = async () => Object.fromEntries((await store().list()).map((m) => [m.id, readFileSync(path.join(store().dirOf(m.id), 'manifest.json'), 'utf8')]));
    const before = await manifests();
    const cfg = resolvePipelineConfig({ ...file, datasets: [...file.datasets, { adapter: 'ham10000', metadata: 'bad.csv', images: data, extra: {} }] }, data);
    await assert.rejects((await start(cfg, 'dag-bad')).result(), (e: unknown) => {
      assert.ok(e instanceof WorkflowFailedError);
      let msg = '';
      for (let c: (Error & { cause?: unknown }) | undefined = e; c; c = c.cause as typeof c) msg += ` | ${c.message}`;
      assert.match(msg, /bad\.csv: id\.column names column "image_id", which is not in the header/);
      return true;
    });
    const now = await manifests();
    for (const [id, text] of Object.entries(before)) assert.equal(now[id], text, `${id} unchanged`);
  });
});
