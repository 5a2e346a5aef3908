// Validates OpenLineage events offline against the official JSON Schemas vendored in tests/fixtures/openlineage
// (see PROVENANCE.md there): the event against OpenLineage.json, then each facet whose `_schemaURL` names a vendored
// facet schema against that schema.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';

const dir = path.join(import.meta.dirname, '..', 'fixtures', 'openlineage');
const CORE = 'OpenLineage.json';

interface SchemaFile {
  $id: string;
  properties?: Record<string, unknown>;
}
const load = (file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as SchemaFile;

const ajv = new Ajv2020({ allErrors: true });
ajvFormats.default(ajv); // date-time, uri, uuid
ajv.addKeyword('example'); // an annotation the OpenLineage schemas use
// Registered under its $id (https://openlineage.io/spec/2-0-2/OpenLineage.json), so the facet schemas' external $refs
// resolve here and nothing is fetched.
const core = load(CORE);
ajv.addSchema(core);
const validateEvent = ajv.getSchema(core.$id)!;
const validateRunEvent = ajv.getSchema(`${core.$id}#/$defs/RunEvent`)!;

/** Vendored facet schemas by file name: `ParentRunFacet.json` -> its $id and the key the spec files it under (`parent`). */
const facetSchemas = new Map(
  readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== CORE)
    .map((file) => {
      const s = load(file);
      ajv.addSchema(s);
      const name = file.slice(0, -'.json'.length);
      return [file, { id: s.$id, key: Object.keys(s.properties ?? {})[0], validate: ajv.getSchema(`${s.$id}#/$defs/${name}`)! }] as const;
    }),
);

const describe = (where: string, errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${where}${e.instancePath} ${e.message}${e.keyword === 'additionalProperties' || e.keyword === 'enum' ? ` (${JSON.stringify(e.params)})` : ''}`);

type Facets = Record<string, { _schemaURL?: unknown } | undefined>;
interface EventShape {
  run?: { facets?: Facets };
  job?: { facets?: Facets };
  inputs?: Array<{ facets?: Facets; inputFacets?: Facets }>;
  outputs?: Array<{ facets?: Facets; outputFacets?: Facets }>;
}

/** Every way an OpenLineage event breaks the vendored schemas, one readable line each; empty when it conforms. */
export function openLineageErrors(event: unknown): string[] {
  const errors: string[] = [];
  if (!validateEvent(event)) {
    // The root is oneOf RunEvent | DatasetEvent | JobEvent; for a run event, the RunEvent branch says what is wrong.
    const asRun = typeof event === 'object' && event !== null && 'run' in event && !validateRunEvent(event);
    errors.push(...describe('event', asRun ? validateRunEvent.errors : validateEvent.errors));
  }
  const e = (typeof event === 'object' && event !== null ? event : {}) as EventShape;
  const groups: Array<[string, Facets | undefined]> = [
    ['/run/facets', e.run?.facets],
    ['/job/facets', e.job?.facets],
    ...(Array.isArray(e.inputs) ? e.inputs : []).flatMap((d, i): Array<[string, Facets | undefined]> => [[`/inputs/${i}/facets`, d?.facets], [`/inputs/${i}/inputFacets`, d?.inputFacets]]),
    ...(Array.isArray(e.outputs) ? e.outputs : []).flatMap((d, i): Array<[string, Facets | undefined]> => [[`/outputs/${i}/facets`, d?.facets], [`/outputs/${i}/outputFacets`, d?.outputFacets]]),
  ];
  for (const [where, facets] of groups) {
    for (const [key, facet] of Object.entries(facets && typeof facets === 'object' ? facets : {})) {
      const url = facet?._schemaURL;
      if (typeof url !== 'string') continue; // the core schema already reports a missing _schemaURL
      const file = url.split('#')[0]!.split('/').pop()!;
      const schema = facetSchemas.get(file);
      if (!schema) continue; // no vendored schema for this facet
      const at = `event${where}/${key}`;
      if (url.split('#')[0] !== schema.id) errors.push(`${at} _schemaURL ${url} is not the vendored version ${schema.id}`);
      if (key !== schema.key) errors.push(`${at} is a ${file} facet, which the spec files under "${schema.key}"`);
      if (!schema.validate(facet)) errors.push(...describe(at, schema.validate.errors));
    }
  }
  return errors;
}
