import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../devserver/projectRoot.ts';
import { HierarchyFileSchema, type HierarchyFile, type HierarchyNode, type MalignancyBucket } from '../schemas/hierarchy.ts';
import { sha256Hex } from '../store/sha256.ts';

export const defaultHierarchyFile = path.join(projectRoot, 'hierarchy', 'disease-hierarchy.json');

/** The catch-all node for labels such as Derm7pt "miscellaneous": a place in the tree, not a diagnosis. */
export const unspecifiedNode = 'unspecified_lesion';

/** Level names by depth below the root. */
export const levelNames = ['root', 'group', 'category', 'disease', 'subtype'] as const;

export class HierarchyError extends Error {
  override name = 'HierarchyError';
}

/**
 * The unified disease tree: paths, lowest common ancestors, depths, malignancy buckets and synonym lookup.
 * Built from the versioned data file and checked on load (one root, known parents, no cycles, at most 4 levels, every
 * node resolving to a bucket).
 */
export class Hierarchy {
  private readonly byId = new Map<string, HierarchyNode>();
  private readonly childrenOf = new Map<string, string[]>();
  private readonly pathCache = new Map<string, string[]>();
  private readonly bySynonym = new Map<string, string>();
  readonly rootId: string;

  private constructor(
    readonly file: HierarchyFile,
    /** sha256 of the data file's bytes: the hierarchy's identity in lineage. */
    readonly digest: string,
    readonly source: string,
  ) {
    const roots: string[] = [];
    for (const n of file.nodes) {
      if (this.byId.has(n.id)) throw new HierarchyError(`${source}: duplicate node id "${n.id}"`);
      this.byId.set(n.id, n);
      if (n.parent === null) roots.push(n.id);
    }
    if (roots.length !== 1) throw new HierarchyError(`${source}: expected exactly one root, found ${roots.length} (${roots.join(', ')})`);
    this.rootId = roots[0]!;
    for (const n of file.nodes) {
      if (n.parent === null) continue;
      if (!this.byId.has(n.parent)) throw new HierarchyError(`${source}: node "${n.id}" has unknown parent "${n.parent}"`);
      const list = this.childrenOf.get(n.parent) ?? [];
      list.push(n.id);
      this.childrenOf.set(n.parent, list);
    }
    for (const n of file.nodes) {
      const p = this.path(n.id);
      if (p.length - 1 > 4) throw new HierarchyError(`${source}: node "${n.id}" is ${p.length - 1} levels deep; at most 4 (group, category, disease, subtype)`);
      if (n.id !== this.rootId && this.bucket(n.id) === undefined) throw new HierarchyError(`${source}: node "${n.id}" has no malignancy bucket on its path`);
      for (const s of [n.name, ...n.synonyms]) {
        const key = normalizeTerm(s);
        const prev = this.bySynonym.get(key);
        if (prev && prev !== n.id) throw new HierarchyError(`${source}: term "${s}" names both "${prev}" and "${n.id}"`);
        this.bySynonym.set(key, n.id);
      }
      this.bySynonym.set(normalizeTerm(n.id), n.id);
    }
  }

  static fromFile(file = defaultHierarchyFile): Hierarchy {
    const bytes = readFileSync(file);
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      throw new HierarchyError(`${file}: not valid JSON: ${(e as Error).message}`);
    }
    const parsed = HierarchyFileSchema.safeParse(json);
    if (!parsed.success) {
      throw new HierarchyError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    return new Hierarchy(parsed.data, sha256Hex(bytes), file);
  }

  get version(): string {
    return this.file.version;
  }

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  node(id: string): HierarchyNode {
    const n = this.byId.get(id);
    if (!n) throw new HierarchyError(`unknown hierarchy node "${id}"`);
    return n;
  }

  children(id: string): string[] {
    this.node(id);
    return this.childrenOf.get(id) ?? [];
  }

  /** Ids from the root down to the node, both included. */
  path(id: string): string[] {
    const cached = this.pathCache.get(id);
    if (cached) return cached;
    const out: string[] = [];
    const seen = new Set<string>();
    for (let cur: string | null = id; cur !== null; cur = this.node(cur).parent) {
      if (seen.has(cur)) throw new HierarchyError(`${this.source}: cycle through "${cur}"`);
      seen.add(cur);
      out.push(cur);
    }
    out.reverse();
    this.pathCache.set(id, out);
    return out;
  }

  /** 0 for the root, 1 for a group, 2 category, 3 disease, 4 subtype. */
  depth(id: string): number {
    return this.path(id).length - 1;
  }

  level(id: string): (typeof levelNames)[number] {
    return levelNames[this.depth(id)]!;
  }

  isAncestorOrSelf(ancestor: string, id: string): boolean {
    return this.path(id).includes(ancestor);
  }

  /** The deepest node that is an ancestor of (or equal to) every given node. */
  lca(...ids: string[]): string {
    if (ids.length === 0) throw new HierarchyError('lca of no nodes');
    let common = this.path(ids[0]!);
    for (const id of ids.slice(1)) {
      const p = this.path(id);
      let i = 0;
      while (i < common.length && i < p.length && common[i] === p[i]) i++;
      common = common.slice(0, i);
    }
    return common[common.length - 1]!;
  }

  /** The node's own bucket, else its nearest ancestor's; undefined only for the root. */
  bucket(id: string): MalignancyBucket | undefined {
    const p = this.path(id);
    for (let i = p.length - 1; i >= 0; i--) {
      const b = this.node(p[i]!).bucket;
      if (b) return b;
    }
    return undefined;
  }

  /** The bucket a set of nodes (a bucket label such as HAM10000 `bkl`) implies: defined only when all members agree. */
  bucketOfSet(ids: string[]): MalignancyBucket | undefined {
    const buckets = new Set(ids.map((id) => this.bucket(id)));
    return buckets.size === 1 ? [...buckets][0] : undefined;
  }

  /** Finds a node by id, display name or synonym, ignoring case, spacing and punctuation. */
  lookup(term: string): string | undefined {
    return this.bySynonym.get(normalizeTerm(term));
  }

  /** Every node below `id` with no children (the finest labels a sample under it can have). */
  leaves(id: string): string[] {
    const kids = this.children(id);
    return kids.length === 0 ? [id] : kids.flatMap((k) => this.leaves(k));
  }

  nodes(): HierarchyNode[] {
    return this.file.nodes;
  }
}

export function normalizeTerm(s: string): string {
  return s
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
