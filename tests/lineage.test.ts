import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { adapterSpec } from '../datasets/adapters.ts';
import { generateSynthetic } from '../datasets/synthetic/generateSynthetic.ts';
import { defaultHierarchyFile } from '../hierarchy/Hierarchy.ts';
import { defaultKnowledgeDir } from '../knowledge/KnowledgeBase.ts';
import { describeLineage, lineageDot } from '../lineage/describeLineage.ts';
import { LineageGraph } from '../lineage/LineageGraph.ts';
import { verifyLineage } from '../lineage/verifyLineage.ts';
import { DistillConfigSchema, type TrajectorySetSummary } from '../schemas/distill.ts';
import { modelPresets, SftConfigSchema } from '../schemas/model.ts';
import { OnboardConfigSchema, type DatasetSummary } from '../schemas/onboarding.ts';
import type { SftSummary } from '../schemas/sft.ts';
import { ArtifactStore } from '../store/ArtifactStore.ts';
import { Catalog } from '../store/Catalog.ts';
import { ImageStore } from '../store/ImageStore.ts';
import { createWorkers } from '../workers/createWorkers.ts';
import { localTestEnv } from './helpers/localTestEnv.ts';
import { openLineageErrors } from './helpers/openLineageSchema.ts';
import { runCli } from './helpers/spawnCli.ts';
import { tempDir } from './helpers/tempDir.ts';
import { isolatedConfig } from './helpers/testEnv.ts';

