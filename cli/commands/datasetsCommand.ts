import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { ArtifactIdSchema } from '../../schemas/artifactManifest.ts';
import { ArtifactStore } from '../../store/ArtifactStore.ts';
import { readDatasetReport } from '../../datasets/datasetFiles.ts';
import { configFrom } from '../globalConfig.ts';
import { emit } from '../output.ts';

export const datasetsCommand = new Command('datasets').description('committed dataset versions');

datasetsCommand
  .command('list')
  .description('list dataset versions with their counts')
  .option('--json', 'machine-readable output')
  .action(async (o: { json?: boolean }, cmd: Command) => {
    const store = new ArtifactStore(configFrom(cmd).storeRoot);
    const rows = (await store.list('dataset-version')).map((m) => ({
      id: m.id,
      dataset: String(m.inputs.dataset ?? ''),
      rowsIn: m.metrics.rowsIn,
      accepted: m.metrics.accepted,
      quarantined: m.metrics.quarantined,
      createdAt: m.createdAt,
    }));
    emit(!!o.json, rows, () => (rows.length ? rows.map((r) => `${r.id}  ${r.dataset.padEnd(16)} in ${r.rowsIn}  accepted ${r.accepted}  quarantined ${r.quarantined}  ${r.createdAt}`).join('\n') : '(no dataset versions)'));
  });

datasetsCommand
  .command('show')
  .description("a dataset version's quality report (counts, quarantine reasons with examples, labels, splits)")
  .argument('<id>', 'dataset version id')
  .option('--json', 'machine-readable output (report.json)')
  .action(async (id: string, o: { json?: boolean }, cmd: Command) => {
    const store = new ArtifactStore(configFrom(cmd).storeRoot);
    const m = await store.require(ArtifactIdSchema.parse(id));
    if (m.kind !== 'dataset-version') throw new Error(`${id} is a ${m.kind}, not a dataset version`);
    const dir = store.dirOf(m.id);
    const report = await readDatasetReport(store, m.id);
    const md = await readFile(path.join(dir, 'report.md'), 'utf8');
    emit(!!o.json, { ...report, files: m.files.map((f) => path.join(dir, f.path)) }, () => `${md}\nfiles: ${m.files.map((f) => path.join(dir, f.path)).join(', ')}`);
  });
