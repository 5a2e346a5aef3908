import { Command } from 'commander';
import { describeLineage, kinds, lineageDot, lineageTree } from '../../lineage/describeLineage.ts';
import { LineageGraph } from '../../lineage/LineageGraph.ts';
import { openLineageEvents } from '../../lineage/openLineageEvents.ts';
import { renderModelCard } from '../../lineage/renderModelCard.ts';
import { verifyLineage } from '../../lineage/verifyLineage.ts';
import { ArtifactStore } from '../../store/ArtifactStore.ts';
import { configFrom } from '../globalConfig.ts';
import { emit } from '../output.ts';

export const lineageCommand = new Command('lineage').description('where an artifact came from, whether any of it changed, and what depends on it');

lineageCommand
  .command('show')
  .description('the full ancestry of an artifact down to the raw files, with digests, runs, code and config')
  .argument('<id>', 'artifact id (a checkpoint, a trajectory set, a dataset version, ...)')
  .option('--json', 'machine-readable')
  .option('--dot', 'Graphviz DOT (pipe to `dot -Tsvg`)')
  .action(async (id: string, o: { json?: boolean; dot?: boolean }, cmd: Command) => {
    const graph = await LineageGraph.load(new ArtifactStore(configFrom(cmd).storeRoot));
    const view = await describeLineage(graph, id);
    if (o.dot) process.stdout.write(lineageDot(view));
    else emit(!!o.json, view, () => `${lineageTree(view)}\n\n${view.artifacts.length} artifacts, ${view.rawSources.length} raw files, ${view.images.length} images`);
  });

lineageCommand
  .command('verify')
  .description('re-hash every file in the ancestry and re-check every manifest; exit 1 naming each change')
  .argument('<id>', 'artifact id')
  .option('--no-images', 'skip re-hashing the stored images (faster)')
  .option('--json', 'machine-readable')
  .action(async (id: string, o: { json?: boolean; images: boolean }, cmd: Command) => {
    const graph = await LineageGraph.load(new ArtifactStore(configFrom(cmd).storeRoot));
    const r = await verifyLineage(graph, id, { images: o.images });
    emit(!!o.json, r, () =>
      [
        `${r.ok ? 'OK' : 'CHANGED'}: ${id}; checked ${r.artifactsChecked} artifacts (${r.filesChecked} files), ${r.rawSourcesChecked} raw files, ${r.imagesChecked} stored images`,
        ...r.problems.map((p) => `  ${p.kind}: ${p.message}`),
      ].join('\n'),
    );
    if (!r.ok) process.exitCode = 1;
  });

lineageCommand
  .command('impact')
  .description('everything made from an artifact (what to redo if it is withdrawn)')
  .argument('<id>', 'artifact id')
  .option('--json', 'machine-readable')
  .action(async (id: string, o: { json?: boolean }, cmd: Command) => {
    const graph = await LineageGraph.load(new ArtifactStore(configFrom(cmd).storeRoot));
    graph.manifest(id);
    const down = graph.impact(id);
    const out = { id, count: down.length, byKind: kinds(down), artifacts: down.map((m) => ({ id: m.id, kind: m.kind, createdAt: m.createdAt })) };
    emit(!!o.json, out, () => [`${down.length} artifacts depend on ${id}: ${Object.entries(out.byKind).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`, ...down.map((m) => `  ${m.id}  ${m.createdAt}`)].join('\n'));
  });

lineageCommand
  .command('card')
  .description("a checkpoint's model card (Markdown), generated from its lineage: data and licences, hierarchy, knowledge, training, losses, limitations")
  .argument('<checkpointId>', 'checkpoint id')
  .action(async (id: string, _o: unknown, cmd: Command) => {
    const graph = await LineageGraph.load(new ArtifactStore(configFrom(cmd).storeRoot));
    process.stdout.write(await renderModelCard(graph, id));
  });

lineageCommand
  .command('export')
  .description('OpenLineage run events (one JSON object per line) for an artifact and its ancestry: START and COMPLETE per producing activity run')
  .argument('<id>', 'artifact id')
  .requiredOption('--openlineage', 'the format (the only one so far)')
  .action(async (id: string, _o: unknown, cmd: Command) => {
    const graph = await LineageGraph.load(new ArtifactStore(configFrom(cmd).storeRoot));
    for (const e of await openLineageEvents(graph, id)) process.stdout.write(JSON.stringify(e) + '\n');
  });
