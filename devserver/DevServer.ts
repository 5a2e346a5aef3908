import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { waitForTemporal } from './waitForTemporal.ts';

export interface DevServerOptions {
  binary: string;
  ip: string;
  port: number;
  uiPort: number;
  /** SQLite file; the server's whole state lives here, so a restart on the same file loses nothing. */
  dbFile: string;
  namespace: string;
  headless?: boolean;
  /** Append the server's output here instead of inheriting the terminal. */
  logFile?: string;
  startTimeoutMs?: number;
}

/**
 * The Temporal CLI dev server (`temporal server start-dev`) as a child process with SQLite persistence.
 * `start` resolves once the frontend answers gRPC (and the web UI answers HTTP unless headless).
 */
export class DevServer {
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exitPromise: Promise<void>;

  private constructor(
    readonly options: DevServerOptions,
    readonly child: ChildProcess,
    private readonly outputTail: () => string,
  ) {
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve();
      });
    });
  }

  get address(): string {
    return `${this.options.ip === '0.0.0.0' ? '127.0.0.1' : this.options.ip}:${this.options.port}`;
  }

  get uiUrl(): string | undefined {
    return this.options.headless ? undefined : `http://${this.options.ip === '0.0.0.0' ? 'localhost' : this.options.ip}:${this.options.uiPort}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static args(o: DevServerOptions): string[] {
    const a = ['server', 'start-dev', '--ip', o.ip, '--port', String(o.port), '--db-filename', o.dbFile, '--log-level', 'warn'];
    if (o.namespace !== 'default') a.push('--namespace', o.namespace);
    if (o.headless) a.push('--headless');
    else a.push('--ui-port', String(o.uiPort));
    return a;
  }

  static async start(o: DevServerOptions): Promise<DevServer> {
    await fs.mkdir(path.dirname(o.dbFile), { recursive: true });
    let tail = '';
    const keep = (b: Buffer) => {
      tail = (tail + b.toString()).slice(-4000);
    };
    const child = spawn(o.binary, DevServer.args(o), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    if (o.logFile) {
      await fs.mkdir(path.dirname(o.logFile), { recursive: true });
      const out = createWriteStream(o.logFile, { flags: 'a' });
      child.stdout!.pipe(out);
      child.stderr!.pipe(out);
    }
    const server = new DevServer(o, child, () => tail);
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    try {
      await Promise.race([
        spawnError,
        waitForTemporal(server.address, {
          timeoutMs: o.startTimeoutMs ?? 60_000,
          isDead: () =>
            server.exited
              ? `temporal dev server exited (code ${server.exited.code}, signal ${server.exited.signal}) before it was ready:\n${server.outputTail()}`
              : undefined,
        }),
      ]);
      if (server.uiUrl) await waitForHttp(server.uiUrl, o.startTimeoutMs ?? 60_000);
    } catch (e) {
      await server.kill();
      throw e;
    }
    return server;
  }

  /** Stops the server with SIGTERM (its SQLite file is closed cleanly); SIGKILL if it lingers. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  /** Kills the server abruptly, as a crash would. */
  async kill(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await this.exitPromise;
  }

  async waitForExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    await this.exitPromise;
    return this.exited!;
  }

  output(): string {
    return this.outputTail();
  }
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`Temporal web UI at ${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
