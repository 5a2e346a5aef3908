import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import type { DatasetSpec } from '../schemas/datasetSpec.ts';
import { sha256File } from '../store/sha256.ts';
import { ImageIndex } from './ImageIndex.ts';
import { LabelMap } from './LabelMap.ts';
import { stageMetadata, type StagingSummary } from './stageMetadata.ts';

export interface SourceFile {
  role: string;
  path: string;
  sha256: string;
  bytes: number;
}

export interface Inspection {
  con: DuckDBConnection;
  close(): void;
  spec: DatasetSpec;
  labels: LabelMap;
  staging: StagingSummary;
  sources: SourceFile[];
  /** Files found under the image root. */
  imagesIndexed: number;
  /** Digest over every staged row's (number, reason, image sha256): what the metadata and images resolved to. */
  stagedDigest: string;
  imagesReferenced: number;
}

/**
 * Everything onboarding knows before decoding a single image: the staged metadata (`staged` table, with the first
 * reason that rules each sample out), the image each sample refers to and its original digest, and the digests of
 * every source file. The dry run prints it; the inspect activity commits it as a staging artifact.
 */
export async function inspectSource(spec: DatasetSpec, hierarchy: Hierarchy, opts: { onProgress?: (done: number, total: number) => void } = {}): Promise<Inspection> {
  const labels = spec.label.mapFile ? LabelMap.fromFile(spec.label.mapFile, hierarchy) : LabelMap.fromRecord(spec.label.map!, hierarchy, `${spec.name} spec label.map`);
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  const close = () => {
    con.closeSync();
    instance.closeSync();
  };
  try {
    const staging = await stageMetadata(con, spec, labels);

    const sources: SourceFile[] = [];
    const addSource = async (role: string, file: string) => sources.push({ role, path: file, ...(await sha256File(file)) });
    await addSource('metadata', spec.metadata.file);
    for (const j of spec.joins) await addSource(`join:${j.name}`, j.file);
    if (spec.split && 'indexFiles' in spec.split) for (const [s, f] of Object.entries(spec.split.indexFiles)) await addSource(`split:${s}`, f);
    if (spec.label.mapFile) await addSource('label-map', spec.label.mapFile);

    // Resolve and hash every image a still-valid sample refers to.
    const index = await ImageIndex.build(spec.imageRoot);
    const rows = (await con.runAndReadAll('SELECT row_no, image_ref FROM staged WHERE reason IS NULL ORDER BY row_no')).getRowObjectsJson();
    await con.run('CREATE TABLE resolved (row_no BIGINT, image_path VARCHAR, image_relpath VARCHAR, image_original_sha256 VARCHAR, image_bytes BIGINT, r_reason VARCHAR, r_detail VARCHAR)');
    const app = await con.createAppender('resolved');
    const hashed = new Map<string, { sha256: string; bytes: number }>();
    let done = 0;
    for (const r of rows) {
      const rowNo = Number(r.row_no);
      const res = index.resolve(String(r.image_ref));
      app.appendBigInt(BigInt(rowNo));
      if ('reason' in res) {
        app.appendNull();
        app.appendNull();
        app.appendNull();
        app.appendNull();
        app.appendVarchar(res.reason);
        app.appendVarchar(res.detail);
      } else {
        let h = hashed.get(res.path);
        if (!h) {
          h = await sha256File(res.path);
          hashed.set(res.path, h);
        }
        app.appendVarchar(res.path);
        app.appendVarchar(res.relative);
        app.appendVarchar(h.sha256);
        app.appendBigInt(BigInt(h.bytes));
        app.appendNull();
        app.appendNull();
      }
      app.endRow();
      if (++done % 200 === 0) opts.onProgress?.(done, rows.length);
    }
    app.closeSync();
    opts.onProgress?.(rows.length, rows.length);
    await con.run(`
      CREATE TABLE staged_resolved AS
      SELECT s.* REPLACE (
          coalesce(s.reason, r.r_reason) AS reason,
          CASE WHEN s.reason IS NULL AND r.r_reason IS NOT NULL THEN r.r_detail ELSE s.detail END AS detail),
        r.image_path, r.image_relpath, r.image_original_sha256, r.image_bytes
      FROM staged s LEFT JOIN resolved r USING (row_no)`);
    await con.run('DROP TABLE staged');
    await con.run('ALTER TABLE staged_resolved RENAME TO staged');
    const stagedDigest = String(
      (
        await con.runAndReadAll(
          `SELECT sha256(coalesce(string_agg(row_no || ':' || coalesce(reason, '') || ':' || coalesce(image_original_sha256, ''), ',' ORDER BY row_no), '')) AS d FROM staged`,
        )
      ).getRowObjectsJson()[0]!.d,
    );
    return {
      con,
      close,
      spec,
      labels,
      staging,
      sources,
      imagesIndexed: index.size,
      stagedDigest,
      imagesReferenced: hashed.size,
    };
  } catch (e) {
    close();
    throw e;
  }
}

/** Counts a user wants before committing: reasons, mapped and unmapped labels, missing images, duplicate ids. */
export async function inspectionSummary(ins: Inspection) {
  const q = async (sql: string) => (await ins.con.runAndReadAll(sql)).getRowObjectsJson();
  const reasons = Object.fromEntries((await q(`SELECT reason, count(*)::INTEGER AS n FROM staged WHERE reason IS NOT NULL GROUP BY 1 ORDER BY 2 DESC`)).map((r) => [String(r.reason), Number(r.n)]));
  const labels = (await q(`SELECT label_raw, count(*)::INTEGER AS n, any_value(label_nodes) AS nodes FROM staged WHERE label_raw IS NOT NULL GROUP BY 1 ORDER BY 2 DESC`)).map((r) => ({
    label: String(r.label_raw),
    count: Number(r.n),
    nodes: (r.nodes as string[] | null) ?? null,
  }));
  const examples = async (reason: string) => (await q(`SELECT source_line, detail FROM staged WHERE reason = '${reason}' ORDER BY row_no LIMIT 5`)).map((r) => `line ${r.source_line}: ${r.detail}`);
  const samples = ins.staging.samples;
  const ready = Number((await q(`SELECT count(*)::INTEGER AS n FROM staged WHERE reason IS NULL`))[0]!.n);
  return {
    dataset: ins.spec.name,
    metadataFile: path.basename(ins.spec.metadata.file),
    sourceRecords: ins.staging.metadata.rows + ins.staging.metadata.rejected,
    samples,
    readyForImageCheck: ready,
    quarantinedBeforeImages: samples - ready,
    reasons,
    mappedLabels: labels.filter((l) => l.nodes),
    unmappedLabels: labels.filter((l) => !l.nodes),
    imagesIndexed: ins.imagesIndexed,
    imagesReferenced: ins.imagesReferenced,
    missingImageExamples: await examples('image_missing'),
    duplicateIdExamples: await examples('duplicate_id'),
    labelConflictExamples: await examples('label_conflict'),
  };
}
