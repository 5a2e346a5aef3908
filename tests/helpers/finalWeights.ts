import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CHECKPOINT_FILE, CheckpointFileSchema, weightsDigest } from '../../model/checkpointFiles.ts';
import type { ArtifactStore } from '../../store/ArtifactStore.ts';

/** The weights digest of a stored checkpoint: what "the same final weights" compares across runs. */
export function finalWeights(store: ArtifactStore, checkpointId: string): string {
  return weightsDigest(CheckpointFileSchema.parse(JSON.parse(readFileSync(path.join(store.dirOf(checkpointId), CHECKPOINT_FILE), 'utf8'))));
}
