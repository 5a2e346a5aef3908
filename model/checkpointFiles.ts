import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { ModelConfigSchema, type ModelConfig } from '../schemas/model.ts';
import { sha256Hex } from '../store/sha256.ts';
import { AdamW, defaultAdamW } from './AdamW.ts';
import { uniqueName, type Params } from './initParams.ts';
import { Tokenizer, TokenizerFileSchema } from './Tokenizer.ts';

export const WEIGHTS_FILE = 'weights.bin';
export const CHECKPOINT_FILE = 'checkpoint.json';
export const TOKENIZER_FILE = 'tokenizer.json';

const TensorEntrySchema = z.object({
  name: z.string(),
  /** param: a weight; adam_m / adam_v: the optimizer's moments for the weight of the same name. */
  group: z.enum(['param', 'adam_m', 'adam_v']),
  shape: z.array(z.number().int().min(0)),
  dtype: z.literal('float32'),
  offset: z.number().int().min(0),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/** How the data order (SFT) or the sampling (RL) derives from the seed, recorded so a reader can redo it. */
export const SFT_RNG = 'sfc32, seeded by sha256(seed, epoch)';
export const RL_RNG = 'sfc32 per completion, seeded by sha256(seed, step, item, sample); item order by sha256(seed, epoch)';

/** Where training stands: enough to continue exactly (the order of an epoch derives from seed and epoch). */
export const TrainingStateSchema = z.object({
  /** Optimizer steps taken so far, over all epochs. */
  step: z.number().int().min(0),
  epoch: z.number().int().min(0),
  /** Examples of `epoch` (in its seeded order) already trained on. */
  position: z.number().int().min(0),
  seed: z.string(),
  rng: z.object({ algorithm: z.enum([SFT_RNG, RL_RNG]), epoch: z.number().int().min(0) }),
});
export type TrainingState = z.infer<typeof TrainingStateSchema>;

export const CheckpointFileSchema = z.object({
  format: z.literal('skinr1-checkpoint@1'),
  modelConfig: ModelConfigSchema,
  vocabSize: z.number().int().positive(),
  tokenizerDigest: z.string(),
  /** Digest of the training config that produced it (SFT or RL). */
  trainingConfigDigest: z.string(),
  backend: z.string(),
  state: TrainingStateSchema,
  optimizer: z.object({ type: z.literal('adamw'), beta1: z.number(), beta2: z.number(), eps: z.number(), weightDecay: z.number(), t: z.number().int().min(0) }),
  tensors: z.array(TensorEntrySchema),
});
export type CheckpointFile = z.infer<typeof CheckpointFileSchema>;

export interface LoadedCheckpoint {
  file: CheckpointFile;
  params: Params;
  optimizer: AdamW;
  tokenizer: Tokenizer;
}

/**
 * Writes a checkpoint into `dir`: every tensor (weights, then the optimizer's moments) as little-endian float32 in one
 * binary file, in name order, and a manifest with each tensor's shape, offset and sha256, the training state, the
 * optimizer settings and the tokenizer and config digests. The store makes the folder appear atomically.
 */
export async function writeCheckpoint(
  dir: string,
  c: { params: Params; optimizer: AdamW; tokenizer: Tokenizer; modelConfig: ModelConfig; trainingConfigDigest: string; backend: string; state: TrainingState },
): Promise<CheckpointFile> {
  const tensors: CheckpointFile['tensors'] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  const add = (name: string, group: 'param' | 'adam_m' | 'adam_v', t: tf.Tensor) => {
    const bytes = Buffer.from(new Float32Array(t.dataSync()).buffer);
    tensors.push({ name, group, shape: t.shape, dtype: 'float32', offset, bytes: bytes.length, sha256: sha256Hex(bytes) });
    chunks.push(bytes);
    offset += bytes.length;
  };
  const names = [...c.params.keys()].sort();
  for (const n of names) add(n, 'param', c.params.get(n)!);
  for (const n of names) if (c.optimizer.m.has(n)) add(n, 'adam_m', c.optimizer.m.get(n)!);
  for (const n of names) if (c.optimizer.v.has(n)) add(n, 'adam_v', c.optimizer.v.get(n)!);
  await writeFile(path.join(dir, WEIGHTS_FILE), Buffer.concat(chunks));
  await writeFile(path.join(dir, TOKENIZER_FILE), JSON.stringify(c.tokenizer.file));
  const file: CheckpointFile = {
    format: 'skinr1-checkpoint@1',
    modelConfig: c.modelConfig,
    vocabSize: c.tokenizer.size,
    tokenizerDigest: c.tokenizer.digest,
    trainingConfigDigest: c.trainingConfigDigest,
    backend: c.backend,
    state: c.state,
    optimizer: { type: 'adamw', ...c.optimizer.opts, t: c.optimizer.t },
    tensors,
  };
  await writeFile(path.join(dir, CHECKPOINT_FILE), JSON.stringify(CheckpointFileSchema.parse(file), null, 2) + '\n');
  return file;
}

/** Reads a checkpoint folder back, checking every tensor's digest; the weights become fresh variables. */
export async function readCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const file = CheckpointFileSchema.parse(JSON.parse(await readFile(path.join(dir, CHECKPOINT_FILE), 'utf8')));
  const bin = await readFile(path.join(dir, WEIGHTS_FILE));
  const tokenizer = new Tokenizer(TokenizerFileSchema.parse(JSON.parse(await readFile(path.join(dir, TOKENIZER_FILE), 'utf8'))));
  if (tokenizer.digest !== file.tokenizerDigest) throw new Error(`${dir}: tokenizer.json does not match the checkpoint's tokenizer digest`);
  const params: Params = new Map();
  const { t, type: _type, ...opts } = file.optimizer;
  const optimizer = new AdamW({ ...defaultAdamW, ...opts });
  optimizer.t = t;
  for (const e of file.tensors) {
    const bytes = bin.subarray(e.offset, e.offset + e.bytes);
    if (bytes.length !== e.bytes || sha256Hex(bytes) !== e.sha256) throw new Error(`${dir}: tensor ${e.group}:${e.name} does not match its sha256 (the weights file changed)`);
    const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    const tensor = tf.tensor(values, e.shape, 'float32');
    if (e.group === 'param') {
      params.set(e.name, tf.variable(tensor, true, uniqueName(e.name)));
      tensor.dispose();
    } else (e.group === 'adam_m' ? optimizer.m : optimizer.v).set(e.name, tensor);
  }
  return { file, params, optimizer, tokenizer };
}

/** sha256 over the weights alone (not the optimizer): what "the same checkpoint" means when comparing runs. */
export function weightsDigest(file: CheckpointFile): string {
  return sha256Hex(file.tensors.filter((t) => t.group === 'param').map((t) => `${t.name}:${t.sha256}`).join('\n'));
}
