/**
 * End-to-end benchmark of the demo DAG (`trainSkinR1` on the demo's synthetic data and config), in two parts:
 *
 * 1. The orchestration overhead: the whole run under Temporal (dev server, in-process workers) next to the same
 *    workflow code run directly in one process with no server (bench/directWorkflowRuntime.ts), each in a fresh store,
 *    per stage and in all; both must end at the same content-addressed final checkpoint (exit 1 otherwise).
 * 2. Recovery from a lost worker: the DAG again with the gpu worker as its own process, SIGKILLed mid SFT shard and
 *    replaced at once; the time from the kill to the new worker polling, to the shard running again and to the first
 *    heartbeat past where it was (bench/workerKillRecovery.ts).
 *
 * `npm run bench:e2e [-- --json] [-- --images N --cases N --sft-epochs N --rl-steps N --seed S]`; small defaults so it
 * finishes in minutes (`--images 2000 --cases 500 --sft-epochs 6 --rl-steps 100` is the full demo). RL held-out items
 * and evaluation questions are capped for the small scale (`--held-out-items`, `--max-per-benchmark`; `demo` keeps the
 * demo's values); both runs use the same config. `--skip-direct`, `--skip-kill` leave a part out; `--direct-first` runs
 * the direct run before the Temporal one (default: after); `--direct-bundle` has the direct process build the workflow
 * bundle first, as a worker does (a control: that alone slowed the direct run by about a quarter here); `--finish` lets
 * the part-2 run finish instead of terminating it once recovery is measured; `--keep` keeps the temp folder.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { demoPipeline } from '../cli/commands/demoCommand.ts';
import { generateSynthetic } from '../datasets/synthetic/generateSynthetic.ts';
import { DevServer } from '../devserver/DevServer.ts';
import { projectRoot } from '../devserver/projectRoot.ts';
import { provisionTemporalCli } from '../devserver/provisionTemporalCli.ts';
import { resolvePipelineConfig } from '../pipeline/loadPipelineConfig.ts';
import type { PipelineFile, TrainSummary } from '../schemas/pipeline.ts';
import type { StageProgress } from '../schemas/stageProgress.ts';
import { defaultTemporalConfig, loadTemporalConfig } from '../temporal.config.ts';
import { freePort } from '../tests/helpers/freePort.ts';
import { createWorkers } from '../workers/createWorkers.ts';
import { installRuntime } from '../workers/installRuntime.ts';
import type { DirectRunResult } from './directWorkflowRuntime.ts';
import { printTable } from './table.ts';
import { measureWorkerKillRecovery, type KillRecovery } from './workerKillRecovery.ts';
import { workflowTreeStats, type WorkflowTreeStats } from '../tests/helpers/workflowTreeStats.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean' },
    images: { type: 'string', default: '300' },
    cases: { type: 'string', default: '60' },
    'sft-epochs': { type: 'string', default: '2' },
    'rl-steps': { type: 'string', default: '6' },
    seed: { type: 'string', default: 'demo' },
    'held-out-items': { type: 'string', default: '48' },
    'max-per-benchmark': { type: 'string', default: '100' },
    'heartbeat-timeout': { type: 'string', default: '5s' },
    'kill-after-steps': { type: 'string', default: '3' },
    'skip-direct': { type: 'boolean' },
    'direct-first': { type: 'boolean' },
    'direct-bundle': { type: 'boolean' },
    'skip-kill': { type: 'boolean' },
    finish: { type: 'boolean' },
    keep: { type: 'boolean' },
  },
});
const progress = (l: string) => !args.json && process.stderr.write(l + '\n');
const int = (name: keyof typeof args) => {
  const v = Number(args[name]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a whole number, got ${String(args[name])}`);
  return v;
};
const s2 = (x: number) => Math.round(x * 100) / 100;
const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
/** CPU seconds (user + system, all threads) a process has used so far, from /proc (Linux); null elsewhere. */
const procCpuSeconds = (pid: number | undefined): number | null => {
  try {
    // Fields after the command name (which is in parentheses and may hold spaces): utime and stime are the 12th and 13th.
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / clockTicks;
  } catch {
    return null;
  }
};
const cpuSince = (u: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(u);
  return (d.user + d.system) / 1e6;
};

