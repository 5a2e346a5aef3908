import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { adapterSpec, adapters } from '../../datasets/adapters.ts';
import { inspectSource, inspectionSummary } from '../../datasets/inspectSource.ts';
import { loadSpecFile } from '../../datasets/loadSpecFile.ts';
import { Hierarchy } from '../../hierarchy/Hierarchy.ts';
import type { DatasetSpec } from '../../schemas/datasetSpec.ts';
import { OnboardConfigSchema, type DatasetSummary, type OnboardInput } from '../../schemas/onboarding.ts';
import { executeWorkflow } from '../executeWorkflow.ts';
import { configFrom } from '../globalConfig.ts';
import { emit, note } from '../output.ts';
import { positiveInt } from '../positiveInt.ts';

interface OnboardOptions {
  adapter?: string;
  metadata?: string;
  images?: string;
  extra: string[];
  spec?: string;
  name?: string;
  imageSize: number;
  shardSize: number;
  splitSeed: string;
  dryRun?: boolean;
  json?: boolean;
  progress: boolean;
}


function specFrom(o: OnboardOptions): DatasetSpec {
  let spec: DatasetSpec;
  if (o.spec) {
    if (o.adapter) throw new Error('give either --spec or --adapter, not both');
    spec = loadSpecFile(o.spec);
  } else {
    if (!o.adapter || !o.metadata || !o.images) throw new Error('give --spec <file>, or --adapter <name> with --metadata <file> and --images <dir>');
    const extra = Object.fromEntries(
      o.extra.map((kv) => {
        const i = kv.indexOf('=');
        if (i <= 0) throw new Error(`--extra expects name=file, got "${kv}"`);
        return [kv.slice(0, i), kv.slice(i + 1)];
      }),
    );
    spec = adapterSpec(o.adapter, o.metadata, o.images, extra);
  }
  return o.name ? { ...spec, name: o.name } : spec;
}

function renderSummary(s: DatasetSummary, seconds: number): string {
  const top = (rec: Record<string, number>, n = 12) =>
    Object.entries(rec)
      .slice(0, n)
      .map(([k, v]) => `    ${k.padEnd(40)} ${v}`)
      .join('\n');
  return [
    `dataset version ${s.datasetVersionId} (${s.dataset}) in ${seconds.toFixed(1)} s`,
    `  rows in ${s.rowsIn} = accepted ${s.accepted} + quarantined ${s.quarantined}; ${s.imagesStored} images stored`,
    `  splits: ${Object.entries(s.splits).map(([k, v]) => `${k} ${v}`).join(', ')}; groups crossing splits: ${s.groupsCrossingSplits}`,
    `  quarantine reasons:\n${top(s.quarantineReasons) || '    (none)'}`,
    `  accepted per label:\n${top(s.labelCounts) || '    (none)'}`,
  ].join('\n');
}

export const onboardCommand = new Command('onboard')
  .description('onboard a dataset: stage its metadata, map labels onto the hierarchy, ingest images, commit a versioned dataset with quarantine and splits')
  .option('--adapter <name>', `a built-in adapter: ${Object.keys(adapters).join(', ')}`)
  .option('--metadata <file>', 'the metadata file (with --adapter)')
  .option('--images <dir>', 'the image folder, searched recursively (with --adapter)')
  .option('--extra <name=file>', 'an extra file an adapter needs (e.g. isic2019 metadata=..., skincon fitzpatrick17k=...)', (v, acc: string[]) => [...acc, v], [])
  .option('--spec <file>', 'a declarative dataset spec (YAML or JSON) for a dataset no adapter knows')
  .option('--name <name>', 'dataset id to use instead of the adapter/spec name')
  .option('--image-size <px>', 'side of the stored square images', positiveInt, 128)
  .option('--shard-size <n>', 'images per harmonization shard', positiveInt, 256)
  .option('--split-seed <seed>', 'seed of the group-wise split', 'skinr1')
  .option('--dry-run', 'show what would happen (labels, missing images, duplicates) without committing anything')
  .option('--json', 'machine-readable output')
  .option('--no-progress', 'no progress bar')
  .action(async (o: OnboardOptions, cmd: Command) => {
    const cfg = configFrom(cmd);
    const spec = specFrom(o);
    if (o.dryRun) {
      const ins = await inspectSource(spec, Hierarchy.fromFile());
      try {
        const s = await inspectionSummary(ins);
        emit(!!o.json, s, () =>
          [
            `dry run: ${s.dataset} from ${s.metadataFile} (nothing committed)`,
            `  ${s.sourceRecords} source records -> ${s.samples} samples; ${s.readyForImageCheck} go on to image checks, ${s.quarantinedBeforeImages} would be quarantined now`,
            `  images: ${s.imagesIndexed} files under the image folder, ${s.imagesReferenced} referenced`,
            `  reasons: ${Object.entries(s.reasons).map(([k, v]) => `${k} ${v}`).join(', ') || '(none)'}`,
            `  mapped labels (${s.mappedLabels.length}): ${s.mappedLabels.map((l) => `${l.label} ${l.count} -> ${l.nodes!.join('|')}`).join('; ')}`,
            `  unmapped labels (${s.unmappedLabels.length}): ${s.unmappedLabels.map((l) => `${l.label} ${l.count}`).join('; ') || '(none)'}`,
            ...(s.missingImageExamples.length ? ['  missing images, first ones:', ...s.missingImageExamples.map((e) => `    ${e}`)] : []),
            ...(s.duplicateIdExamples.length ? ['  duplicate ids, first ones:', ...s.duplicateIdExamples.map((e) => `    ${e}`)] : []),
            ...(s.labelConflictExamples.length ? ['  conflicting labels, first ones:', ...s.labelConflictExamples.map((e) => `    ${e}`)] : []),
          ].join('\n'),
        );
      } finally {
        ins.close();
      }
      return;
    }
    const config = OnboardConfigSchema.parse({ imageSize: o.imageSize, shardSize: o.shardSize, split: { seed: o.splitSeed } });
    const input: OnboardInput = { spec, config, runtime: { taskQueues: cfg.taskQueues, activities: cfg.activities } };
    const bar = o.progress && process.stderr.isTTY ? new cliProgress.SingleBar({ format: `onboard ${spec.name} {stage} {bar} {value}/{total} shards`, hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
    bar?.start(1, 0, { stage: 'inspect' });
    const t0 = Date.now();
    const run = await executeWorkflow<DatasetSummary>(cfg, {
      workflowType: 'onboardDataset',
      args: [input],
      workflowId: `onboard-${spec.name}-${Date.now()}`,
      onProgress: (view) => {
        const d = view.progress?.detail;
        if (bar && d && typeof d.shards === 'number') {
          bar.setTotal(Math.max(1, d.shards));
          bar.update(Number(d.shardsDone ?? 0), { stage: view.progress?.stage });
        }
      },
    });
    bar?.stop();
    const seconds = (Date.now() - t0) / 1000;
    emit(!!o.json, { ...run.result, workflowId: run.workflowId, seconds }, () => renderSummary(run.result, seconds));
    if (!o.json) note(`report: skinr1 datasets show ${run.result.datasetVersionId}`);
  });
