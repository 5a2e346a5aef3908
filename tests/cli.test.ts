import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort } from './helpers/freePort.ts';
import { runCli, spawnCli } from './helpers/spawnCli.ts';
import { tempDir } from './helpers/tempDir.ts';
import { isolatedConfig } from './helpers/testEnv.ts';

describe('skinr1 CLI', { timeout: 240_000 }, () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const c of cleanups) await c().catch(() => {});
  });

  it('--help lists every command, and each command has its own help', async () => {
    const r = await runCli(['--help'], {});
    assert.equal(r.code, 0);
    for (const c of ['demo', 'onboard', 'datasets', 'knowledge', 'distill', 'train', 'diagnose', 'eval', 'synth', 'smoke', 'status', 'worker', 'dev-server', 'store', 'config', 'schema', 'provision']) assert.match(r.stdout, new RegExp(`^  ${c}\\b`, 'm'));
    const w = await runCli(['worker', '--help'], {});
    assert.match(w.stdout, /--queue <queue>.*\(choices: "cpu", "gpu", "all"/s);
    const d = await runCli(['dev-server', '--help'], {});
    for (const o of ['--port', '--ui-port', '--db']) assert.match(d.stdout, new RegExp(o));
  });

  it('schema prints the JSON Schema of a contract, generated from zod', async () => {
    const r = await runCli(['schema', 'artifact-manifest'], {});
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.ok(s.required.includes('run') && s.properties.run.required.includes('workerIdentity'));
    const unknown = await runCli(['schema', 'nope'], {});
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown schema "nope"; known: artifact-manifest/);
  });

  it('a wrong configuration value fails at start with the variable named', async () => {
    const r = await runCli(['config', '--json'], { SKINR1_TEMPORAL_UI_PORT: 'abc' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ConfigError: invalid configuration/);
    assert.match(r.stderr, /embedded\.uiPort \(from SKINR1_TEMPORAL_UI_PORT="abc"\)/);
    const bad = await runCli(['worker', '--queue', 'tpu'], {});
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Allowed choices are cpu, gpu, all/);
  });

  it('smoke in local mode starts the embedded server in the background, runs in-process workers, and status/store report on the run', async () => {
    const root = tempDir('cli');
    const { env } = isolatedConfig(root, { port: await freePort(), uiPort: await freePort() });
    // Stopped at the end of this test: the temporary store (with the server's pid record) is removed right after it.
    try {
      await smokeStatusStore(root, env);
    } finally {
      await runCli(['dev-server', 'stop'], env);
    }
  });

  async function smokeStatusStore(root: string, env: NodeJS.ProcessEnv) {
    const r = await runCli(['smoke', '--steps', '3', '--step-ms', '100', '--seed', 'cli', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.mode, 'local');
    assert.equal(out.reused, false);
    assert.match(out.artifactId, /^smoke-[0-9a-f]{24}$/);
    assert.match(r.stderr, /starting the embedded Temporal dev server in the background/);
    await fs.access(path.join(root, 'temporal', 'dev-server.sqlite'));
    const record = JSON.parse(await fs.readFile(path.join(root, 'temporal', 'dev-server.json'), 'utf8'));
    assert.equal((await fetch(record.uiUrl)).status, 200, 'the web UI stays up after the run');

    const again = await runCli(['smoke', '--steps', '3', '--step-ms', '100', '--seed', 'cli', '--json'], env);
    const second = JSON.parse(again.stdout);
    assert.equal(second.reused, true, 'same inputs: the artifact is found and the work skipped');
    assert.equal(second.artifactId, out.artifactId);
    assert.doesNotMatch(again.stderr, /starting the embedded/, 'the second command reuses the running server');

    // Stop the server: status starts it again from the SQLite file and still finds the run.
    const stop = await runCli(['dev-server', 'stop', '--json'], env);
    assert.equal(JSON.parse(stop.stdout).stopped, true);
    assert.equal(await fetch(record.uiUrl).then(() => 'up', () => 'down'), 'down');
    const status = await runCli(['status', out.workflowId, '--json'], env);
    assert.equal(status.code, 0, status.stderr);
    const view = JSON.parse(status.stdout);
    assert.equal(view.status, 'COMPLETED');
    assert.equal(view.runId, out.runId);
    assert.equal(view.result.artifactId, out.artifactId);

    const ls = JSON.parse((await runCli(['store', 'ls', '--json'], env)).stdout);
    assert.deepEqual(ls.map((a: { id: string }) => a.id), [out.artifactId]);
    const ok = await runCli(['store', 'verify', out.artifactId], env);
    assert.equal(ok.code, 0);
    await fs.writeFile(path.join(root, 'artifacts', 'smoke', out.artifactId, 'result.json'), '{"tampered":true}');
    const bad = await runCli(['store', 'verify', out.artifactId, '--json'], env);
    assert.equal(bad.code, 1);
    assert.match(JSON.parse(bad.stdout).problems[0], /changed file result\.json/);
  }

  it('synth writes a dataset, onboard --dry-run reports on it without committing, demo runs the main job', async () => {
    const root = tempDir('cli-onboard');
    const { env } = isolatedConfig(root, { port: await freePort(), uiPort: await freePort() });
    const synth = await runCli(['synth', '--format', 'ham10000', '--n', '12', '--out', path.join(root, 'syn'), '--json'], env);
    assert.equal(synth.code, 0, synth.stderr);
    const made = JSON.parse(synth.stdout);
    assert.equal(made.images, 12);
    await fs.writeFile(made.metadata, (await fs.readFile(made.metadata, 'utf8')) + 'HAM_X,ISIC_MISSING,zzz,histo,40,male,back\r\n');
    const dry = await runCli(['onboard', '--adapter', 'ham10000', '--metadata', made.metadata, '--images', path.join(root, 'syn'), '--dry-run', '--json'], env);
    assert.equal(dry.code, 0, dry.stderr);
    const d = JSON.parse(dry.stdout);
    assert.equal(d.samples, 13);
    assert.deepEqual(d.reasons, { label_unknown: 1 });
    assert.deepEqual(d.unmappedLabels, [{ label: 'zzz', count: 1, nodes: null }]);
    await assert.rejects(fs.access(path.join(root, 'artifacts')), 'a dry run commits nothing');

    try {
      // The main job end to end, tiny: its last stdout line is the train --json object.
      const demo = await runCli(['demo', '--images', '24', '--cases', '6', '--sft-epochs', '1', '--rl-steps', '1', '--json'], env);
      assert.equal(demo.code, 0, demo.stderr);
      const out = JSON.parse(demo.stdout.trim().split('\n').pop()!);
      assert.match(out.workflowId, /^demo-\d+$/);
      assert.match(out.finalCheckpointId, /^checkpoint-[0-9a-f]{24}$/);
      assert.ok('indomain' in out.evaluation && 'bucket' in out.evaluation, JSON.stringify(out.evaluation));
      assert.deepEqual(Object.keys(out.stages), ['base', 'sft', 'sft+rl']);
      await fs.access(out.reportPath);
      assert.equal(out.datasetVersionIds.length, 2);
      out.datasets = await Promise.all(out.datasetVersionIds.map(async (id: string) => ({ datasetVersionId: id, ...JSON.parse((await runCli(['datasets', 'show', id, '--json'], env)).stdout).summary })));
      assert.deepEqual(out.datasets.map((x: { dataset: string; accepted: number }) => [x.dataset, x.accepted]), [['ham10000', 24], ['derm7pt', 12]]);
      out.trajectories = { trajectorySetId: out.trajectorySetId };
      assert.match(out.trajectories.trajectorySetId, /^trajectory-set-[0-9a-f]{24}$/);
      // The distill contract: one JSON object with the set id, the count, counts by type and rejections by reason.
      const ids = out.datasets.map((x: { datasetVersionId: string }) => x.datasetVersionId).join(',');
      const dist = await runCli(['distill', '--datasets', ids, '--seed', 'demo', '--extra-types', '0', '--json'], env);
      assert.equal(dist.code, 0, dist.stderr);
      const dj = JSON.parse(dist.stdout);
      assert.equal(dj.trajectorySetId, out.trajectories.trajectorySetId, 'same inputs, same set (reused)');
      assert.equal(dj.reused, true);
      assert.ok(dj.count > 0);
      assert.deepEqual(Object.keys(dj.byType), ['1', '2', '3', '4', '5']);
      assert.deepEqual(dj.rejected, {});

      // SFT's contract, then the trained checkpoint diagnosing one image and a held-out split.
      const sft = await runCli(['train', 'sft', '--trajectories', dj.trajectorySetId, '--config', 'tiny', '--epochs', '1', '--batch-size', '4', '--json'], env);
      assert.equal(sft.code, 0, sft.stderr);
      const sj = JSON.parse(sft.stdout);
      assert.match(sj.checkpointId, /^checkpoint-[0-9a-f]{24}$/);
      assert.equal(sj.epochs, 1);
      assert.ok(sj.steps > 0);
      assert.ok(sj.trainLoss.first > sj.trainLoss.last, `train loss ${sj.trainLoss.first} -> ${sj.trainLoss.last}`);
      assert.equal(typeof sj.valLoss, 'number');
      assert.equal(sj.backend, 'wasm');
      assert.ok(sj.samplesPerSecond > 0);
      const partDir = path.join(root, 'syn', 'HAM10000_images_part_1');
      const firstImage = path.join(partDir, (await fs.readdir(partDir))[0]!);
      const one = await runCli(['diagnose', firstImage, '--checkpoint', sj.checkpointId, '--max-tokens', '40', '--json'], env);
      assert.equal(one.code, 0, one.stderr);
      const oj = JSON.parse(one.stdout);
      assert.ok(oj.tokens > 0 && typeof oj.text === 'string' && typeof oj.wellFormed === 'boolean');
      const split = await runCli(['diagnose', '--checkpoint', sj.checkpointId, '--dataset', out.datasets[0].datasetVersionId, '--split', 'train', '--limit', '3', '--max-tokens', '30', '--json'], env);
      assert.equal(split.code, 0, split.stderr);
      const pj = JSON.parse(split.stdout);
      assert.ok(pj.images > 0 && pj.accuracy >= 0 && pj.accuracy <= 1);
      // RL's and evaluation's contracts.
      const rl = await runCli(['train', 'rl', '--from', sj.checkpointId, '--datasets', ids, '--steps', '1', '--json'], env);
      assert.equal(rl.code, 0, rl.stderr);
      const rj = JSON.parse(rl.stdout);
      assert.match(rj.checkpointId, /^checkpoint-[0-9a-f]{24}$/);
      assert.equal(rj.steps, 1);
      assert.equal(typeof rj.rewardMean.first, 'number');
      assert.deepEqual(Object.keys(rj.rewardComponents), ['format', 'option', 'malignancy']);
      assert.equal(typeof rj.kl, 'number');
      assert.ok('before' in rj.heldOutAccuracy && 'after' in rj.heldOutAccuracy);
      const ev = await runCli(['eval', rj.checkpointId, '--max', '2', '--json'], env);
      assert.equal(ev.code, 0, ev.stderr);
      const ej = JSON.parse(ev.stdout);
      assert.equal(ej.checkpointId, rj.checkpointId);
      assert.ok(ej.benchmarks.indomain.n > 0 && ej.benchmarks.indomain.accuracy.low <= ej.benchmarks.indomain.accuracy.value);
      const ls = JSON.parse((await runCli(['datasets', 'list', '--json'], env)).stdout);
      assert.equal(ls.length, 2);
      const show = await runCli(['datasets', 'show', out.datasets[0].datasetVersionId], env);
      assert.match(show.stdout, /# Quality report: ham10000/);
    } finally {
      await runCli(['dev-server', 'stop'], env);
    }
  });

  it('dev-server serves gRPC and the web UI, keeps state in its SQLite file, and stops cleanly on SIGTERM', async () => {
    const root = tempDir('devsrv');
    const port = await freePort();
    const uiPort = await freePort();
    const db = path.join(root, 'state.sqlite');
    const srv = spawnCli(['dev-server', '--port', String(port), '--ui-port', String(uiPort), '--db', db, '--json'], { SKINR1_HOME: root });
    cleanups.push(async () => {
      srv.child.kill('SIGTERM');
      await srv.exited;
    });
    await srv.waitFor(/"startMs": \d+\s*}/);
    const ready = JSON.parse(srv.output().slice(srv.output().indexOf('{')));
    assert.equal(ready.address, `127.0.0.1:${port}`);
    assert.equal(ready.dbFile, db);
    const ui = await fetch(ready.uiUrl);
    assert.equal(ui.status, 200);
    assert.match(await ui.text(), /<html/i);
    await fs.access(db);
    srv.child.kill('SIGTERM');
    const exit = await srv.exited;
    assert.equal(exit.code, 0, srv.output());
    assert.match(srv.output(), /SIGTERM: stopping the dev server/);
    await assert.rejects(fetch(ready.uiUrl, { signal: AbortSignal.timeout(2000) }));
  });

  it('a worker stops gracefully on SIGTERM', async () => {
    const root = tempDir('worker-term');
    const port = await freePort();
    const srv = spawnCli(['dev-server', '--port', String(port), '--headless', '--json'], { SKINR1_HOME: root });
    cleanups.push(async () => {
      srv.child.kill('SIGTERM');
      await srv.exited;
    });
    await srv.waitFor(/"startMs"/);
    const { env } = isolatedConfig(root, { port, uiPort: 8233 });
    const w = spawnCli(['worker', '--queue', 'gpu'], { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    cleanups.push(async () => {
      w.child.kill('SIGKILL');
      await w.exited;
    });
    await w.waitFor(/worker gpu@[^ ]+:\d+ polling test-[0-9a-f]+-gpu/);
    w.child.kill('SIGTERM');
    const exit = await w.exited;
    assert.equal(exit.code, 0, w.output());
    assert.match(w.output(), /workers stopped/);
  });
});
