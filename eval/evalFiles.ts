import path from 'node:path';
import { z } from 'zod';
import { BenchmarkItemSchema, type BenchmarkItem } from '../schemas/evaluation.ts';
import type { ArtifactStore } from '../store/ArtifactStore.ts';
import { readParquetRows, writeParquetRows } from '../store/parquetRows.ts';

export const QUESTIONS_FILE = 'questions.parquet';
export const PREDICTIONS_FILE = 'predictions.parquet';
export const EVALUATION_FILE = 'evaluation.json';

const questionColumns = {
  benchmark: 'VARCHAR',
  item_id: 'VARCHAR',
  dataset: 'VARCHAR',
  fitzpatrick: 'TINYINT',
  image_sha256: 'VARCHAR',
  path: 'VARCHAR[]',
  options: 'STRUCT(letter VARCHAR, text VARCHAR, node VARCHAR, score DOUBLE)[]',
  answer: 'VARCHAR',
  answer_class: 'VARCHAR',
  prompt: 'VARCHAR',
};

export function writeQuestions(qs: BenchmarkItem[], dir: string): Promise<void> {
  const rows = qs.map((q) => ({ benchmark: q.benchmark, item_id: q.itemId, dataset: q.dataset, fitzpatrick: q.fitzpatrick, image_sha256: q.imageSha256, path: q.path, options: q.options, answer: q.answer, answer_class: q.answerClass, prompt: q.prompt }));
  return writeParquetRows(rows, questionColumns, path.join(dir, QUESTIONS_FILE), dir);
}

/** An eval set's questions in file order (benchmark, then item id). */
export async function readQuestions(store: ArtifactStore, evalSetId: string): Promise<BenchmarkItem[]> {
  return (await readParquetRows(path.join(store.dirOf(evalSetId), QUESTIONS_FILE))).map((r) =>
    BenchmarkItemSchema.parse({ benchmark: r.benchmark, itemId: r.item_id, dataset: r.dataset, fitzpatrick: r.fitzpatrick ?? null, imageSha256: r.image_sha256, path: r.path, options: r.options, answer: r.answer, answerClass: r.answer_class, prompt: r.prompt }),
  );
}

/** A model's answer to one question, in question order within a shard. */
export const PredictionRowSchema = z.object({ index: z.number().int(), benchmark: z.string(), item_id: z.string(), completion: z.string() });
export type PredictionRow = z.infer<typeof PredictionRowSchema>;

export function writePredictions(rows: PredictionRow[], dir: string): Promise<void> {
  return writeParquetRows(rows, { index: 'INTEGER', benchmark: 'VARCHAR', item_id: 'VARCHAR', completion: 'VARCHAR' }, path.join(dir, PREDICTIONS_FILE), dir);
}

export async function readPredictions(store: ArtifactStore, id: string): Promise<PredictionRow[]> {
  return (await readParquetRows(path.join(store.dirOf(id), PREDICTIONS_FILE))).map((r) => PredictionRowSchema.parse(r));
}
