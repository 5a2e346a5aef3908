import { defineQuery } from '@temporalio/workflow';
import type { StageProgress } from '../schemas/stageProgress.ts';

/** Every workflow answers this query; `skinr1 status` shows the answer. */
export const progressQuery = defineQuery<StageProgress>('progress');
