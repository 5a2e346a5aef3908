import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import type { DatasetSpec } from '../schemas/datasetSpec.ts';
import type { LabelMap } from './LabelMap.ts';
import { ValidationError } from '../errors/ValidationError.ts';
import { ident, str } from './sql.ts';


export interface CsvReadResult {
  table: string;
  file: string;
  columns: string[];
  /** Records the parser accepted. */
  rows: number;
  /** Records the parser rejected (ragged, bad encoding, bad quoting), with their line. */
  rejected: number;
}

/**
 * Reads a CSV with DuckDB, every value as text, keeping rejected records (ragged rows, invalid UTF-8, stray quotes) in
 * `<table>_rej` with their line. `<table>_lines` maps each accepted record (`ord` = its rowid) to its physical line and
 * its record number `rec` (0-based, blank lines skipped, rejected records counted), which is what split index files use.
 */
export async function readCsv(con: DuckDBConnection, table: string, file: string, delimiter: string): Promise<CsvReadResult> {
  // DuckDB would expand a glob: a path is a path here.
  if (/[*?[\]{}]/.test(path.basename(file))) throw new ValidationError(`${file}: file names with glob characters (*?[]{}) are not supported`);
  if (!existsSync(file)) throw new ValidationError(`${file}: no such file`);
  try {
    await con.run(
      `CREATE TABLE ${table} AS SELECT * FROM read_csv(${str(file)}, all_varchar = true, header = true, delim = ${str(delimiter)}, quote = '"', escape = '"', ` +
        `store_rejects = true, rejects_table = ${str(`${table}_rej`)}, rejects_scan = ${str(`${table}_scan`)}, sample_size = -1, null_padding = false)`,
    );
  } catch (e) {
    throw new ValidationError(`${file}: cannot read as CSV: ${(e as Error).message.split('\n')[0]}`);
  }
  const columns = (await con.runAndReadAll(`SELECT column_name FROM (DESCRIBE ${table})`)).getRowObjectsJson().map((r) => String(r.column_name));
  const rows = Number((await con.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${table}`)).getRowObjectsJson()[0]!.n);
  const rejectedLines = (await con.runAndReadAll(`SELECT DISTINCT line::BIGINT AS line FROM ${table}_rej ORDER BY 1`)).getRowObjectsJson().map((r) => Number(r.line));
  const rejected = rejectedLines.length;
  // Physical lines of the records, from the file itself; when they do not match what DuckDB parsed (a quoted field
  // spanning lines), fall back to one record per line.
  let lines = recordLines(readFileSync(file));
  if (lines.length !== rows + rejected) lines = Array.from({ length: rows + rejected }, (_, i) => i + 2);
  const rejectedSet = new Set(rejectedLines);
  await con.run(`CREATE TABLE ${table}_lines (ord BIGINT, line BIGINT, rec BIGINT)`);
  const app = await con.createAppender(`${table}_lines`);
  let ord = 0;
  for (const [rec, line] of lines.entries()) {
    if (rejectedSet.has(line)) continue;
    app.appendBigInt(BigInt(ord++));
    app.appendBigInt(BigInt(line));
    app.appendBigInt(BigInt(rec));
    app.endRow();
  }
  app.closeSync();
  return { table, file, columns, rows, rejected };
}

/** 1-based physical line numbers of the non-empty lines after the header. */
export function recordLines(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      let end = i;
      if (end > start && bytes[end - 1] === 0x0d) end--;
      if (line > 1 && end > start) out.push(line);
      line++;
      start = i + 1;
    }
  }
  return out;
}

export interface StagingSummary {
  metadata: CsvReadResult;
  joins: CsvReadResult[];
  /** Sample rows staged (one per image entry of each parsed record, plus one per rejected record). */
  samples: number;
}

/**
 * Builds the `staged` table: one row per sample (record x image entry) in the unified schema, with the first reason
 * that already rules it out (missing id, unknown label, duplicate, unsafe path ...) or NULL. Image checks come later.
 */
export async function stageMetadata(con: DuckDBConnection, spec: DatasetSpec, labels: LabelMap): Promise<StagingSummary> {
  const metadata = await readCsv(con, 'meta', spec.metadata.file, spec.metadata.delimiter);
  const joins: CsvReadResult[] = [];
  for (const [i, j] of spec.joins.entries()) joins.push(await readCsv(con, `j${i}`, j.file, j.delimiter));

  // Which table each usable column comes from: the metadata wins a name clash.
  const owner = new Map<string, string>();
  for (const c of metadata.columns) owner.set(c, 'm');
  joins.forEach((j, i) => j.columns.forEach((c) => owner.has(c) || owner.set(c, `j${i}`)));
  const headerOf = (files: CsvReadResult[]) => files.map((f) => `${path.basename(f.file)}: ${f.columns.join(', ')}`).join('; ');
  const col = (name: string, what: string): string => {
    const t = owner.get(name);
    if (!t) throw new ValidationError(`${spec.metadata.file}: ${what} names column "${name}", which is not in the header (${headerOf([metadata, ...joins])})`);
    return `${t}.${ident(name)}`;
  };
  const choose = (choice: string | string[] | undefined, what: string): string | undefined => {
    if (choice === undefined) return undefined;
    const options = Array.isArray(choice) ? choice : [choice];
    const found = options.find((c) => owner.has(c));
    if (!found) return col(options[0]!, what);
    return col(found, what);
  };
  const clean = (expr: string) => `CASE WHEN ${expr} IS NULL OR ${inList(`trim(${expr})`, spec.missingValues)} THEN NULL ELSE trim(${expr}) END`;

  // The label map as a table, so mapping is a join.
  await con.run('CREATE TABLE label_map (raw VARCHAR, nodes VARCHAR[], bucket VARCHAR)');
  const appender = await con.createAppender('label_map');
  for (const [raw, t] of labels.entries) {
    appender.appendVarchar(raw);
    appender.appendValue(listValue(t.nodes));
    if (t.bucket) appender.appendVarchar(t.bucket);
    else appender.appendNull();
    appender.endRow();
  }
  appender.closeSync();

  // Official split from index files (0-based record numbers) or from a column.
  let splitExpr = 'NULL::VARCHAR';
  let splitRaw = 'NULL::VARCHAR';
  let splitJoin = '';
  if (spec.split && 'indexFiles' in spec.split) {
    const parts: string[] = [];
    for (const [split, file] of Object.entries(spec.split.indexFiles)) {
      const t = `idx_${split}`;
      const r = await readCsv(con, t, file, ',');
      if (!r.columns.includes(spec.split.indexColumn)) throw new ValidationError(`${file}: split index file has no column "${spec.split.indexColumn}" (header: ${r.columns.join(', ')})`);
      if (r.rejected > 0) throw new ValidationError(`${file}: ${r.rejected} malformed rows in a split index file`);
      const bad = (await con.runAndReadAll(`SELECT l.line, x.${ident(spec.split.indexColumn)} AS v FROM ${t} x JOIN ${t}_lines l ON l.ord = x.rowid WHERE TRY_CAST(x.${ident(spec.split.indexColumn)} AS BIGINT) IS NULL OR TRY_CAST(x.${ident(spec.split.indexColumn)} AS BIGINT) < 0 OR TRY_CAST(x.${ident(spec.split.indexColumn)} AS BIGINT) >= ${metadata.rows + metadata.rejected} LIMIT 1`)).getRowObjectsJson()[0];
      if (bad) throw new ValidationError(`${file}: line ${bad.line}, field ${spec.split.indexColumn}: "${bad.v}" is not a row number of ${path.basename(spec.metadata.file)} (0 to ${metadata.rows + metadata.rejected - 1})`);
      parts.push(`SELECT TRY_CAST(${ident(spec.split.indexColumn)} AS BIGINT) AS rec, ${str(split)} AS split FROM ${t}`);
    }
    await con.run(`CREATE TABLE split_idx AS SELECT rec, min(split) AS split, count(DISTINCT split) AS n FROM (${parts.join(' UNION ALL ')}) GROUP BY rec`);
    splitJoin = 'LEFT JOIN split_idx si ON si.rec = ml.rec';
    splitExpr = 'si.split';
  } else if (spec.split && 'column' in spec.split) {
    const c = col(spec.split.column, 'split.column');
    splitExpr = `CASE ${Object.entries(spec.split.values).map(([raw, s]) => `WHEN trim(${c}) = ${str(raw)} THEN ${str(s)}`).join(' ')} ELSE NULL END`;
    splitRaw = clean(c);
  }
  const splitConflict = spec.split && 'indexFiles' in spec.split ? 'coalesce(si.n, 0) > 1' : 'false';

  const joinSql = spec.joins
    .map((j, i) => {
      // The left side of a join is the metadata file: a join column would match a row against itself (or many).
      if (!metadata.columns.includes(j.leftColumn)) {
        throw new ValidationError(`${spec.metadata.file}: joins[${i}].leftColumn "${j.leftColumn}" is not a column of the metadata file (${metadata.columns.join(', ')})`);
      }
      const left = `m.${ident(j.leftColumn)}`;
      if (!joins[i]!.columns.includes(j.rightColumn)) throw new ValidationError(`${j.file}: join column "${j.rightColumn}" is not in the header (${joins[i]!.columns.join(', ')})`);
      // One row per key on the right (its first), so a duplicated key there cannot multiply samples or pick at random.
      return (
        `LEFT JOIN (SELECT DISTINCT ON (__skinr1_key) * FROM (SELECT *, ${ident(j.rightColumn)} || ${str(j.rightSuffix)} AS __skinr1_key, true AS __skinr1_present, rowid AS __skinr1_ord FROM j${i}) ORDER BY __skinr1_key, __skinr1_ord) j${i} ` +
        `ON j${i}.__skinr1_key = ${left}`
      );
    })
    .join('\n');
  const joinMissing = spec.joins.map((_, i) => `j${i}.__skinr1_present IS NULL`);

  const idCol = col(spec.id.column, 'id.column');
  const idExpr = spec.id.stripSuffix ? `regexp_replace(${clean(idCol)}, ${str(escapeRegex(spec.id.stripSuffix) + '$')}, '')` : clean(idCol);
  const labelColumn = spec.label.column ? clean(col(spec.label.column, 'label.column')) : 'NULL::VARCHAR';
  const labelExpr = spec.label.column ? '__label_col' : `CASE WHEN len(__hot) = 1 THEN __hot[1] ELSE NULL END`;
  const hotList = spec.label.oneHot
    ? `list_filter([${spec.label.oneHot.map((c) => `CASE WHEN TRY_CAST(${col(c, 'label.oneHot')} AS DOUBLE) = 1 THEN ${str(c)} END`).join(', ')}], x -> x IS NOT NULL)`
    : 'NULL::VARCHAR[]';
  const labelField = spec.label.column ?? spec.label.oneHot!.join('|');

  const concepts = spec.concepts
    ? `list_filter([${spec.concepts.columns
        .map((c) => {
          const v = `lower(trim(${col(c, 'concepts.columns')}))`;
          return spec.concepts!.kind === 'binary'
            ? `CASE WHEN ${inList(v, spec.concepts!.present)} THEN ${str(c)} END`
            : `CASE WHEN ${v} IS NOT NULL AND NOT ${inList(v, spec.concepts!.absent)} THEN ${str(c + ':')} || trim(${col(c, 'concepts.columns')}) END`;
        })
        .join(', ')}], x -> x IS NOT NULL)`
    : '[]::VARCHAR[]';
  const excluded = spec.exclude ? inList(`lower(trim(${col(spec.exclude.column, 'exclude.column')}))`, spec.exclude.values.map((v) => v.toLowerCase())) : 'false';

  const f = spec.fields;
  const age = choose(f.age, 'fields.age');
  const sex = choose(f.sex, 'fields.sex');
  const site = choose(f.site, 'fields.site');
  const fitz = choose(f.fitzpatrick, 'fields.fitzpatrick');
  const siteCases = Object.entries(spec.siteMap).map(([raw, g]) => `WHEN lower(trim(${site})) = ${str(raw.toLowerCase())} THEN ${str(g)}`);
  const group = spec.group ? clean(col(spec.group, 'group')) : 'NULL::VARCHAR';
  const patient = spec.patient ? clean(col(spec.patient, 'patient')) : 'NULL::VARCHAR';

  // Image references are computed in `base` (where the source columns are visible), one column per image entry.
  const refColumns = spec.images.map((img, k) => {
    const ref = img.column ? clean(col(img.column, `images[${k}].column`)) : patternSql(img.pattern!, (c) => clean(col(c, `images[${k}].pattern`)));
    return `${ref} AS __ref_${k}`;
  });
  const perImage = spec.images.map((img, k) => {
    const key = spec.images.length > 1 ? (img.key ?? String(k)) : null;
    return `SELECT *, ${k} AS image_entry, ${key === null ? 'NULL::VARCHAR' : str(key)} AS image_key, __ref_${k} AS image_ref, ${str(img.modality ?? spec.modality)} AS modality FROM labelled`;
  });

  // One statement, one pass: CTEs build the samples, the outer SELECT numbers them in file order.
  await con.run(`
    CREATE TABLE staged AS
    WITH base AS (
      SELECT ml.line AS source_line, ${idExpr} AS image_id, ${hotList} AS __hot, ${labelColumn} AS __label_col, ${joinMissing.length ? joinMissing.join(' OR ') : 'false'} AS __join_missing,
        ${excluded} AS __excluded, ${splitExpr} AS split_official, ${splitRaw} AS __split_raw, ${splitConflict} AS __split_conflict,
        ${group} AS group_id, ${patient} AS patient_id,
        ${age ? `TRY_CAST(${clean(age)} AS DOUBLE)` : 'NULL::DOUBLE'} AS age,
        ${sex ? `CASE lower(${clean(sex)}) WHEN 'male' THEN 'male' WHEN 'm' THEN 'male' WHEN 'female' THEN 'female' WHEN 'f' THEN 'female' ELSE 'unknown' END` : `'unknown'`} AS sex,
        ${site ? clean(site) : 'NULL::VARCHAR'} AS site_raw,
        ${site && siteCases.length ? `CASE ${siteCases.join(' ')} ELSE 'unknown' END` : 'NULL::VARCHAR'} AS site_general,
        ${fitz ? `CASE WHEN TRY_CAST(${clean(fitz)} AS DOUBLE) BETWEEN 1 AND 6 THEN TRY_CAST(TRY_CAST(${clean(fitz)} AS DOUBLE) AS INTEGER) END` : 'NULL::INTEGER'} AS fitzpatrick,
        ${concepts} AS concepts, ${refColumns.join(', ')},
        to_json(m)::VARCHAR AS source_row
      FROM meta m JOIN meta_lines ml ON ml.ord = m.rowid
      ${joinSql}
      ${splitJoin}
    ),
    labelled AS (SELECT *, ${labelExpr} AS label_raw FROM base),
    samples AS (${perImage.join(' UNION ALL ')}),
    -- Duplicates are counted among rows nothing else rules out, so an earlier rejected copy never hides a good row.
    dups AS (
      SELECT s.image_id, s.image_entry, count(*) AS __dup_n, count(DISTINCT s.label_raw) AS __dup_labels, min(s.source_line) AS __first_line
      FROM samples s JOIN label_map lm ON lm.raw = s.label_raw
      WHERE s.image_id IS NOT NULL AND NOT s.__join_missing AND NOT s.__excluded AND coalesce(len(s.__hot), 0) <= 1 AND NOT s.__split_conflict
        AND NOT (s.__split_raw IS NOT NULL AND s.split_official IS NULL)
      GROUP BY ALL
    ),
    keyed AS (
      SELECT s.*, ${str(spec.name)} || ':' || s.image_id || coalesce(':' || s.image_key, '') AS sample_id,
        lm.nodes AS label_nodes, lm.bucket AS bucket, lm.raw IS NOT NULL AS __mapped,
        coalesce(d.__dup_n, 1) AS __dup_n, coalesce(d.__dup_labels, 1) AS __dup_labels, s.source_line > coalesce(d.__first_line, s.source_line) AS __dup_later
      FROM samples s LEFT JOIN label_map lm ON lm.raw = s.label_raw
      LEFT JOIN dups d ON d.image_id = s.image_id AND d.image_entry = s.image_entry
    ),
    all_rows AS (
    SELECT
      ${str(path.basename(spec.metadata.file))} AS source_file, source_line, CASE WHEN image_id IS NULL THEN NULL ELSE sample_id END AS sample_id,
      image_id, image_key, image_entry, image_ref, modality, label_raw, label_nodes, bucket, group_id, patient_id, split_official,
      age, sex, site_raw, site_general, fitzpatrick, concepts, source_row,
      CASE
        WHEN image_id IS NULL THEN 'id_missing'
        WHEN __join_missing THEN 'join_unmatched'
        WHEN __excluded THEN 'excluded_by_source'
        WHEN len(__hot) > 1 THEN 'label_conflict'
        WHEN label_raw IS NULL THEN 'label_missing'
        WHEN NOT __mapped THEN 'label_unknown'
        WHEN __split_conflict THEN 'split_conflict'
        WHEN __split_raw IS NOT NULL AND split_official IS NULL THEN 'split_unknown'
        WHEN __dup_n > 1 AND __dup_labels > 1 THEN 'label_conflict'
        WHEN __dup_n > 1 AND __dup_later THEN 'duplicate_id'
        WHEN image_ref IS NULL THEN 'image_ref_missing'
        WHEN image_ref LIKE '/%' OR image_ref LIKE '\\%' OR regexp_matches(image_ref, '(^|[/\\\\])\\.\\.([/\\\\]|$)') OR regexp_matches(image_ref, '^[A-Za-z]:') THEN 'image_path_unsafe'
        ELSE NULL
      END AS reason,
      CASE
        WHEN image_id IS NULL THEN ${str(spec.id.column)}
        WHEN __join_missing THEN ${str(spec.joins.map((j) => j.leftColumn).join('|') || '')}
        WHEN __excluded THEN ${str(spec.exclude?.column ?? '')}
        WHEN len(__hot) > 1 OR label_raw IS NULL OR NOT __mapped THEN ${str(labelField)}
        WHEN __split_conflict THEN 'split'
        WHEN __split_raw IS NOT NULL AND split_official IS NULL THEN ${str(spec.split && 'column' in spec.split ? spec.split.column : 'split')}
        WHEN __dup_n > 1 AND __dup_labels > 1 THEN ${str(labelField)}
        WHEN __dup_n > 1 AND __dup_later THEN ${str(spec.id.column)}
        ELSE ${str(imageField(spec))}
      END AS field,
      CASE
        WHEN len(__hot) > 1 THEN 'several one-hot columns set: ' || array_to_string(__hot, ', ')
        WHEN label_raw IS NOT NULL AND NOT __mapped THEN 'label "' || label_raw || '" is not in the label map'
        WHEN __dup_n > 1 AND __dup_labels > 1 THEN 'id "' || image_id || '" appears ' || __dup_n || ' times with ' || __dup_labels || ' different labels'
        WHEN __dup_n > 1 AND __dup_later THEN 'id "' || image_id || '" already appears on an earlier line'
        WHEN image_ref IS NOT NULL THEN image_ref
        ELSE NULL
      END AS detail
    FROM keyed
    UNION ALL
    SELECT ${str(path.basename(spec.metadata.file))}, line::BIGINT, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      NULL, NULL, NULL, NULL, NULL, []::VARCHAR[], any_value(csv_line), 'csv_malformed', any_value(column_name),
      string_agg(DISTINCT error_type || ': ' || error_message, '; ')
    FROM meta_rej GROUP BY line
    )
    SELECT row_number() OVER (ORDER BY source_line, image_entry NULLS FIRST)::BIGINT AS row_no, * FROM all_rows`);
  const samples = Number((await con.runAndReadAll('SELECT count(*)::BIGINT AS n FROM staged')).getRowObjectsJson()[0]!.n);
  return { metadata, joins, samples };
}

/** Membership as a scalar list_contains: DuckDB plans `IN (...)` lists as one hash join each, which adds up per column. */
function inList(expr: string, values: string[]): string {
  return values.length ? `coalesce(list_contains([${values.map(str).join(', ')}], ${expr}), false)` : 'false';
}

function imageField(spec: DatasetSpec): string {
  return spec.images.map((i) => i.column ?? i.pattern!).join('|');
}

/** "{a}_{b}.jpg" -> SQL concatenation of the columns; NULL when any referenced column is missing. */
function patternSql(pattern: string, column: (name: string) => string): string {
  const parts: string[] = [];
  let rest = pattern;
  for (;;) {
    const m = rest.match(/\{([^}]+)\}/);
    if (!m) break;
    if (m.index! > 0) parts.push(str(rest.slice(0, m.index)));
    parts.push(column(m[1]!));
    rest = rest.slice(m.index! + m[0].length);
  }
  if (rest) parts.push(str(rest));
  return parts.length ? parts.join(' || ') : str(pattern);
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

