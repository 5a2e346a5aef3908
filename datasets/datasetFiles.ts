import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DatasetSummarySchema, type DatasetSummary } from '../schemas/onboarding.ts';
import type { ArtifactStore } from '../store/ArtifactStore.ts';

/** File names inside the onboarding artifacts, in one place for the activities, the catalog and the CLI. */
export const STAGED_FILE = 'staged.parquet';
export const KNOWN_SPLITS_FILE = 'known_splits.parquet';
export const SHARD_FILE = 'shard.parquet';
export const ACCEPTED_FILE = 'accepted.parquet';
export const QUARANTINED_FILE = 'quarantined.parquet';
export const REPORT_FILE = 'report.json';

/** A committed dataset version's report.json (its summary validated). */
export async function readDatasetReport(store: ArtifactStore, id: string): Promise<{ summary: DatasetSummary } & Record<string, unknown>> {
  const report = JSON.parse(await readFile(path.join(store.dirOf(id), REPORT_FILE), 'utf8'));
  return { ...report, summary: DatasetSummarySchema.parse(report.summary) };
}
