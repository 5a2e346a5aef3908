import type { ArtifactStore } from '../store/ArtifactStore.ts';

/** The nearest ancestors of `id` of a kind (breadth-first over manifest parents), e.g. a checkpoint's dataset versions. */
export async function ancestorsOfKind(store: ArtifactStore, id: string, kind: string): Promise<string[]> {
  const seen = new Set<string>([id]);
  const found: string[] = [];
  let frontier = [id];
  while (frontier.length) {
    const next: string[] = [];
    for (const a of frontier) {
      const m = await store.require(a);
      for (const p of m.parents) {
        if (seen.has(p)) continue;
        seen.add(p);
        if ((await store.require(p)).kind === kind) found.push(p);
        else next.push(p);
      }
    }
    frontier = next;
  }
  return found.sort();
}
