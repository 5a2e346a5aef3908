import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ACCEPTED_FILE } from '../datasets/datasetFiles.ts';
import { str } from '../datasets/sql.ts';
import { ValidationError } from '../errors/ValidationError.ts';
import type { ArtifactStore } from '../store/ArtifactStore.ts';
import type { RlSource } from './buildRlItems.ts';

/**
 * The images RL may use from the given dataset versions: every accepted image once per split it is labelled in;
 * a training image that any input holds out (another split) or that repeats an earlier one (by content hash) is
 * left out and counted, as distillation does.
 */
export async function rlSources(store: ArtifactStore, ids: string[], trainSplits: string[]): Promise<{ sources: RlSource[]; skipped: Record<string, number>; rows: number }> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    for (const id of ids) {
      const m = await store.require(id);
      if (m.kind !== 'dataset-version') throw new ValidationError(`${id} is a ${m.kind}, not a dataset version`);
    }
    const union = ids.map((id) => `SELECT ${str(id)} AS dataset_version_id, sample_id, dataset, image_key, image_sha256, split, label_nodes, fitzpatrick FROM read_parquet(${str(path.join(store.dirOf(id), ACCEPTED_FILE))})`).join(' UNION ALL BY NAME ');
    const train = `list_contains([${trainSplits.map(str).join(', ')}], split)`;
    const r = await con.runAndReadAll(`
      WITH inputs AS (${union}),
      held AS (SELECT DISTINCT image_sha256 FROM inputs WHERE NOT ${train}),
      ranked AS (SELECT *, row_number() OVER (PARTITION BY image_sha256, ${train} ORDER BY dataset_version_id, sample_id, coalesce(image_key, '')) AS copy_no FROM inputs)
      SELECT *, ${train} AS is_train, image_sha256 IN (SELECT image_sha256 FROM held) AS held_elsewhere FROM ranked
      ORDER BY dataset_version_id, sample_id, coalesce(image_key, '')`);
    const skipped: Record<string, number> = {};
    const sources: RlSource[] = [];
    const rows = r.getRowObjectsJson();
    for (const row of rows) {
      const reason = row.is_train && row.held_elsewhere ? 'held_out_elsewhere' : Number(row.copy_no) > 1 ? 'duplicate_image' : null;
      if (reason) {
        skipped[reason] = (skipped[reason] ?? 0) + 1;
        continue;
      }
      sources.push({
        datasetVersionId: String(row.dataset_version_id),
        dataset: String(row.dataset),
        sampleId: String(row.sample_id),
        imageKey: String(row.image_key ?? ''),
        imageSha256: String(row.image_sha256),
        split: String(row.split),
        labelNodes: (row.label_nodes as string[] | null) ?? [],
        fitzpatrick: row.fitzpatrick === null || row.fitzpatrick === undefined ? null : Number(row.fitzpatrick),
      });
    }
    return { sources, skipped, rows: rows.length };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
