import type { TopLevelSpec } from 'vega-lite';
import { formatPairedDelta } from '../eval/formatPairedDelta.ts';
import type { Evaluation, StageChange } from '../schemas/evaluation.ts';
import type { RlSummary } from '../schemas/rl.ts';
import type { SftSummary } from '../schemas/sft.ts';
import { renderChart } from './renderChart.ts';

/** What a run report shows: the training curves, the evaluations of each model it compares, and where to go next. */
export interface RunReportInput {
  title: string;
  workflowId: string;
  sft: SftSummary | null;
  rl: RlSummary | null;
  /** Evaluations to compare, e.g. base, SFT, SFT then RL; the last is the run's final model. */
  evaluations: Array<{ label: string; evaluation: Evaluation }>;
  /** What each stage changed over the one before it, paired on the same questions. */
  changes?: StageChange[];
  /** Optional rows of an ablation table: label -> benchmark -> accuracy. */
  ablations?: Array<{ label: string; accuracy: Record<string, number> }>;
  modelCard?: string;
  generatedAt: string;
}

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const W = 520;

function lossChart(sft: SftSummary): TopLevelSpec {
  return {
    title: 'SFT: validation loss per epoch',
    width: W,
    height: 220,
    data: { values: sft.valLossByEpoch.map((v, i) => ({ epoch: i + 1, loss: v })) },
    mark: { type: 'line', point: true },
    encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative', title: 'validation loss (per response token)' } },
  };
}

function rewardChart(rl: RlSummary): TopLevelSpec {
  const values = rl.stepMetrics.flatMap((m) =>
    (['rewardMean', 'format', 'option', 'malignancy'] as const).map((k) => ({ step: m.step + 1, value: m[k], component: k === 'rewardMean' ? 'total' : k })),
  );
  return {
    title: `RL: mean reward per step and its parts (${rl.reward} reward)`,
    width: W,
    height: 240,
    data: { values },
    mark: { type: 'line', opacity: 0.85 },
    encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'value', type: 'quantitative', title: 'mean over the step\'s completions' }, color: { field: 'component', type: 'nominal' } },
  };
}

function klChart(rl: RlSummary): TopLevelSpec {
  return {
    title: 'RL: KL to the reference (SFT) and held-out accuracy',
    width: W,
    height: 180,
    layer: [
      { data: { values: rl.stepMetrics.map((m) => ({ step: m.step + 1, kl: m.kl })) }, mark: { type: 'line', color: '#888' }, encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'kl', type: 'quantitative', title: 'KL' } } },
      { data: { values: rl.evaluations.map((e) => ({ step: e.step, accuracy: e.accuracy })) }, mark: { type: 'line', point: true, color: '#d62728' }, encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'accuracy', type: 'quantitative', title: 'held-out accuracy' } } },
    ],
    resolve: { scale: { y: 'independent' } },
  };
}

function benchmarkChart(evals: RunReportInput['evaluations']): TopLevelSpec {
  const values = evals.flatMap(({ label, evaluation }) => Object.entries(evaluation.benchmarks).map(([b, s]) => ({ model: label, benchmark: b, accuracy: s.accuracy.value, low: s.accuracy.low, high: s.accuracy.high })));
  return {
    title: 'Accuracy per benchmark (bars) with 95 % bootstrap intervals',
    data: { values },
    facet: { column: { field: 'benchmark', type: 'nominal', title: null } },
    spec: {
      width: 110,
      height: 200,
      layer: [
        { mark: 'bar', encoding: { x: { field: 'model', type: 'nominal', title: null, sort: evals.map((e) => e.label) }, y: { field: 'accuracy', type: 'quantitative', title: 'accuracy', scale: { domain: [0, 1] } }, color: { field: 'model', type: 'nominal', sort: evals.map((e) => e.label) } } },
        { mark: 'rule', encoding: { x: { field: 'model', type: 'nominal', sort: evals.map((e) => e.label) }, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } },
      ],
    },
  };
}

function skinTypeChart(evals: RunReportInput['evaluations']): TopLevelSpec {
  const values = evals.flatMap(({ label, evaluation }) => Object.entries(evaluation.byFitzpatrick).flatMap(([t, byB]) => (byB.indomain ? [{ model: label, type: t, accuracy: byB.indomain.accuracy.value, n: byB.indomain.n }] : [])));
  return {
    title: 'In-domain accuracy per Fitzpatrick skin type',
    width: W,
    height: 200,
    data: { values },
    mark: 'bar',
    encoding: { x: { field: 'type', type: 'nominal', title: null }, xOffset: { field: 'model', sort: evals.map((e) => e.label) }, y: { field: 'accuracy', type: 'quantitative', scale: { domain: [0, 1] } }, color: { field: 'model', type: 'nominal', sort: evals.map((e) => e.label) }, tooltip: [{ field: 'n' }] },
  };
}

