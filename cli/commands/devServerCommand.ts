import { Command } from 'commander';
import { DevServer } from '../../devserver/DevServer.ts';
import { provisionTemporalCli } from '../../devserver/provisionTemporalCli.ts';
import { loadTemporalConfig } from '../../temporal.config.ts';
import { emit, note } from '../output.ts';

export const devServerCommand = new Command('dev-server')
  .description('run the embedded Temporal dev server in the foreground, with SQLite persistence in the store and its web UI')
  .option('--port <port>', 'frontend gRPC port (default 7233, or $SKINR1_TEMPORAL_PORT)', (v) => Number(v))
  .option('--ui-port <port>', 'web UI port (default 8233, or $SKINR1_TEMPORAL_UI_PORT)', (v) => Number(v))
  .option('--ip <ip>', 'interface to bind; 0.0.0.0 lets workers on other machines connect (default 127.0.0.1)')
  .option('--db <file>', 'SQLite file for the server state (default <store>/temporal/dev-server.sqlite)')
  .option('--headless', 'no web UI')
  .option('--json', 'print the ready line as JSON')
  .action(async (opts: { port?: number; uiPort?: number; ip?: string; db?: string; headless?: boolean; json?: boolean }, cmd: Command) => {
    const g = cmd.optsWithGlobals<{ store?: string }>();
    const cfg = loadTemporalConfig({ overrides: { storeRoot: g.store, embedded: { port: opts.port, uiPort: opts.uiPort, ip: opts.ip, dbFile: opts.db } } });
    const cli = await provisionTemporalCli({ version: cfg.embedded.cliVersion, log: note });
    const t0 = Date.now();
    const server = await DevServer.start({
      binary: cli.path,
      ip: cfg.embedded.ip,
      port: cfg.embedded.port,
      uiPort: cfg.embedded.uiPort,
      dbFile: cfg.embedded.dbFile,
      namespace: cfg.namespace,
      headless: !!opts.headless,
    });
    const ready = { address: server.address, uiUrl: server.uiUrl, dbFile: cfg.embedded.dbFile, namespace: cfg.namespace, pid: server.pid, startMs: Date.now() - t0 };
    emit(!!opts.json, ready, () =>
      [`Temporal dev server ready in ${ready.startMs} ms`, `  frontend: ${ready.address} (namespace ${ready.namespace})`, `  web UI:   ${ready.uiUrl ?? 'disabled (--headless)'}`, `  state:    ${ready.dbFile}`, 'Ctrl-C stops it; its state survives restarts.'].join('\n'),
    );
    let stopping = false;
    const stop = async (sig: string) => {
      if (stopping) return;
      stopping = true;
      note(`${sig}: stopping the dev server ...`);
      await server.stop();
      note('stopped');
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    const exit = await server.waitForExit();
    if (!stopping) {
      note(`the dev server exited unexpectedly (code ${exit.code}, signal ${exit.signal}):\n${server.output()}`);
      process.exit(1);
    }
  });
