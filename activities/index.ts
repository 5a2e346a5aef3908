import type { ActivityDeps } from './ActivityDeps.ts';
import { makeCommitDatasetVersion } from './commitDatasetVersion.ts';
import { makeCommitTrajectorySet } from './commitTrajectorySet.ts';
import { makeDistillShard } from './distillShard.ts';
import { makeEvalPrepare } from './evalPrepare.ts';
import { makeEvalReport } from './evalReport.ts';
import { makeEvalShard } from './evalShard.ts';
import { makeHarmonizeShard } from './harmonizeShard.ts';
import { makeInspectDataset } from './inspectDataset.ts';
import { ping } from './ping.ts';
import { makePlanDistillation } from './planDistillation.ts';
import { makeRlEvaluate } from './rlEvaluate.ts';
import { makeRlPrepare } from './rlPrepare.ts';
import { makeRlReward } from './rlReward.ts';
import { makeRlRollout } from './rlRollout.ts';
import { makeRlUpdate } from './rlUpdate.ts';
import { makeSftPrepare } from './sftPrepare.ts';
import { makeSftShard } from './sftShard.ts';
import { makeSftValidate } from './sftValidate.ts';
import { makeStageMemo } from './stageMemo.ts';
import { makeWriteRunReport } from './writeRunReport.ts';
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
    rlPrepare: makeRlPrepare(deps),
    rlRollout: makeRlRollout(deps),
    rlReward: makeRlReward(deps),
    rlUpdate: makeRlUpdate(deps),
    rlEvaluate: makeRlEvaluate(deps),
    evalPrepare: makeEvalPrepare(deps),
    evalShard: makeEvalShard(deps),
    evalReport: makeEvalReport(deps),
    ...makeStageMemo(deps),
    writeRunReport: makeWriteRunReport(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
