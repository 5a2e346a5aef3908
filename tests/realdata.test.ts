import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { adapterSpec } from '../datasets/adapters.ts';
import { inspectSource, inspectionSummary } from '../datasets/inspectSource.ts';
import { projectRoot } from '../devserver/projectRoot.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { onboardingHarness } from './helpers/onboardingEnv.ts';

// The real public metadata (and a few hundred real images) live beside the repository, never in it (licences).
const R = path.resolve(projectRoot, '..', 'shared', 'realdata');
const present = existsSync(path.join(R, 'ham10000', 'HAM10000_metadata.csv'));

describe('the six adapters on the real files in ../shared/realdata', { skip: present ? false : `no ${R}`, timeout: 600_000 }, () => {
  const h = onboardingHarness('realdata');
  const hierarchy = Hierarchy.fromFile();
  const labelsOf = async (name: string, metadata: string, images: string, extra: Record<string, string> = {}) => {
    const ins = await inspectSource(adapterSpec(name, metadata, images, extra), hierarchy);
    try {
      return await inspectionSummary(ins);
    } finally {
      ins.close();
    }
  };

  it('HAM10000 (7-column): 10,015 rows, the 138 real images accepted, the rest quarantined as missing images', async () => {
    const dry = await labelsOf('ham10000', path.join(R, 'ham10000', 'HAM10000_metadata.csv'), path.join(R, 'ham10000', 'images'));
    assert.deepEqual(Object.fromEntries(dry.mappedLabels.map((l) => [l.label, l.count])), { nv: 6705, mel: 1113, bkl: 1099, bcc: 514, akiec: 327, vasc: 142, df: 115 });
    assert.equal(dry.unmappedLabels.length, 0);
    const s = await h.onboard(adapterSpec('ham10000', path.join(R, 'ham10000', 'HAM10000_metadata.csv'), path.join(R, 'ham10000', 'images')));
    assert.deepEqual([s.rowsIn, s.accepted, s.quarantined], [10015, 138, 9877]);
    assert.deepEqual(s.quarantineReasons, { image_missing: 9877 });
    assert.equal(s.labelCounts.melanocytic_nevus, 52);
    assert.equal(s.labelCounts.melanoma, 34);
    assert.equal(s.labelCounts['actinic_keratosis|scc_in_situ'], 12);
    assert.equal(s.groupsCrossingSplits, 0);
  });

  it('HAM10000 with the `dataset` column: the same rows, keyed by header name', async () => {
    const s = await h.onboard(adapterSpec('ham10000', path.join(R, 'ham10000', 'HAM10000_metadata_with_dataset_column.csv'), path.join(R, 'ham10000', 'images')));
    assert.deepEqual([s.rowsIn, s.accepted, s.quarantined], [10015, 138, 9877]);
  });

  it('ISIC 2019: one-hot labels joined with metadata (gender column, _downsampled names); HAM images keep their HAM split', async () => {
    const gt = path.join(R, 'isic2019', 'ISIC_2019_Training_GroundTruth.csv');
    const dry = await labelsOf('isic2019', gt, path.join(R, 'ham10000', 'images'));
    assert.deepEqual(Object.fromEntries(dry.mappedLabels.map((l) => [l.label, l.count])), { NV: 12875, MEL: 4522, BCC: 3323, BKL: 2624, AK: 867, SCC: 628, VASC: 253, DF: 239 });
    const s = await h.onboard(adapterSpec('isic2019', gt, path.join(R, 'ham10000', 'images')));
    assert.equal(s.rowsIn, 25331);
    assert.equal(s.accepted + s.quarantined, s.rowsIn);
    assert.equal(s.accepted, 138, 'HAM10000 is inside ISIC 2019: its real images are found by their ISIC names');
    assert.deepEqual(Object.keys(s.quarantineReasons), ['image_missing']);
    // The same image in both datasets lands in the same split.
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    const glob = path.join(h.store.artifactsDir, 'dataset-version', '*', 'accepted.parquet');
    const disagree = (await con.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM (SELECT image_original_sha256 FROM read_parquet('${glob}') GROUP BY 1 HAVING count(DISTINCT split) > 1)`)).getRowObjectsJson();
    con.closeSync();
    inst.closeSync();
    assert.equal(disagree[0]!.n, 0);
  });

  it('Derm7pt: 1,011 cases, two images each, official split files, no images shipped', async () => {
    const spec = adapterSpec('derm7pt', path.join(R, 'derm7pt', 'meta.csv'), path.join(R, 'derm7pt'));
    const dry = await labelsOf('derm7pt', path.join(R, 'derm7pt', 'meta.csv'), path.join(R, 'derm7pt'));
    assert.equal(dry.sourceRecords, 1011);
    assert.equal(dry.mappedLabels.reduce((n, l) => n + l.count, 0), 2022);
    assert.equal(dry.unmappedLabels.length, 0);
    const s = await h.onboard(spec);
    assert.deepEqual([s.rowsIn, s.accepted, s.quarantined], [2022, 0, 2022]);
    assert.deepEqual(s.quarantineReasons, { image_missing: 2022 });
    const ins = await inspectSource(spec, hierarchy);
    const splits = (await ins.con.runAndReadAll(`SELECT split_official AS s, count(*)::INTEGER AS n FROM staged GROUP BY 1 ORDER BY 1`)).getRowObjectsJson();
    ins.close();
    assert.deepEqual(splits, [{ s: 'test', n: 790 }, { s: 'train', n: 826 }, { s: 'val', n: 406 }]);
  });

  it('Fitzpatrick17k: 16,577 rows, all 114 labels mapped', async () => {
    const dry = await labelsOf('fitzpatrick17k', path.join(R, 'fitzpatrick17k', 'fitzpatrick17k.csv'), path.join(R, 'fitzpatrick17k'));
    assert.equal(dry.mappedLabels.length, 114);
    assert.equal(dry.unmappedLabels.length, 0);
    const s = await h.onboard(adapterSpec('fitzpatrick17k', path.join(R, 'fitzpatrick17k', 'fitzpatrick17k.csv'), path.join(R, 'fitzpatrick17k')));
    assert.deepEqual([s.rowsIn, s.accepted, s.quarantined], [16577, 0, 16577]);
  });

  it('PAD-UFES-20: 2,298 rows with blank clinical fields; the 15 real PNGs accepted, grouped by patient', async () => {
    const s = await h.onboard(adapterSpec('pad-ufes-20', path.join(R, 'pad-ufes-20', 'metadata.csv'), path.join(R, 'pad-ufes-20', 'images')));
    assert.deepEqual([s.rowsIn, s.accepted, s.quarantined], [2298, 15, 2283]);
    assert.deepEqual(s.labelCounts, { actinic_keratosis: 3, bcc: 3, melanocytic_nevus: 4, 'scc_invasive|scc_in_situ': 2, seborrheic_keratosis: 3 });
  });

  it('SkinCon: 3,690 annotated Fitzpatrick17k rows joined by md5hash; the 460 flagged rows quarantined as excluded', async () => {
    const s = await h.onboard(adapterSpec('skincon', path.join(R, 'skincon', 'annotations_fitzpatrick17k.csv'), path.join(R, 'skincon')));
    assert.deepEqual([s.rowsIn, s.accepted], [3690, 0]);
    assert.deepEqual(s.quarantineReasons, { image_missing: 3230, excluded_by_source: 460 });
  });
});
