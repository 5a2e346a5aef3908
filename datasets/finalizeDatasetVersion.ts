import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { SplitName } from '../schemas/datasetSpec.ts';
import type { DatasetSummary, OnboardConfig } from '../schemas/onboarding.ts';
import { assignSplits, type SplitRow } from './assignSplits.ts';
import { ACCEPTED_FILE, QUARANTINED_FILE, REPORT_FILE } from './datasetFiles.ts';
import { renderQualityReport } from './renderQualityReport.ts';
import { str } from './sql.ts';


/**
 * Merges the staged rows with the shards' image results, quarantines duplicate and conflicting images, assigns
 * leakage-safe splits, and writes accepted.parquet, quarantined.parquet, report.json and report.md into `outDir`.
 * Every staged row ends in exactly one of the two files.
 */
export async function finalizeDatasetVersion(opts: {
  dataset: string;
  stagedFile: string;
  shardFiles: string[];
  /** Splits that images of this dataset already had in committed versions when it was inspected (image sha -> split). */
  knownSplitsFile: string;
  /** Rows the staging holds: the count everything must reconcile with. */
  stagedRows: number;
  config: OnboardConfig;
  outDir: string;
  datasetVersionId: string;
  /** Called between steps (the activity heartbeats from it). */
  onPhase?: (phase: string) => void;
}): Promise<DatasetSummary> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  const q = async (sql: string) => (await con.runAndReadAll(sql)).getRowObjectsJson();
  try {
    await con.run(`CREATE TABLE staged AS SELECT * FROM read_parquet(${str(opts.stagedFile)})`);
    await con.run(
      opts.shardFiles.length
        ? `CREATE TABLE shard AS SELECT * FROM read_parquet([${opts.shardFiles.map(str).join(', ')}])`
        : `CREATE TABLE shard (row_no BIGINT, i_reason VARCHAR, i_detail VARCHAR, image_sha256 VARCHAR, image_width INTEGER, image_height INTEGER, image_format VARCHAR)`,
    );
    const missing = await q(`SELECT count(*)::INTEGER AS n FROM staged s WHERE s.reason IS NULL AND NOT EXISTS (SELECT 1 FROM shard h WHERE h.row_no = s.row_no)`);
    if (Number(missing[0]!.n) > 0) throw new Error(`${missing[0]!.n} staged rows have no image result: a shard is missing`);

    await con.run(`
      CREATE TABLE merged AS
      SELECT s.* REPLACE (coalesce(s.reason, h.i_reason) AS reason, CASE WHEN s.reason IS NULL AND h.i_reason IS NOT NULL THEN h.i_detail ELSE s.detail END AS detail),
        h.image_sha256, h.image_width, h.image_height, h.image_format
      FROM staged s LEFT JOIN shard h USING (row_no)`);
    // The same image under two ids: one copy is kept when the labels agree; all are quarantined when they disagree.
    await con.run(`
      CREATE TABLE dup AS
      SELECT row_no, count(*) OVER w AS n, count(DISTINCT label_raw) OVER w AS nl, row_number() OVER (w ORDER BY row_no) AS rk,
        first(sample_id) OVER (w ORDER BY row_no) AS first_id
      FROM merged WHERE reason IS NULL
      WINDOW w AS (PARTITION BY image_original_sha256)`);
    await con.run(`
      CREATE TABLE final AS
      SELECT m.* REPLACE (
          CASE WHEN d.nl > 1 THEN 'label_conflict' WHEN d.n > 1 AND d.rk > 1 THEN 'duplicate_image' ELSE m.reason END AS reason,
          CASE WHEN d.nl > 1 THEN 'label' ELSE m.field END AS field,
          CASE WHEN d.nl > 1 THEN 'the same image appears ' || d.n || ' times with ' || d.nl || ' different labels'
               WHEN d.n > 1 AND d.rk > 1 THEN 'same image (sha256 ' || left(m.image_original_sha256, 12) || ') as ' || d.first_id
               ELSE m.detail END AS detail)
      FROM merged m LEFT JOIN dup d USING (row_no)`);

    opts.onPhase?.('splits');
    // Splits, in JS: grouping by lesion/patient/image is a union-find, and earlier versions' splits win for shared images.
    const known = new Map<string, SplitName>();
    if (existsSync(opts.knownSplitsFile)) {
      for (const r of await q(`SELECT image_original_sha256 AS h, split AS s FROM read_parquet(${str(opts.knownSplitsFile)})`)) known.set(String(r.h), r.s as SplitName);
    }
    const rows: SplitRow[] = (await q(`SELECT row_no, group_id, patient_id, image_id, image_original_sha256, split_official FROM final WHERE reason IS NULL`)).map((r) => ({
      rowNo: Number(r.row_no),
      groupId: (r.group_id as string | null) ?? null,
      patientId: (r.patient_id as string | null) ?? null,
      imageId: String(r.image_id),
      imageSha256: String(r.image_original_sha256),
      officialSplit: (r.split_official as SplitName | null) ?? null,
    }));
    const { split, crossing } = assignSplits(rows, { seed: opts.config.split.seed, ratios: opts.config.split.ratios, known });
    await con.run('CREATE TABLE splits (row_no BIGINT, split VARCHAR)');
    const app = await con.createAppender('splits');
    for (const [rowNo, s] of split) {
      app.appendBigInt(BigInt(rowNo));
      app.appendVarchar(s);
      app.endRow();
    }
    app.closeSync();

    const count = async (sql: string) => Number((await q(sql))[0]!.n);
    const rowsIn = await count(`SELECT count(*)::BIGINT AS n FROM final`);
    const accepted = await count(`SELECT count(*)::BIGINT AS n FROM final WHERE reason IS NULL`);
    const quarantined = await count(`SELECT count(*)::BIGINT AS n FROM final WHERE reason IS NOT NULL`);
    opts.onPhase?.('write');
    // Checked before anything is written: every staged row must be in exactly one of the two outputs.
    if (rowsIn !== opts.stagedRows || accepted + quarantined !== opts.stagedRows || split.size !== accepted) {
      throw new Error(`counts do not reconcile: ${opts.stagedRows} staged, ${rowsIn} merged, ${accepted} accepted + ${quarantined} quarantined, ${split.size} with a split`);
    }
    await con.run(`
      COPY (
        SELECT f.sample_id, ${str(opts.dataset)} AS dataset, f.image_id, f.image_key, f.modality, f.label_raw, f.label_nodes, f.bucket,
          f.group_id, f.patient_id, sp.split, f.split_official, f.age, f.sex, f.site_raw, f.site_general, f.fitzpatrick, f.concepts,
          f.image_sha256, f.image_original_sha256, f.image_relpath AS image_original_path, f.image_width, f.image_height, f.image_format,
          f.source_file, f.source_line, f.source_row
        FROM final f JOIN splits sp USING (row_no) WHERE f.reason IS NULL ORDER BY f.row_no
      ) TO ${str(path.join(opts.outDir, ACCEPTED_FILE))} (FORMAT parquet, COMPRESSION zstd)`);
    await con.run(`
      COPY (
        SELECT source_file, source_line, sample_id, reason, field, detail, image_ref, source_row
        FROM final WHERE reason IS NOT NULL ORDER BY row_no
      ) TO ${str(path.join(opts.outDir, QUARANTINED_FILE))} (FORMAT parquet, COMPRESSION zstd)`);

    const record = async (sql: string) => Object.fromEntries((await q(sql)).map((r) => [String(r.k), Number(r.n)]));
    const summary: DatasetSummary = {
      datasetVersionId: opts.datasetVersionId,
      dataset: opts.dataset,
      rowsIn,
      accepted,
      quarantined,
      quarantineReasons: await record(`SELECT reason AS k, count(*)::INTEGER AS n FROM final WHERE reason IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1`),
      labelCounts: await record(`SELECT array_to_string(label_nodes, '|') AS k, count(*)::INTEGER AS n FROM final WHERE reason IS NULL GROUP BY 1 ORDER BY 2 DESC, 1`),
      splits: Object.fromEntries(['train', 'val', 'test'].map((s) => [s, [...split.values()].filter((v) => v === s).length])),
      groupsCrossingSplits: crossing.length,
      imagesStored: await count(`SELECT count(DISTINCT image_sha256)::BIGINT AS n FROM final WHERE reason IS NULL`),
    };
    const perSplitLabels = await q(`SELECT sp.split, array_to_string(f.label_nodes, '|') AS label, count(*)::INTEGER AS n FROM final f JOIN splits sp USING (row_no) GROUP BY 1, 2 ORDER BY 1, 3 DESC`);
    const quarantineExamples = await q(`SELECT reason, source_file, source_line, field, detail FROM (SELECT *, row_number() OVER (PARTITION BY reason ORDER BY row_no) AS k FROM final WHERE reason IS NOT NULL) WHERE k <= 3 ORDER BY reason, row_no`);
    const report = { summary, crossing: crossing.slice(0, 100), perSplitLabels, quarantineExamples };
    await writeFile(path.join(opts.outDir, REPORT_FILE), JSON.stringify(report, null, 2) + '\n');
    await writeFile(path.join(opts.outDir, 'report.md'), renderQualityReport(report));
    return summary;
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
