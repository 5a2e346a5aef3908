import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { ValidationError } from '../errors/ValidationError.ts';
import type { ArtifactStore } from '../store/ArtifactStore.ts';
import { ACCEPTED_FILE, QUARANTINED_FILE } from './datasetFiles.ts';

/**
 * A dataset version's accepted (or quarantined) rows as an Arrow table for in-memory use (training loaders,
 * notebooks), read from its Parquet file with parquet-wasm; DuckDB remains the way to query across versions.
 */
export async function loadDatasetVersion(store: ArtifactStore, id: string, which: 'accepted' | 'quarantined' = 'accepted'): Promise<Table> {
  const m = await store.require(id);
  if (m.kind !== 'dataset-version') throw new ValidationError(`${id} is a ${m.kind}, not a dataset version`);
  const bytes = await readFile(path.join(store.dirOf(id), which === 'accepted' ? ACCEPTED_FILE : QUARANTINED_FILE));
  return tableFromIPC(readParquet(bytes).intoIPCStream());
}
