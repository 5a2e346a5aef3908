import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ACCEPTED_FILE } from '../datasets/datasetFiles.ts';
import { str, strList } from '../datasets/sql.ts';
import { conceptKey } from '../knowledge/KnowledgeBase.ts';
import { DistillSampleSchema, type DistillSample } from '../schemas/distill.ts';
import type { ArtifactStore } from '../store/ArtifactStore.ts';

export interface EligibleImages {
  /** Images of the chosen splits in all inputs. */
  images: number;
  /** Left out before distillation, by reason. */
  skipped: Record<string, number>;
  /** Images distillation works on. */
  eligible: number;
}

/**
 * Builds the `eligible` table: the images of the chosen splits across all input versions, each image (by content
 * hash) once, and none that any input holds out in another split (HAM10000 images reappear in ISIC 2019, possibly in
 * its validation split: they must not train). Plan and shards build it the same way, so shard ranges line up.
 */
export async function createEligibleImages(con: DuckDBConnection, store: ArtifactStore, datasetVersionIds: string[], splits: string[]): Promise<EligibleImages> {
  const dvs = [...new Set(datasetVersionIds)].sort();
  const union = dvs.map((id) => `SELECT ${str(id)} AS dataset_version_id, * FROM read_parquet(${str(path.join(store.dirOf(id), ACCEPTED_FILE))})`).join(' UNION ALL BY NAME ');
  await con.run(`CREATE OR REPLACE TABLE inputs AS ${union}`);
  const inSplits = `list_contains(${strList(splits)}, split)`;
  await con.run(`CREATE OR REPLACE TABLE held_out AS SELECT DISTINCT image_sha256 FROM inputs WHERE NOT ${inSplits}`);
  await con.run(`
    CREATE OR REPLACE TABLE candidates AS
    SELECT *, image_sha256 IN (SELECT image_sha256 FROM held_out) AS held_elsewhere,
      row_number() OVER (PARTITION BY image_sha256 ORDER BY dataset_version_id, sample_id, coalesce(image_key, '')) AS copy_no
    FROM inputs WHERE ${inSplits}`);
  await con.run(`CREATE OR REPLACE TABLE eligible AS SELECT * EXCLUDE (held_elsewhere, copy_no) FROM candidates WHERE NOT held_elsewhere AND copy_no = 1`);
  const n = async (sql: string) => Number((await con.runAndReadAll(sql)).getRowObjectsJson()[0]!.n);
  const images = await n(`SELECT count(*)::BIGINT AS n FROM candidates`);
  const heldOut = await n(`SELECT count(*)::BIGINT AS n FROM candidates WHERE held_elsewhere`);
  const duplicates = await n(`SELECT count(*)::BIGINT AS n FROM candidates WHERE NOT held_elsewhere AND copy_no > 1`);
  const skipped: Record<string, number> = {};
  if (heldOut) skipped.held_out_elsewhere = heldOut;
  if (duplicates) skipped.duplicate_image = duplicates;
  return { images, skipped, eligible: images - heldOut - duplicates };
}

/** One shard's images from the `eligible` table, in a stable order. */
export async function readDistillSamples(con: DuckDBConnection, offset: number, limit: number): Promise<DistillSample[]> {
  const r = await con.runAndReadAll(`
    SELECT dataset_version_id, sample_id, dataset, image_key, image_sha256, split, modality, label_nodes, concepts, fitzpatrick
    FROM eligible ORDER BY dataset_version_id, sample_id, coalesce(image_key, '') LIMIT ${limit} OFFSET ${offset}`);
  return r.getRowObjectsJson().map((row) =>
    DistillSampleSchema.parse({
      datasetVersionId: row.dataset_version_id,
      dataset: row.dataset,
      sampleId: row.sample_id,
      imageKey: row.image_key ?? '',
      imageSha256: row.image_sha256,
      split: row.split,
      modality: row.modality ?? 'unknown',
      labelNodes: row.label_nodes,
      concepts: row.concepts ?? null,
      fitzpatrick: row.fitzpatrick === null || row.fitzpatrick === undefined ? null : Number(row.fitzpatrick),
    }),
  );
}

/** The concept keys annotated anywhere in each input version: absent on an image means "annotated, not seen". */
export async function conceptKeysByVersion(con: DuckDBConnection): Promise<Map<string, Set<string>>> {
  const r = await con.runAndReadAll(`SELECT DISTINCT dataset_version_id AS v, unnest(concepts) AS c FROM inputs`);
  const out = new Map<string, Set<string>>();
  for (const row of r.getRowObjectsJson()) {
    const v = String(row.v);
    out.set(v, (out.get(v) ?? new Set()).add(conceptKey(String(row.c))));
  }
  return out;
}