function confusionChart(e: Evaluation, level: 'disease' | 'group'): TopLevelSpec {
  const c = e.confusion[level];
  const values = c.labels.flatMap((t, i) => c.labels.map((p, j) => ({ truth: t, predicted: p, count: c.matrix[i]![j]! })));
  return {
    title: `In-domain confusion, ${level} level (rows: truth)`,
    data: { values },
    width: Math.max(160, 26 * c.labels.length),
    height: Math.max(160, 26 * c.labels.length),
    layer: [
      { mark: 'rect', encoding: { x: { field: 'predicted', type: 'nominal' }, y: { field: 'truth', type: 'nominal' }, color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' } } } },
      { mark: { type: 'text', fontSize: 9 }, encoding: { x: { field: 'predicted', type: 'nominal' }, y: { field: 'truth', type: 'nominal' }, text: { field: 'count', type: 'quantitative' } } },
    ],
  };
}

function table(headers: string[], rows: string[][]): string {
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/**
 * The run report as one self-contained HTML file: charts rendered by vega-lite to inline SVG (each chart's spec kept
 * in a collapsed block for reuse), and tables of the numbers behind them.
 */
export async function renderRunReport(r: RunReportInput): Promise<string> {
  const charts: Array<{ spec: TopLevelSpec; note?: string }> = [];
  if (r.sft) charts.push({ spec: lossChart(r.sft) });
  if (r.rl) charts.push({ spec: rewardChart(r.rl) }, { spec: klChart(r.rl) });
  if (r.evaluations.length) charts.push({ spec: benchmarkChart(r.evaluations) }, { spec: skinTypeChart(r.evaluations) });
  const final = r.evaluations[r.evaluations.length - 1]?.evaluation;
  if (final) charts.push({ spec: confusionChart(final, 'disease') }, { spec: confusionChart(final, 'group') });
  const sections: string[] = [];
  for (const c of charts) {
    const svg = await renderChart(c.spec);
    sections.push(`<figure>${svg}<details><summary>vega-lite spec</summary><pre>${esc(JSON.stringify(c.spec, null, 1))}</pre></details></figure>`);
  }
  const benchmarks = [...new Set(r.evaluations.flatMap((e) => Object.keys(e.evaluation.benchmarks)))];
  const evalTable = table(
    ['model', 'checkpoint', ...benchmarks.map((b) => `${b} accuracy [95% CI]`)],
    r.evaluations.map(({ label, evaluation }) => [label, evaluation.checkpointId, ...benchmarks.map((b) => {
      const s = evaluation.benchmarks[b];
      return s ? `${pct(s.accuracy.value)} [${pct(s.accuracy.low)}, ${pct(s.accuracy.high)}] (n ${s.n})` : '-';
    })]),
  );
  const changes = r.changes?.length
    ? `<h2>What each stage changed</h2><p>Accuracy difference on the same questions, with a paired bootstrap 95 % interval; gained and lost count the questions one model answered right and the other wrong, and p is McNemar's exact test on them.</p>${table(
        ['change', ...benchmarks],
        r.changes.map((c) => [`${c.from} \u2192 ${c.to}`, ...benchmarks.map((b) => { const d = c.benchmarks[b]; return d ? formatPairedDelta(d) : '-'; })]),
      )}`
    : '';
  const ablation = r.ablations?.length ? `<h2>Ablations</h2>${table(['configuration', ...benchmarks], r.ablations.map((a) => [a.label, ...benchmarks.map((b) => (a.accuracy[b] === undefined ? '-' : pct(a.accuracy[b])))]))}` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px;text-align:left}figure{margin:1.5em 0}details pre{max-height:240px;overflow:auto;font-size:11px;background:#f6f6f6}</style>
</head><body>
<h1>${esc(r.title)}</h1>
<p>Workflow <code>${esc(r.workflowId)}</code>; generated ${esc(r.generatedAt)}.${r.modelCard ? ` Model card: <a href="${esc(r.modelCard)}">${esc(r.modelCard)}</a>.` : ''}</p>
<h2>Evaluation</h2>${evalTable}${changes}${ablation}
<h2>Charts</h2>${sections.join('\n')}
</body></html>
`;
}
