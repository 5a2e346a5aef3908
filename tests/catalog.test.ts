import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ArtifactStore } from '../store/ArtifactStore.ts';
import { Catalog } from '../store/Catalog.ts';
import { fakeRun } from './helpers/fakeRun.ts';
import { tempDir } from './helpers/tempDir.ts';

describe('Catalog (DuckDB over the store)', () => {
  it('answers on an empty store', async () => {
    const catalog = await Catalog.open(tempDir('cat-empty'));
    try {
      assert.deepEqual(await catalog.query('SELECT count(*)::INTEGER AS n FROM artifacts'), [{ n: 0 }]);
    } finally {
      catalog.close();
    }
  });

  it('exposes artifacts, their files and parent edges as SQL views', async () => {
    const root = tempDir('cat');
    const store = new ArtifactStore(root);
    const parent = await store.commit({ kind: 'dataset-version', codeVersion: 't@1', inputs: { n: 1 }, config: {} }, fakeRun({ workflowId: 'onboard-1' }), async (d) => {
      await fs.writeFile(path.join(d, 'rows.parquet'), Buffer.alloc(100));
    });
    const child = await store.commit(
      { kind: 'checkpoint', codeVersion: 't@1', inputs: { data: parent.manifest.key }, config: { lr: 1e-3 }, parents: [parent.manifest.id] },
      fakeRun({ workflowId: 'sft-1', attempt: 2 }),
      async (d) => {
        await fs.writeFile(path.join(d, 'weights.bin'), Buffer.alloc(1000));
        await fs.writeFile(path.join(d, 'optimizer.bin'), Buffer.alloc(24));
        return { loss: 0.5 };
      },
    );
    const catalog = await Catalog.open(root);
    try {
      const arts = await catalog.query('SELECT id, kind, workflowId, attempt, files, bytes FROM artifacts ORDER BY kind');
      assert.deepEqual(arts, [
        { id: child.manifest.id, kind: 'checkpoint', workflowId: 'sft-1', attempt: 2, files: 2, bytes: '1024' },
        { id: parent.manifest.id, kind: 'dataset-version', workflowId: 'onboard-1', attempt: 1, files: 1, bytes: '100' },
      ]);
      assert.deepEqual(await catalog.query('SELECT child, parent FROM artifact_edges'), [{ child: child.manifest.id, parent: parent.manifest.id }]);
      const files = await catalog.query(`SELECT path, bytes FROM artifact_files WHERE id = '${child.manifest.id}' ORDER BY path`);
      assert.deepEqual(files, [{ path: 'optimizer.bin', bytes: '24' }, { path: 'weights.bin', bytes: '1000' }]);
      const [loss] = await catalog.query(`SELECT metrics->>'loss' AS loss FROM artifacts WHERE kind = 'checkpoint'`);
      assert.equal(loss?.loss, '0.5');
    } finally {
      catalog.close();
    }
  });
});
