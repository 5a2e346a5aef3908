import { trajectoryTypeNames, type TrajectorySetSummary, type TrajectoryType } from '../schemas/distill.ts';

interface ReportExtras {
  byTarget: Record<string, number>;
  examples: Array<{ reason: string; trajectory: string; detail: string }>;
  unmappedConcepts: Record<string, number>;
  samples: Array<{ type: number; target: string; start: string; dataset: string; grounded: boolean; text: string }>;
}

/** The trajectory set's report for people: counts that reconcile, why things were dropped, one example per type. */
export function renderTrajectoryReport(s: TrajectorySetSummary, x: ReportExtras): string {
  const rows = (rec: Record<string, number>) => Object.entries(rec).map(([k, v]) => `| ${k} | ${v} |`);
  const rejected = Object.values(s.rejected).reduce((a, b) => a + b, 0);
  return [
    `# Trajectory set ${s.trajectorySetId}`,
    '',
    `Knowledge base ${s.knowledgeBaseId}; dataset versions ${s.datasetVersionIds.join(', ')}.`,
    '',
    `${s.images} images read; ${Object.values(s.skipped).reduce((a, b) => a + b, 0)} skipped; ${s.count} trajectories kept (${s.grounded} grounded in annotations), ${rejected} rejected by the verifier, ${s.capped} over the per-diagnosis cap.`,
    s.teacher ? `Teacher: ${s.teacher.requests} requests, ${s.teacher.cacheHits} cache hits, ${s.teacher.failures} failed calls; texts that failed verification and fell back to the knowledge base's words: ${Object.entries(s.teacher.rejected).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}.` : 'Teacher: none (deterministic text).',
    '',
    '## By type',
    '',
    '| type | meaning | count |',
    '|---|---|---|',
    ...Object.entries(s.byType).map(([t, n]) => `| ${t} | ${trajectoryTypeNames[Number(t) as TrajectoryType]} | ${n} |`),
    '',
    '## Skipped images',
    '',
    '| reason | images |',
    '|---|---|',
    ...(Object.keys(s.skipped).length ? rows(s.skipped) : ['| (none) | 0 |']),
    '',
    '## Rejected trajectories',
    '',
    '| reason | trajectories |',
    '|---|---|',
    ...(Object.keys(s.rejected).length ? rows(s.rejected) : ['| (none) | 0 |']),
    '',
    ...x.examples.flatMap((e) => [`- **${e.reason}**: ${e.detail}`, `  \`${e.trajectory.slice(0, 300)}\``]),
    '',
    '## By diagnosis',
    '',
    '| diagnosis | trajectories |',
    '|---|---|',
    ...rows(x.byTarget),
    '',
    '## Annotated concepts without a feature',
    '',
    Object.keys(x.unmappedConcepts).length ? Object.entries(x.unmappedConcepts).map(([k, v]) => `${k} (${v})`).join(', ') : '(none)',
    '',
    '## One example per type',
    '',
    ...x.samples.flatMap((e) => [`### Type ${e.type}: ${e.dataset}, ${e.grounded ? 'grounded' : 'rules only'}, first hypothesis ${e.start}, diagnosis ${e.target}`, '', '```', e.text, '```', '']),
  ].join('\n');
}
