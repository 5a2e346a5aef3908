import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { DuckDBInstance } from '@duckdb/node-api';
import { distillImages } from '../distill/distillImages.ts';
import { randomPoolOf } from '../distill/planTrajectories.ts';
import { datasetConceptKeys, readDistillSamples } from '../distill/readDistillSamples.ts';
import { teacherSource } from '../distill/teacherSource.ts';
import { writeTrajectoryParquet } from '../distill/writeTrajectoryParquet.ts';
import { KNOWLEDGE_FILE, SHARD_STATS_FILE, SHARD_TRAJECTORIES_FILE, trajectoryShardSpec } from '../distill/trajectorySetSpec.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { KnowledgeBase } from '../knowledge/KnowledgeBase.ts';
import { producingRun } from '../lineage/producingRun.ts';
import { DistillShardInputSchema, DistillShardResultSchema, type DistillShardInput, type DistillShardResult } from '../schemas/distill.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { TeacherClient } from '../teacher/TeacherClient.ts';
import type { ActivityDeps } from './ActivityDeps.ts';

/**
 * Distillation step 2, one per shard: generate, verify and keep trajectories for a contiguous range of a dataset
 * version's images. The shard is an artifact, so a retried or repeated shard is found, not redone. Heartbeats carry
 * counts only, and the loop yields to the event loop so they are sent while the shard works.
 */
export function makeDistillShard(deps: ActivityDeps) {
  return async function distillShard(raw: DistillShardInput): Promise<DistillShardResult> {
    const { trajectorySetId, knowledgeBaseId, shard, config } = parseInput(DistillShardInputSchema, raw, 'distillShard input');
    const ctx = Context.current();
    const startedAt = new Date();
    const spec = trajectoryShardSpec(trajectorySetId, knowledgeBaseId, shard, config);
    const existing = await deps.store.find(spec);
    if (existing) return DistillShardResultSchema.parse({ shardId: existing.id, images: existing.metrics.images, count: existing.metrics.count, reused: true });

    const h = Hierarchy.fromFile();
    const kb = KnowledgeBase.fromData(JSON.parse(await readFile(path.join(deps.store.dirOf(knowledgeBaseId), KNOWLEDGE_FILE), 'utf8')), h);
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    try {
      const samples = await readDistillSamples(con, deps.store, shard.datasetVersionId, config.splits, shard.offset, shard.limit);
      const keys = await datasetConceptKeys(con, deps.store, shard.datasetVersionId);
      const client = config.teacher ? new TeacherClient({ ...config.teacher, cacheDir: config.teacher.cacheDir ?? path.join(deps.store.root, 'cache', 'teacher') }) : null;
      const teacher = client ? teacherSource(client, kb, h) : undefined;
      const outcome = await distillImages(samples, {
        kb,
        h,
        config,
        conceptKeys: () => keys,
        randomPool: randomPoolOf(kb, h),
        teacher,
        onImage: (done) => {
          ctx.heartbeat({ shard: shard.index, done, total: samples.length });
        },
      });
      const teacherStats = client ? { requests: client.stats().requests, cacheHits: client.stats().cacheHits, failures: teacher!.failures(), rejected: outcome.teacherRejected } : null;
      const { manifest, reused } = await deps.store.commit(
        spec,
        () => producingRun(ctx.info, deps.workerIdentity, startedAt),
        async (dir) => {
          await writeTrajectoryParquet(con, outcome.records, path.join(dir, SHARD_TRAJECTORIES_FILE), dir);
          const stats = { images: outcome.images, skipped: outcome.skipped, rejected: outcome.rejected, examples: outcome.examples, unmappedConcepts: outcome.unmappedConcepts, teacher: teacherStats };
          await writeFile(path.join(dir, SHARD_STATS_FILE), JSON.stringify(stats, null, 2) + '\n');
          return { images: outcome.images, count: outcome.records.length };
        },
      );
      return DistillShardResultSchema.parse({ shardId: manifest.id, images: outcome.images, count: outcome.records.length, reused });
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  };
}
