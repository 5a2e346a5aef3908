import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ArtifactIdSchema,
  ArtifactKindSchema,
  ArtifactManifestSchema,
  type ArtifactFile,
  type ArtifactId,
  type ArtifactManifest,
  type ProducingRun,
} from '../schemas/artifactManifest.ts';
import { sha256File, sha256Json } from './sha256.ts';

/** What an artifact is derived from. Equal specs give equal ids, which is what makes a repeated step a cache hit. */
export interface ArtifactSpec {
  kind: string;
  /** Version of the producing step's logic, e.g. "smoke@1". */
  codeVersion: string;
  /** Digests of input files/artifacts and small input values. Never rows or tensors. */
  inputs: Record<string, unknown>;
  /** The step's config; only its digest is kept in the key, the manifest records the digest. */
  config: unknown;
  parents?: ArtifactId[];
}

export interface CommitResult {
  manifest: ArtifactManifest;
  /** True when an artifact with this id already existed and the writer was not called. */
  reused: boolean;
  dir: string;
}

export type Metrics = ArtifactManifest['metrics'];

export const MANIFEST_FILE = 'manifest.json';

export function artifactKey(spec: ArtifactSpec): { id: ArtifactId; key: string; configDigest: string } {
  ArtifactKindSchema.parse(spec.kind);
  const configDigest = sha256Json(spec.config ?? null);
  return { ...keyFromDigest({ kind: spec.kind, codeVersion: spec.codeVersion, inputs: spec.inputs, configDigest }), configDigest };
}

/** The id rule itself, from a config digest: what `lineage verify` recomputes from a manifest's own fields. */
export function keyFromDigest(f: { kind: string; codeVersion: string; inputs: Record<string, unknown>; configDigest: string }): { id: ArtifactId; key: string } {
  const key = sha256Json({ kind: f.kind, codeVersion: f.codeVersion, inputs: f.inputs, configDigest: f.configDigest });
  return { id: `${f.kind}-${key.slice(0, 24)}`, key };
}

export function kindOfId(id: string): string {
  ArtifactIdSchema.parse(id);
  return id.slice(0, -25);
}

/**
 * Content-addressed, immutable artifacts under one root: `artifacts/<kind>/<id>/` holds the files and `manifest.json`.
 * Writers fill a private temporary folder under `tmp/`; the folder is renamed into place only once complete, so a crash
 * or a retried activity never leaves a half-written artifact, and two racing writers of the same id keep one copy.
 */
export class ArtifactStore {
  constructor(readonly root: string) {}

  get artifactsDir(): string {
    return path.join(this.root, 'artifacts');
  }

  get tmpDir(): string {
    return path.join(this.root, 'tmp');
  }

  dirOf(id: ArtifactId): string {
    return path.join(this.artifactsDir, kindOfId(id), id);
  }

