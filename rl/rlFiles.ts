import path from 'node:path';
import { z } from 'zod';
import { RewardBreakdownSchema, RlItemSchema, type RlItem } from '../schemas/rl.ts';
import type { ArtifactStore } from '../store/ArtifactStore.ts';
import { readParquetRows, writeParquetRows, type ParquetColumns } from '../store/parquetRows.ts';

export const ITEMS_FILE = 'items.parquet';
export const ROLLOUTS_FILE = 'rollouts.parquet';
export const REWARDS_FILE = 'rewards.parquet';
/** In an RL checkpoint: the metrics of every step since the previous checkpoint. */
export const RL_STEPS_FILE = 'rl-steps.json';

const itemColumns: ParquetColumns = {
  item_id: 'VARCHAR',
  dataset_version_id: 'VARCHAR',
  dataset: 'VARCHAR',
  sample_id: 'VARCHAR',
  image_key: 'VARCHAR',
  image_sha256: 'VARCHAR',
  split: 'VARCHAR',
  fitzpatrick: 'TINYINT',
  label_node: 'VARCHAR',
  path: 'VARCHAR[]',
  bucket: 'VARCHAR',
  options: 'STRUCT(letter VARCHAR, node VARCHAR, text VARCHAR, score DOUBLE)[]',
  answer: 'VARCHAR',
  prompt: 'VARCHAR',
};

export function writeItems(items: RlItem[], dir: string): Promise<void> {
  const rows = items.map((i) => ({
    item_id: i.itemId,
    dataset_version_id: i.datasetVersionId,
    dataset: i.dataset,
    sample_id: i.sampleId,
    image_key: i.imageKey,
    image_sha256: i.imageSha256,
    split: i.split,
    fitzpatrick: i.fitzpatrick,
    label_node: i.labelNode,
    path: i.path,
    bucket: i.bucket,
    options: i.options,
    answer: i.answer,
    prompt: i.prompt,
  }));
  return writeParquetRows(rows, itemColumns, path.join(dir, ITEMS_FILE), dir);
}

const itemsCache = new Map<string, Promise<RlItem[]>>();
/** An items artifact's rows, in item id order; memoized per process (every step of a run reads the same items). */
export function readItems(store: ArtifactStore, itemsId: string): Promise<RlItem[]> {
  const key = `${store.root}\u0000${itemsId}`;
  let p = itemsCache.get(key);
  if (!p) {
    p = readParquetRows(path.join(store.dirOf(itemsId), ITEMS_FILE)).then((rows) =>
      rows
        .map((r) =>
          RlItemSchema.parse({
            itemId: r.item_id,
            datasetVersionId: r.dataset_version_id,
            dataset: r.dataset,
            sampleId: r.sample_id,
            imageKey: r.image_key,
            imageSha256: r.image_sha256,
            split: r.split,
            fitzpatrick: r.fitzpatrick ?? null,
            labelNode: r.label_node,
            path: r.path,
            bucket: r.bucket,
            options: r.options,
            answer: r.answer,
            prompt: r.prompt,
          }),
        )
        .sort((a, b) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0)),
    );
    itemsCache.set(key, p);
    p.catch(() => itemsCache.delete(key));
  }
  return p;
}

/** One sampled completion: which item, which of its group, the tokens and text, and whether it ended with <eos>. */
export const RolloutRowSchema = z.object({
  item_id: z.string(),
  sample: z.number().int().min(0),
  tokens: z.array(z.number().int().min(0)),
  text: z.string(),
  ended: z.boolean(),
});
export type RolloutRow = z.infer<typeof RolloutRowSchema>;
const rolloutColumns: ParquetColumns = { item_id: 'VARCHAR', sample: 'INTEGER', tokens: 'INTEGER[]', text: 'VARCHAR', ended: 'BOOLEAN' };

export function writeRollouts(rows: RolloutRow[], dir: string): Promise<void> {
  return writeParquetRows(rows, rolloutColumns, path.join(dir, ROLLOUTS_FILE), dir);
}
export async function readRollouts(store: ArtifactStore, rolloutsId: string): Promise<RolloutRow[]> {
  return (await readParquetRows(path.join(store.dirOf(rolloutsId), ROLLOUTS_FILE))).map((r) => RolloutRowSchema.parse(r));
}

/** A completion's reward and its parts, in the rollouts' row order. */
export const RewardRowSchema = RewardBreakdownSchema.extend({ item_id: z.string(), sample: z.number().int().min(0) });
export type RewardRow = z.infer<typeof RewardRowSchema>;
const rewardColumns: ParquetColumns = { item_id: 'VARCHAR', sample: 'INTEGER', format: 'DOUBLE', option: 'DOUBLE', malignancy: 'DOUBLE', total: 'DOUBLE', choice: 'VARCHAR', correct: 'BOOLEAN' };

export function writeRewards(rows: RewardRow[], dir: string): Promise<void> {
  return writeParquetRows(rows, rewardColumns, path.join(dir, REWARDS_FILE), dir);
}
export async function readRewards(store: ArtifactStore, rewardsId: string): Promise<RewardRow[]> {
  return (await readParquetRows(path.join(store.dirOf(rewardsId), REWARDS_FILE))).map((r) => RewardRowSchema.parse(r));
}
