import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ACCEPTED_FILE, QUARANTINED_FILE } from '../datasets/datasetFiles.ts';

/** Column types of manifest.json as DuckDB reads it; explicit so every kind's manifest lands in one stable table. */
const manifestColumns = {
  manifestVersion: 'INTEGER',
  id: 'VARCHAR',
  kind: 'VARCHAR',
  key: 'VARCHAR',
  codeVersion: 'VARCHAR',
  inputs: 'JSON',
  configDigest: 'VARCHAR',
  parents: 'VARCHAR[]',
  files: 'STRUCT(path VARCHAR, sha256 VARCHAR, bytes BIGINT)[]',
  run: 'STRUCT(workflowId VARCHAR, runId VARCHAR, workflowType VARCHAR, activityId VARCHAR, activityType VARCHAR, attempt INTEGER, taskQueue VARCHAR, workerIdentity VARCHAR, host VARCHAR, gitCommit VARCHAR, gitDirty BOOLEAN, lockfileDigest VARCHAR, startedAt TIMESTAMPTZ, finishedAt TIMESTAMPTZ)',
  metrics: 'JSON',
  createdAt: 'TIMESTAMPTZ',
};

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * DuckDB as the query engine over the store: views over the manifests and over every dataset version's Parquet
 * files (`samples`, `quarantine`).
 * The database is in memory and rebuilt on open, so any number of workers write artifacts without a single-writer
 * catalog; the files stay the source of truth.
 */
export class Catalog {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  static async open(storeRoot: string): Promise<Catalog> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const catalog = new Catalog(instance, connection);
    await catalog.createViews(storeRoot);
    return catalog;
  }

  private async createViews(storeRoot: string): Promise<void> {
    const glob = path.join(storeRoot, 'artifacts', '*', '*', 'manifest.json');
    const found = await this.connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM glob(${sqlString(glob)})`);
    const n = Number(found.getRowObjectsJson()[0]?.n ?? 0);
    const columns = `{${Object.entries(manifestColumns).map(([k, t]) => `${sqlString(k)}: ${sqlString(t)}`).join(', ')}}`;
    const source =
      n > 0
        ? `read_json(${sqlString(glob)}, format = 'auto', columns = ${columns}, filename = true)`
        : `(SELECT ${Object.entries(manifestColumns).map(([k, t]) => `NULL::${t} AS "${k}"`).join(', ')}, NULL::VARCHAR AS filename WHERE false)`;
    await this.connection.run(`CREATE VIEW manifests AS SELECT * FROM ${source}`);
    await this.connection.run(`
      CREATE VIEW artifacts AS
      SELECT id, kind, codeVersion, createdAt, configDigest, parents, run.workflowId AS workflowId, run.runId AS runId,
             run.activityType AS activityType, run.attempt AS attempt, run.workerIdentity AS workerIdentity,
             run.gitCommit AS gitCommit, len(files)::INTEGER AS files, list_sum([f.bytes FOR f IN files]) AS bytes, metrics
      FROM manifests`);
    await this.connection.run(`CREATE VIEW artifact_files AS SELECT id, unnest(files, recursive := true) FROM manifests`);
    await this.connection.run(`CREATE VIEW artifact_edges AS SELECT id AS child, unnest(parents) AS parent FROM manifests`);
    // Runs are lineage nodes too: one row per activity attempt that produced artifacts.
    await this.connection.run(`
      CREATE VIEW runs AS
      SELECT run.workflowType AS workflowType, run.workflowId AS workflowId, run.runId AS runId, run.activityType AS activityType,
             run.activityId AS activityId, run.attempt AS attempt, run.workerIdentity AS workerIdentity, run.host AS host,
             run.startedAt AS startedAt, run.finishedAt AS finishedAt, list(id ORDER BY id) AS produced
      FROM manifests GROUP BY ALL`);
    // Everything downstream of an artifact (or a raw file's staging): SELECT * FROM lineage_down WHERE root = '<id>'.
    await this.connection.run(`
      CREATE VIEW lineage_down AS
      WITH RECURSIVE down(root, id) AS (
        SELECT id, id FROM manifests
        UNION
        SELECT d.root, e.child FROM down d JOIN artifact_edges e ON e.parent = d.id
      ) SELECT root, id FROM down WHERE id <> root`);
    // Every dataset version's rows, with the version id taken from the file's folder.
    for (const [view, file] of [['samples', ACCEPTED_FILE], ['quarantine', QUARANTINED_FILE]] as const) {
      const g = path.join(storeRoot, 'artifacts', 'dataset-version', '*', file);
      const has = Number((await this.connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM glob(${sqlString(g)})`)).getRowObjectsJson()[0]?.n ?? 0);
      if (has > 0) {
        await this.connection.run(
          `CREATE VIEW ${view} AS SELECT regexp_extract(filename, '(dataset-version-[0-9a-f]{24})', 1) AS dataset_version_id, * EXCLUDE (filename) FROM read_parquet(${sqlString(g)}, filename = true, union_by_name = true)`,
        );
      } else {
        await this.connection.run(`CREATE VIEW ${view} AS SELECT NULL::VARCHAR AS dataset_version_id WHERE false`);
      }
    }
  }

  /** Runs SQL and returns rows as JSON-safe objects (bigints and timestamps as strings). */
  async query(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
