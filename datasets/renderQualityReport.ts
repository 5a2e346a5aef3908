import type { DatasetSummary } from '../schemas/onboarding.ts';

interface Report {
  summary: DatasetSummary;
  crossing: Array<{ members: string[]; splits: string[]; why: string }>;
  perSplitLabels: Array<Record<string, unknown>>;
  quarantineExamples: Array<Record<string, unknown>>;
}

/** The dataset version's quality report as Markdown: what came in, what was kept, why the rest was not. */
export function renderQualityReport(r: Report): string {
  const s = r.summary;
  const pct = (n: number) => (s.rowsIn ? `${((100 * n) / s.rowsIn).toFixed(1)} %` : '-');
  const lines = [
    `# Quality report: ${s.dataset} (${s.datasetVersionId})`,
    '',
    `| rows in | accepted | quarantined | images stored | groups crossing splits |`,
    `| ---: | ---: | ---: | ---: | ---: |`,
    `| ${s.rowsIn} | ${s.accepted} (${pct(s.accepted)}) | ${s.quarantined} (${pct(s.quarantined)}) | ${s.imagesStored} | ${s.groupsCrossingSplits} |`,
    '',
    '## Quarantine reasons',
    '',
    '| reason | rows |',
    '| --- | ---: |',
    ...Object.entries(s.quarantineReasons).map(([k, v]) => `| ${k} | ${v} |`),
    '',
    'First examples per reason (file, line, field, detail):',
    '',
    ...r.quarantineExamples.map((e) => `- \`${e.reason}\` ${e.source_file}:${e.source_line} \`${e.field ?? ''}\`: ${String(e.detail ?? '').replaceAll('\n', ' ')}`),
    '',
    '## Accepted rows per label (hierarchy node, or node set for a bucket label)',
    '',
    '| label | rows |',
    '| --- | ---: |',
    ...Object.entries(s.labelCounts).map(([k, v]) => `| ${k.replaceAll('|', '\\|')} | ${v} |`),
    '',
    '## Splits',
    '',
    '| split | rows |',
    '| --- | ---: |',
    ...Object.entries(s.splits).map(([k, v]) => `| ${k} | ${v} |`),
    '',
  ];
  if (r.crossing.length) {
    lines.push('## Groups crossing splits', '', ...r.crossing.slice(0, 20).map((c) => `- ${c.why}: ${c.members.slice(0, 5).join(', ')} -> ${c.splits.join(', ')}`), '');
  }
  return lines.join('\n');
}
