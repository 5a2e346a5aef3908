import { Command } from 'commander';
import { stopBackgroundServer } from '../../devserver/backgroundServer.ts';
import { DevServer } from '../../devserver/DevServer.ts';
import { provisionTemporalCli } from '../../devserver/provisionTemporalCli.ts';
import { loadTemporalConfig } from '../../temporal.config.ts';
import { configFrom } from '../globalConfig.ts';
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
    // Signals that arrive while the server is starting must still stop it, never orphan it.
    const running: { server?: DevServer } = {};
    let stopping = false;
    const stop = async (sig: string) => {
      if (stopping) return;
      stopping = true;
      note(`${sig}: stopping the dev server ...`);
      await running.server?.stop();
      note('stopped');
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
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
    running.server = server;
    const ready = { address: server.address, uiUrl: server.uiUrl, dbFile: cfg.embedded.dbFile, namespace: cfg.namespace, pid: server.pid, startMs: Date.now() - t0 };
    emit(!!opts.json, ready, () =>
      [`Temporal dev server ready in ${ready.startMs} ms`, `  frontend: ${ready.address} (namespace ${ready.namespace})`, `  web UI:   ${ready.uiUrl ?? 'disabled (--headless)'}`, `  state:    ${ready.dbFile}`, 'Ctrl-C stops it; its state survives restarts.'].join('\n'),
    );
    const exit = await server.waitForExit();
    if (!stopping) {
      note(`the dev server exited unexpectedly (code ${exit.code}, signal ${exit.signal}):\n${server.output()}`);
      process.exit(1);
    }
  });

devServerCommand
  .command('stop')
  .description('stop the embedded server a local-mode command started in the background for this store')
  .option('--json', 'machine-readable output')
  .action(async (_opts: unknown, cmd: Command) => {
    const stopped = await stopBackgroundServer(configFrom(cmd));
    // --json may be parsed by `dev-server` itself when it follows `stop`; read it from either.
    emit(!!cmd.optsWithGlobals<{ json?: boolean }>().json, { stopped: !!stopped, server: stopped }, () =>
      stopped ? `stopped the background dev server (pid ${stopped.pid}, ${stopped.address})` : 'no background dev server recorded for this store',
    );
  });
