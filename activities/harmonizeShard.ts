import path from 'node:path';
import { Context } from '@temporalio/activity';
import { DuckDBInstance } from '@duckdb/node-api';
import { SHARD_FILE, STAGED_FILE } from '../datasets/datasetFiles.ts';
import { ingestImage } from '../datasets/ingestImage.ts';
import { SHARD_CODE_VERSION } from '../datasets/onboardingIds.ts';
import { str } from '../datasets/sql.ts';
import { producingRun } from '../lineage/producingRun.ts';
import { ShardInputSchema, ShardResultSchema, type ShardInput, type ShardResult } from '../schemas/onboarding.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { ImageStore } from '../store/ImageStore.ts';
import type { ActivityDeps } from './ActivityDeps.ts';

/**
 * Onboarding step 2, one per shard: decode, validate and resize the shard's images with sharp and store them by
 * content hash; every failure becomes a reason code. The shard's results are an artifact, so a retried or repeated
 * shard is found and not redone. Heartbeats carry only counts.
 */
export function makeHarmonizeShard(deps: ActivityDeps) {
  return async function harmonizeShard(raw: ShardInput): Promise<ShardResult> {
    const { stagingId, shard, config } = parseInput(ShardInputSchema, raw, 'harmonizeShard input');
    const ctx = Context.current();
    const startedAt = new Date();
    const spec = {
      kind: 'dataset-shard',
      codeVersion: SHARD_CODE_VERSION,
      inputs: { stagingId, from: shard.from, to: shard.to },
      config: { imageSize: config.imageSize, maxImageBytes: config.maxImageBytes, maxImagePixels: config.maxImagePixels },
      parents: [stagingId],
    };
    const existing = await deps.store.find(spec);
    if (existing) return ShardResultSchema.parse({ shardId: existing.id, rows: existing.metrics.rows, ok: existing.metrics.ok, reused: true });

    const stagedFile = path.join(deps.store.dirOf(stagingId), STAGED_FILE);
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    try {
      const rows = (
        await con.runAndReadAll(
          `SELECT row_no, image_path, image_original_sha256 FROM read_parquet(${str(stagedFile)}) WHERE reason IS NULL AND row_no BETWEEN ${shard.from} AND ${shard.to} ORDER BY row_no`,
        )
      ).getRowObjectsJson();
      const images = new ImageStore(deps.store.root);
      const limits = { size: config.imageSize, maxBytes: config.maxImageBytes, maxPixels: config.maxImagePixels };
      await con.run('CREATE TABLE shard (row_no BIGINT, i_reason VARCHAR, i_detail VARCHAR, image_sha256 VARCHAR, image_width INTEGER, image_height INTEGER, image_format VARCHAR)');
      const app = await con.createAppender('shard');
      let ok = 0;
      for (const [i, r] of rows.entries()) {
        const res = await ingestImage(String(r.image_path), images, limits, String(r.image_original_sha256));
        app.appendBigInt(BigInt(Number(r.row_no)));
        if (res.ok) {
          ok++;
          app.appendNull();
          app.appendNull();
          app.appendVarchar(res.sha256);
          app.appendInteger(res.width);
          app.appendInteger(res.height);
          app.appendVarchar(res.format);
        } else {
          app.appendVarchar(res.reason);
          app.appendVarchar(res.detail);
          app.appendNull();
          app.appendNull();
          app.appendNull();
          app.appendNull();
        }
        app.endRow();
        ctx.heartbeat({ shard: shard.index, done: i + 1, total: rows.length });
      }
      app.closeSync();
      // Images must be durable before an artifact that names them is.
      await images.flush();
      const { manifest, reused } = await deps.store.commit(
        spec,
        () => producingRun(ctx.info, deps.workerIdentity, startedAt),
        async (dir) => {
          await con.run(`COPY (SELECT * FROM shard ORDER BY row_no) TO ${str(path.join(dir, SHARD_FILE))} (FORMAT parquet)`);
          return { rows: rows.length, ok };
        },
      );
      return ShardResultSchema.parse({ shardId: manifest.id, rows: rows.length, ok, reused });
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  };
}
