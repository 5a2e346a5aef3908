import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AdapterDefinition, AdapterPaths } from './AdapterDefinition.ts';
import { derm7pt } from './derm7pt/adapter.ts';
import { fitzpatrick17k } from './fitzpatrick17k/adapter.ts';
import { ham10000 } from './ham10000/adapter.ts';
import { isic2019 } from './isic2019/adapter.ts';
import { padUfes20 } from './pad-ufes-20/adapter.ts';
import { skincon } from './skincon/adapter.ts';
import { DatasetSpecSchema, type DatasetSpec } from '../schemas/datasetSpec.ts';
import { ValidationError } from '../errors/ValidationError.ts';

/** The built-in adapters by name. */
export const adapters: Record<string, AdapterDefinition> = Object.fromEntries(
  [ham10000, isic2019, derm7pt, fitzpatrick17k, padUfes20, skincon].map((a) => [a.name, a]),
);

/** The spec of a built-in adapter for the user's files; extra files default to their usual names next to the metadata. */
export function adapterSpec(name: string, metadata: string, images: string, extra: Record<string, string> = {}): DatasetSpec {
  const adapter = adapters[name];
  if (!adapter) throw new ValidationError(`unknown adapter "${name}"; known: ${Object.keys(adapters).join(', ')}`);
  const dir = path.dirname(path.resolve(metadata));
  const resolved: Record<string, string> = {};
  for (const [key, candidates] of Object.entries(adapter.extraFiles)) {
    const given = extra[key];
    const found = given ? path.resolve(given) : candidates.map((c) => path.resolve(dir, c)).find((c) => existsSync(c));
    if (!found) throw new ValidationError(`adapter ${name} needs its ${key} file (${candidates.join(' or ')} next to ${metadata}); pass --extra ${key}=<file>`);
    resolved[key] = found;
  }
  const paths: AdapterPaths = { metadata: path.resolve(metadata), images: path.resolve(images), extra: resolved };
  return DatasetSpecSchema.parse(adapter.spec(paths));
}
