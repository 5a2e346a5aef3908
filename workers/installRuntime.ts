import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';

let installed = false;

/**
 * Installs the SDK runtime once per process, before any worker or native connection exists. Workers shut down
 * gracefully on SIGINT/SIGTERM (running activities get the configured grace time, then are cancelled and retried).
 */
export function installRuntime(level: LogLevel = 'INFO'): void {
  if (installed) return;
  installed = true;
  const print = (e: LogEntry) => {
    // An activity-only (gpu) worker is expected to register no workflows; the SDK warns about it on every start.
    if (e.message.startsWith('No workflows registered')) return;
    const ts = new Date(Number(e.timestampNanos / 1_000_000n)).toISOString();
    process.stderr.write(`${ts} [${e.level}] ${e.message}${e.meta && Object.keys(e.meta).length ? ` ${JSON.stringify(e.meta)}` : ''}\n`);
  };
  // Core (native) logs are forwarded to the same logger, so they go to stderr too: by default they are printed to
  // stdout, where they would corrupt the --json output of commands.
  Runtime.install({
    logger: new DefaultLogger(level, print),
    telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } },
    shutdownSignals: ['SIGINT', 'SIGTERM'],
  });
}
