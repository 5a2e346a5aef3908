import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { inspectSource } from '../datasets/inspectSource.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { DatasetSpecSchema, type DatasetSpecInput } from '../schemas/datasetSpec.ts';
import { tempDir } from './helpers/tempDir.ts';

const hierarchy = Hierarchy.fromFile();
const base = (dir: string, over: Partial<DatasetSpecInput> = {}): DatasetSpecInput => ({
  name: 't',
  modality: 'clinical',
  metadata: { file: path.join(dir, 'm.csv') },
  id: { column: 'id' },
  imageRoot: dir,
  images: [{ pattern: '{id}.jpg' }],
  label: { column: 'dx', map: { nv: ['melanocytic_nevus'], mel: ['melanoma'] } },
  ...over,
});
async function staged(spec: DatasetSpecInput) {
  const ins = await inspectSource(DatasetSpecSchema.parse(spec), hierarchy);
  try {
    return (await ins.con.runAndReadAll('SELECT source_line::INTEGER AS line, image_id AS id, split_official AS split, reason FROM staged ORDER BY row_no')).getRowObjectsJson();
  } finally {
    ins.close();
  }
}

describe('metadata staging edge cases', () => {
  it('keeps line numbers and official split rows right across blank lines and rejected rows', async () => {
    const dir = tempDir('stage-lines');
    writeFileSync(path.join(dir, 'm.csv'), 'id,dx\na,nv\n\nb,nv,EXTRA\nc,mel\nd,mel\n');
    writeFileSync(path.join(dir, 'test.csv'), 'indexes\n2\n');
    const rows = await staged(base(dir, { split: { indexFiles: { test: path.join(dir, 'test.csv') } } }));
    assert.deepEqual(
      rows.map((r) => [r.line, r.id, r.split, r.reason]),
      [
        [2, 'a', null, 'image_missing'],
        [4, null, null, 'csv_malformed'],
        [5, 'c', 'test', 'image_missing'],
        [6, 'd', null, 'image_missing'],
      ],
      'record 2 (0-based, blank line skipped, rejected record counted) is c on line 5',
    );
  });

  it('an earlier copy of an id that is ruled out does not hide a good one; unknown split values are quarantined', async () => {
    const dir = tempDir('stage-dups');
    writeFileSync(path.join(dir, 'm.csv'), 'id,dx,fold\na,zzz,A\na,nv,A\nb,,A\nb,nv,A\nc,nv,Test\n');
    const rows = await staged(base(dir, { split: { column: 'fold', values: { A: 'train', test: 'test' } } }));
    assert.deepEqual(
      rows.map((r) => [r.id, r.reason]),
      [['a', 'label_unknown'], ['a', 'image_missing'], ['b', 'label_missing'], ['b', 'image_missing'], ['c', 'split_unknown']],
    );
  });

  it('rejects a join keyed on a column the metadata lacks, and duplicate image keys, naming them', async () => {
    const dir = tempDir('stage-join');
    writeFileSync(path.join(dir, 'm.csv'), 'id,dx\na,nv\n');
    writeFileSync(path.join(dir, 'j.csv'), 'x,age\n1,40\n');
    await assert.rejects(staged(base(dir, { joins: [{ name: 'j', file: path.join(dir, 'j.csv'), leftColumn: 'x', rightColumn: 'x' }] })), /joins\[0\]\.leftColumn "x" is not a column of the metadata file/);
    assert.throws(() => DatasetSpecSchema.parse(base(dir, { images: [{ column: 'id', key: '1' }, { column: 'dx' }] })), /image keys must be unique/);
    await assert.rejects(staged(base(dir, { metadata: { file: path.join(dir, 'nope.csv') } })), /nope\.csv: no such file/);
  });
});
