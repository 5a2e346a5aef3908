import { existsSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ACCEPTED_FILE } from '../datasets/datasetFiles.ts';
import { str } from '../datasets/sql.ts';
import type { ArtifactStore } from '../store/ArtifactStore.ts';

export interface LineageImage {
  datasetVersionId: string;
  /** The stored (resized, re-encoded) copy's content hash. */
  sha256: string;
  /** The raw file it came from, relative to the dataset's image folder, and that file's hash. */
  originalPath: string;
  originalSha256: string;
}

/** Every accepted image of a dataset version, as lineage shows and verifies it. */
export async function acceptedImages(store: ArtifactStore, datasetVersionId: string): Promise<LineageImage[]> {
  const file = path.join(store.dirOf(datasetVersionId), ACCEPTED_FILE);
  if (!existsSync(file)) return [];
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  try {
    const rows = (await con.runAndReadAll(`SELECT image_sha256 AS s, image_original_path AS p, image_original_sha256 AS o FROM read_parquet(${str(file)}) ORDER BY p`)).getRowObjectsJson();
    return rows.map((r) => ({ datasetVersionId, sha256: String(r.s), originalPath: String(r.p), originalSha256: String(r.o) }));
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}
