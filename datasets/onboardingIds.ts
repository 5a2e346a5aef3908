import path from 'node:path';
import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import type { OnboardConfig } from '../schemas/onboarding.ts';
import type { ArtifactSpec } from '../store/ArtifactStore.ts';
import { sha256Json } from '../store/sha256.ts';
import type { Inspection } from './inspectSource.ts';

export const STAGING_CODE_VERSION = 'dataset-staging@1';
export const SHARD_CODE_VERSION = 'dataset-shard@1';
export const VERSION_CODE_VERSION = 'dataset-version@1';

/** The spec with file locations reduced to names: where a copy of the data lives does not change what it is. */
function specContent(ins: Inspection): unknown {
  const s = ins.spec;
  return {
    ...s,
    metadata: { ...s.metadata, file: path.basename(s.metadata.file) },
    joins: s.joins.map((j) => ({ ...j, file: path.basename(j.file) })),
    imageRoot: '.',
    split: s.split && 'indexFiles' in s.split ? { ...s.split, indexFiles: Object.fromEntries(Object.entries(s.split.indexFiles).map(([k, f]) => [k, path.basename(f)])) } : s.split,
    label: { ...s.label, mapFile: undefined },
  };
}

/**
 * Identities of the onboarding artifacts. The staging artifact holds absolute image paths, so its id includes them;
 * the dataset version is pure content (file digests, image digests, mapping, hierarchy, config), so the same data
 * onboarded from another folder or machine is the same version and is not redone.
 */
export function onboardingIds(ins: Inspection, hierarchy: Hierarchy): { staging: ArtifactSpec; versionInputs: Record<string, unknown> } {
  const sources = ins.sources.map((s) => ({ role: s.role, sha256: s.sha256, bytes: s.bytes }));
  const versionInputs = {
    dataset: ins.spec.name,
    spec: sha256Json(specContent(ins)),
    sources,
    staged: ins.stagedDigest,
    labelMap: ins.labels.digest,
    hierarchy: { version: hierarchy.version, sha256: hierarchy.digest },
  };
  const staging: ArtifactSpec = {
    kind: 'dataset-staging',
    codeVersion: STAGING_CODE_VERSION,
    inputs: { ...versionInputs, spec: sha256Json(ins.spec) },
    config: {},
  };
  return { staging, versionInputs };
}

export function versionSpec(versionInputs: Record<string, unknown>, config: OnboardConfig, parents: string[]): ArtifactSpec {
  // The shard size changes how the work is cut, not the result, so it is not part of the identity.
  const { shardSize: _shardSize, ...identity } = config;
  return { kind: 'dataset-version', codeVersion: VERSION_CODE_VERSION, inputs: versionInputs, config: identity, parents };
}
