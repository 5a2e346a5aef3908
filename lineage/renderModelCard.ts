import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readDatasetReport } from '../datasets/datasetFiles.ts';
import { SUMMARY_FILE } from '../distill/trajectorySetSpec.ts';
import { CHECKPOINT_FILE, CheckpointFileSchema, weightsDigest } from '../model/checkpointFiles.ts';
import { TrajectorySetSummarySchema } from '../schemas/distill.ts';
import type { ArtifactManifest } from '../schemas/artifactManifest.ts';
import type { LineageGraph } from './LineageGraph.ts';
import { SOURCES_FILE } from './LineageGraph.ts';

const fmt = (v: unknown) => (typeof v === 'number' ? String(+v.toFixed(4)) : String(v));

/**
 * The model card of a checkpoint, generated from its lineage: what data (with licences and counts), which hierarchy
 * and knowledge base, which trajectories, how it was trained (config, runs, code), what it measured, and what it
 * cannot be trusted for. Everything in it is read from the store, so it cannot drift from the artifacts.
 */
export async function renderModelCard(graph: LineageGraph, checkpointId: string): Promise<string> {
  const store = graph.store;
  const m = graph.manifest(checkpointId);
  if (m.kind !== 'checkpoint') throw new Error(`${checkpointId} is a ${m.kind}, not a checkpoint`);
  const ck = CheckpointFileSchema.parse(JSON.parse(await readFile(path.join(store.dirOf(checkpointId), CHECKPOINT_FILE), 'utf8')));
  const ancestry = graph.ancestry(checkpointId);
  const of = (kind: string) => ancestry.filter((a) => a.kind === kind);
  const epochs = of('checkpoint').filter((c) => c.inputs.role === 'epoch').sort((a, b) => Number(a.metrics.epoch) - Number(b.metrics.epoch));

  const datasets: string[] = [];
  for (const dv of of('dataset-version')) {
    const report = await readDatasetReport(store, dv.id);
    const staging = ancestry.find((a) => a.kind === 'dataset-staging' && dv.parents.includes(a.id));
    let licence = 'not recorded';
    if (staging) {
      const src = JSON.parse(await readFile(path.join(store.dirOf(staging.id), SOURCES_FILE), 'utf8')) as { spec?: { licence?: string } };
      licence = src.spec?.licence ?? licence;
    }
    const s = report.summary;
    datasets.push(`| ${s.dataset} | \`${dv.id}\` | ${licence} | ${s.rowsIn} | ${s.accepted} | ${s.quarantined} | ${Object.entries(s.splits).map(([k, v]) => `${k} ${v}`).join(', ')} |`);
  }
  const sets: string[] = [];
  for (const t of of('trajectory-set')) {
    const s = TrajectorySetSummarySchema.parse(JSON.parse(await readFile(path.join(store.dirOf(t.id), SUMMARY_FILE), 'utf8')));
    sets.push(`- \`${t.id}\`: ${s.count} trajectories from ${s.images} images (types ${Object.entries(s.byType).map(([k, v]) => `${k}: ${v}`).join(', ')}), ${s.grounded} grounded in annotations; teacher ${s.teacher ? 'used' : 'none'}.`);
  }
  const kb = of('knowledge-base')[0];
  const hier = of('dataset-version')[0]?.inputs.hierarchy as { version?: string; sha256?: string } | undefined;
  const runs = [...new Map(ancestry.map((a) => [`${a.run.workflowType}/${a.run.workflowId}`, a] as const)).values()];
  const commits = [...new Set(ancestry.map((a) => `${a.run.gitCommit.slice(0, 12)}${a.run.gitDirty ? ' (uncommitted changes)' : ''}`))];

  return [
    `# Model card: ${checkpointId}`,
    '',
    `A ${ck.modelConfig.layers}-layer, ${ck.modelConfig.dModel}-wide vision-language model (image ${ck.modelConfig.imageSize} px, vocabulary ${ck.vocabSize} words) that answers with \`<thinking>...</thinking><final diagnosis>...</final diagnosis>\`. Trained on backend ${ck.backend}; step ${ck.state.step}, epoch ${ck.state.epoch}. Weights digest \`${weightsDigest(ck)}\`.`,
    '',
    '## Data',
    '',
    '| dataset | version | licence | rows in | accepted | quarantined | splits |',
    '|---|---|---|---|---|---|---|',
    ...datasets,
    '',
    `Disease hierarchy ${hier?.version ?? '?'} (\`${hier?.sha256?.slice(0, 16) ?? '?'}…\`). Knowledge base ${kb ? `\`${kb.id}\` (${fmt(kb.metrics.diseases)} diseases, ${fmt(kb.metrics.features)} features, ${fmt(kb.metrics.ddxStatements)} DDx statements)` : 'none'}.`,
    '',
    '## Trajectories',
    '',
    ...(sets.length ? sets : ['- none']),
    '',
    '## Training',
    '',
    `Supervised fine-tuning, config digest \`${ck.trainingConfigDigest.slice(0, 16)}…\`, seed \`${ck.state.seed}\`; AdamW (beta1 ${ck.optimizer.beta1}, beta2 ${ck.optimizer.beta2}, weight decay ${ck.optimizer.weightDecay}), ${ck.optimizer.t} optimizer steps.`,
    '',
    '| epoch | step | train loss | validation loss | checkpoint |',
    '|---|---|---|---|---|',
    ...epochs.map((e) => `| ${fmt(e.metrics.epoch)} | ${fmt(e.metrics.step)} | ${fmt(e.metrics.trainLoss ?? '-')} | ${fmt(e.metrics.valLoss ?? '-')} | \`${e.id}\` |`),
    '',
    `Runs: ${runs.map((r: ArtifactManifest) => `${r.run.workflowType} \`${r.run.workflowId}\``).join(', ')}. Code: ${commits.join('; ')}; lockfile \`${m.run.lockfileDigest.slice(0, 16)}…\`.`,
    '',
    '## Evaluation',
    '',
    'Validation loss above (held-out trajectories, by image). Benchmarks (accuracy, per Fitzpatrick type, hierarchy levels) come from the evaluate stage when it has run; until then use `skinr1 diagnose --checkpoint <id> --dataset <version> --split test`.',
    '',
    '## Known limitations',
    '',
    '- A research model trained on public datasets whose licences restrict use (see the table); not a medical device and not for clinical decisions.',
    '- The reasoning is learned from template trajectories grounded in a knowledge base written from textbook facts and reviewed by no clinician.',
    '- Dataset labels that name only a set of diseases (e.g. HAM10000 `akiec`) were not distilled, so those diagnoses are under-represented.',
    '- Skin types are unevenly represented in the public datasets; check per-type results before relying on any.',
    '',
    `Lineage: \`skinr1 lineage show ${checkpointId}\`; integrity: \`skinr1 lineage verify ${checkpointId}\`.`,
    '',
  ].join('\n');
}
