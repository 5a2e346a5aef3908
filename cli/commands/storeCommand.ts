import { Command } from 'commander';
import { ArtifactIdSchema } from '../../schemas/artifactManifest.ts';
import { ArtifactStore } from '../../store/ArtifactStore.ts';
import { Catalog } from '../../store/Catalog.ts';
import { configFrom } from '../globalConfig.ts';
import { emit } from '../output.ts';

function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '(no rows)';
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '');
  const widths = cols.map((c) => Math.min(60, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  const fmt = (vals: string[]) => vals.map((v, i) => v.slice(0, widths[i]).padEnd(widths[i]!)).join('  ');
  return [fmt(cols), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => fmt(cols.map((c) => cell(r[c]))))].join('\n');
}

async function withCatalog<T>(cmd: Command, fn: (c: Catalog) => Promise<T>): Promise<T> {
  const catalog = await Catalog.open(configFrom(cmd).storeRoot);
  try {
    return await fn(catalog);
  } finally {
    catalog.close();
  }
}

export const storeCommand = new Command('store').description('inspect the artifact store (content-addressed artifacts with manifests)');

storeCommand
  .command('ls')
  .description('list artifacts, newest last')
  .option('--kind <kind>', 'only this kind')
  .option('--json', 'machine-readable output')
  .action(async (opts: { kind?: string; json?: boolean }, cmd: Command) => {
    const rows = await withCatalog(cmd, (c) =>
      c.query(`SELECT id, kind, createdAt, workflowId, attempt, files, bytes FROM artifacts ${opts.kind ? `WHERE kind = '${opts.kind.replaceAll("'", "''")}'` : ''} ORDER BY createdAt`),
    );
    emit(!!opts.json, rows, () => table(rows));
  });

storeCommand
  .command('show')
  .description("print an artifact's manifest")
  .argument('<id>', 'artifact id')
  .option('--json', 'machine-readable output (the manifest itself)')
  .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
    const m = await new ArtifactStore(configFrom(cmd).storeRoot).require(ArtifactIdSchema.parse(id));
    emit(!!opts.json, m, () =>
      [
        `${m.id}  kind ${m.kind}  code ${m.codeVersion}  created ${m.createdAt}`,
        `  parents: ${m.parents.join(', ') || '(none)'}`,
        `  produced by ${m.run.workflowType} ${m.run.workflowId} / ${m.run.activityType} attempt ${m.run.attempt} on ${m.run.workerIdentity}`,
        `  code: git ${m.run.gitCommit}${m.run.gitDirty ? ' (dirty)' : ''}, lockfile ${m.run.lockfileDigest.slice(0, 12)}…, config ${m.configDigest.slice(0, 12)}…`,
        ...m.files.map((f) => `  file ${f.path}  ${f.bytes} B  sha256 ${f.sha256}`),
        `  metrics: ${JSON.stringify(m.metrics)}`,
      ].join('\n'),
    );
  });

storeCommand
  .command('verify')
  .description("re-hash an artifact's files against its manifest; exits 1 naming each changed, missing or extra file")
  .argument('<id>', 'artifact id')
  .option('--json', 'machine-readable output')
  .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
    const problems = await new ArtifactStore(configFrom(cmd).storeRoot).verify(ArtifactIdSchema.parse(id));
    emit(!!opts.json, { id, ok: problems.length === 0, problems }, () => (problems.length ? problems.join('\n') : `${id}: ok`));
    if (problems.length) process.exitCode = 1;
  });

storeCommand
  .command('query')
  .description('run SQL on the catalog views: manifests, artifacts, artifact_files, artifact_edges, samples, quarantine')
  .argument('<sql>', 'a DuckDB SQL statement')
  .option('--json', 'machine-readable output')
  .action(async (sql: string, opts: { json?: boolean }, cmd: Command) => {
    const rows = await withCatalog(cmd, (c) => c.query(sql));
    emit(!!opts.json, rows, () => table(rows));
  });
