import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../errors/ValidationError.ts';
import { modelPresets, SftConfigSchema, type ModelPreset, type SftConfig, type SftConfigInput } from '../schemas/model.ts';

/**
 * An SFT config from a preset name (tiny, small, base, large) or a YAML/JSON file whose `model` is a preset name or a
 * full model config, with command-line overrides on top. Errors name the file and the field.
 */
export function loadSftConfig(presetOrFile: string, overrides: Partial<SftConfigInput> = {}): SftConfig {
  let raw: Record<string, unknown>;
  if (presetOrFile in modelPresets) raw = { model: presetOrFile };
  else {
    try {
      raw = parseYaml(readFileSync(presetOrFile, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new ValidationError(`--config ${presetOrFile}: not a preset (${Object.keys(modelPresets).join(', ')}) and not a readable YAML/JSON file: ${(e as Error).message}`);
    }
  }
  const model = typeof raw.model === 'string' ? modelPresets[raw.model as ModelPreset] : raw.model;
  if (model === undefined) throw new ValidationError(`--config ${presetOrFile}: "model" must be a preset (${Object.keys(modelPresets).join(', ')}) or a model config`);
  const parsed = SftConfigSchema.safeParse({ ...raw, ...overrides, model });
  if (!parsed.success) throw new ValidationError(`--config ${presetOrFile}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
