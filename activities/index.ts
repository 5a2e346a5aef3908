import type { ActivityDeps } from './ActivityDeps.ts';
import { ping } from './ping.ts';
import { makeSmokeWork } from './smokeWork.ts';

/** Every activity the workers register; workflows import only `type Activities` from here. */
export function createActivities(deps: ActivityDeps) {
  return {
    smokeWork: makeSmokeWork(deps),
    ping,
  };
}

export type Activities = ReturnType<typeof createActivities>;
