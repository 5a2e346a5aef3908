import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DatasetSpecSchema, type DatasetSpec, type SplitName } from '../schemas/datasetSpec.ts';
import { ValidationError } from '../errors/ValidationError.ts';

/**
 * Reads a declarative dataset spec (YAML or JSON), validates it, and resolves its paths against the spec's folder.
 * Errors name the file and the field.
 */
export function loadSpecFile(file: string): DatasetSpec {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ValidationError(`${file}: cannot read the spec: ${(e as Error).message}`);
  }
  const parsed = DatasetSpecSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationError(`${file}: invalid dataset spec:\n${parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n')}`);
  }
  return resolveSpecPaths(parsed.data, path.dirname(path.resolve(file)));
}

export function resolveSpecPaths(spec: DatasetSpec, base: string): DatasetSpec {
  const r = (p: string) => path.resolve(base, p);
  return {
    ...spec,
    metadata: { ...spec.metadata, file: r(spec.metadata.file) },
    joins: spec.joins.map((j) => ({ ...j, file: r(j.file) })),
    imageRoot: r(spec.imageRoot),
    label: { ...spec.label, mapFile: spec.label.mapFile ? r(spec.label.mapFile) : undefined },
    split: spec.split && 'indexFiles' in spec.split ? { ...spec.split, indexFiles: Object.fromEntries(Object.entries(spec.split.indexFiles).map(([k, f]) => [k, r(f!)])) as Partial<Record<SplitName, string>> } : spec.split,
  };
}
