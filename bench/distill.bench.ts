/**
 * Distillation benchmarks on the project's knowledge base, in one run:
 * - distill (resolve, ground, plan, render, verify) in trajectories/s, with 2 extra types per image;
 * - render alone and verify alone on the same trajectories, so the verifier's share of the cost is visible;
 * - writing the trajectories as Parquet through DuckDB.
 * Images are generated: every disease the knowledge base knows, half of them annotated with Derm7pt- or SkinCon-style
 * concepts. `npm run bench:distill [-- --json] [-- --images N] [-- --repeats N]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { Rng } from '../datasets/synthetic/Rng.ts';
import { distillImages, type TrajectoryRecord } from '../distill/distillImages.ts';
import { groundSample } from '../distill/groundSample.ts';
import { planTrajectories, randomPoolOf } from '../distill/planTrajectories.ts';
import { renderTrajectory } from '../distill/renderTrajectory.ts';
import { verifyTrajectory } from '../distill/verifyTrajectory.ts';
import { writeTrajectoryParquet } from '../distill/writeTrajectoryParquet.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { conceptKey, defaultKnowledgeDir, KnowledgeBase } from '../knowledge/KnowledgeBase.ts';
import type { DistillSample } from '../schemas/distill.ts';
import { median, printTable } from './table.ts';

const { values: args } = parseArgs({ options: { json: { type: 'boolean' }, images: { type: 'string', default: '3000' }, repeats: { type: 'string', default: '5' } } });
const n = Number(args.images);
const repeats = Number(args.repeats);
const h = Hierarchy.fromFile();
const { kb } = KnowledgeBase.load(defaultKnowledgeDir, h);
const pool = randomPoolOf(kb, h);

const concepts = kb.data.features.flatMap((f) => f.concepts);
const keys = new Set(concepts.map(conceptKey));
const nodes = kb.diseases().map((e) => e.node);
const rng = new Rng('bench');
const samples: DistillSample[] = Array.from({ length: n }, (_, i) => ({
  datasetVersionId: 'dataset-version-000000000000000000000000',
  dataset: 'bench',
  sampleId: String(i),
  imageKey: 'img',
  imageSha256: '0'.repeat(64),
  split: 'train',
  modality: 'dermoscopic',
  labelNodes: [nodes[i % nodes.length]!],
  concepts: i % 2 ? concepts.filter(() => rng.chance(0.1)) : null,
  fitzpatrick: null,
}));

const time = async (fn: () => Promise<number> | number) => {
  const t0 = performance.now();
  const count = await fn();
  return { ms: performance.now() - t0, count };
};

const rows: Array<Record<string, string | number>> = [];
let records: TrajectoryRecord[] = [];
const distillMs: number[] = [];
const renderMs: number[] = [];
const verifyMs: number[] = [];
const writeMs: number[] = [];
const work = mkdtempSync(path.join(os.tmpdir(), 'skinr1-bench-distill-'));
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
try {
  for (let r = 0; r < repeats; r++) {
    const d = await time(async () => {
      records = (await distillImages(samples, { kb, h, config: { seed: `b${r}`, extraTypesPerSample: 2 }, conceptKeys: () => keys, randomPool: pool })).records;
      return records.length;
    });
    distillMs.push(d.ms);
    const plans = samples.flatMap((s) => {
      const g = groundSample(s.concepts, keys, kb, s.modality);
      return planTrajectories({ target: s.labelNodes[0]!, grounding: g, seed: `b${r}`, imageKey: s.sampleId, extra: 2 }, kb, h, pool);
    });
    let texts: string[] = [];
    renderMs.push((await time(() => (texts = plans.map((p) => renderTrajectory(p, kb, h))).length)).ms);
    verifyMs.push((await time(() => texts.filter((t, i) => verifyTrajectory(t, plans[i]!.target, plans[i]!.grounding, kb, h).ok).length)).ms);
    writeMs.push((await time(async () => (await writeTrajectoryParquet(con, records, path.join(work, `t${r}.parquet`), work), records.length))).ms);
  }
} finally {
  con.closeSync();
  inst.closeSync();
  rmSync(work, { recursive: true, force: true });
}
const per = (ms: number) => Math.round((records.length / ms) * 1000);
const md = median(distillMs);
rows.push(
  { step: 'distill (ground, plan, render, verify)', 'median ms': md.toFixed(0), 'trajectories/s': per(md), 'share of distill': '100%' },
  { step: 'render only', 'median ms': median(renderMs).toFixed(0), 'trajectories/s': per(median(renderMs)), 'share of distill': `${((median(renderMs) / md) * 100).toFixed(0)}%` },
  { step: 'verify only', 'median ms': median(verifyMs).toFixed(0), 'trajectories/s': per(median(verifyMs)), 'share of distill': `${((median(verifyMs) / md) * 100).toFixed(0)}%` },
  { step: 'write Parquet (DuckDB)', 'median ms': median(writeMs).toFixed(0), 'trajectories/s': per(median(writeMs)), 'share of distill': `${((median(writeMs) / md) * 100).toFixed(0)}%` },
);
if (args.json) console.log(JSON.stringify({ images: n, trajectories: records.length, repeats, rows }, null, 2));
else printTable(`Distillation: ${n} images -> ${records.length} trajectories, ${kb.diseases().length} diseases in the knowledge base, median of ${repeats}`, rows);
