import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { KNOWLEDGE_FILE } from '../distill/trajectorySetSpec.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { contentOf } from '../knowledge/KnowledgeBase.ts';
import { CHECKPOINT_FILE, CheckpointFileSchema, WEIGHTS_FILE } from '../model/checkpointFiles.ts';
import { ArtifactManifestSchema, type ArtifactManifest } from '../schemas/artifactManifest.ts';
import { KnowledgeBaseSchema } from '../schemas/knowledge.ts';
import { keyFromDigest } from '../store/ArtifactStore.ts';
import { ImageStore } from '../store/ImageStore.ts';
import { sha256File, sha256Hex, sha256Json } from '../store/sha256.ts';
import { acceptedImages } from './acceptedImages.ts';
import type { LineageGraph } from './LineageGraph.ts';

export interface LineageProblem {
  /** What kind of change: a file of an artifact, a manifest, a raw source, a stored image, the hierarchy, a lost parent. */
  kind: 'artifact-file' | 'manifest' | 'content' | 'raw-source' | 'image' | 'hierarchy' | 'missing-parent';
  artifactId: string | null;
  message: string;
}

export interface LineageVerification {
  id: string;
  ok: boolean;
  artifactsChecked: number;
  filesChecked: number;
  rawSourcesChecked: number;
  imagesChecked: number;
  problems: LineageProblem[];
}

/**
 * Re-checks an artifact and its whole ancestry: every artifact file against its manifest; every manifest against its
 * own id (kind, code version, inputs, config digest); content that names itself (the knowledge base's content digest,
 * each checkpoint tensor's sha256); the raw files onboarding read, at the paths it recorded; every stored image by its
 * content hash; and the hierarchy the data was mapped with against the project's hierarchy file now.
 */
export async function verifyLineage(graph: LineageGraph, id: string, o: { images?: boolean; hierarchyFile?: string } = {}): Promise<LineageVerification> {
  const store = graph.store;
  const ancestry = graph.ancestry(id);
  const problems: LineageProblem[] = [];
  const add = (kind: LineageProblem['kind'], artifactId: string | null, message: string) => problems.push({ kind, artifactId, message });
  let filesChecked = 0;
  for (const m of ancestry) {
    for (const p of graph.missingParents(m.id)) add('missing-parent', m.id, `${m.id}: parent ${p} is not in the store`);
    const raw = JSON.parse(await readFile(path.join(store.dirOf(m.id), 'manifest.json'), 'utf8'));
    const parsed = ArtifactManifestSchema.safeParse(raw);
    if (!parsed.success) {
      add('manifest', m.id, `${m.id}: manifest.json is not a valid manifest (${parsed.error.issues[0]?.message})`);
      continue;
    }
    const { id: expected, key } = recomputeId(parsed.data);
    if (expected !== m.id || key !== parsed.data.key) add('manifest', m.id, `${m.id}: manifest inputs, code version or config digest changed (they now name ${expected})`);
    for (const p of await store.verify(m.id)) add('artifact-file', m.id, p);
    filesChecked += m.files.length;
    problems.push(...(await checkContent(store.dirOf(m.id), m)));
  }

  const raw = await graph.rawSources(ancestry);
  for (const s of raw) {
    if (!existsSync(s.path)) add('raw-source', s.stagingId, `raw ${s.role} file ${s.path} is missing (sha256 ${s.sha256.slice(0, 12)}…)`);
    else {
      const now = await sha256File(s.path);
      if (now.sha256 !== s.sha256) add('raw-source', s.stagingId, `raw ${s.role} file ${s.path} changed (sha256 ${now.sha256.slice(0, 12)}…, recorded ${s.sha256.slice(0, 12)}…)`);
    }
  }

  const h = Hierarchy.fromFile(o.hierarchyFile);
  for (const m of ancestry) {
    const recorded = (m.inputs.hierarchy as { sha256?: string } | string | undefined) ?? undefined;
    const digest = typeof recorded === 'string' ? recorded : recorded?.sha256;
    if (digest && digest !== h.digest) add('hierarchy', m.id, `${m.id} was made with hierarchy ${digest.slice(0, 12)}…, but ${h.source} is now ${h.digest.slice(0, 12)}… (version ${h.version})`);
  }

  let imagesChecked = 0;
  if (o.images !== false) {
    const images = new ImageStore(store.root);
    for (const m of ancestry.filter((a) => a.kind === 'dataset-version')) {
      for (const sha of new Set((await acceptedImages(store, m.id)).map((i) => i.sha256))) {
        imagesChecked++;
        const file = images.pathOf(sha);
        if (!existsSync(file)) add('image', m.id, `stored image ${sha.slice(0, 12)}… of ${m.id} is missing`);
        else if ((await sha256File(file)).sha256 !== sha) add('image', m.id, `stored image ${sha.slice(0, 12)}… of ${m.id} changed`);
      }
    }
  }
  return { id, ok: problems.length === 0, artifactsChecked: ancestry.length, filesChecked, rawSourcesChecked: raw.length, imagesChecked, problems };
}

/** The id a manifest's own fields name (the store's rule; the config is kept only as its digest). */
function recomputeId(m: ArtifactManifest): { id: string; key: string } {
  return keyFromDigest(m);
}

/** Artifacts whose content carries its own digests: the knowledge base and checkpoints. */
async function checkContent(dir: string, m: ArtifactManifest): Promise<LineageProblem[]> {
  const out: LineageProblem[] = [];
  try {
    if (m.kind === 'knowledge-base') {
      const data = KnowledgeBaseSchema.parse(JSON.parse(await readFile(path.join(dir, KNOWLEDGE_FILE), 'utf8')));
      if (sha256Json(contentOf(data)) !== m.inputs.content) out.push({ kind: 'content', artifactId: m.id, message: `${m.id}: knowledge.json no longer has the content digest the knowledge base was named by` });
    }
    if (m.kind === 'checkpoint') {
      const file = CheckpointFileSchema.parse(JSON.parse(await readFile(path.join(dir, CHECKPOINT_FILE), 'utf8')));
      const bin = await readFile(path.join(dir, WEIGHTS_FILE));
      for (const t of file.tensors) {
        if (sha256Hex(bin.subarray(t.offset, t.offset + t.bytes)) !== t.sha256) out.push({ kind: 'content', artifactId: m.id, message: `${m.id}: tensor ${t.group}:${t.name} in weights.bin does not match checkpoint.json` });
      }
    }
  } catch (e) {
    out.push({ kind: 'content', artifactId: m.id, message: `${m.id}: ${(e as Error).message.split('\n')[0]}` });
  }
  return out;
}
