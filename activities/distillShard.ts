import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { DuckDBInstance } from '@duckdb/node-api';
import { distillImages } from '../distill/distillImages.ts';
import { randomPoolOf } from '../distill/planTrajectories.ts';
import { conceptKeysByVersion, createEligibleImages, readDistillSamples } from '../distill/readDistillSamples.ts';
import { teacherSource } from '../distill/teacherSource.ts';
import { KNOWLEDGE_FILE, SHARD_STATS_FILE, SHARD_TRAJECTORIES_FILE, trajectoryShardSpec } from '../distill/trajectorySetSpec.ts';
import { writeTrajectoryParquet } from '../distill/writeTrajectoryParquet.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { KnowledgeBase } from '../knowledge/KnowledgeBase.ts';
import { producingRun } from '../lineage/producingRun.ts';
import { DistillShardInputSchema, DistillShardResultSchema, type DistillShardInput, type DistillShardResult, type ShardStats } from '../schemas/distill.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { sharedTeacherClient } from '../teacher/TeacherClient.ts';
import type { ActivityDeps } from './ActivityDeps.ts';

/** Above this share of failed teacher calls the shard is retried later instead of committing mostly fallback text. */
const MAX_TEACHER_FAILURE_RATE = 0.2;
const HEARTBEAT_MS = 5_000;

/**
 * Distillation step 2, one per shard: generate, verify and keep trajectories for a contiguous range of the eligible
 * images. The shard is an artifact, so a retried or repeated shard is found, not redone. Heartbeats carry counts only
 * and go out on a timer too, so a slow teacher call does not look like a dead worker.
 */
export function makeDistillShard(deps: ActivityDeps) {
  return async function distillShard(raw: DistillShardInput): Promise<DistillShardResult> {
    const { trajectorySetId, knowledgeBaseId, datasetVersionIds, shard, config } = parseInput(DistillShardInputSchema, raw, 'distillShard input');
    const ctx = Context.current();
    const startedAt = new Date();
    const spec = trajectoryShardSpec(trajectorySetId, knowledgeBaseId, datasetVersionIds, shard, config);
    const existing = await deps.store.find(spec);
    if (existing) return DistillShardResultSchema.parse({ shardId: existing.id, images: existing.metrics.images, count: existing.metrics.count, reused: true });

    const h = Hierarchy.fromFile();
    const kb = KnowledgeBase.fromData(JSON.parse(await readFile(path.join(deps.store.dirOf(knowledgeBaseId), KNOWLEDGE_FILE), 'utf8')), h);
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    let progress = { shard: shard.index, done: 0, total: shard.limit };
    const beat = setInterval(() => ctx.heartbeat(progress), HEARTBEAT_MS);
    try {
      await createEligibleImages(con, deps.store, datasetVersionIds, config.splits);
      const samples = await readDistillSamples(con, shard.offset, shard.limit);
      if (samples.length !== shard.limit) throw new Error(`shard ${shard.index} expected ${shard.limit} images at offset ${shard.offset}, found ${samples.length}: the inputs changed since planning`);
      const keys = await conceptKeysByVersion(con);
      const client = config.teacher ? sharedTeacherClient({ ...config.teacher, cacheDir: config.teacher.cacheDir ?? path.join(deps.store.root, 'cache', 'teacher') }) : null;
      const teacher = client ? teacherSource(client, kb, h) : undefined;
      const outcome = await distillImages(samples, {
        kb,
        h,
        config,
        conceptKeys: (v) => keys.get(v) ?? new Set(),
        randomPool: randomPoolOf(kb, h),
        teacher,
        onImage: (done) => {
          progress = { shard: shard.index, done, total: samples.length };
          ctx.heartbeat(progress);
        },
      });
      const t = teacher?.stats();
      if (t && t.calls > 0 && t.failures / t.calls > MAX_TEACHER_FAILURE_RATE) {
        // An outage must not be memoized as this set: fail the attempt; Temporal retries it with backoff.
        throw new Error(`the teacher failed ${t.failures} of ${t.calls} calls in shard ${shard.index}; retrying later rather than committing fallback text`);
      }
      const stats: ShardStats = {
        images: outcome.images,
        skipped: outcome.skipped,
        rejected: outcome.rejected,
        extraTypesUnavailable: outcome.extraTypesUnavailable,
        examples: outcome.examples,
        unmappedConcepts: outcome.unmappedConcepts,
        teacher: t ? { requests: t.requests, cacheHits: t.cacheHits, failures: t.failures, rejected: outcome.teacherRejected } : null,
      };
      const { manifest, reused } = await deps.store.commit(
        spec,
        () => producingRun(ctx.info, deps.workerIdentity, startedAt),
        async (dir) => {
          await writeTrajectoryParquet(con, outcome.records, path.join(dir, SHARD_TRAJECTORIES_FILE), dir);
          await writeFile(path.join(dir, SHARD_STATS_FILE), JSON.stringify(stats, null, 2) + '\n');
          return { images: outcome.images, count: outcome.records.length };
        },
      );
      return DistillShardResultSchema.parse({ shardId: manifest.id, images: outcome.images, count: outcome.records.length, reused });
    } finally {
      clearInterval(beat);
      con.closeSync();
      instance.closeSync();
    }
  };
}
