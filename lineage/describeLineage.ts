import { acceptedImages, type LineageImage } from './acceptedImages.ts';
import type { ArtifactManifest } from '../schemas/artifactManifest.ts';
import type { LineageGraph, RawSource } from './LineageGraph.ts';

export interface LineageView {
  id: string;
  artifacts: Array<{
    id: string;
    kind: string;
    parents: string[];
    files: Array<{ path: string; sha256: string; bytes: number }>;
    run: { workflowId: string; runId: string; activityType: string; attempt: number; workerIdentity: string; host: string; gitCommit: string; gitDirty: boolean; lockfileDigest: string; startedAt: string; finishedAt: string };
    codeVersion: string;
    configDigest: string;
    inputs: Record<string, unknown>;
    metrics: Record<string, unknown>;
  }>;
  rawSources: Array<RawSource & { stagingId: string }>;
  /** Every image of the dataset versions in the ancestry: the stored copy's digest and the raw file it came from. */
  images: LineageImage[];
}

/** The full ancestry of an artifact as data: manifests (files, runs, code, config) and the raw files at the bottom. */
export async function describeLineage(graph: LineageGraph, id: string): Promise<LineageView> {
  const ancestry = graph.ancestry(id);
  return {
    id,
    artifacts: ancestry.map((m) => ({
      id: m.id,
      kind: m.kind,
      parents: m.parents,
      files: m.files,
      run: { workflowId: m.run.workflowId, runId: m.run.runId, activityType: m.run.activityType, attempt: m.run.attempt, workerIdentity: m.run.workerIdentity, host: m.run.host, gitCommit: m.run.gitCommit, gitDirty: m.run.gitDirty, lockfileDigest: m.run.lockfileDigest, startedAt: m.run.startedAt, finishedAt: m.run.finishedAt },
      codeVersion: m.codeVersion,
      configDigest: m.configDigest,
      inputs: m.inputs,
      metrics: m.metrics,
    })),
    rawSources: await graph.rawSources(ancestry),
    images: (await Promise.all(ancestry.filter((m) => m.kind === 'dataset-version').map((m) => acceptedImages(graph.store, m.id)))).flat(),
  };
}

const short = (s: string) => `${s.slice(0, 12)}…`;
const isStep = (a: LineageView['artifacts'][number]) => a.kind === 'checkpoint' && (a.inputs.role === 'step' || a.inputs.role === 'shard');

/** The ancestry as an indented tree, each artifact once (later mentions point back), raw files under their staging. */
export function lineageTree(v: LineageView): string {
  const byId = new Map(v.artifacts.map((a) => [a.id, a]));
  const seen = new Set<string>();
  const lines: string[] = [];
  const visit = (id: string, depth: number) => {
    const a = byId.get(id);
    const pad = '  '.repeat(depth);
    if (!a) return void lines.push(`${pad}${id} (missing from the store)`);
    if (seen.has(id)) return void lines.push(`${pad}${id} (see above)`);
    seen.add(id);
    const metric = Object.entries(a.metrics).slice(0, 4).map(([k, val]) => `${k}=${typeof val === 'number' ? +val.toFixed(4) : val}`).join(' ');
    lines.push(`${pad}${a.id}  [${a.codeVersion}; ${a.run.activityType} attempt ${a.run.attempt} by ${a.run.workerIdentity}; git ${a.run.gitCommit.slice(0, 10)}${a.run.gitDirty ? '+dirty' : ''}]${metric ? `  ${metric}` : ''}`);
    for (const f of a.files.filter((f) => !f.path.includes('/'))) lines.push(`${pad}    file ${f.path} ${short(f.sha256)} ${f.bytes} B`);
    for (const s of v.rawSources.filter((r) => r.stagingId === id)) lines.push(`${pad}    raw ${s.role}: ${s.path} ${short(s.sha256)} ${s.bytes} B`);
    const imgs = v.images.filter((i) => i.datasetVersionId === id);
    if (imgs.length) lines.push(`${pad}    images: ${imgs.length}, e.g. ${imgs[0]!.originalPath} (raw ${short(imgs[0]!.originalSha256)}, stored ${short(imgs[0]!.sha256)}); all in --json`);
    let parents = a.parents;
    // A training run's step checkpoints form a long chain: fold it into one line and go on below it.
    let chain = 0;
    for (let p = byId.get(parents[0] ?? ''); p && isStep(p); p = byId.get(p.parents[0] ?? '')) {
      chain++;
      seen.add(p.id);
      parents = [p.parents[0]!, ...parents.slice(1).filter((x) => !p!.parents.includes(x)), ...p.parents.slice(1)];
    }
    if (chain) lines.push(`${pad}  (${chain} step checkpoints of the same run)`);
    for (const p of [...new Set(parents)]) visit(p, depth + 1);
  };
  visit(v.id, 0);
  return lines.join('\n');
}

/** Graphviz DOT: artifacts as boxes by kind, raw files as notes, edges from input to output. */
export function lineageDot(v: LineageView): string {
  const q = (s: string) => `"${s.replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
  const lines = ['digraph lineage {', '  rankdir=BT;', '  node [shape=box, fontname="Helvetica", fontsize=10];'];
  for (const a of v.artifacts) lines.push(`  ${q(a.id)} [label=${q(`${a.kind}\n${a.id.slice(a.kind.length + 1, a.kind.length + 13)}`)}${a.id === v.id ? ', style=bold' : ''}];`);
  for (const a of v.artifacts) for (const p of a.parents) lines.push(`  ${q(p)} -> ${q(a.id)};`);
  for (const s of v.rawSources) {
    const node = `raw:${s.sha256}`;
    lines.push(`  ${q(node)} [shape=note, label=${q(`${s.role}\n${s.path.split('/').slice(-2).join('/')}\n${s.sha256.slice(0, 12)}`)}];`);
    lines.push(`  ${q(node)} -> ${q(s.stagingId)};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

export function kinds(ms: ArtifactManifest[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of ms) out[m.kind] = (out[m.kind] ?? 0) + 1;
  return out;
}
