import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, promises as fs, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256Hex } from './sha256.ts';

/**
 * Content-addressed image blobs shared by every dataset version: `images/<2 hex>/<sha256>.png`. An image stored by
 * two datasets (HAM10000 inside ISIC 2019) is one file. Written to a temporary name and renamed, so a reader never
 * sees a partial image; `flush` fsyncs what a writer added before the artifact that references them is committed.
 */
export class ImageStore {
  private readonly pending = new Set<string>();
  private readonly madeDirs = new Set<string>();

  constructor(readonly root: string) {}

  get dir(): string {
    return path.join(this.root, 'images');
  }

  pathOf(sha256: string): string {
    return path.join(this.dir, sha256.slice(0, 2), `${sha256}.png`);
  }

  /** Stores the bytes (if new) and returns their digest. Synchronous: a few tens of KB, and several calls per image. */
  put(bytes: Uint8Array): { sha256: string; added: boolean } {
    const sha256 = sha256Hex(bytes);
    const file = this.pathOf(sha256);
    if (existsSync(file)) return { sha256, added: false };
    const dir = path.dirname(file);
    if (!this.madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
    this.pending.add(file);
    return { sha256, added: true };
  }

  /** Makes every image added since the last flush durable. */
  async flush(): Promise<void> {
    const dirs = new Set<string>();
    for (const file of this.pending) {
      const fh = await fs.open(file, 'r');
      await fh.sync();
      await fh.close();
      dirs.add(path.dirname(file));
    }
    for (const d of dirs) {
      const fh = await fs.open(d, 'r');
      await fh.sync();
      await fh.close();
    }
    this.pending.clear();
  }
}
