/**
 * Onboarding benchmarks, each next to its baseline measured in the same run:
 * - metadata harmonization (DuckDB staging: CSV read, joins, label mapping, reason codes) vs DuckDB's own read_csv of the
 *   same files into a table;
 * - image ingest (read, hash, validate, decode, resize, PNG encode, store, fsync) vs sharp's bare decode of the same files.
 * Uses ../shared/realdata when present, else synthetic data. `npm run bench:onboarding [-- --json] [-- --repeats N]`.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import sharp from 'sharp';
import { adapterSpec } from '../datasets/adapters.ts';
import { ingestImage } from '../datasets/ingestImage.ts';
import { LabelMap } from '../datasets/LabelMap.ts';
import { str } from '../datasets/sql.ts';
import { stageMetadata } from '../datasets/stageMetadata.ts';
import { generateSynthetic } from '../datasets/synthetic/generateSynthetic.ts';
import { projectRoot } from '../devserver/projectRoot.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import type { DatasetSpec } from '../schemas/datasetSpec.ts';
import { ImageStore } from '../store/ImageStore.ts';
import { median, printTable } from './table.ts';

const { values: args } = parseArgs({ options: { json: { type: 'boolean' }, repeats: { type: 'string', default: '5' } } });
const repeats = Number(args.repeats);
const R = path.resolve(projectRoot, '..', 'shared', 'realdata');
const real = existsSync(path.join(R, 'ham10000', 'HAM10000_metadata.csv'));
const work = mkdtempSync(path.join(os.tmpdir(), 'skinr1-bench-onboard-'));
const hierarchy = Hierarchy.fromFile();

async function withDuck<T>(fn: (con: import('@duckdb/node-api').DuckDBConnection) => Promise<T>): Promise<T> {
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  try {
    return await fn(con);
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

try {
  let specs: DatasetSpec[];
  let imageFiles: string[];
  if (real) {
    specs = [
      adapterSpec('ham10000', path.join(R, 'ham10000', 'HAM10000_metadata.csv'), path.join(R, 'ham10000', 'images')),
      adapterSpec('isic2019', path.join(R, 'isic2019', 'ISIC_2019_Training_GroundTruth.csv'), path.join(R, 'isic2019')),
      adapterSpec('derm7pt', path.join(R, 'derm7pt', 'meta.csv'), path.join(R, 'derm7pt')),
      adapterSpec('fitzpatrick17k', path.join(R, 'fitzpatrick17k', 'fitzpatrick17k.csv'), path.join(R, 'fitzpatrick17k')),
      adapterSpec('pad-ufes-20', path.join(R, 'pad-ufes-20', 'metadata.csv'), path.join(R, 'pad-ufes-20', 'images')),
      adapterSpec('skincon', path.join(R, 'skincon', 'annotations_fitzpatrick17k.csv'), path.join(R, 'skincon')),
    ];
    imageFiles = [
      ...readdirSync(path.join(R, 'ham10000', 'images')).filter((f) => f.endsWith('.jpg')).map((f) => path.join(R, 'ham10000', 'images', f)),
      ...readdirSync(path.join(R, 'pad-ufes-20', 'images')).filter((f) => f.endsWith('.png')).map((f) => path.join(R, 'pad-ufes-20', 'images', f)),
    ];
  } else {
    const syn = await generateSynthetic({ format: 'ham10000', n: 150, out: path.join(work, 'syn'), seed: 'bench', width: 600, height: 450 });
    specs = [adapterSpec('ham10000', syn.metadata, path.join(work, 'syn'))];
    imageFiles = ['HAM10000_images_part_1', 'HAM10000_images_part_2'].flatMap((p) => readdirSync(path.join(work, 'syn', p)).map((f) => path.join(work, 'syn', p, f)));
  }

  const metaRows: Array<Record<string, string | number>> = [];
  for (const spec of specs) {
    const files = [spec.metadata.file, ...spec.joins.map((j) => j.file)];
    const labels = LabelMap.fromFile(spec.label.mapFile!, hierarchy);
    const raw: number[] = [];
    const harm: number[] = [];
    let rows = 0;
    for (let i = 0; i < repeats + 1; i++) {
      // Alternate the two so drift on a shared machine hits both alike; the first round warms caches and is dropped.
      const t0 = performance.now();
      await withDuck(async (con) => {
        for (const [k, f] of files.entries()) await con.run(`CREATE TABLE t${k} AS SELECT * FROM read_csv(${str(f)}, all_varchar = true, header = true)`);
      });
      const t1 = performance.now();
      await withDuck(async (con) => {
        rows = (await stageMetadata(con, spec, labels)).samples;
      });
      const t2 = performance.now();
      if (i > 0) {
        raw.push(t1 - t0);
        harm.push(t2 - t1);
      }
    }
    const rawMs = median(raw);
    const harmMs = median(harm);
    metaRows.push({
      dataset: spec.name,
      rows,
      'read_csv ms': rawMs.toFixed(1),
      'harmonize ms': harmMs.toFixed(1),
      'read_csv rows/s': Math.round((rows / rawMs) * 1000),
      'harmonize rows/s': Math.round((rows / harmMs) * 1000),
      ratio: (harmMs / rawMs).toFixed(2),
    });
  }

  // Images: bare decode reads and decodes each file; ingest does everything onboarding does per image.
  sharp.concurrency(1);
  const decode: number[] = [];
  const ingest: number[] = [];
  for (let i = 0; i < repeats + 1; i++) {
    const t0 = performance.now();
    for (const f of imageFiles) await sharp(readFileSync(f)).raw().toBuffer();
    const t1 = performance.now();
    const store = new ImageStore(path.join(work, `images-${i}`));
    for (const f of imageFiles) {
      const r = await ingestImage(f, store, { size: 128, maxBytes: 50 * 1024 * 1024, maxPixels: 100_000_000 });
      if (!r.ok) throw new Error(`${f}: ${r.reason}`);
    }
    await store.flush();
    const t2 = performance.now();
    if (i > 0) {
      decode.push(t1 - t0);
      ingest.push(t2 - t1);
    }
  }
  const n = imageFiles.length;
  const imageRows = [
    {
      images: n,
      source: real ? 'realdata HAM10000 600x450 JPEG + PAD-UFES-20 PNG' : 'synthetic 600x450 JPEG',
      'bare decode img/s': Math.round((n / median(decode)) * 1000),
      'ingest img/s': Math.round((n / median(ingest)) * 1000),
      ratio: (median(ingest) / median(decode)).toFixed(2),
    },
  ];

  if (args.json) process.stdout.write(JSON.stringify({ host: os.hostname(), node: process.version, repeats, metadata: metaRows, images: imageRows }, null, 2) + '\n');
  else {
    printTable(`metadata harmonization vs DuckDB read_csv (median of ${repeats}; ratio = harmonize / read_csv)`, metaRows);
    printTable(`image ingest vs sharp bare decode (median of ${repeats}; ratio = ingest / decode)`, imageRows);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
