import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, promises as fs, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { sha256Hex } from './sha256.ts';

/**
 * Content-addressed image blobs shared by every dataset version: `images/<2 hex>/<sha256>.png`. An image stored by
 * two datasets (HAM10000 inside ISIC 2019) is one file. Written to a temporary name and renamed, so a reader never
 * sees a partial image; file data is fsynced before the rename, and `flush` syncs the folders before the artifact
 * that references the images is committed.
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
    const dir = path.dirname(file);
    // Found already stored (maybe by a concurrent shard that has not flushed yet): its folder entry is synced too.
    this.pending.add(dir);
    if (existsSync(file)) return { sha256, added: false };
    if (!this.madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    // Data durable before the name appears: a visible image is always a complete one, even after a power loss.
    const fd = openSync(tmp, 'w');
    try {
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    return { sha256, added: true };
  }

  /** Makes the names of every image this writer added or relied on durable (their data already is). */
  async flush(): Promise<void> {
    for (const d of this.pending) {
      const fh = await fs.open(d, 'r');
      await fh.sync();
      await fh.close();
    }
    this.pending.clear();
  }
}
