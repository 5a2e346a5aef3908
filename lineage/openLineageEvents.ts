import { existsSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { str } from '../datasets/sql.ts';
import type { ArtifactManifest } from '../schemas/artifactManifest.ts';
import { sha256Hex } from '../store/sha256.ts';
import type { LineageGraph } from './LineageGraph.ts';

const PRODUCER = 'https://github.com/skinr1/skinr1-pipeline';
const SPEC = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
/**
 * The versioned schema each facet we emit follows. ParentRunFacet and SchemaDatasetFacet match the schemas vendored in
 * tests/fixtures/openlineage, which the tests validate against; DatasetVersionDatasetFacet has none vendored (1-0-1 is
 * the version the OpenLineage Java client stamps).
 */
const facetVersions = { ParentRunFacet: '1-1-0', SchemaDatasetFacet: '1-2-0', DatasetVersionDatasetFacet: '1-0-1' } as const;
const facetUrl = (name: keyof typeof facetVersions) => `https://openlineage.io/spec/facets/${facetVersions[name]}/${name}.json#/$defs/${name}`;

/** A stable UUID (version 5 layout, from sha256) for things that have no UUID of their own, such as an activity attempt. */
export function stableUuid(seed: string): string {
  const h = sha256Hex(seed).slice(0, 32).split('');
  h[12] = '5';
  h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

interface Dataset {
  namespace: string;
  name: string;
  facets: Record<string, unknown>;
}

async function parquetFields(dir: string, m: ArtifactManifest): Promise<Array<{ name: string; type: string }> | null> {
  const file = m.files.find((f) => f.path.endsWith('.parquet'));
  if (!file || !existsSync(path.join(dir, file.path))) return null;
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  try {
    const rows = (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${str(path.join(dir, file.path))})`)).getRowObjectsJson();
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

/**
 * OpenLineage run events for an artifact's ancestry: START and COMPLETE per producing activity attempt, with a parent
 * run facet naming the workflow run (and, as root, the workflow across continue-as-new), the parent artifacts as
 * inputs and the artifact as output, each with a version facet (its content-addressed id) and, for Parquet-bearing
 * artifacts, a schema facet.
 */
export async function openLineageEvents(graph: LineageGraph, id: string): Promise<Array<Record<string, unknown>>> {
  const namespace = `skinr1://${graph.store.root}`;
  const ancestry = graph.ancestry(id).slice().reverse();
  const datasetOf = async (m: ArtifactManifest): Promise<Dataset> => {
    const fields = await parquetFields(graph.store.dirOf(m.id), m);
    const facets: Record<string, unknown> = {
      version: { _producer: PRODUCER, _schemaURL: facetUrl('DatasetVersionDatasetFacet'), datasetVersion: m.key },
    };
    if (fields) facets.schema = { _producer: PRODUCER, _schemaURL: facetUrl('SchemaDatasetFacet'), fields };
    return { namespace, name: m.id, facets };
  };
  const events: Array<Record<string, unknown>> = [];
  for (const m of ancestry) {
    const r = m.run;
    const runId = stableUuid(`${r.workflowId}\u0000${r.runId}\u0000${r.activityId}\u0000${r.attempt}`);
    const parent = {
      _producer: PRODUCER,
      _schemaURL: facetUrl('ParentRunFacet'),
      run: { runId: r.runId },
      job: { namespace, name: r.workflowType },
      root: { run: { runId: stableUuid(`workflow\u0000${r.workflowId}`) }, job: { namespace, name: r.workflowType } },
    };
    const job = { namespace, name: `${r.workflowType}.${r.activityType}` };
    const inputs = await Promise.all(m.parents.filter((p) => graph.has(p)).map((p) => datasetOf(graph.manifest(p))));
    const output = await datasetOf(m);
    const base = { producer: PRODUCER, schemaURL: SPEC, job, inputs };
    events.push({ ...base, eventType: 'START', eventTime: r.startedAt, run: { runId, facets: { parent } }, outputs: [] });
    events.push({ ...base, eventType: 'COMPLETE', eventTime: r.finishedAt, run: { runId, facets: { parent } }, outputs: [output] });
  }
  return events;
}
