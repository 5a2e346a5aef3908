import path from 'node:path';
import { Command } from 'commander';
import { Hierarchy } from '../../hierarchy/Hierarchy.ts';
import { importMarkdown } from '../../knowledge/importMarkdown.ts';
import { defaultKnowledgeDir, KnowledgeBase } from '../../knowledge/KnowledgeBase.ts';
import { requiredNodes } from '../../knowledge/requiredNodes.ts';
import { KnowledgeBaseSchema } from '../../schemas/knowledge.ts';
import { emit } from '../output.ts';

export const knowledgeCommand = new Command('knowledge').description('the knowledge base: diagnostic rules and the DDx graph, written as Markdown');

knowledgeCommand
  .command('check')
  .description("validate a knowledge base and report its coverage of the hierarchy nodes the built-in datasets use")
  .argument('[dir]', 'knowledge folder (Markdown chapters)', defaultKnowledgeDir)
  .option('--require-coverage', 'also fail when a used node lacks an entry or a DDx neighbour')
  .option('--json', 'machine-readable output')
  .action((dir: string, o: { json?: boolean; requireCoverage?: boolean }) => {
    const hierarchy = Hierarchy.fromFile();
    const { data, issues } = importMarkdown(path.resolve(dir), hierarchy);
    const errors = issues.filter((i) => i.severity === 'error');
    const required = requiredNodes(hierarchy);
    let digest: string | null = null;
    let coverage = null;
    if (errors.length === 0) {
      const kb = new KnowledgeBase(KnowledgeBaseSchema.parse(data), hierarchy);
      digest = kb.digest;
      coverage = kb.coverage(required);
    }
    const byGroup: Record<string, number> = {};
    for (const e of data.diseases) {
      const g = hierarchy.node(hierarchy.path(e.node)[1] ?? e.node).name;
      byGroup[g] = (byGroup[g] ?? 0) + 1;
    }
    const ok = errors.length === 0 && (!o.requireCoverage || (coverage !== null && coverage.complete === coverage.required));
    const result = {
      ok,
      dir: path.resolve(dir),
      digest,
      files: data.files.length,
      features: data.features.length,
      diseases: data.diseases.length,
      ddxStatements: data.ddx.length,
      diseasesByGroup: byGroup,
      errors: errors.length,
      warnings: issues.length - errors.length,
      issues,
      coverage,
    };
    emit(!!o.json, result, () => {
      const lines = issues.map((i) => `${i.severity}: ${i.file}:${i.line}: ${i.message}`);
      lines.push(`${result.files} files, ${result.features} features, ${result.diseases} diseases, ${result.ddxStatements} DDx statements; ${errors.length} errors, ${result.warnings} warnings`);
      lines.push(`by group: ${Object.entries(byGroup).map(([g, n]) => `${g} ${n}`).join(', ')}`);
      if (coverage) {
        lines.push(`coverage of dataset labels: ${coverage.complete}/${coverage.required} nodes have rules and a DDx neighbour`);
        if (coverage.missingEntry.length) lines.push(`  no entry: ${coverage.missingEntry.join(', ')}`);
        if (coverage.missingDdx.length) lines.push(`  no DDx neighbour: ${coverage.missingDdx.join(', ')}`);
      }
      if (digest) lines.push(`digest ${digest}`);
      return lines.join('\n');
    });
    if (!ok) process.exitCode = 1;
  });

knowledgeCommand
  .command('show')
  .description('one disease entry: features, rules and DDx neighbours with what tells them apart')
  .argument('<disease>', 'hierarchy node id, name or synonym')
  .option('--knowledge <dir>', 'knowledge folder', defaultKnowledgeDir)
  .option('--json', 'machine-readable output')
  .action((term: string, o: { knowledge: string; json?: boolean }) => {
    const hierarchy = Hierarchy.fromFile();
    const { kb } = KnowledgeBase.load(path.resolve(o.knowledge), hierarchy);
    const node = hierarchy.lookup(term);
    if (!node) throw new Error(`"${term}" is not a node, name or synonym of the hierarchy`);
    const e = kb.entry(node);
    const phrase = (ids: string[]) => ids.map((id) => kb.feature(id).phrase);
    const view = {
      ...e,
      path: hierarchy.path(node).map((n) => hierarchy.node(n).name),
      featurePhrases: Object.fromEntries(
        [...Object.entries(e.morphology), ['dermoscopy', e.dermoscopy] as const, ['clinical', e.clinical] as const].map(([k, v]): [string, string[]] => [k, phrase(v)]),
      ),
      ddx: kb.neighbours(node).map((n) => ({ node: n, name: hierarchy.node(n).name, contrast: kb.contrast(node, n).map((s) => s.text) })),
    };
    emit(!!o.json, view, () =>
      [
        `${e.name} (${e.node}), ${e.bucket.replace(/_/g, ' ')}; ${view.path.join(' > ')}`,
        ...Object.entries(view.featurePhrases).filter(([, v]) => v.length).map(([k, v]) => `  ${k}: ${v.join(', ')}`),
        'rules:',
        ...e.rules.map((r) => `  - ${r}`),
        'differential diagnosis:',
        ...view.ddx.map((d) => `  - ${d.name}: ${d.contrast.join(' / ')}`),
      ].join('\n'),
    );
  });
