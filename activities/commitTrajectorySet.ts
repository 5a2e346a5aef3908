import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { DuckDBInstance } from '@duckdb/node-api';
import { str } from '../datasets/sql.ts';
import { renderTrajectoryReport } from '../distill/renderTrajectoryReport.ts';
import { SHARD_STATS_FILE, SHARD_TRAJECTORIES_FILE, SUMMARY_FILE, TRAJECTORIES_FILE, trajectorySetSpec } from '../distill/trajectorySetSpec.ts';
import { producingRun } from '../lineage/producingRun.ts';
import { CommitTrajectoriesInputSchema, ShardStatsSchema, TrajectorySetSummarySchema, type CommitTrajectoriesInput, type ShardStats, type TrajectorySetSummary } from '../schemas/distill.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { artifactKey } from '../store/ArtifactStore.ts';
import type { ActivityDeps } from './ActivityDeps.ts';

const EXAMPLES_PER_REASON = 3;
const HEARTBEAT_MS = 5_000;

function addInto(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/**
 * Distillation step 3: merge the shards into one Parquet file (applying the per-diagnosis cap in a seeded order),
 * add up the counts, write the summary and a readable report, and commit the trajectory set under the planned id.
 */
export function makeCommitTrajectorySet(deps: ActivityDeps) {
  return async function commitTrajectorySet(raw: CommitTrajectoriesInput): Promise<TrajectorySetSummary> {
    const input = parseInput(CommitTrajectoriesInputSchema, raw, 'commitTrajectorySet input');
    const ctx = Context.current();
    const startedAt = new Date();
    const spec = trajectorySetSpec(input.knowledgeBaseId, input.datasetVersionIds, input.config);
    if (artifactKey(spec).id !== input.trajectorySetId) throw new Error(`trajectory set id mismatch: planned ${input.trajectorySetId}, commit computes ${artifactKey(spec).id}`);

    const stats: ShardStats[] = [];
    for (const id of input.shardIds) {
      const shard = await deps.store.require(id);
      if (shard.kind !== 'trajectory-shard' || shard.inputs.trajectorySetId !== input.trajectorySetId) throw new Error(`${id} is not a shard of ${input.trajectorySetId}`);
      stats.push(ShardStatsSchema.parse(JSON.parse(await readFile(path.join(deps.store.dirOf(id), SHARD_STATS_FILE), 'utf8'))));
    }
    const planned = Object.values(input.skipped).reduce((a, b) => a + b, 0);
    const read = stats.reduce((a, s) => a + s.images, 0);
    if (read + planned !== input.images) throw new Error(`counts do not reconcile: ${input.images} images planned, ${planned} skipped at planning, ${read} read by the shards`);
    const skipped: Record<string, number> = { ...input.skipped };
    const rejected: Record<string, number> = {};
    const unmapped: Record<string, number> = {};
    let teacher: ShardStats['teacher'] = null;
    let extraTypesUnavailable = 0;
    for (const s of stats) {
      extraTypesUnavailable += s.extraTypesUnavailable;
      addInto(skipped, s.skipped);
      addInto(rejected, s.rejected);
      addInto(unmapped, s.unmappedConcepts);
      if (s.teacher) {
        teacher ??= { requests: 0, cacheHits: 0, failures: 0, rejected: {} };
        for (const k of ['requests', 'cacheHits', 'failures'] as const) teacher[k] += s.teacher[k];
        addInto(teacher.rejected, s.teacher.rejected);
      }
    }

    // The same examples whatever the shard size: sorted, then the first few per reason.
    const examples = stats
      .flatMap((s) => s.examples)
      .sort((a, b) => a.reason.localeCompare(b.reason) || a.trajectory.localeCompare(b.trajectory))
      .filter((e, i, all) => all.slice(0, i).filter((x) => x.reason === e.reason).length < EXAMPLES_PER_REASON);

    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    let summary: TrajectorySetSummary | undefined;
    const beat = setInterval(() => ctx.heartbeat({ phase: 'merge' }), HEARTBEAT_MS);
    try {
      const files = input.shardIds.map((id) => str(path.join(deps.store.dirOf(id), SHARD_TRAJECTORIES_FILE)));
      const cap = input.config.maxPerDiagnosisPerType;
      ctx.heartbeat({ phase: 'merge' });
      await con.run(`CREATE TABLE ranked AS SELECT *, row_number() OVER (PARTITION BY target_node, type ORDER BY order_key) AS rank_in_group FROM read_parquet([${files.join(', ')}])`);
      const q = async (sql: string) => (await con.runAndReadAll(sql)).getRowObjectsJson();
      const keep = cap === null ? 'TRUE' : `rank_in_group <= ${cap}`;
      const total = Number((await q(`SELECT count(*)::BIGINT AS n FROM ranked`))[0]!.n);
      const { manifest } = await deps.store.commit(
        spec,
        () => producingRun(ctx.info, deps.workerIdentity, startedAt),
        async (dir) => {
          await con.run(`COPY (SELECT * EXCLUDE (rank_in_group, order_key) FROM ranked WHERE ${keep} ORDER BY dataset_version_id, sample_id, image_key, type) TO ${str(path.join(dir, TRAJECTORIES_FILE))} (FORMAT parquet, COMPRESSION zstd)`);
          const count = Number((await q(`SELECT count(*)::BIGINT AS n FROM ranked WHERE ${keep}`))[0]!.n);
          const byTypeRows = await q(`SELECT type::VARCHAR AS k, count(*)::INTEGER AS n FROM ranked WHERE ${keep} GROUP BY 1 ORDER BY 1`);
          const byType = Object.fromEntries(['1', '2', '3', '4', '5'].map((t) => [t, Number(byTypeRows.find((r) => r.k === t)?.n ?? 0)]));
          const grounded = Number((await q(`SELECT count(*)::BIGINT AS n FROM ranked WHERE ${keep} AND grounded`))[0]!.n);
          summary = TrajectorySetSummarySchema.parse({
            trajectorySetId: input.trajectorySetId,
            knowledgeBaseId: input.knowledgeBaseId,
            datasetVersionIds: [...new Set(input.datasetVersionIds)].sort(),
            reused: false,
            images: input.images,
            skipped,
            count,
            extraTypesUnavailable,
            byType,
            rejected,
            capped: total - count,
            grounded,
            teacher,
          });
          const byTarget = await q(`SELECT target_node AS k, count(*)::INTEGER AS n FROM ranked WHERE ${keep} GROUP BY 1 ORDER BY 2 DESC, 1`);
          const samples = await q(`SELECT type, target_node, start_node, dataset, grounded, text FROM ranked WHERE ${keep} QUALIFY row_number() OVER (PARTITION BY type ORDER BY order_key) = 1 ORDER BY type`);
          await writeFile(path.join(dir, SUMMARY_FILE), JSON.stringify(summary, null, 2) + '\n');
          await writeFile(
            path.join(dir, 'report.md'),
            renderTrajectoryReport(summary, {
              byTarget: Object.fromEntries(byTarget.map((r) => [String(r.k), Number(r.n)])),
              examples,
              unmappedConcepts: unmapped,
              samples: samples.map((r) => ({ type: Number(r.type), target: String(r.target_node), start: String(r.start_node), dataset: String(r.dataset), grounded: Boolean(r.grounded), text: String(r.text) })),
            }),
          );
          return { count, images: summary.images, grounded, capped: summary.capped, rejected: Object.values(rejected).reduce((a, b) => a + b, 0) };
        },
      );
      if (!summary) summary = TrajectorySetSummarySchema.parse({ ...JSON.parse(await readFile(path.join(deps.store.dirOf(manifest.id), SUMMARY_FILE), 'utf8')), reused: true });
      return summary;
    } finally {
      clearInterval(beat);
      con.closeSync();
      instance.closeSync();
    }
  };
}
