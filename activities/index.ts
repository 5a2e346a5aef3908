import type { ActivityDeps } from './ActivityDeps.ts';
import { makeCommitDatasetVersion } from './commitDatasetVersion.ts';
import { makeCommitTrajectorySet } from './commitTrajectorySet.ts';
import { makeDistillShard } from './distillShard.ts';
import { makeHarmonizeShard } from './harmonizeShard.ts';
import { makeInspectDataset } from './inspectDataset.ts';
import { ping } from './ping.ts';
import { makePlanDistillation } from './planDistillation.ts';
import { makeSftPrepare } from './sftPrepare.ts';
import { makeSftShard } from './sftShard.ts';
import { makeSftValidate } from './sftValidate.ts';
import { makeSmokeWork } from './smokeWork.ts';

/** Every activity the workers register; workflows import only `type Activities` from here. */
export function createActivities(deps: ActivityDeps) {
  return {
    smokeWork: makeSmokeWork(deps),
    ping,
    inspectDataset: makeInspectDataset(deps),
    harmonizeShard: makeHarmonizeShard(deps),
    commitDatasetVersion: makeCommitDatasetVersion(deps),
    planDistillation: makePlanDistillation(deps),
    distillShard: makeDistillShard(deps),
    commitTrajectorySet: makeCommitTrajectorySet(deps),
    sftPrepare: makeSftPrepare(deps),
    sftShard: makeSftShard(deps),
    sftValidate: makeSftValidate(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
