import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { DuckDBInstance } from '@duckdb/node-api';
import { adapterSpec } from '../datasets/adapters.ts';
import { loadDatasetVersion } from '../datasets/loadDatasetVersion.ts';
import { loadSpecFile } from '../datasets/loadSpecFile.ts';
import { Catalog } from '../store/Catalog.ts';
import { generateSynthetic } from '../datasets/synthetic/generateSynthetic.ts';
import { ImageStore } from '../store/ImageStore.ts';
import { sha256Hex } from '../store/sha256.ts';
import { badHamExpected, writeBadHamFixture } from './helpers/badHamFixture.ts';
import { onboardingHarness } from './helpers/onboardingEnv.ts';
import { tempDir } from './helpers/tempDir.ts';

async function rows(file: string, sql: (t: string) => string): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  try {
    return (await con.runAndReadAll(sql(`read_parquet('${file}')`))).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

describe('onboardDataset workflow on a real Temporal dev server', { timeout: 300_000 }, () => {
  const h = onboardingHarness('onboard');
  let hamVersion = '';
  // Made at suite level so it outlives the test that fills it (the next test copies its images).
  const hamDir = tempDir('syn-ham');

  it('quarantines every kind of bad input with a reason, file, line and field, and the counts reconcile', async () => {
    const dir = tempDir('bad-ham');
    const { metadata, images } = await writeBadHamFixture(dir);
    const s = await h.onboard(adapterSpec('ham10000', metadata, images), { maxImagePixels: 4_000_000, shardSize: 3 });
    assert.equal(s.rowsIn, badHamExpected.rowsIn);
    assert.equal(s.accepted, badHamExpected.accepted);
    assert.equal(s.accepted + s.quarantined, s.rowsIn);
    assert.deepEqual(s.quarantineReasons, Object.fromEntries(Object.entries(badHamExpected.reasons).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))));

    const vdir = h.store.dirOf(s.datasetVersionId);
    const q = await rows(path.join(vdir, 'quarantined.parquet'), (t) => `SELECT source_file, source_line::INTEGER AS line, reason, field, detail FROM ${t} ORDER BY source_line, reason`);
    assert.equal(q.length, s.quarantined);
    const at = (line: number) => q.filter((r) => r.line === line).map((r) => r.reason);
    assert.deepEqual(at(15), ['csv_malformed'], 'the ragged row, on its own line');
    assert.deepEqual(at(17), ['csv_malformed'], 'invalid UTF-8');
    assert.deepEqual(at(7), ['label_unknown']);
    assert.equal(q.find((r) => r.line === 7)!.field, 'dx');
    assert.match(String(q.find((r) => r.line === 7)!.detail), /label "zzz" is not in the label map/);
    assert.deepEqual(at(18), ['image_path_unsafe'], 'a symlink out of the image folder');
    assert.deepEqual(at(19), ['image_path_unsafe'], 'a .. path');
    assert.ok(q.every((r) => r.source_file === 'HAM10000_metadata.csv'));

    // Accepted rows point at stored images whose bytes match their digest.
    const a = await rows(path.join(vdir, 'accepted.parquet'), (t) => `SELECT image_id, image_sha256, label_nodes, split, age FROM ${t} ORDER BY image_id`);
    assert.deepEqual(a.map((r) => r.image_id), ['ok1', 'ok2', 'ok3', 'ok6']);
    const images2 = new ImageStore(h.store.root);
    for (const r of a) assert.equal(sha256Hex(readFileSync(images2.pathOf(String(r.image_sha256)))), r.image_sha256);
    assert.equal(a.find((r) => r.image_id === 'ok6')!.age, null, 'a blank age is missing, not 0');
  });

  it('onboards a synthetic HAM10000 folder with lesion-grouped splits, and re-onboarding the same input does no work', async () => {
    const syn = await generateSynthetic({ format: 'ham10000', n: 60, out: hamDir, seed: 'onboard-test' });
    const spec = adapterSpec('ham10000', syn.metadata, hamDir);
    const s = await h.onboard(spec, { shardSize: 16 });
    hamVersion = s.datasetVersionId;
    assert.equal(s.rowsIn, 60);
    assert.equal(s.accepted, 60);
    assert.equal(s.splits.train! + s.splits.val! + s.splits.test!, 60);
    assert.equal(s.groupsCrossingSplits, 0);
    const a = await rows(path.join(h.store.dirOf(hamVersion), 'accepted.parquet'), (t) => `SELECT group_id, count(DISTINCT split)::INTEGER AS n FROM ${t} GROUP BY 1`);
    assert.ok(a.every((r) => r.n === 1), 'every lesion lies in one split');
    assert.ok(a.length < 60, 'some lesions have several images');

    // In memory as Arrow, and across versions through the DuckDB catalog.
    const table = await loadDatasetVersion(h.store, hamVersion);
    assert.equal(table.numRows, 60);
    assert.deepEqual([...(table.getChild('label_nodes')!.get(0) as Iterable<string>)].length >= 1, true);
    assert.equal(table.getChild('dataset')!.get(0), 'ham10000');
    const catalog = await Catalog.open(h.store.root);
    try {
      const [c] = await catalog.query(`SELECT count(*)::INTEGER AS n FROM samples WHERE dataset_version_id = '${hamVersion}'`);
      assert.equal(c!.n, 60);
    } finally {
      catalog.close();
    }

    const before = (await h.store.list()).length;
    const again = await h.onboard(spec, { shardSize: 7 });
    assert.equal(again.datasetVersionId, hamVersion, 'same input, same version id (the shard size does not matter)');
    assert.equal((await h.store.list()).length, before, 'nothing new was written');
  });

  it('a declarative spec onboards an unfamiliar layout, and images already onboarded keep their split', async () => {
    assert.ok(hamVersion, 'needs the synthetic HAM version');
    const dir = tempDir('custom');
    const ham = await rows(path.join(h.store.dirOf(hamVersion), 'accepted.parquet'), (t) => `SELECT image_original_path AS p, split, label_raw FROM ${t} ORDER BY sample_id LIMIT 3`);
    mkdirSync(path.join(dir, 'pictures', 'clinic-a'), { recursive: true });
    mkdirSync(path.join(dir, 'pictures', 'clinic-b'), { recursive: true });
    const lines = ['photo;who;finding;fst;Crust;Scale'];
    ham.forEach((r, i) => {
      copyFileSync(path.join(hamDir, String(r.p)), path.join(dir, 'pictures', 'clinic-a', `p${i}.jpeg`));
      lines.push(`p${i};clinic-a;${r.label_raw === 'mel' ? 'Melanoma' : 'Mole'};3;0;1`);
    });
    await generateSynthetic({ format: 'ham10000', n: 4, out: path.join(dir, 'gen'), seed: 'custom' });
    for (let i = 0; i < 4; i++) {
      copyFileSync(path.join(dir, 'gen', i % 2 ? 'HAM10000_images_part_2' : 'HAM10000_images_part_1', `ISIC_${String(9_000_000 + i).padStart(7, '0')}.jpg`), path.join(dir, 'pictures', 'clinic-b', `q${i}.jpeg`));
      lines.push(`q${i};clinic-b;${i % 2 ? 'Mole' : 'Seb K'};5;1;0`);
    }
    writeFileSync(path.join(dir, 'findings.txt'), lines.join('\n') + '\n');
    writeFileSync(
      path.join(dir, 'spec.yaml'),
      [
        'name: clinic-photos',
        'modality: clinical',
        'metadata: { file: findings.txt, delimiter: ";" }',
        'id: { column: photo }',
        'imageRoot: pictures',
        'images: [{ pattern: "{who}/{photo}.jpeg" }]',
        'label:',
        '  column: finding',
        '  map: { Melanoma: [melanoma], Mole: [melanocytic_nevus], "Seb K": [seborrheic_keratosis] }',
        'group: who',
        'concepts: { columns: [Crust, Scale], kind: binary }',
        'fields: { fitzpatrick: fst }',
      ].join('\n'),
    );
    const s = await h.onboard(loadSpecFile(path.join(dir, 'spec.yaml')));
    assert.equal(s.rowsIn, 7);
    assert.equal(s.accepted, 7, JSON.stringify(s.quarantineReasons));
    const a = await rows(path.join(h.store.dirOf(s.datasetVersionId), 'accepted.parquet'), (t) => `SELECT image_id, split, concepts, fitzpatrick, modality FROM ${t} ORDER BY image_id`);
    for (const [i, r] of ham.entries()) {
      assert.equal(a.find((x) => x.image_id === `p${i}`)!.split, r.split, 'a copy of an already onboarded image keeps its split');
    }
    assert.deepEqual(a.find((x) => x.image_id === 'q0')!.concepts, ['Crust']);
    assert.equal(a[0]!.fitzpatrick, 3);
    assert.equal(a[0]!.modality, 'clinical');
  });

  it('onboards a synthetic Derm7pt folder: official splits, two images per case, seven-point concepts', async () => {
    const dir = tempDir('syn-d7');
    const syn = await generateSynthetic({ format: 'derm7pt', n: 20, out: dir, seed: 'd7' });
    const s = await h.onboard(adapterSpec('derm7pt', syn.metadata, path.join(dir, 'images')));
    assert.equal(s.rowsIn, 40);
    assert.equal(s.accepted, 40, JSON.stringify(s.quarantineReasons));
    const idx = (name: string) => readFileSync(path.join(dir, 'meta', `${name}_indexes.csv`), 'utf8').trim().split('\n').length - 1;
    assert.deepEqual(s.splits, { train: 2 * idx('train'), val: 2 * idx('valid'), test: 2 * idx('test') });
    const a = await rows(path.join(h.store.dirOf(s.datasetVersionId), 'accepted.parquet'), (t) => `SELECT sample_id, modality, concepts, split, split_official FROM ${t} ORDER BY sample_id`);
    assert.ok(a.some((r) => String(r.sample_id).endsWith(':clinic') && r.modality === 'clinical'));
    assert.ok(a.every((r) => r.split === r.split_official));
    assert.ok(a.some((r) => (r.concepts as string[]).some((c) => c.startsWith('pigment_network:'))));
  });

  it('a spec naming a column the file lacks fails at once, naming file and column, and commits nothing', async () => {
    const dir = tempDir('bad-spec');
    writeFileSync(path.join(dir, 'm.csv'), 'image,diagnosis\na,nv\n');
    const spec = adapterSpec('ham10000', path.join(dir, 'm.csv'), dir);
    const versions = (await h.store.list('dataset-version')).length;
    await assert.rejects(h.onboard(spec), (e: unknown) => {
      assert.ok(e instanceof WorkflowFailedError);
      // WorkflowFailedError <- ActivityFailure <- ApplicationFailure(ValidationError)
      const app = (e.cause as Error & { cause?: Error & { type?: string } }).cause;
      assert.equal(app?.type, 'ValidationError');
      const msg = String(app?.message);
      assert.match(msg, /m\.csv: id\.column names column "image_id", which is not in the header \(m\.csv: image, diagnosis\)/);
      return true;
    });
    assert.equal((await h.store.list('dataset-version')).length, versions);
  });
});
