import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { isLocalMode, temporalAddress } from '../temporal.config.ts';
import type { TemporalConfig } from '../schemas/temporalConfig.ts';
import { DevServer } from './DevServer.ts';
import { provisionTemporalCli } from './provisionTemporalCli.ts';
import { temporalAnswers } from './waitForTemporal.ts';

export interface TemporalSession {
  client: Client;
  connection: Connection;
  address: string;
  /** Local mode: no cluster configured; this process may host workers itself. */
  local: boolean;
  /** The embedded server this session started (and stops on close), if it had to start one. */
  startedServer?: DevServer;
  close(): Promise<void>;
}

/**
 * Connects a client. In local mode, starts the embedded dev server (SQLite in the store root, headless, output logged to
 * the store) when nothing answers on the configured port and `startServer` allows it; in cluster mode only connects.
 */
export async function openTemporal(cfg: TemporalConfig, opts: { startServer: boolean; log?: (l: string) => void }): Promise<TemporalSession> {
  const log = opts.log ?? (() => {});
  const address = temporalAddress(cfg);
  const local = isLocalMode(cfg);
  let startedServer: DevServer | undefined;
  if (!(await temporalAnswers(address))) {
    if (!local) throw new Error(`Temporal cluster at ${address} (TEMPORAL_ADDRESS) does not answer; check the address and that the frontend is up`);
    if (!opts.startServer) throw new Error(`no Temporal server answers at ${address}; start one with \`skinr1 dev-server\``);
    const cli = await provisionTemporalCli({ version: cfg.embedded.cliVersion, log });
    log(`starting the embedded Temporal dev server on ${address} (state in ${cfg.embedded.dbFile})`);
    startedServer = await DevServer.start({
      binary: cli.path,
      ip: cfg.embedded.ip,
      port: cfg.embedded.port,
      uiPort: cfg.embedded.uiPort,
      dbFile: cfg.embedded.dbFile,
      namespace: cfg.namespace,
      headless: true,
      logFile: path.join(cfg.storeRoot, 'temporal', 'dev-server.log'),
    });
  }
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: cfg.namespace });
  return {
    client,
    connection,
    address,
    local,
    startedServer,
    async close() {
      await connection.close().catch(() => {});
      await startedServer?.stop();
    },
  };
}
