import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { z } from 'zod';
import { producingRun } from '../lineage/producingRun.ts';
import { ArtifactIdSchema } from '../schemas/artifactManifest.ts';
import { parseInput } from '../schemas/parseInput.ts';
import type { ArtifactSpec } from '../store/ArtifactStore.ts';
import type { ActivityDeps } from './ActivityDeps.ts';

const RESULT_FILE = 'result.json';

export const StageKeySchema = z.object({ stage: z.string(), inputs: z.unknown() });
export const StageRecordSchema = StageKeySchema.extend({ result: z.unknown() });

function spec(stage: string, inputs: unknown, parents: string[] = []): ArtifactSpec {
  return { kind: 'stage-result', codeVersion: 'stage-result@1', inputs: { stage, inputs }, config: {}, parents };
}

/** Every artifact id a result names (so a record whose outputs were deleted is not trusted). */
function idsIn(x: unknown): string[] {
  if (typeof x === 'string') return ArtifactIdSchema.safeParse(x).success ? [x] : [];
  if (Array.isArray(x)) return x.flatMap(idsIn);
  if (x && typeof x === 'object') return Object.values(x).flatMap(idsIn);
  return [];
}

/**
 * Memoization of whole pipeline stages: a stage's result is recorded under the digest of its inputs (data ids,
 * configs, code version of the stage), so a run with the same inputs reuses it instead of running the stage again.
 * A record is used only while every artifact it names is still in the store.
 */
export function makeStageMemo(deps: ActivityDeps) {
  return {
    async stageLookup(raw: z.input<typeof StageKeySchema>): Promise<{ found: boolean; result: unknown }> {
      const { stage, inputs } = parseInput(StageKeySchema, raw, 'stageLookup input');
      const m = await deps.store.find(spec(stage, inputs));
      if (!m) return { found: false, result: null };
      const result = JSON.parse(await readFile(path.join(deps.store.dirOf(m.id), RESULT_FILE), 'utf8')) as unknown;
      for (const id of idsIn(result)) if (!(await deps.store.get(id))) return { found: false, result: null };
      return { found: true, result };
    },
    async stageRecord(raw: z.input<typeof StageRecordSchema>): Promise<string> {
      const { stage, inputs, result } = parseInput(StageRecordSchema, raw, 'stageRecord input');
      const ctx = Context.current();
      const startedAt = new Date();
      const ids = [...new Set(idsIn(result))];
      const existing = await Promise.all(ids.map(async (id) => ((await deps.store.get(id)) ? id : null)));
      const { manifest } = await deps.store.commit(spec(stage, inputs, existing.filter((x): x is string => x !== null)), () => producingRun(ctx.info, deps.workerIdentity, startedAt), async (dir) => {
        await writeFile(path.join(dir, RESULT_FILE), JSON.stringify(result, null, 1) + '\n');
        return { stage };
      });
      return manifest.id;
    },
  };
}
