import type { DuckDBConnection } from '@duckdb/node-api';
import { writeParquetRows } from '../store/parquetRows.ts';
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

/** Writes trajectory records as Parquet with the typed columns above. */
export function writeTrajectoryParquet(con: DuckDBConnection, records: TrajectoryRecord[], file: string, scratch: string): Promise<void> {
  return writeParquetRows(records, trajectoryColumns, file, scratch, con);
}
