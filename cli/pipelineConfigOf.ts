import { openTemporal } from '../devserver/openTemporal.ts';
import { ValidationError } from '../errors/ValidationError.ts';
import { PipelineConfigSchema, type PipelineConfig } from '../schemas/pipeline.ts';
import type { TemporalConfig } from '../schemas/temporalConfig.ts';
import { note } from './output.ts';

/** The config an earlier `trainSkinR1` run was started with, read from the first event of its history. */
export async function pipelineConfigOf(cfg: TemporalConfig, workflowId: string): Promise<PipelineConfig> {
  const session = await openTemporal(cfg, { startServer: true, log: note });
  try {
    const handle = session.client.workflow.getHandle(workflowId);
    const d = await handle.describe().catch(() => {
      throw new ValidationError(`no run ${workflowId} on ${session.address}`);
    });
    if (d.type !== 'trainSkinR1') throw new ValidationError(`${workflowId} is a ${d.type} run, not trainSkinR1`);
    if (d.status.name === 'RUNNING') throw new ValidationError(`${workflowId} is still running: it continues by itself when workers return (skinr1 status ${workflowId})`);
    const history = await handle.fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const payload = started?.input?.payloads?.[0];
    if (!payload) throw new ValidationError(`${workflowId}: its history has no input`);
    const input = session.client.options.loadedDataConverter.payloadConverter.fromPayload<{ config: unknown }>(payload);
    return PipelineConfigSchema.parse(input.config);
  } finally {
    await session.close();
  }
}
