import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ArtifactStore, artifactKey, type ArtifactSpec } from '../store/ArtifactStore.ts';
import { sha256Hex } from '../store/sha256.ts';
import { fakeRun } from './helpers/fakeRun.ts';
import { tempDir } from './helpers/tempDir.ts';

const spec = (over: Partial<ArtifactSpec> = {}): ArtifactSpec => ({
  kind: 'dataset-version',
  codeVersion: 'test@1',
  inputs: { source: 'a'.repeat(64), rows: 3 },
  config: { imageSize: 64, split: { seed: 7 } },
  ...over,
});

describe('ArtifactStore', () => {
  it('derives the id from kind, code version, inputs and config, independent of key order', () => {
    const a = artifactKey(spec());
    const b = artifactKey(spec({ inputs: { rows: 3, source: 'a'.repeat(64) }, config: { split: { seed: 7 }, imageSize: 64 } }));
    assert.equal(a.id, b.id);
    assert.match(a.id, /^dataset-version-[0-9a-f]{24}$/);
    assert.notEqual(artifactKey(spec({ config: { imageSize: 128, split: { seed: 7 } } })).id, a.id);
    assert.notEqual(artifactKey(spec({ codeVersion: 'test@2' })).id, a.id);
    assert.notEqual(artifactKey(spec({ inputs: { source: 'b'.repeat(64), rows: 3 } })).id, a.id);
  });

  it('commits files with a manifest of their digests, then reuses the artifact without calling the writer again', async () => {
    const store = new ArtifactStore(tempDir('store'));
    const first = await store.commit(spec(), fakeRun(), async (dir) => {
      await fs.writeFile(path.join(dir, 'rows.json'), '[1,2,3]');
      await fs.mkdir(path.join(dir, 'images'));
      await fs.writeFile(path.join(dir, 'images', 'x.bin'), Buffer.from([1, 2, 3]));
      return { rows: 3 };
    });
    assert.equal(first.reused, false);
    const m = first.manifest;
    assert.deepEqual(m.files.map((f) => f.path), ['images/x.bin', 'rows.json']);
    assert.equal(m.files.find((f) => f.path === 'rows.json')?.sha256, sha256Hex('[1,2,3]'));
    assert.equal(m.metrics.rows, 3);
    assert.equal(m.run.workflowId, 'wf-test');
    assert.deepEqual(JSON.parse(await fs.readFile(path.join(first.dir, 'manifest.json'), 'utf8')), m);

    let called = false;
    const again = await store.commit(spec(), fakeRun({ attempt: 2 }), async () => {
      called = true;
    });
    assert.equal(again.reused, true);
    assert.equal(called, false);
    assert.equal(again.manifest.run.attempt, 1, 'the original producing run is kept');
    assert.deepEqual(await store.verify(m.id), []);
  });

  it('leaves nothing behind when the writer fails half-way', async () => {
    const root = tempDir('store-fail');
    const store = new ArtifactStore(root);
    await assert.rejects(
      store.commit(spec(), fakeRun(), async (dir) => {
        await fs.writeFile(path.join(dir, 'half.bin'), 'partial');
        throw new Error('disk on fire');
      }),
      /disk on fire/,
    );
    assert.equal(await store.get(artifactKey(spec()).id), undefined);
    assert.equal(existsSync(store.dirOf(artifactKey(spec()).id)), false);
    assert.deepEqual(await fs.readdir(store.tmpDir), []);
  });

  it('keeps exactly one artifact when two writers race on the same id', async () => {
    const store = new ArtifactStore(tempDir('store-race'));
    const write = (tag: string) => async (dir: string) => {
      await fs.writeFile(path.join(dir, 'out.txt'), 'same content');
      await new Promise((r) => setTimeout(r, 20));
      return { tag };
    };
    const [a, b] = await Promise.all([store.commit(spec(), fakeRun(), write('a')), store.commit(spec(), fakeRun(), write('b'))]);
    assert.equal(a.manifest.id, b.manifest.id);
    assert.equal([a.reused, b.reused].filter(Boolean).length, 1);
    assert.equal((await store.list()).length, 1);
    assert.deepEqual(await fs.readdir(store.tmpDir), []);
    assert.deepEqual(await store.verify(a.manifest.id), []);
  });

  it('verify names changed, missing and extra files', async () => {
    const store = new ArtifactStore(tempDir('store-verify'));
    const { manifest, dir } = await store.commit(spec(), fakeRun(), async (d) => {
      await fs.writeFile(path.join(d, 'a.txt'), 'A');
      await fs.writeFile(path.join(d, 'b.txt'), 'B');
    });
    await fs.writeFile(path.join(dir, 'a.txt'), 'tampered');
    await fs.rm(path.join(dir, 'b.txt'));
    await fs.writeFile(path.join(dir, 'c.txt'), 'C');
    const problems = await store.verify(manifest.id);
    assert.equal(problems.length, 3);
    assert.match(problems.join('\n'), /changed file a\.txt/);
    assert.match(problems.join('\n'), /missing file b\.txt/);
    assert.match(problems.join('\n'), /extra file c\.txt/);
  });

  it('refuses inputs that JSON cannot tell apart (Date, Map, NaN) instead of giving them one id', () => {
    assert.throws(() => artifactKey(spec({ inputs: { when: new Date(0) } })), /cannot encode a Date/);
    assert.throws(() => artifactKey(spec({ inputs: { m: new Map() } })), /cannot encode a Map/);
    assert.throws(() => artifactKey(spec({ config: { lr: Number.NaN } })), /non-finite/);
  });

  it('cleanScratch removes the folders of dead writers on this host and keeps live ones', async () => {
    const store = new ArtifactStore(tempDir('store-scratch'));
    const live = await store.scratchDir('live');
    const dead = path.join(store.tmpDir, `dead.${os.hostname()}.999999999.0123456789ab`);
    const otherHost = path.join(store.tmpDir, `x.some-other-host.1.0123456789ab`);
    for (const d of [dead, otherHost]) await fs.mkdir(d, { recursive: true });
    assert.equal(await store.cleanScratch(), 1);
    assert.ok(existsSync(live));
    assert.ok(!existsSync(dead));
    assert.ok(existsSync(otherHost), 'another host may still be writing it');
  });

  it('rejects a corrupt manifest with the file name', async () => {
    const store = new ArtifactStore(tempDir('store-corrupt'));
    const { manifest, dir } = await store.commit(spec(), fakeRun(), async (d) => fs.writeFile(path.join(d, 'a.txt'), 'A'));
    const text = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'));
    text.files[0].sha256 = 'not-a-digest';
    await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(text));
    await assert.rejects(store.get(manifest.id), /manifest\.json: invalid manifest: files\.0\.sha256/);
  });
});