describe('lineage of a checkpoint, through the real workflows', { timeout: 300_000 }, () => {
  let env: TestWorkflowEnvironment;
  let workers: Worker[] = [];
  let running: Promise<unknown> | undefined;
  const root = tempDir('lineage');
  const data = tempDir('lineage-data');
  const { cfg, runtime, env: cliEnv } = isolatedConfig(root);
  const store = new ArtifactStore(root);
  let metadata = '';
  let datasetVersionId = '';
  let trajectorySetId = '';
  let checkpointId = '';

  before(async () => {
    env = await localTestEnv();
    workers = await createWorkers(cfg, env.nativeConnection, 'all');
    running = Promise.all(workers.map((w) => w.run()));
    const run = <R>(type: string, args: unknown) => env.client.workflow.execute(type, { taskQueue: cfg.taskQueues.cpu, workflowId: `${type}-${Date.now()}`, args: [args] }) as Promise<R>;
    const syn = await generateSynthetic({ format: 'ham10000', n: 30, out: data, seed: 'lineage' });
    metadata = syn.metadata;
    datasetVersionId = (await run<DatasetSummary>('onboardDataset', { spec: adapterSpec('ham10000', syn.metadata, syn.out, {}), config: OnboardConfigSchema.parse({}), runtime })).datasetVersionId;
    trajectorySetId = (await run<TrajectorySetSummary>('distillTrajectories', { datasetVersionIds: [datasetVersionId], knowledgeDir: defaultKnowledgeDir, config: DistillConfigSchema.parse({ extraTypesPerSample: 0 }), runtime })).trajectorySetId;
    const config = SftConfigSchema.parse({ model: { ...modelPresets.tiny, maxLen: 160 }, epochs: 1, batchSize: 4, checkpointEvery: 2 });
    checkpointId = (await run<SftSummary>('sft', { trajectorySetId, baseCheckpointId: null, config, runtime })).checkpointId;
  });
  after(async () => {
    for (const w of workers) w.shutdown();
    await running;
    await env?.teardown();
  });

  it('show lists the ancestry of a checkpoint down to the raw metadata files and images, with digests', async () => {
    const graph = await LineageGraph.load(store);
    const v = await describeLineage(graph, checkpointId);
    const kinds = new Set(v.artifacts.map((a) => a.kind));
    for (const k of ['checkpoint', 'tokenizer', 'trajectory-set', 'knowledge-base', 'dataset-version', 'dataset-staging', 'dataset-shard']) assert.ok(kinds.has(k), k);
    const meta = v.rawSources.find((s) => s.role === 'metadata')!;
    assert.equal(meta.path, metadata);
    assert.match(meta.sha256, /^[0-9a-f]{64}$/);
    assert.ok(v.rawSources.some((s) => s.role === 'label-map' && s.path.endsWith(path.join('ham10000', 'labels.json'))));
    assert.equal(v.images.length, 30);
    assert.ok(v.images.every((i) => /^[0-9a-f]{64}$/.test(i.sha256) && /^[0-9a-f]{64}$/.test(i.originalSha256) && i.originalPath.endsWith('.jpg')));
    assert.ok(v.artifacts.every((a) => a.run.workflowId && a.run.workerIdentity && a.run.lockfileDigest));
    const dot = lineageDot(v);
    assert.match(dot, /^digraph lineage \{/);
    assert.ok(dot.includes(`"${datasetVersionId}" -> "${trajectorySetId}"`));
    const impact = graph.impact(datasetVersionId).map((m) => m.id);
    assert.ok(impact.includes(trajectorySetId) && impact.includes(checkpointId), 'withdrawing the dataset version reaches the checkpoint');
    // The same question in SQL over the store, and runs as nodes of the graph.
    const catalog = await Catalog.open(root);
    try {
      const down = await catalog.query(`SELECT id FROM lineage_down WHERE root = '${datasetVersionId}' AND id LIKE 'checkpoint-%' ORDER BY id`);
      assert.deepEqual(new Set(down.map((r) => r.id)), new Set(impact.filter((id) => id.startsWith('checkpoint-'))));
      const runs = await catalog.query(`SELECT workflowType, count(*)::INTEGER AS n FROM runs GROUP BY 1 ORDER BY 1`);
      assert.deepEqual(runs.map((r) => r.workflowType), ['distillTrajectories', 'onboardDataset', 'sft']);
    } finally {
      catalog.close();
    }
  });

  /** Changes one thing, checks that verify names it, then puts it back. */
  async function caught(what: string, file: string, change: (bytes: Buffer) => Buffer, expect: RegExp, opts: { hierarchyFile?: string } = {}) {
    const original = readFileSync(file);
    writeFileSync(file, change(Buffer.from(original)));
    try {
      const r = await verifyLineage(await LineageGraph.load(store), checkpointId, opts);
      assert.equal(r.ok, false, `${what} went unnoticed`);
      assert.ok(r.problems.some((p) => expect.test(p.message)), `${what}: ${r.problems.map((p) => p.message).join(' | ')}`);
    } finally {
      writeFileSync(file, original);
    }
  }

  it('verify passes on an untouched store and catches every kind of change, naming it', async () => {
    const clean = await verifyLineage(await LineageGraph.load(store), checkpointId);
    assert.deepEqual(clean.problems, []);
    assert.ok(clean.imagesChecked === 30 && clean.rawSourcesChecked >= 2);
    const flip = (b: Buffer) => {
      const i = Math.floor(b.length / 2);
      b[i] = b[i]! ^ 0xff;
      return b;
    };
    await caught('a tampered weight file', path.join(store.dirOf(checkpointId), 'weights.bin'), flip, /changed file weights\.bin/);
    await caught('an edited Parquet file', path.join(store.dirOf(datasetVersionId), 'accepted.parquet'), flip, /changed file accepted\.parquet/);
    const kb = (await store.list('knowledge-base'))[0]!;
    await caught('a changed knowledge file', path.join(store.dirOf(kb.id), 'chapters', '10-keratinocytic-and-melanocytic-core.md'), (b) => Buffer.concat([b, Buffer.from('\n- edited\n')]), /changed file chapters\/10-keratinocytic-and-melanocytic-core\.md/);
    await caught('a changed raw metadata file', metadata, (b) => Buffer.concat([b, Buffer.from('HAM_X,ISIC_X,nv,histo,40,male,back\r\n')]), /raw metadata file .* changed/);
    const someImage = new ImageStore(root).pathOf((await describeLineage(await LineageGraph.load(store), checkpointId)).images[0]!.sha256);
    await caught('a replaced stored image', someImage, flip, /stored image .* changed/);
    await caught('an edited manifest', path.join(store.dirOf(trajectorySetId), 'manifest.json'), (b) => Buffer.from(b.toString().replace('"codeVersion": "trajectory-set@2"', '"codeVersion": "trajectory-set@9"')), /manifest inputs, code version or config digest changed/);
    const otherHierarchy = path.join(tempDir('hier'), 'h.json');
    copyFileSync(defaultHierarchyFile, otherHierarchy);
    await caught('a changed hierarchy file', otherHierarchy, (b) => Buffer.from(b.toString().replace('"name": "melanoma"', '"name": "malignant melanoma"')), /was made with hierarchy .* but .* is now/, { hierarchyFile: otherHierarchy });
  });

  it('skinr1 lineage verify exits 1 and names the file; show --json and impact work from the CLI', async () => {
    const ok = await runCli(['lineage', 'verify', checkpointId, '--json'], cliEnv);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const weights = path.join(store.dirOf(checkpointId), 'weights.bin');
    const original = readFileSync(weights);
    writeFileSync(weights, Buffer.concat([original, Buffer.from([0])]));
    try {
      const bad = await runCli(['lineage', 'verify', checkpointId, '--no-images'], cliEnv);
      assert.equal(bad.code, 1);
      assert.match(bad.stdout, /CHANGED: .*\n.*artifact-file: .*changed file weights\.bin/);
    } finally {
      writeFileSync(weights, original);
    }
    const show = JSON.parse((await runCli(['lineage', 'show', checkpointId, '--json'], cliEnv)).stdout);
    assert.equal(show.id, checkpointId);
    const impact = JSON.parse((await runCli(['lineage', 'impact', trajectorySetId, '--json'], cliEnv)).stdout);
    assert.ok(impact.artifacts.some((a: { id: string }) => a.id === checkpointId));
    const card = await runCli(['lineage', 'card', checkpointId], cliEnv);
    assert.equal(card.code, 0, card.stderr);
    assert.match(card.stdout, new RegExp(`^# Model card: ${checkpointId}`));
    assert.match(card.stdout, /\| ham10000 \| `dataset-version-[0-9a-f]{24}` \| CC BY-NC 4\.0[^|]*\| 30 \| 30 \| 0 \|/);
    assert.match(card.stdout, /Disease hierarchy 1\.0\.0/);
    assert.match(card.stdout, /\| 0 \| \d+ \| [\d.]+ \| [\d.]+ \| `checkpoint-/);
    assert.match(card.stdout, /## Known limitations/);

    // OpenLineage run events: START and COMPLETE per producing activity run, linked to their workflow run.
    const exported = await runCli(['lineage', 'export', checkpointId, '--openlineage'], cliEnv);
    assert.equal(exported.code, 0, exported.stderr);
    const events = exported.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const graph = await LineageGraph.load(store);
    const ancestry = graph.ancestry(checkpointId);
    assert.equal(events.length, 2 * ancestry.length);
    // Each event conforms to the official OpenLineage 2-0-2 schema and its facets to their vendored facet schemas.
    assert.deepEqual(events.flatMap((e, i) => openLineageErrors(e).map((err) => `event ${i} (${e.eventType} ${e.job.name}): ${err}`)), []);
    // ... and the validator does reject what breaks them (eventType is optional in 2-0-2, so that cannot be the test).
    const broken = structuredClone(events.find((e) => e.outputs[0]?.facets.schema));
    broken.run.runId = 'not-a-uuid';
    delete broken.producer;
    delete broken.run.facets.parent.run.runId;
    delete broken.outputs[0].facets.schema._producer;
    broken.outputs[0].facets.schema.fields[0].name = 7;
    const caughtErrors = openLineageErrors(broken);
    for (const expected of [/^event\/run\/runId must match format "uuid"/, /^event must have required property 'producer'/, /^event\/run\/facets\/parent\/run must have required property 'runId'/, /^event\/outputs\/0\/facets\/schema must have required property '_producer'/, /^event\/outputs\/0\/facets\/schema\/fields\/0\/name must be string/]) {
      assert.ok(caughtErrors.some((err) => expected.test(err)), `${expected} not among: ${caughtErrors.join(' | ')}`);
    }
    assert.match(openLineageErrors({ ...events[0], run: { ...events[0].run, facets: { parent: { ...events[0].run.facets.parent, _schemaURL: 'https://openlineage.io/spec/facets/1-0-0/ParentRunFacet.json' } } } }).join('\n'), /is not the vendored version/);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const m of ancestry) {
      const complete = events.find((e) => e.eventType === 'COMPLETE' && e.outputs[0]?.name === m.id)!;
      assert.ok(complete, m.id);
      const start = events.find((e) => e.eventType === 'START' && e.run.runId === complete.run.runId)!;
      assert.ok(start && Date.parse(start.eventTime) <= Date.parse(complete.eventTime), `${m.id}: START before COMPLETE`);
      assert.match(complete.run.runId, uuid);
      assert.equal(complete.run.facets.parent.run.runId, m.run.runId, 'the parent is the workflow run');
      assert.equal(complete.run.facets.parent.job.name, m.run.workflowType);
      assert.deepEqual(complete.inputs.map((i: { name: string }) => i.name).sort(), m.parents.filter((p) => graph.has(p)).sort());
      assert.equal(complete.outputs[0].facets.version.datasetVersion, m.key);
    }
    const dvEvent = events.find((e) => e.eventType === 'COMPLETE' && e.outputs[0].name === datasetVersionId)!;
    assert.ok(dvEvent.outputs[0].facets.schema.fields.some((f: { name: string }) => f.name === 'image_sha256'), 'Parquet-bearing artifacts carry their schema');
    // Every activity of one workflow, across continue-as-new, shares the workflow's root run.
    const roots = new Map<string, Set<string>>();
    for (const e of events) roots.set(e.run.facets.parent.job.name + e.run.facets.parent.run.runId, (roots.get(e.run.facets.parent.job.name + e.run.facets.parent.run.runId) ?? new Set()).add(e.run.facets.parent.root.run.runId));
    assert.ok([...roots.values()].every((s) => s.size === 1));
  });
});