installRuntime('WARN');
const load0 = os.loadavg()[0]!;
const work = mkdtempSync(path.join(os.tmpdir(), 'skinr1-bench-e2e-'));
const dataRoot = path.join(work, 'data');
const seed = args.seed!;

// The demo's data and config, as `skinr1 demo` builds them.
progress(`data: ${args.images} HAM10000-style images, ${args.cases} Derm7pt-style cases in ${dataRoot} ...`);
await Promise.all([
  generateSynthetic({ format: 'ham10000', n: int('images'), out: path.join(dataRoot, 'ham10000'), seed }),
  generateSynthetic({ format: 'derm7pt', n: int('cases'), out: path.join(dataRoot, 'derm7pt'), seed }),
]);
const file: PipelineFile = demoPipeline(dataRoot, { seed, sftEpochs: int('sft-epochs'), rlSteps: int('rl-steps') });
if (args['held-out-items'] !== 'demo' && file.rl) file.rl = { ...file.rl, heldOutItems: int('held-out-items') };
if (args['max-per-benchmark'] !== 'demo') file.evaluate = { ...file.evaluate, maxPerBenchmark: int('max-per-benchmark') };
const config = resolvePipelineConfig(file, dataRoot, 'bench config');

let server: DevServer | undefined;
let connection: Connection | undefined;
let native: NativeConnection | undefined;
let exitCode = 0;
const out: Record<string, unknown> = { host: os.hostname(), cpus: os.availableParallelism(), node: process.version, scale: { images: int('images'), cases: int('cases'), sftEpochs: config.sft.epochs, rlSteps: config.rl?.steps ?? 0, heldOutItems: config.rl?.heldOutItems ?? 0, maxPerBenchmark: config.evaluate.maxPerBenchmark, seed } };
try {
  const cli = await provisionTemporalCli({ version: defaultTemporalConfig.embedded.cliVersion, log: progress });
  let t = performance.now();
  server = await DevServer.start({ binary: cli.path, ip: '127.0.0.1', port: await freePort(), uiPort: await freePort(), namespace: 'default', headless: true, dbFile: path.join(work, 'dev.sqlite') });
  const serverStartS = (performance.now() - t) / 1000;
  native = await NativeConnection.connect({ address: server.address });
  connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });

  // ---- Part 1, run A: under Temporal, workers in this process.
  const cfg = loadTemporalConfig({ env: { SKINR1_HOME: path.join(work, 'store-temporal'), SKINR1_TASK_QUEUE_CPU: 'bench-e2e-cpu', SKINR1_TASK_QUEUE_GPU: 'bench-e2e-gpu' } });
  const runtime = { taskQueues: cfg.taskQueues, activities: cfg.activities };
  // ---- Part 1, run B: the same workflow code, directly, in a process of its own (bench/runDirect.ts).
  type DirectOut = DirectRunResult & { processSeconds: number; maxRssMiB: number };
  const runDirect = async (): Promise<DirectOut> => {
    const directId = 'bench-e2e-direct';
    progress(`run B (direct, no server): ${directId} ...`);
    const inFile = path.join(work, 'direct-in.json');
    const outFile = path.join(work, 'direct-out.json');
    writeFileSync(inFile, JSON.stringify({ workflowType: 'trainSkinR1', workflowId: directId, args: [{ config, runtime }], storeRoot: path.join(work, 'store-direct'), taskQueues: cfg.taskQueues, buildWorkflowBundle: !!args['direct-bundle'] }));
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'bench', 'runDirect.ts'), inFile, outFile], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    child.stderr.on('data', (b: Buffer) => {
      tail = (tail + b.toString()).slice(-4000);
      if (!args.json) process.stderr.write(b.toString().replace(/^(?=.)/gm, '  '));
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`direct run exited with code ${code}:\n${tail}`);
    const r = JSON.parse(readFileSync(outFile, 'utf8')) as DirectOut;
    progress(`run B: ${r.seconds.toFixed(1)} s, final checkpoint ${(r.result as TrainSummary).finalCheckpointId}`);
    return r;
  };
  // The order is a knob: whatever else runs on the machine changes over minutes, and the second run finds warm caches.
  let B: DirectOut | undefined;
  if (!args['skip-direct'] && args['direct-first']) B = await runDirect();

  t = performance.now();
  const workers = await createWorkers(cfg, native, 'all');
  const workersS = (performance.now() - t) / 1000;
  const temporalId = 'bench-e2e-temporal';
  let temporal: { summary: TrainSummary; seconds: number; cpuSeconds: number; serverCpuSeconds: number | null; gcSeconds: number; tree: WorkflowTreeStats } | undefined;
  progress(`run A (Temporal): ${temporalId} ...`);
  await workers.reduce<Promise<unknown>>(
    (inner, w) => w.runUntil(inner),
    (async () => {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const server0 = procCpuSeconds(server!.pid);
      let gcMs = 0;
      const gc = new PerformanceObserver((list) => list.getEntries().forEach((e) => (gcMs += e.duration)));
      gc.observe({ entryTypes: ['gc'] });
      const handle = await client.workflow.start('trainSkinR1', { taskQueue: cfg.taskQueues.cpu, workflowId: temporalId, args: [{ config, runtime }] });
      // A stage line every 10 s from the run's own progress query (one query task each: negligible next to the run).
      let last = '';
      const ticker = setInterval(() => {
        handle
          .query<StageProgress>('progress')
          .then((p) => {
            const line = `${p.stage} ${String(p.detail?.child ?? '')}`;
            if (line !== last) progress(`  temporal: ${line} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
            last = line;
          })
          .catch(() => {});
      }, 10_000);
      try {
        const summary = await handle.result();
        const seconds = (performance.now() - t0) / 1000;
        const cpuSeconds = cpuSince(cpu0);
        const server1 = procCpuSeconds(server!.pid);
        const serverCpuSeconds = server0 !== null && server1 !== null ? server1 - server0 : null;
        gc.disconnect();
        temporal = { summary, seconds, cpuSeconds, serverCpuSeconds, gcSeconds: gcMs / 1000, tree: await workflowTreeStats(client, temporalId) };
      } finally {
        clearInterval(ticker);
        gc.disconnect();
      }
    })(),
  );
  const A = temporal!;
  progress(`run A: ${A.seconds.toFixed(1)} s, final checkpoint ${A.summary.finalCheckpointId}`);
  if (!args['skip-direct'] && !args['direct-first']) B = await runDirect();

  // Per stage: a child's id is `<root>.<stage>[.<i>.<name>]`; onboarding children run in parallel and count as one span.
  const stageOf = (root: string, id: string) => {
    const rest = id.slice(root.length + 1);
    return rest.startsWith('onboard.') ? 'onboard' : rest;
  };
  const spans = (root: string, children: Array<{ workflowId: string; startMs: number; endMs: number }>) => {
    const m = new Map<string, { start: number; end: number; n: number }>();
    for (const c of children) {
      const k = stageOf(root, c.workflowId);
      const s = m.get(k);
      m.set(k, s ? { start: Math.min(s.start, c.startMs), end: Math.max(s.end, c.endMs), n: s.n + 1 } : { start: c.startMs, end: c.endMs, n: 1 });
    }
    return new Map([...m].sort((a, b) => a[1].start - b[1].start).map(([k, v]) => [k, { seconds: (v.end - v.start) / 1000, n: v.n }]));
  };
  const aStages = spans(temporalId, A.tree.children);
  const bStages = B ? spans('bench-e2e-direct', B.stats.children) : new Map<string, { seconds: number; n: number }>();
  const bSummary = B?.result as TrainSummary | undefined;
  const ratio = (a: number, b: number | undefined) => (b && b > 0 ? (a / b).toFixed(2) : '-');
  const stageRows: Array<Record<string, string | number>> = [];
  for (const [k, a] of aStages) {
    const b = bStages.get(k)?.seconds;
    stageRows.push({ stage: a.n > 1 ? `${k} (${a.n} children, parallel)` : k, 'under Temporal (s)': s2(a.seconds), 'direct (s)': b === undefined ? '-' : s2(b), ratio: ratio(a.seconds, b) });
  }
  const sum = (m: Map<string, { seconds: number }>) => [...m.values()].reduce((x, v) => x + v.seconds, 0);
  const aOutside = A.seconds - sum(aStages);
  const bOutside = B ? B.seconds - sum(bStages) : undefined;
  stageRows.push({ stage: 'root, outside children (memo lookups, report)', 'under Temporal (s)': s2(aOutside), 'direct (s)': bOutside === undefined ? '-' : s2(bOutside), ratio: ratio(aOutside, bOutside) });
  stageRows.push({ stage: 'whole run (start -> result)', 'under Temporal (s)': s2(A.seconds), 'direct (s)': B ? s2(B.seconds) : '-', ratio: ratio(A.seconds, B?.seconds) });

  const aActivities = Object.values(A.tree.activities).reduce((x, n) => x + n, 0);
  const bActivities = B ? Object.values(B.stats.activities).reduce((x, a) => x + a.calls, 0) : undefined;
  const overhead = B ? A.seconds - B.seconds : undefined;
  // Where the difference goes: slower work inside activities (the server and the SDK's threads share the cores) or
  // time between them (dispatch, workflow tasks, child starts).
  const aInside = Object.values(A.tree.activitySeconds).reduce((x, v) => x + v, 0);
  const bInside = B ? Object.values(B.stats.activities).reduce((x, a) => x + a.seconds, 0) : undefined;
  const countRows: Array<Record<string, string | number>> = [
    { measure: 'activities (Temporal / direct)', value: `${aActivities} / ${bActivities ?? '-'}` },
    { measure: 'workflow runs, children and continue-as-new included (Temporal / direct)', value: `${A.tree.workflowRuns} / ${B?.stats.workflowRuns ?? '-'}` },
    { measure: 'workflow tasks (Temporal)', value: A.tree.workflowTasks },
    { measure: 'activities retried (Temporal)', value: Object.values(A.tree.retried).reduce((x, n) => x + n, 0) },
    { measure: 'orchestration overhead, Temporal - direct (s)', value: overhead === undefined ? '-' : s2(overhead) },
    { measure: 'overhead ratio, Temporal / direct', value: ratio(A.seconds, B?.seconds) },
    { measure: 'overhead per activity, all of it charged to activities (ms)', value: overhead === undefined ? '-' : Math.round((overhead * 1000) / aActivities) },
    { measure: 'overhead per workflow task, all of it charged to them (ms)', value: overhead === undefined ? '-' : Math.round((overhead * 1000) / Math.max(1, A.tree.workflowTasks)) },
    { measure: 'time inside activities, summed (Temporal started -> completed / direct) (s)', value: `${s2(aInside)} / ${bInside === undefined ? '-' : s2(bInside)}` },
    { measure: 'activity scheduled -> started, summed (Temporal) (s)', value: s2(A.tree.scheduleToStartSeconds) },
    { measure: 'CPU s during the run: workers + client process / dev server / direct process', value: `${s2(A.cpuSeconds)} / ${A.serverCpuSeconds === null ? '-' : s2(A.serverCpuSeconds)} / ${B ? s2(B.cpuSeconds) : '-'}` },
    { measure: 'GC pauses on the main thread during the run (Temporal / direct) (s)', value: `${s2(A.gcSeconds)} / ${B ? s2(B.gcSeconds) : '-'}` },
    { measure: 'load average (1 min) at start / after part 1 (other processes share the cores)', value: `${load0.toFixed(2)} / ${os.loadavg()[0]!.toFixed(2)}` },
    { measure: 'not in the run: dev server start (s)', value: s2(serverStartS) },
    { measure: 'not in the run: worker creation with workflow bundle (s)', value: s2(workersS) },
    { measure: 'not in the run: direct setup, hook + imports (s)', value: B ? s2(B.setupSeconds) : '-' },
    { measure: 'direct process wall, node + tsx start included (s)', value: B ? s2(B.processSeconds) : '-' },
  ];
  const ids = B && bSummary ? { temporal: A.summary.finalCheckpointId, direct: bSummary.finalCheckpointId, sftTemporal: A.summary.sftCheckpointId, sftDirect: bSummary.sftCheckpointId } : undefined;
  const sameFinal = ids ? ids.temporal === ids.direct : undefined;
  const order = B ? `${args['direct-first'] ? 'direct run first' : 'Temporal run first'}${args['direct-bundle'] ? ', direct process built the workflow bundle first' : ''}` : 'Temporal run only';
  out.part1 = {
    workflowId: temporalId,
    order,
    temporalSeconds: A.seconds,
    directSeconds: B?.seconds ?? null,
    ratio: B ? A.seconds / B.seconds : null,
    overheadSeconds: overhead ?? null,
    insideActivitiesSeconds: { temporal: aInside, direct: bInside ?? null },
    cpuSeconds: { temporalProcess: A.cpuSeconds, devServer: A.serverCpuSeconds, direct: B?.cpuSeconds ?? null },
    gcSeconds: { temporal: A.gcSeconds, direct: B?.gcSeconds ?? null },
    loadAverage: { start: load0, afterPart1: os.loadavg()[0] },
    stages: stageRows,
    temporalTree: A.tree,
    directStats: B?.stats ?? null,
    serverStartSeconds: serverStartS,
    workerCreateSeconds: workersS,
    directSetupSeconds: B?.setupSeconds ?? null,
    directProcessSeconds: B?.processSeconds ?? null,
    directMaxRssMiB: B?.maxRssMiB ?? null,
    finalCheckpointId: ids ?? { temporal: A.summary.finalCheckpointId },
    sameFinalCheckpoint: sameFinal ?? null,
    evaluation: { temporal: A.summary.evaluation, direct: bSummary?.evaluation ?? null },
  };
  if (!args.json) {
    printTable(`trainSkinR1 end to end, demo config at ${args.images} images + ${args.cases} cases, ${config.sft.epochs} SFT epochs, ${config.rl?.steps ?? 0} RL steps; ${order} (${os.availableParallelism()} cpus, node ${process.version})`, stageRows);
    printTable('orchestration counts and overhead', countRows);
  }
  if (ids) {
    const line = sameFinal
      ? `same final checkpoint in both runs: ${ids.temporal} (SFT ${ids.sftTemporal})`
      : `!!! DETERMINISM BROKEN: the final checkpoints differ: Temporal ${ids.temporal} (SFT ${ids.sftTemporal}), direct ${ids.direct} (SFT ${ids.sftDirect})`;
    if (!args.json || !sameFinal) process.stderr.write(`\n${line}\n`);
    if (!sameFinal) exitCode = 1;
  }

  // ---- Part 2: kill the gpu worker mid SFT shard.
  if (!args['skip-kill']) {
    progress('\npart 2: the DAG again with the gpu worker as its own process, killed mid SFT shard ...');
    const k: KillRecovery = await measureWorkerKillRecovery({
      client,
      native,
      serverAddress: server.address,
      storeRoot: path.join(work, 'store-kill'),
      config,
      workflowId: 'bench-e2e-kill',
      heartbeatTimeout: args['heartbeat-timeout']!,
      killAfterSteps: int('kill-after-steps'),
      finish: !!args.finish,
      progress,
    });
    out.part2 = k;
    if (!args.json) {
      printTable(`a gpu worker SIGKILLed mid SFT shard (training heartbeat timeout ${k.heartbeatTimeout}, first retry backoff ${k.retryInitialInterval}; the server had step ${k.stepBefore}, attempt ${k.attemptBefore})`, [
        { 'from the SIGKILL to': 'the new worker process polling', s: s2(k.workerPollingS) },
        { 'from the SIGKILL to': `the server scheduling attempt ${k.attemptAfter} (heartbeat timed out)`, s: k.retryScheduledS === null ? '-' : s2(k.retryScheduledS) },
        { 'from the SIGKILL to': `the shard running again (attempt ${k.attemptAfter} started)`, s: s2(k.activityStartedAgainS) },
        { 'from the SIGKILL to': `a heartbeat past step ${k.stepBefore} (step ${k.progressStep}; resumed at step ${k.resumeStep ?? '?'})`, s: s2(k.progressS) },
      ]);
      console.log(
        `\n${k.ending === 'terminated' ? 'The run was terminated once progress was seen (--finish lets it run to the end).' : `The run finished after the recovery (${k.runSeconds?.toFixed(1)} s in all).`}` +
          `\nA SIGKILLed worker says nothing: the server notices only when the heartbeat timeout passes (production: 5 min,` +
          `\ntemporal.config.ts) and then waits the retry backoff (${k.retryInitialInterval}) before the next attempt; a worker stopped` +
          `\nwith SIGTERM hands its activity back at once instead. The new attempt resumes at its last step checkpoint.`,
      );
    }
  }
} catch (e) {
  exitCode = 1;
  process.stderr.write(`bench:e2e failed: ${(e as Error).stack ?? String(e)}\n`);
} finally {
  await connection?.close();
  await native?.close();
  await server?.stop();
  if (args.keep) progress(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
if (args.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
process.exitCode = exitCode;
