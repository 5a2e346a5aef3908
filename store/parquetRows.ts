import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { str } from '../datasets/sql.ts';

/** Column name to DuckDB type, in file order. */
export type ParquetColumns = Record<string, string>;

async function withConnection<T>(con: DuckDBConnection | undefined, f: (con: DuckDBConnection) => Promise<T>): Promise<T> {
  if (con) return f(con);
  const instance = await DuckDBInstance.create(':memory:');
  const own = await instance.connect();
  try {
    return await f(own);
  } finally {
    own.closeSync();
    instance.closeSync();
  }
}

/**
 * Writes rows as Parquet through DuckDB (typed columns, zstd), by way of a newline-delimited JSON file in `scratch`
 * that is removed afterwards. Without a connection a short-lived in-memory DuckDB does it.
 */
export async function writeParquetRows(rows: object[], columns: ParquetColumns, file: string, scratch: string, con?: DuckDBConnection): Promise<void> {
  const ndjson = path.join(scratch, `.${path.basename(file)}.ndjson`);
  await writeFile(ndjson, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
  const cols = Object.entries(columns)
    .map(([k, t]) => `${str(k)}: ${str(t)}`)
    .join(', ');
  try {
    await withConnection(con, (c) => c.run(`COPY (SELECT * FROM read_json(${str(ndjson)}, format = 'newline_delimited', columns = {${cols}})) TO ${str(file)} (FORMAT parquet, COMPRESSION zstd)`));
  } finally {
    await rm(ndjson, { force: true });
  }
}

/** Every row of a Parquet file as plain JSON values (lists as arrays, structs as objects), in file order. */
export async function readParquetRows(file: string, con?: DuckDBConnection): Promise<Array<Record<string, unknown>>> {
  return withConnection(con, async (c) => (await c.runAndReadAll(`SELECT * FROM read_parquet(${str(file)})`)).getRowObjectsJson() as Array<Record<string, unknown>>);
}
