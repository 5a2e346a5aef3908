import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { adapterSpec } from '../datasets/adapters.ts';
import { loadSpecFile } from '../datasets/loadSpecFile.ts';
import { ValidationError } from '../errors/ValidationError.ts';
import { defaultKnowledgeDir } from '../knowledge/KnowledgeBase.ts';
import { DistillConfigSchema } from '../schemas/distill.ts';
import { EvalConfigSchema } from '../schemas/evaluation.ts';
import { modelPresets, SftConfigSchema, type ModelPreset } from '../schemas/model.ts';
import { OnboardConfigSchema } from '../schemas/onboarding.ts';
import { PipelineConfigSchema, PipelineFileSchema, type PipelineConfig, type PipelineFile } from '../schemas/pipeline.ts';
import { RlConfigSchema } from '../schemas/rl.ts';

function check<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(`${where}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/**
 * A pipeline config (the object of a YAML/JSON file, with `base` the folder its relative paths start from) resolved
 * into what `trainSkinR1` runs: dataset specs with absolute paths, every stage's config validated with its defaults.
 * Errors name the file and the field.
 */
export function resolvePipelineConfig(raw: PipelineFile, base: string, where = 'pipeline config'): PipelineConfig {
  const f = check(PipelineFileSchema, raw, where);
  const datasets = f.datasets.map((d, i) => {
    try {
      return 'spec' in d ? loadSpecFile(path.resolve(base, d.spec)) : adapterSpec(d.adapter, path.resolve(base, d.metadata), path.resolve(base, d.images), Object.fromEntries(Object.entries(d.extra).map(([k, v]) => [k, path.resolve(base, v)])));
    } catch (e) {
      throw new ValidationError(`${where}: datasets.${i}: ${(e as Error).message}`);
    }
  });
  const model = f.sft.model ?? 'small';
  const sftModel = typeof model === 'string' ? modelPresets[model as ModelPreset] : model;
  if (!sftModel) throw new ValidationError(`${where}: sft.model: "${String(model)}" is not a preset (${Object.keys(modelPresets).join(', ')}) or a model config`);
  return check(
    PipelineConfigSchema,
    {
      name: f.name,
      datasets,
      knowledgeDir: f.knowledge ? path.resolve(base, f.knowledge) : defaultKnowledgeDir,
      onboard: check(OnboardConfigSchema, f.onboard, `${where}: onboard`),
      distill: check(DistillConfigSchema, f.distill, `${where}: distill`),
      sft: check(SftConfigSchema, { ...f.sft, model: sftModel }, `${where}: sft`),
      rl: f.rl === false ? null : check(RlConfigSchema.strict(), f.rl, `${where}: rl`),
      evaluate: check(EvalConfigSchema.strict(), f.evaluate, `${where}: evaluate`),
      compareStages: f.compareStages,
    },
    where,
  );
}

/** Reads a pipeline config file (YAML or JSON); relative paths in it are relative to the file. */
export function loadPipelineConfig(file: string): PipelineConfig {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ValidationError(`${file}: cannot read the pipeline config: ${(e as Error).message}`);
  }
  return resolvePipelineConfig(raw as PipelineFile, path.dirname(path.resolve(file)), file);
}
