import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { DuckDBInstance } from '@duckdb/node-api';
import { adapterSpec } from '../datasets/adapters.ts';
import { generateSynthetic } from '../datasets/synthetic/generateSynthetic.ts';
import { verifyTrajectory } from '../distill/verifyTrajectory.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { defaultKnowledgeDir, KnowledgeBase } from '../knowledge/KnowledgeBase.ts';
import { DistillConfigSchema, type DistillConfigInput, type TrajectorySetSummary } from '../schemas/distill.ts';
import { onboardingHarness } from './helpers/onboardingEnv.ts';
import { tempDir } from './helpers/tempDir.ts';

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  try {
    return (await con.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

describe('distillTrajectories workflow on a real Temporal dev server', { timeout: 300_000 }, () => {
  const h = onboardingHarness('distill');
  const hierarchy = Hierarchy.fromFile();
  const { kb } = KnowledgeBase.load(defaultKnowledgeDir, hierarchy);
  const data = tempDir('distill-data');
  let ham = '';
  let derm = '';
  let first: TrajectorySetSummary | undefined;

  const distill = async (config: DistillConfigInput, datasetVersionIds = [ham, derm], knowledgeDir = defaultKnowledgeDir) =>
    (await h.env.client.workflow.execute('distillTrajectories', {
      taskQueue: h.cfg.taskQueues.cpu,
      workflowId: `distill-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`,
      args: [{ datasetVersionIds, knowledgeDir, config: DistillConfigSchema.parse(config), runtime: h.runtime }],
    })) as TrajectorySetSummary;

  it('distills all five types from synthetic HAM10000-style and Derm7pt-format data; every kept trajectory verifies', async () => {
    const a = await generateSynthetic({ format: 'ham10000', n: 90, out: path.join(data, 'ham'), seed: 'distill' });
    const b = await generateSynthetic({ format: 'derm7pt', n: 40, out: path.join(data, 'd7'), seed: 'distill' });
    ham = (await h.onboard(adapterSpec('ham10000', a.metadata, a.out, {}))).datasetVersionId;
    derm = (await h.onboard(adapterSpec('derm7pt', b.metadata, path.join(b.out, 'images'), {}))).datasetVersionId;

    const s = await distill({ shardSize: 25, extraTypesPerSample: 2 });
    first = s;
    assert.equal(s.reused, false);
    for (const t of ['1', '2', '3', '4', '5'] as const) assert.ok(s.byType[t]! > 0, `type ${t}: ${JSON.stringify(s.byType)}`);
    assert.deepEqual(s.rejected, {}, 'the deterministic generator writes only verifiable text');
    assert.ok((s.skipped.label_not_specific ?? 0) > 0, 'HAM10000 akiec (actinic keratosis or Bowen disease) names no single diagnosis');

    const file = path.join(h.store.dirOf(s.trajectorySetId), 'trajectories.parquet');
    const rows = await query(`SELECT * FROM read_parquet('${file}')`);
    assert.equal(rows.length, s.count);
    assert.ok(rows.every((r) => r.split === 'train'), 'validation and test images stay held out');
    const perDataset = await query(`SELECT dataset, list(DISTINCT type ORDER BY type) AS types, bool_or(grounded) AS any_grounded, bool_and(grounded = (modality = 'dermoscopic')) AS dermoscopic_grounded FROM read_parquet('${file}') GROUP BY 1 ORDER BY 1`);
    // Derm7pt's checklist grounds its dermoscopic images; its clinical photos and HAM10000 (no annotations) use the rules.
    assert.deepEqual(perDataset, [
      { dataset: 'derm7pt', types: [1, 2, 3, 4, 5], any_grounded: true, dermoscopic_grounded: true },
      { dataset: 'ham10000', types: [1, 2, 3, 4, 5], any_grounded: false, dermoscopic_grounded: false },
    ]);
    // Images in = images skipped + images with trajectories (nothing was rejected here).
    const images = Number((await query(`SELECT count(DISTINCT (dataset_version_id, sample_id, image_key))::INTEGER AS n FROM read_parquet('${file}')`))[0]!.n);
    assert.equal(images + Object.values(s.skipped).reduce((x, y) => x + y, 0), s.images);

    for (const r of rows) {
      const grounding = { annotated: Boolean(r.grounded), present: r.present_features as string[], absent: r.absent_features as string[], unmapped: [] };
      const v = verifyTrajectory(String(r.text), String(r.target_node), grounding, kb, hierarchy);
      assert.ok(v.ok, `${r.trajectory_id}: ${v.reason} ${v.detail}`);
      if (r.type === 3 || r.type === 5) assert.notEqual(r.start_node, r.target_node);
    }
  });

  it('commits the set with the knowledge base version and the dataset versions as parents, and a readable report', async () => {
    const m = await h.store.require(first!.trajectorySetId);
    assert.equal(m.kind, 'trajectory-set');
    assert.deepEqual(m.parents, [first!.knowledgeBaseId, ...[ham, derm].sort()]);
    assert.equal(m.metrics.count, first!.count);
    assert.deepEqual(await h.store.verify(m.id), []);
    const kbm = await h.store.require(first!.knowledgeBaseId);
    assert.equal(kbm.inputs.content, kb.digest);
    assert.ok(kbm.files.some((f) => f.path === 'chapters/00-features.md') && kbm.files.some((f) => f.path === 'knowledge.json'));
    const report = readFileSync(path.join(h.store.dirOf(m.id), 'report.md'), 'utf8');
    assert.match(report, /## By type/);
    assert.match(report, /### Type 3: /);
  });

  it('same inputs give the same trajectory set id without redoing work; a new seed gives a new set', async () => {
    const again = await distill({ shardSize: 10, extraTypesPerSample: 2 });
    assert.equal(again.reused, true);
    assert.equal(again.trajectorySetId, first!.trajectorySetId, 'the shard size is not part of the identity');
    assert.deepEqual({ ...again, reused: false }, first);
    const other = await distill({ shardSize: 25, extraTypesPerSample: 2, seed: 'another' });
    assert.notEqual(other.trajectorySetId, first!.trajectorySetId);
    assert.equal(other.knowledgeBaseId, first!.knowledgeBaseId);
  });

  it('keeps each image once across inputs and drops images another input holds out (no leak into validation or test)', async () => {
    // The same HAM-style images onboarded again with another split seed: same hashes, other splits.
    const a = await generateSynthetic({ format: 'ham10000', n: 90, out: path.join(data, 'ham'), seed: 'distill' });
    const again = await h.onboard(adapterSpec('ham10000', a.metadata, a.out, {}), { split: { seed: 'reshuffled', ratios: { train: 0.7, val: 0.15, test: 0.15 } } });
    assert.notEqual(again.datasetVersionId, ham);
    const s = await distill({ shardSize: 25 }, [ham, again.datasetVersionId]);
    assert.ok((s.skipped.duplicate_image ?? 0) > 0, JSON.stringify(s.skipped));
    assert.ok((s.skipped.held_out_elsewhere ?? 0) > 0, JSON.stringify(s.skipped));
    const file = path.join(h.store.dirOf(s.trajectorySetId), 'trajectories.parquet');
    const [row] = await query(`SELECT count(DISTINCT image_sha256)::INTEGER AS images, count(DISTINCT (dataset_version_id, sample_id, image_key))::INTEGER AS samples FROM read_parquet('${file}')`);
    assert.equal(row!.images, row!.samples, 'one image, one sample');
    const heldOut = await query(`SELECT count(*)::INTEGER AS n FROM read_parquet('${file}') t WHERE t.image_sha256 IN (SELECT image_sha256 FROM read_parquet('${path.join(h.store.dirOf(again.datasetVersionId), 'accepted.parquet')}') WHERE split <> 'train')`);
    assert.equal(heldOut[0]!.n, 0);
    const images = Number(row!.images);
    assert.equal(images + Object.values(s.skipped).reduce((x, y) => x + y, 0), s.images, 'images in = skipped + distilled');
  });

  it('fails at once, naming file and line, when the knowledge base is broken; nothing is committed', async () => {
    const dir = tempDir('kb-broken');
    writeFileSync(path.join(dir, '10-bad.md'), '# Chapter\n\n## melanoma\n### Rules\n- It has a purple unicorn.\n');
    const before = (await h.store.list('trajectory-set')).length;
    await assert.rejects(distill({}, [ham, derm], dir), (e: unknown) => {
      assert.ok(e instanceof WorkflowFailedError);
      let root = e as Error;
      while (root.cause) root = root.cause as Error;
      const msg = root.message;
      assert.match(msg, /10-bad\.md:5: "It has a purple unicorn\." names no feature/);
      return true;
    });
    assert.equal((await h.store.list('trajectory-set')).length, before);
    assert.equal(existsSync(path.join(h.store.root, 'artifacts', 'knowledge-base')), true);
  });

  it('uses an OpenAI-compatible teacher for rules and comparisons, verifies its texts, falls back on bad ones, and never stores the key', async () => {
    const key = 'sk-test-secret-0123456789';
    process.env.SKINR1_TEST_TEACHER_KEY = key;
    let requests = 0;
    const auth = new Set<string>();
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        requests++;
        auth.add(String(req.headers.authorization));
        if (requests === 2) {
          res.writeHead(500).end('{"error":{"message":"overloaded"}}');
          return;
        }
        const msgs = JSON.parse(body).messages as Array<{ content: string }>;
        const last = msgs[msgs.length - 1]!.content;
        let answer: string;
        if (last.startsWith('Rewrite')) answer = `<rule>In short: ${/\nRule: (.+)$/.exec(last)![1]}</rule>`;
        else if (requests % 4 === 0) answer = '<differential diagnosis reasoning>A honey-coloured crust and a silvery scale decide it.</differential diagnosis reasoning>';
        else {
          const [first, keptLine] = last.split('\n');
          const [, kept, other] = /this lesion is (.+) rather than (.+)\.$/.exec(first!)!;
          const keptRule = keptLine!.slice(kept!.length + 2);
          answer = `<differential diagnosis reasoning>${kept} rather than ${other}: ${keptRule}</differential diagnosis reasoning>`;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: answer } }] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      const s = await distill({ shardSize: 40, extraTypesPerSample: 1, seed: 'teacher', teacher: { url, model: 'fake-teacher', apiKeyEnv: 'SKINR1_TEST_TEACHER_KEY', requestsPerMinute: 60_000 } }, [derm]);
      assert.deepEqual([...auth], [`Bearer ${key}`]);
      assert.ok(requests >= 3, 'the 500 answer was retried');
      assert.equal(s.teacher?.failures, 0, 'a retried 500 is not a failure');
      assert.ok(s.teacher, 'teacher statistics are reported');
      assert.ok(s.teacher.requests + s.teacher.cacheHits >= s.count, `${s.teacher.requests} requests and ${s.teacher.cacheHits} cache hits for ${s.count} trajectories`);
      assert.ok((s.teacher.rejected.teacher_wrong_conclusion ?? 0) > 0, `hallucinated comparisons are caught: ${JSON.stringify(s.teacher.rejected)}`);
      assert.deepEqual(s.rejected, {}, 'a rejected teacher text falls back to the knowledge base, nothing is lost');
      const file = path.join(h.store.dirOf(s.trajectorySetId), 'trajectories.parquet');
      const byTeacher = await query(`SELECT teacher, count(*)::INTEGER AS n FROM read_parquet('${file}') GROUP BY 1 ORDER BY 1`);
      assert.equal(byTeacher.length, 2, JSON.stringify(byTeacher));
      const rule = await query(`SELECT text FROM read_parquet('${file}') WHERE teacher AND type = 1 LIMIT 1`);
      assert.match(String(rule[0]!.text), /Rule: In short: /);
      // The key is in no file of the store (artifacts, teacher cache, manifests).
      const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(path.join(dir, f)).isDirectory() ? files(path.join(dir, f)) : [path.join(dir, f)]));
      const all = files(h.store.root).filter((f) => !f.endsWith('.sqlite'));
      assert.ok(all.some((f) => f.includes(path.join('cache', 'teacher'))), 'responses are cached in the store');
      assert.deepEqual(all.filter((f) => readFileSync(f).includes(key)), []);
      // Same inputs again: every answer comes from the cache, and the set is the same.
      const again = await distill({ shardSize: 40, extraTypesPerSample: 1, seed: 'teacher', teacher: { url, model: 'fake-teacher', apiKeyEnv: 'SKINR1_TEST_TEACHER_KEY', requestsPerMinute: 60_000 } }, [derm]);
      assert.equal(again.trajectorySetId, s.trajectorySetId);
    } finally {
      server.close();
      delete process.env.SKINR1_TEST_TEACHER_KEY;
    }
  });
});
