import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { z } from 'zod';
import { LineageGraph } from '../lineage/LineageGraph.ts';
import { producingRun } from '../lineage/producingRun.ts';
import { renderModelCard } from '../lineage/renderModelCard.ts';
import { renderRunReport } from '../report/renderRunReport.ts';
import { stageChanges } from '../eval/stageChanges.ts';
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { EvaluationSchema, type StageChange } from '../schemas/evaluation.ts';
import { parseInput } from '../schemas/parseInput.ts';
import { RlSummarySchema } from '../schemas/rl.ts';
import { SftSummarySchema } from '../schemas/sft.ts';
import type { ActivityDeps } from './ActivityDeps.ts';

export const REPORT_FILE = 'report.html';
export const MODEL_CARD_FILE = 'model-card.md';

export const RunReportInputSchema = z.object({
  workflowId: z.string(),
  name: z.string(),
  finalCheckpointId: z.string(),
  sft: SftSummarySchema.nullable(),
  rl: RlSummarySchema.nullable(),
  evaluations: z.array(z.object({ label: z.string(), evaluation: EvaluationSchema })),
});

/**
 * The run's report (cpu queue): the HTML with vega-lite charts and the final checkpoint's model card, side by side
 * in one `run-report` artifact whose parents are the checkpoints and evaluations it shows, and what each stage
 * changed over the one before it (paired on the same questions).
 */
export function makeWriteRunReport(deps: ActivityDeps) {
  return async function writeRunReport(raw: z.input<typeof RunReportInputSchema>): Promise<{ reportId: string; reportPath: string; modelCardPath: string; changes: StageChange[] }> {
    const input = parseInput(RunReportInputSchema, raw, 'writeRunReport input');
    const ctx = Context.current();
    const startedAt = new Date();
    const parents = [...new Set([input.finalCheckpointId, ...input.evaluations.flatMap((e) => [e.evaluation.evaluationId, e.evaluation.checkpointId])])];
    const changes = await stageChanges(deps.store, input.evaluations, Hierarchy.fromFile());
    const spec = { kind: 'run-report', codeVersion: 'run-report@2', inputs: { workflowId: input.workflowId, parents }, config: {}, parents };
    const { manifest, dir } = await deps.store.commit(spec, () => producingRun(ctx.info, deps.workerIdentity, startedAt), async (d) => {
      const card = await renderModelCard(await LineageGraph.load(deps.store), input.finalCheckpointId);
      await writeFile(path.join(d, MODEL_CARD_FILE), card);
      const html = await renderRunReport({ title: `Skin-R1 run ${input.name}`, workflowId: input.workflowId, sft: input.sft, rl: input.rl, evaluations: input.evaluations, changes, modelCard: MODEL_CARD_FILE, generatedAt: startedAt.toISOString() });
      await writeFile(path.join(d, REPORT_FILE), html);
      return { evaluations: input.evaluations.length };
    });
    return { reportId: manifest.id, reportPath: path.join(dir, REPORT_FILE), modelCardPath: path.join(dir, MODEL_CARD_FILE), changes };
  };
}
