import { formatPairedDelta } from '../eval/formatPairedDelta.ts';
import type { TrainSummary } from '../schemas/pipeline.ts';

const pct = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);

/** The human form of a pipeline run: each stage's checkpoint accuracy per benchmark, what each stage changed, and where the report is. */
export function trainSummaryLines(s: TrainSummary): string[] {
  const benchmarks = [...new Set(Object.values(s.stages).flatMap((b) => Object.keys(b)))];
  const reused = Object.entries(s.reused).filter(([, v]) => v).map(([k]) => k);
  return [
    `run ${s.workflowId} (${s.name}) finished in ${s.seconds.toFixed(0)} s; final checkpoint ${s.finalCheckpointId}`,
    `  datasets ${s.datasetVersionIds.join(', ')}; trajectories ${s.trajectorySetId}`,
    `  ${'model'.padEnd(8)} ${benchmarks.map((b) => b.padStart(13)).join('')}`,
    ...Object.entries(s.stages).map(([label, acc]) => `  ${label.padEnd(8)} ${benchmarks.map((b) => pct(acc[b]).padStart(13)).join('')}`),
    ...s.changes.flatMap((c) => {
      const d = c.benchmarks.indomain;
      return d ? [`  ${c.from} -> ${c.to}, in-domain on the same ${d.n} questions: ${formatPairedDelta(d)}`] : [];
    }),
    ...(reused.length ? [`  reused from an earlier run: ${reused.join(', ')}`] : []),
    `  report: ${s.reportPath}`,
    `  model card: ${s.modelCardPath}`,
  ];
}
