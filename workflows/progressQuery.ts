import { defineQuery } from '@temporalio/workflow';
import type { StageProgress } from '../schemas/stageProgress.ts';

/** Every workflow answers this query; `skinr1 status` shows the answer. */
export const progressQuery = defineQuery<StageProgress>('progress');

/** Marks a stage's progress finished, adding what a reader wants to see at the end (the artifact id, counts). */
export function markDone(progress: StageProgress, detail: StageProgress['detail']): void {
  progress.stage = 'done';
  progress.state = 'done';
  progress.detail = { ...progress.detail, ...detail };
}
