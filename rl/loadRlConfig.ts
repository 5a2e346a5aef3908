import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../errors/ValidationError.ts';
import { RlConfigSchema, type RlConfig, type RlConfigInput } from '../schemas/rl.ts';

/** An RL config from an optional YAML/JSON file plus command-line overrides; errors name the file and the field. */
export function loadRlConfig(file: string | undefined, overrides: Partial<RlConfigInput> = {}): RlConfig {
  let raw: Record<string, unknown> = {};
  if (file) {
    try {
      raw = (parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown> | null) ?? {};
    } catch (e) {
      throw new ValidationError(`--config ${file}: not a readable YAML/JSON file: ${(e as Error).message}`);
    }
  }
  const parsed = RlConfigSchema.strict().safeParse({ ...raw, ...overrides });
  if (!parsed.success) throw new ValidationError(`--config ${file ?? '(defaults)'}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
