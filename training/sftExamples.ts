import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { str } from '../datasets/sql.ts';
import { TRAJECTORIES_FILE } from '../distill/trajectorySetSpec.ts';
import { Rng } from '../datasets/synthetic/Rng.ts';
import type { ArtifactStore } from '../store/ArtifactStore.ts';

/** One trajectory as SFT reads it. */
export interface SftRow {
  trajectoryId: string;
  imageSha256: string;
  prompt: string;
  text: string;
  type: number;
  target: string;
}

/** The trajectory set's rows in a fixed order (its id), split into training and validation rows by image. */
export async function readSftRows(store: ArtifactStore, trajectorySetId: string, seed: string, valRatio: number): Promise<{ train: SftRow[]; val: SftRow[] }> {
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  try {
    const rows = (
      await con.runAndReadAll(
        `SELECT trajectory_id, image_sha256, prompt, text, type, target_node FROM read_parquet(${str(path.join(store.dirOf(trajectorySetId), TRAJECTORIES_FILE))}) ORDER BY trajectory_id`,
      )
    ).getRowObjectsJson();
    const all: SftRow[] = rows.map((r) => ({ trajectoryId: String(r.trajectory_id), imageSha256: String(r.image_sha256), prompt: String(r.prompt), text: String(r.text), type: Number(r.type), target: String(r.target_node) }));
    // By image, so no image is both trained on and validated on (as the method holds out 5 %); at least one image is
    // held out whenever there are two, so a small set still reports a validation loss.
    const draw = new Map<string, number>();
    for (const r of all) if (!draw.has(r.imageSha256)) draw.set(r.imageSha256, new Rng(`${seed}\u0000val\u0000${r.imageSha256}`).next());
    const held = new Set([...draw].filter(([, d]) => d < valRatio).map(([k]) => k));
    if (held.size === 0 && draw.size >= 2) held.add([...draw].sort((a, b) => a[1] - b[1])[0]![0]);
    return { train: all.filter((r) => !held.has(r.imageSha256)), val: all.filter((r) => held.has(r.imageSha256)) };
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

/** The order of an epoch: a seeded permutation of 0..n-1 (Fisher-Yates), the same on every machine. */
export function epochOrder(n: number, seed: string, epoch: number): number[] {
  return new Rng(`${seed}\u0000epoch\u0000${epoch}`).shuffle(Array.from({ length: n }, (_, i) => i));
}