  /** The manifest of an artifact, or undefined when it does not exist. A present but invalid manifest throws. */
  async get(id: ArtifactId): Promise<ArtifactManifest | undefined> {
    const file = path.join(this.dirOf(id), MANIFEST_FILE);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const parsed = ArtifactManifestSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new Error(`${file}: invalid manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    return parsed.data;
  }

  async require(id: ArtifactId): Promise<ArtifactManifest> {
    const m = await this.get(id);
    if (!m) throw new Error(`artifact ${id} not found in store ${this.root}`);
    return m;
  }

  /** The existing artifact for this spec, if any: the memoization lookup a step does before working. */
  async find(spec: ArtifactSpec): Promise<ArtifactManifest | undefined> {
    return this.get(artifactKey(spec).id);
  }

  /** A fresh private folder under the store's tmp/ (same filesystem, so the final rename is atomic). */
  async scratchDir(label: string): Promise<string> {
    // Host and pid in the name let cleanScratch tell a dead writer's leftovers from a live writer's work.
    const dir = path.join(this.tmpDir, `${label}.${os.hostname()}.${process.pid}.${randomBytes(6).toString('hex')}`);
    await fs.mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Commits the artifact for `spec`: when it exists, returns it untouched (reused); otherwise calls `write(dir)` to fill
   * a temporary folder, digests every file, writes the manifest and renames the folder into place.
   */
  async commit(
    spec: ArtifactSpec,
    run: ProducingRun | (() => ProducingRun),
    write: (dir: string) => Promise<Metrics | void>,
  ): Promise<CommitResult> {
    const { id, key, configDigest } = artifactKey(spec);
    const finalDir = this.dirOf(id);
    const existing = await this.get(id);
    if (existing) return { manifest: existing, reused: true, dir: finalDir };

    const tmp = await this.scratchDir(id);
    try {
      const metrics = (await write(tmp)) ?? {};
      // Durable before visible: every file and folder is fsynced before the rename publishes the artifact.
      const files = await this.digestTree(tmp, { fsync: true });
      const manifest = ArtifactManifestSchema.parse({
        manifestVersion: 1,
        id,
        kind: spec.kind,
        key,
        codeVersion: spec.codeVersion,
        inputs: spec.inputs,
        configDigest,
        parents: spec.parents ?? [],
        files,
        run: typeof run === 'function' ? run() : run,
        metrics,
        createdAt: new Date().toISOString(),
      });
      await writeFileDurable(path.join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
      await fsyncPath(tmp);
      if (!(await exists(path.dirname(finalDir)))) {
        await fs.mkdir(path.dirname(finalDir), { recursive: true });
        await fsyncPath(this.artifactsDir);
      }
      try {
        await fs.rename(tmp, finalDir);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
        // Another attempt committed the same id first; its artifact is equivalent by construction.
        await fs.rm(tmp, { recursive: true, force: true });
        return { manifest: await this.require(id), reused: true, dir: finalDir };
      }
      await fsyncPath(path.dirname(finalDir));
      return { manifest, reused: false, dir: finalDir };
    } catch (e) {
      await fs.rm(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  /** Re-hashes an artifact's files against its manifest; returns one line per changed, missing or extra file. */
  async verify(id: ArtifactId): Promise<string[]> {
    const manifest = await this.require(id);
    const dir = this.dirOf(id);
    const problems: string[] = [];
    const actual = new Map((await this.digestTree(dir)).map((f) => [f.path, f]));
    for (const f of manifest.files) {
      const a = actual.get(f.path);
      if (!a) problems.push(`${id}: missing file ${f.path}`);
      else if (a.sha256 !== f.sha256) problems.push(`${id}: changed file ${f.path} (sha256 ${a.sha256.slice(0, 12)}…, manifest says ${f.sha256.slice(0, 12)}…)`);
      actual.delete(f.path);
    }
    for (const extra of actual.keys()) problems.push(`${id}: extra file ${extra}`);
    return problems;
  }

  /** Every committed manifest (the catalog's views read the same files with DuckDB). */
  async list(kind?: string): Promise<ArtifactManifest[]> {
    const kinds = kind ? [kind] : await readdirOrEmpty(this.artifactsDir);
    const out: ArtifactManifest[] = [];
    for (const k of kinds) {
      for (const id of await readdirOrEmpty(path.join(this.artifactsDir, k))) {
        const m = await this.get(id);
        if (m) out.push(m);
      }
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /**
   * Removes scratch folders whose writer process on this host is gone (killed mid-write); they are never part of a
   * committed artifact. Folders of live writers and of other hosts sharing the store are left alone.
   */
  async cleanScratch(): Promise<number> {
    let removed = 0;
    const host = os.hostname();
    for (const name of await readdirOrEmpty(this.tmpDir)) {
      const m = name.match(/\.([^.]+)\.(\d+)\.[0-9a-f]{12}$/);
      if (!m || m[1] !== host || isAlive(Number(m[2]))) continue;
      await fs.rm(path.join(this.tmpDir, name), { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  private async digestTree(dir: string, opts: { fsync?: boolean } = {}): Promise<ArtifactFile[]> {
    const files: ArtifactFile[] = [];
    const walk = async (rel: string): Promise<void> => {
      for (const ent of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
        const r = rel ? `${rel}/${ent.name}` : ent.name;
        if (ent.isDirectory()) {
          await walk(r);
          if (opts.fsync) await fsyncPath(path.join(dir, r));
        } else if (r !== MANIFEST_FILE) {
          if (opts.fsync) await fsyncPath(path.join(dir, r));
          files.push({ path: r, ...(await sha256File(path.join(dir, r))) });
        }
      }
    };
    await walk('');
    return files.sort((a, b) => a.path.localeCompare(b.path));
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Writes and fsyncs a file so a manifest that exists after a crash is a complete one. */
export async function writeFileDurable(file: string, data: string | Uint8Array): Promise<void> {
  const fh = await fs.open(file, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

/** fsync of a file or a folder (a folder's entry list is what makes a rename or a new file durable). */
async function fsyncPath(p: string): Promise<void> {
  const fh = await fs.open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
