import { readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { TemporalConfig } from '../schemas/temporalConfig.ts';
import { temporalAddress } from '../temporal.config.ts';
import { writeFileDurable } from '../store/ArtifactStore.ts';
import { DevServer } from './DevServer.ts';
import { provisionTemporalCli } from './provisionTemporalCli.ts';
import { temporalAnswers } from './waitForTemporal.ts';

/** What a local-mode command records about the embedded server it started in the background. */
export const BackgroundServerSchema = z.object({
  pid: z.number().int().positive(),
  address: z.string(),
  uiUrl: z.string().optional(),
  dbFile: z.string(),
  logFile: z.string(),
  startedAt: z.string(),
});
export type BackgroundServer = z.infer<typeof BackgroundServerSchema>;

export const recordFile = (cfg: TemporalConfig) => path.join(cfg.storeRoot, 'temporal', 'dev-server.json');

export function readBackgroundServer(cfg: TemporalConfig): BackgroundServer | undefined {
  try {
    return BackgroundServerSchema.parse(JSON.parse(readFileSync(recordFile(cfg), 'utf8')));
  } catch {
    return undefined;
  }
}

/**
 * Starts the embedded dev server detached, with its web UI, state in the store's SQLite file and output in the store's
 * log. It keeps running after the command that started it, so runs stay browsable and later commands reuse it;
 * `skinr1 dev-server stop` stops it. Two commands racing to start it end up sharing whichever won the port.
 */
export async function startBackgroundServer(cfg: TemporalConfig, log: (l: string) => void): Promise<BackgroundServer | undefined> {
  const cli = await provisionTemporalCli({ version: cfg.embedded.cliVersion, log });
  const logFile = path.join(cfg.storeRoot, 'temporal', 'dev-server.log');
  let server: DevServer;
  try {
    server = await DevServer.start({
      binary: cli.path,
      ip: cfg.embedded.ip,
      port: cfg.embedded.port,
      uiPort: cfg.embedded.uiPort,
      dbFile: cfg.embedded.dbFile,
      namespace: cfg.namespace,
      logFile,
      background: true,
    });
  } catch (e) {
    if (await temporalAnswers(temporalAddress(cfg))) return undefined;
    throw e;
  }
  const record: BackgroundServer = {
    pid: server.pid!,
    address: server.address,
    uiUrl: server.uiUrl,
    dbFile: cfg.embedded.dbFile,
    logFile,
    startedAt: new Date().toISOString(),
  };
  await writeFileDurable(recordFile(cfg), JSON.stringify(record, null, 2) + '\n');
  return record;
}

/** Stops the background server this store recorded (checking the pid still is a Temporal dev server). */
export async function stopBackgroundServer(cfg: TemporalConfig, timeoutMs = 15_000): Promise<BackgroundServer | undefined> {
  const rec = readBackgroundServer(cfg);
  if (!rec) return undefined;
  if (isDevServer(rec.pid)) {
    process.kill(rec.pid, 'SIGTERM');
    const deadline = Date.now() + timeoutMs;
    while (isDevServer(rec.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isDevServer(rec.pid)) process.kill(rec.pid, 'SIGKILL');
  }
  await fs.rm(recordFile(cfg), { force: true });
  return rec;
}

/** True when pid is alive and is a `temporal server start-dev` (so a recycled pid is never signalled). */
function isDevServer(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return cmd.includes('start-dev') && !/\) Z /.test(stat);
  } catch {
    return false;
  }
}
