/**
 * Entry of the end-to-end bench's direct run, in a process of its own: `node --import tsx bench/runDirect.ts <in.json>
 * <out.json>` runs one workflow with runWorkflowDirect and writes its DirectRunResult (plus this process's wall time
 * and peak memory) to out.json. Its own process so the direct run starts as cold as the Temporal run's workers did
 * (no JIT, backend or module state left over from the other run) and the module hook touches no other code.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { workflowBundle } from '../workers/workflowBundle.ts';
import { runWorkflowDirect } from './directWorkflowRuntime.ts';

const [inFile, outFile] = process.argv.slice(2);
if (!inFile || !outFile) throw new Error('usage: runDirect.ts <in.json> <out.json>');
const { buildWorkflowBundle, ...input } = JSON.parse(readFileSync(inFile, 'utf8')) as Omit<Parameters<typeof runWorkflowDirect>[0], 'log'> & { buildWorkflowBundle?: boolean };
// A control for the comparison: a Temporal worker process bundles the workflow code (webpack + swc) before it runs
// anything, and a process that did so was measured to run the same activities markedly slower afterwards.
const bundle = buildWorkflowBundle ? await workflowBundle() : undefined;
const r = await runWorkflowDirect({ ...input, log: (l) => process.stderr.write(l + '\n') });
if (bundle && bundle.code.length === 0) throw new Error('empty workflow bundle'); // keeps the bundle alive, as a worker does
writeFileSync(outFile, JSON.stringify({ ...r, processSeconds: process.uptime(), maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
