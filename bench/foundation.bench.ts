/**
 * Foundation benchmarks: dev-server cold start, workflow bundle time, no-op activity round trip, artifact commit.
 * `npm run bench [-- --json] [-- --rounds N]`. Numbers are wall clock on this machine; compare ratios within one run.
 */
import { promises as fs, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, bundleWorkflowCode } from '@temporalio/worker';
import { DevServer } from '../devserver/DevServer.ts';
import { provisionTemporalCli } from '../devserver/provisionTemporalCli.ts';
import type { PingResult } from '../schemas/ping.ts';
import { ArtifactStore } from '../store/ArtifactStore.ts';
import { defaultTemporalConfig, loadTemporalConfig } from '../temporal.config.ts';
import { createWorkers } from '../workers/createWorkers.ts';
import { installRuntime } from '../workers/installRuntime.ts';
import { workflowsPath } from '../workers/workflowBundle.ts';
import { freePort } from '../tests/helpers/freePort.ts';
import { fakeRun } from '../tests/helpers/fakeRun.ts';

const { values: args } = parseArgs({ options: { json: { type: 'boolean' }, rounds: { type: 'string', default: '50' }, repeats: { type: 'string', default: '5' } } });
const rounds = Number(args.rounds);
const repeats = Number(args.repeats);

interface Row {
  measure: string;
  n: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}
const rows: Row[] = [];
const record = (measure: string, samples: number[]) => {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  rows.push({ measure, n: s.length, medianMs: round(mid), minMs: round(s[0]!), maxMs: round(s[s.length - 1]!) });
};
const round = (x: number) => Math.round(x * 100) / 100;
const timed = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
};

installRuntime('WARN');
const work = mkdtempSync(path.join(os.tmpdir(), 'skinr1-bench-'));
const progress = (l: string) => !args.json && process.stderr.write(l + '\n');
try {
  const cli = await provisionTemporalCli({ version: defaultTemporalConfig.embedded.cliVersion, log: progress });
  const port = await freePort();
  const serverOptions = { binary: cli.path, ip: '127.0.0.1', port, uiPort: await freePort(), namespace: 'default', headless: true };

  progress('dev server cold start (fresh SQLite file each time) ...');
  const cold: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const [ms, s] = await timed(() => DevServer.start({ ...serverOptions, dbFile: path.join(work, `cold-${i}.sqlite`) }));
    cold.push(ms);
    await s.stop();
  }
  record('dev server cold start (fresh SQLite)', cold);

  progress('workflow bundle ...');
  const bundles: number[] = [];
  for (let i = 0; i < repeats; i++) bundles.push((await timed(() => bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } })))[0]);
  record('workflow bundle (webpack + swc)', bundles);

  progress(`no-op activity round trips (${rounds}) ...`);
  const server = await DevServer.start({ ...serverOptions, dbFile: path.join(work, 'rt.sqlite') });
  const cfg = loadTemporalConfig({ env: { SKINR1_HOME: path.join(work, 'store'), SKINR1_TASK_QUEUE_CPU: 'bench-cpu', SKINR1_TASK_QUEUE_GPU: 'bench-gpu' } });
  const runtime = { taskQueues: cfg.taskQueues, activities: cfg.activities };
  const native = await NativeConnection.connect({ address: server.address });
  const workers = await createWorkers(cfg, native, 'all');
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  await workers.reduce<Promise<unknown>>(
    (inner, w) => w.runUntil(inner),
    (async () => {
      await client.workflow.execute('pingWorkflow', { taskQueue: cfg.taskQueues.cpu, workflowId: 'bench-warmup', args: [{ rounds: 5, runtime }] });
      const r = (await client.workflow.execute('pingWorkflow', { taskQueue: cfg.taskQueues.cpu, workflowId: 'bench-ping', args: [{ rounds, runtime }] })) as PingResult;
      record('no-op activity round trip (workflow clock)', r.roundTripMs);
      const whole: number[] = [];
      for (let i = 0; i < Math.min(rounds, 20); i++) {
        whole.push((await timed(() => client.workflow.execute('pingWorkflow', { taskQueue: cfg.taskQueues.cpu, workflowId: `bench-wf-${i}`, args: [{ rounds: 1, runtime }] })))[0]);
      }
      record('workflow start -> result, 1 no-op (client)', whole);
    })(),
  );
  await connection.close();
  await native.close();
  await server.stop();

  progress('artifact commit ...');
  const store = new ArtifactStore(path.join(work, 'commit-store'));
  const payload = Buffer.alloc(1 << 20, 7);
  const commits: number[] = [];
  for (let i = 0; i < Math.max(rounds / 2, 5); i++) {
    commits.push((await timed(() => store.commit({ kind: 'bench', codeVersion: 'b@1', inputs: { i }, config: {} }, fakeRun(), (d) => fs.writeFile(path.join(d, 'blob.bin'), payload))))[0]);
  }
  record('artifact commit (1 MiB file, fsync + rename)', commits);
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (args.json) process.stdout.write(JSON.stringify({ host: os.hostname(), cpus: os.availableParallelism(), node: process.version, rows }, null, 2) + '\n');
else {
  const cols: Array<keyof Row> = ['measure', 'n', 'medianMs', 'minMs', 'maxMs'];
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => (i === 0 ? v.padEnd(w[i]!) : v.padStart(w[i]!))).join('  ');
  console.log(`\nfoundation bench on ${os.hostname()} (${os.availableParallelism()} cpus, node ${process.version})`);
  console.log(line(cols));
  console.log(line(w.map((n) => '-'.repeat(n))));
  for (const r of rows) console.log(line(cols.map((c) => String(r[c]))));
}
