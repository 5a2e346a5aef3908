import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TOKENIZER_FILE } from '../model/checkpointFiles.ts';
import { Tokenizer, TokenizerFileSchema } from '../model/Tokenizer.ts';
import type { Example } from '../model/trainStep.ts';
import type { SftConfig } from '../schemas/model.ts';
import type { ArtifactStore } from '../store/ArtifactStore.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { withChoicePrompts } from './choicePrompt.ts';
import { ImageLoader } from './loadImage.ts';
import { readSftRows, type SftRow } from './sftExamples.ts';

export const VAL_RATIO = 0.05;

/** The examples SFT trains and validates on, tokenized, with the images loaded on demand. */
export interface SftData {
  tokenizer: Tokenizer;
  train: SftRow[];
  val: SftRow[];
  skippedTooLong: number;
  example(row: SftRow): Promise<Example>;
}

export async function loadTokenizer(store: ArtifactStore, tokenizerId: string): Promise<Tokenizer> {
  return new Tokenizer(TokenizerFileSchema.parse(JSON.parse(await readFile(path.join(store.dirOf(tokenizerId), TOKENIZER_FILE), 'utf8'))));
}

const cache = new Map<string, Promise<SftData>>();

/**
 * Rows of a trajectory set for SFT, the same on every worker: split into train and validation by image, and without
 * trajectories too long for the model (skipped and counted, never cut: the diagnosis is at the end). Memoized per
 * process, since every shard of every epoch reads the same set.
 */
export function sftData(store: ArtifactStore, trajectorySetId: string, tokenizerId: string, config: SftConfig): Promise<SftData> {
  const key = `${store.root}\u0000${trajectorySetId}\u0000${tokenizerId}\u0000${config.seed}\u0000${config.model.maxLen}\u0000${config.model.imageSize}\u0000${config.choicePromptShare}`;
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      const tokenizer = await loadTokenizer(store, tokenizerId);
      const rows = await readSftRows(store, trajectorySetId, config.seed, VAL_RATIO);
      const h = Hierarchy.fromFile();
      const train = withChoicePrompts(rows.train, h, config.seed, config.choicePromptShare);
      const val = withChoicePrompts(rows.val, h, config.seed, config.choicePromptShare);
      const fits = (r: SftRow) => tokenizer.encode(r.prompt).length + tokenizer.encode(r.text).length + 2 <= config.model.maxLen;
      const images = new ImageLoader(store.root, config.model.imageSize);
      const keptTrain = train.filter(fits);
      const keptVal = val.filter(fits);
      return {
        tokenizer,
        train: keptTrain,
        val: keptVal,
        skippedTooLong: train.length + val.length - keptTrain.length - keptVal.length,
        example: async (row) => ({ image: await images.load(row.imageSha256), prompt: tokenizer.encode(row.prompt), response: tokenizer.encode(row.text) }),
      };
    })();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}
