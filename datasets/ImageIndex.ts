import { promises as fs } from 'node:fs';
import path from 'node:path';

export type Resolution = { path: string; relative: string } | { reason: 'image_missing' | 'image_ambiguous' | 'image_path_unsafe'; detail: string };

/**
 * The files under a dataset's image folder, for resolving the references in its metadata: an exact relative path
 * first, then the same path ignoring case (Derm7pt mixes `FCl/` and `FCL/`, `.jpg` and `.JPG`), then a bare file name
 * anywhere below the root (PAD-UFES-20 spreads images over imgs_part_1..3). Symlinks that leave the root are refused.
 */
export class ImageIndex {
  private readonly byRel = new Map<string, string>();
  private readonly byRelLower = new Map<string, string[]>();
  private readonly byName = new Map<string, string[]>();
  private readonly byNameLower = new Map<string, string[]>();
  /** Relative paths, and bare names, of symlinks whose target is outside the root. */
  private readonly escaping = new Set<string>();
  private readonly escapingNames = new Set<string>();

  private constructor(readonly root: string) {}

  static async build(root: string): Promise<ImageIndex> {
    const index = new ImageIndex(path.resolve(root));
    let realRoot: string;
    try {
      realRoot = await fs.realpath(index.root);
    } catch {
      return index; // no image folder: every reference resolves to image_missing
    }
    const walk = async (rel: string): Promise<void> => {
      // A folder that cannot be listed fails the inspection (retried): silently skipping it would call its images missing.
      const entries = await fs.readdir(path.join(index.root, rel), { withFileTypes: true });
      for (const e of entries) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(r);
        else if (e.isSymbolicLink()) {
          const target = await fs.realpath(path.join(index.root, r)).catch(() => undefined);
          if (!target || !(target === realRoot || target.startsWith(realRoot + path.sep))) {
            index.escaping.add(r);
            index.escapingNames.add(e.name.toLowerCase());
          }
          else if ((await fs.stat(target)).isFile()) index.add(r);
        } else if (e.isFile()) index.add(r);
      }
    };
    await walk('');
    return index;
  }

  private add(rel: string): void {
    this.byRel.set(rel, rel);
    push(this.byRelLower, rel.toLowerCase(), rel);
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    push(this.byName, name, rel);
    push(this.byNameLower, name.toLowerCase(), rel);
  }

  get size(): number {
    return this.byRel.size;
  }

  resolve(ref: string): Resolution {
    const norm = ref.replaceAll('\\', '/').replace(/^\.\//, '');
    if (path.isAbsolute(ref) || /^[A-Za-z]:/.test(ref) || norm.split('/').includes('..')) {
      return { reason: 'image_path_unsafe', detail: `"${ref}" leaves the image folder` };
    }
    if (this.escaping.has(norm) || (!norm.includes('/') && this.escapingNames.has(norm.toLowerCase()))) return { reason: 'image_path_unsafe', detail: `"${ref}" is a symlink to outside the image folder` };
    const found = (rel: string): Resolution => ({ path: path.join(this.root, rel), relative: rel });
    if (this.byRel.has(norm)) return found(norm);
    const ci = this.byRelLower.get(norm.toLowerCase());
    if (ci?.length === 1) return found(ci[0]!);
    if (!norm.includes('/')) {
      for (const candidates of [this.byName.get(norm), this.byNameLower.get(norm.toLowerCase())]) {
        if (candidates?.length === 1) return found(candidates[0]!);
        if (candidates && candidates.length > 1) return { reason: 'image_ambiguous', detail: `"${ref}" matches ${candidates.length} files: ${candidates.slice(0, 3).join(', ')}` };
      }
    }
    if (ci && ci.length > 1) return { reason: 'image_ambiguous', detail: `"${ref}" matches ${ci.length} files ignoring case` };
    return { reason: 'image_missing', detail: `"${ref}" not found under ${this.root}` };
  }
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
