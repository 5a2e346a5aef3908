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
  // RL checkpoints on the way (this one included), in step order, with the rewards recorded at each.
  const rl = [...new Map([m, ...of('checkpoint')].map((c) => [c.id, c] as const)).values()].filter((c) => c.inputs.role === 'rl').sort((a, b) => Number(a.inputs.step) - Number(b.inputs.step));
  const rlRewards = of('rl-rewards')[0];
  // Evaluations of this checkpoint (downstream of it, naming it as a parent).
  const evaluations = graph.impact(checkpointId).filter((e) => e.kind === 'evaluation' && e.parents.includes(checkpointId));
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
    `${rl.length ? "Supervised fine-tuning, then reinforcement learning" : "Supervised fine-tuning"}; this checkpoint's training config digest \`${ck.trainingConfigDigest.slice(0, 16)}…\`, seed \`${ck.state.seed}\`; AdamW (beta1 ${ck.optimizer.beta1}, beta2 ${ck.optimizer.beta2}, weight decay ${ck.optimizer.weightDecay}), ${ck.optimizer.t} optimizer steps.`,
    '',
    '| epoch | step | train loss | validation loss | checkpoint |',
    '|---|---|---|---|---|',
    ...epochs.map((e) => `| ${fmt(e.metrics.epoch)} | ${fmt(e.metrics.step)} | ${fmt(e.metrics.trainLoss ?? '-')} | ${fmt(e.metrics.valLoss ?? '-')} | \`${e.id}\` |`),
    '',
    ...(rl.length
      ? [
          '',
          `Reinforcement learning (GRPO) from \`${String(rl[0]!.inputs.reference)}\` on items \`${String(rl[0]!.inputs.itemsId)}\`, reward ${String(rlRewards?.metrics.rewardVersion ?? '?')} (${String(rlRewards?.metrics.variant ?? '?')}).`,
          '',
          '| step | mean reward | accuracy (training rollouts) | KL | checkpoint |',
          '|---|---|---|---|---|',
          ...rl.filter((c) => Number(c.inputs.step) > 0).map((c) => `| ${fmt(c.inputs.step as number)} | ${fmt(c.metrics.rewardMean ?? '-')} | ${fmt(c.metrics.accuracy ?? '-')} | ${fmt(c.metrics.kl ?? '-')} | \`${c.id}\` |`),
        ]
      : []),
    '',
    `Runs: ${runs.map((r: ArtifactManifest) => `${r.run.workflowType} \`${r.run.workflowId}\``).join(', ')}. Code: ${commits.join('; ')}; lockfile \`${m.run.lockfileDigest.slice(0, 16)}…\`.`,
    '',
    '## Evaluation',
    '',
    ...(evaluations.length
      ? [
          '| evaluation | questions | ' + [...new Set(evaluations.flatMap((e) => Object.keys(e.metrics).filter((k) => k.startsWith('accuracy_'))))].map((k) => k.slice('accuracy_'.length)).join(' | ') + ' |',
          '|---|---|' + [...new Set(evaluations.flatMap((e) => Object.keys(e.metrics).filter((k) => k.startsWith('accuracy_'))))].map(() => '---').join('|') + '|',
          ...evaluations.map((e) => `| \`${e.id}\` | ${fmt(e.metrics.questions ?? '-')} | ` + [...new Set(evaluations.flatMap((x) => Object.keys(x.metrics).filter((k) => k.startsWith('accuracy_'))))].map((k) => (typeof e.metrics[k] === 'number' ? `${(100 * (e.metrics[k] as number)).toFixed(1)}%` : '-')).join(' | ') + ' |'),
          '',
          'Accuracy on held-out questions (greedy decoding); intervals, per-dataset and per-Fitzpatrick results and confusion matrices are in each evaluation\'s `evaluation.json` and the run report.',
        ]
      : ['Validation loss above (held-out trajectories, by image). No evaluation of this checkpoint yet: `skinr1 eval ' + checkpointId + '`.']),
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
