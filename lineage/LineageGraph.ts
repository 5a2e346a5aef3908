import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ArtifactManifest } from '../schemas/artifactManifest.ts';
import type { ArtifactStore } from '../store/ArtifactStore.ts';

/** A raw input file outside the store, as onboarding recorded it (staging artifact's sources.json). */
export const RawSourceSchema = z.object({ role: z.string(), path: z.string(), sha256: z.string(), bytes: z.number().int() });
export type RawSource = z.infer<typeof RawSourceSchema>;
const SourcesFileSchema = z.object({ sources: z.array(RawSourceSchema) });

export const SOURCES_FILE = 'sources.json';

/**
 * The lineage graph of a store: every manifest is a node, every parent link an edge (child -> parent), and the raw
 * files a staging artifact read are leaves. Built from the manifests on disk, not from Temporal history (which expires
 * and holds no data).
 */
export class LineageGraph {
  private readonly byId = new Map<string, ArtifactManifest>();
  private readonly children = new Map<string, string[]>();

  private constructor(
    readonly store: ArtifactStore,
    manifests: ArtifactManifest[],
  ) {
    for (const m of manifests) this.byId.set(m.id, m);
    for (const m of manifests) for (const p of m.parents) this.children.set(p, [...(this.children.get(p) ?? []), m.id]);
  }

  static async load(store: ArtifactStore): Promise<LineageGraph> {
    return new LineageGraph(store, await store.list());
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  manifest(id: string): ArtifactManifest {
    const m = this.byId.get(id);
    if (!m) throw new Error(`no artifact ${id} in the store ${this.store.root}`);
    return m;
  }

  /** The artifact and everything it was made from, nearest first (breadth-first, each once). */
  ancestry(id: string): ArtifactManifest[] {
    return this.walk(id, (m) => m.parents);
  }

  /** Everything made from the artifact, directly or not (what to redo if it is withdrawn), nearest first. */
  impact(id: string): ArtifactManifest[] {
    return this.walk(id, (m) => this.children.get(m.id) ?? []).slice(1);
  }

  private walk(id: string, next: (m: ArtifactManifest) => string[]): ArtifactManifest[] {
    const out: ArtifactManifest[] = [];
    const seen = new Set<string>();
    const queue = [id];
    while (queue.length) {
      const cur = queue.shift()!;
      if (seen.has(cur)) continue;
      seen.add(cur);
      const m = this.byId.get(cur);
      if (!m) {
        if (cur === id) this.manifest(cur);
        continue;
      }
      out.push(m);
      queue.push(...next(m));
    }
    return out;
  }

  /** Parents named by a manifest that are not in the store (deleted or never copied): a broken lineage. */
  missingParents(id: string): string[] {
    return this.manifest(id).parents.filter((p) => !this.byId.has(p));
  }

  /** The raw files (metadata, split files, label maps) the staging artifacts in an ancestry read. */
  async rawSources(ancestry: ArtifactManifest[]): Promise<Array<RawSource & { stagingId: string }>> {
    const out: Array<RawSource & { stagingId: string }> = [];
    for (const m of ancestry.filter((a) => a.kind === 'dataset-staging')) {
      const file = path.join(this.store.dirOf(m.id), SOURCES_FILE);
      const parsed = SourcesFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
      for (const s of parsed.sources) out.push({ ...s, stagingId: m.id });
    }
    return out;
  }
}
