import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { str } from '../datasets/sql.ts';
import type { TrajectoryRecord } from './distillImages.ts';

/** The trajectory table's columns and DuckDB types, in file order: one place for the writer and for readers' docs. */
export const trajectoryColumns: Record<keyof TrajectoryRecord, string> = {
  trajectory_id: 'VARCHAR',
  type: 'TINYINT',
  dataset_version_id: 'VARCHAR',
  dataset: 'VARCHAR',
  sample_id: 'VARCHAR',
  image_key: 'VARCHAR',
  image_sha256: 'VARCHAR',
  split: 'VARCHAR',
  modality: 'VARCHAR',
  fitzpatrick: 'TINYINT',
  target_node: 'VARCHAR',
  start_node: 'VARCHAR',
  other_node: 'VARCHAR',
  bucket: 'VARCHAR',
  grounded: 'BOOLEAN',
  present_features: 'VARCHAR[]',
  absent_features: 'VARCHAR[]',
  features: 'VARCHAR[]',
  prompt: 'VARCHAR',
  text: 'VARCHAR',
  teacher: 'BOOLEAN',
  order_key: 'VARCHAR',
};

/** Writes records as Parquet through DuckDB (typed columns, zstd), via a newline-delimited JSON file in `scratch`. */
export async function writeTrajectoryParquet(con: DuckDBConnection, records: TrajectoryRecord[], file: string, scratch: string): Promise<void> {
  const ndjson = path.join(scratch, '.trajectories.ndjson');
  await writeFile(ndjson, records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
  const cols = Object.entries(trajectoryColumns)
    .map(([k, t]) => `${str(k)}: ${str(t)}`)
    .join(', ');
  try {
    await con.run(`COPY (SELECT * FROM read_json(${str(ndjson)}, format = 'newline_delimited', columns = {${cols}})) TO ${str(file)} (FORMAT parquet, COMPRESSION zstd)`);
  } finally {
    await rm(ndjson, { force: true });
  }
}
