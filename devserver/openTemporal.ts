import { Client, Connection } from '@temporalio/client';
import { isLocalMode, temporalAddress } from '../temporal.config.ts';
import type { TemporalConfig } from '../schemas/temporalConfig.ts';
import { startBackgroundServer, type BackgroundServer } from './backgroundServer.ts';
import { temporalAnswers } from './waitForTemporal.ts';

export interface TemporalSession {
  client: Client;
  connection: Connection;
  address: string;
  /** Local mode: no cluster configured; this process may host workers itself. */
  local: boolean;
  /** The embedded server this session started in the background, if it had to start one (it keeps running). */
  startedServer?: BackgroundServer;
  close(): Promise<void>;
}

/**
 * Connects a client. In local mode, starts the embedded dev server in the background (SQLite and log in the store root,
 * web UI on) when nothing answers on the configured port and `startServer` allows it; in cluster mode only connects.
 */
export async function openTemporal(cfg: TemporalConfig, opts: { startServer: boolean; log?: (l: string) => void }): Promise<TemporalSession> {
  const log = opts.log ?? (() => {});
  const address = temporalAddress(cfg);
  const local = isLocalMode(cfg);
  let startedServer: BackgroundServer | undefined;
  if (!(await temporalAnswers(address))) {
    if (!local) throw new Error(`Temporal cluster at ${address} (TEMPORAL_ADDRESS) does not answer; check the address and that the frontend is up`);
    if (!opts.startServer) throw new Error(`no Temporal server answers at ${address}; start one with \`skinr1 dev-server\``);
    log(`starting the embedded Temporal dev server in the background on ${address} (state in ${cfg.embedded.dbFile})`);
    startedServer = await startBackgroundServer(cfg, log);
    if (startedServer) log(`  pid ${startedServer.pid}, web UI ${startedServer.uiUrl}; it keeps running: \`skinr1 dev-server stop\` stops it`);
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
    },
  };
}
