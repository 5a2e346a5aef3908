import { readFileSync } from 'node:fs';
import { ValidationError } from '../errors/ValidationError.ts';
import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { LabelMapFileSchema, type MalignancyBucket } from '../schemas/hierarchy.ts';
import { sha256Json } from '../store/sha256.ts';

export interface LabelTarget {
  nodes: string[];
  /** The bucket all target nodes share, or null for a set that spans buckets (or the root). */
  bucket: MalignancyBucket | null;
}

/** A dataset's raw label -> hierarchy node set, checked against the hierarchy when built. */
export class LabelMap {
  private constructor(
    readonly entries: ReadonlyMap<string, LabelTarget>,
    /** Digest of the canonical mapping: lineage records which mapping made each dataset version. */
    readonly digest: string,
  ) {}

  static fromRecord(map: Record<string, string[]>, hierarchy: Hierarchy, source: string): LabelMap {
    const entries = new Map<string, LabelTarget>();
    for (const [raw, nodes] of Object.entries(map)) {
      for (const n of nodes) {
        if (!hierarchy.has(n)) throw new ValidationError(`${source}: label "${raw}" maps to unknown hierarchy node "${n}" (hierarchy ${hierarchy.version})`);
      }
      entries.set(raw, { nodes, bucket: hierarchy.bucketOfSet(nodes) ?? null });
    }
    return new LabelMap(entries, sha256Json({ map, hierarchy: hierarchy.digest }));
  }

  static fromFile(file: string, hierarchy: Hierarchy): LabelMap {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ValidationError(`${file}: cannot read label map: ${(e as Error).message}`, { cause: e });
    }
    const parsed = LabelMapFileSchema.safeParse(json);
    if (!parsed.success) throw new ValidationError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return LabelMap.fromRecord(Object.fromEntries(Object.entries(parsed.data.labels).map(([k, v]) => [k, v.nodes])), hierarchy, file);
  }

  get(raw: string): LabelTarget | undefined {
    return this.entries.get(raw);
  }
}
