import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ACCEPTED_FILE } from '../datasets/datasetFiles.ts';
import { str, strList } from '../datasets/sql.ts';
import { conceptKey } from '../knowledge/KnowledgeBase.ts';
import { DistillSampleSchema, type DistillSample } from '../schemas/distill.ts';
import type { ArtifactStore } from '../store/ArtifactStore.ts';

function acceptedFile(store: ArtifactStore, datasetVersionId: string): string {
  return path.join(store.dirOf(datasetVersionId), ACCEPTED_FILE);
}

/** Images of a dataset version in the given splits (the rows distillation reads), counted. */
export async function countDistillSamples(con: DuckDBConnection, store: ArtifactStore, datasetVersionId: string, splits: string[]): Promise<number> {
  const r = await con.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${str(acceptedFile(store, datasetVersionId))}) WHERE list_contains(${strList(splits)}, split)`);
  return Number(r.getRowObjectsJson()[0]!.n);
}

/** One shard's images, in a stable order (sample, image key) so shards partition the rows the same way every time. */
export async function readDistillSamples(
  con: DuckDBConnection,
  store: ArtifactStore,
  datasetVersionId: string,
  splits: string[],
  offset: number,
  limit: number,
): Promise<DistillSample[]> {
  const r = await con.runAndReadAll(`
    SELECT sample_id, dataset, image_key, image_sha256, split, label_nodes, concepts, fitzpatrick
    FROM read_parquet(${str(acceptedFile(store, datasetVersionId))})
    WHERE list_contains(${strList(splits)}, split)
    ORDER BY sample_id, image_key LIMIT ${limit} OFFSET ${offset}`);
  return r.getRowObjectsJson().map((row) =>
    DistillSampleSchema.parse({
      datasetVersionId,
      dataset: row.dataset,
      sampleId: row.sample_id,
      imageKey: row.image_key ?? '',
      imageSha256: row.image_sha256,
      split: row.split,
      labelNodes: row.label_nodes,
      concepts: row.concepts ?? null,
      fitzpatrick: row.fitzpatrick === null || row.fitzpatrick === undefined ? null : Number(row.fitzpatrick),
    }),
  );
}

/** The concept keys annotated anywhere in a dataset version: absent on an image means "annotated, not seen". */
export async function datasetConceptKeys(con: DuckDBConnection, store: ArtifactStore, datasetVersionId: string): Promise<Set<string>> {
  const r = await con.runAndReadAll(`SELECT DISTINCT unnest(concepts) AS c FROM read_parquet(${str(acceptedFile(store, datasetVersionId))})`);
  return new Set(r.getRowObjectsJson().map((row) => conceptKey(String(row.c))));
}
