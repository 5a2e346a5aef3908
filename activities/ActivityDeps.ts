import type { ArtifactStore } from '../store/ArtifactStore.ts';

/** What a worker hands its activities: the shared store and who it is (recorded in every manifest it writes). */
export interface ActivityDeps {
  store: ArtifactStore;
  workerIdentity: string;
}
