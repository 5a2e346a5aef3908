import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, openSync, closeSync, promises as fs, readFileSync } from 'node:fs';
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
  /** Append the server's output here (required for background servers). */
  logFile?: string;
  /** Detach: the server outlives this process (its output goes only to logFile). */
  background?: boolean;
  startTimeoutMs?: number;
}

type Exit = { code: number | null; signal: NodeJS.Signals | null; error?: Error };

/**
 * The Temporal CLI dev server (`temporal server start-dev`) as a child process with SQLite persistence.
 * `start` resolves once the frontend answers gRPC (and the web UI answers HTTP unless headless).
 */
export class DevServer {
  private exited: Exit | undefined;
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
      // A failed spawn (missing or non-executable binary) emits 'error' and never 'exit'.
      child.once('error', (error) => {
        this.exited ??= { code: null, signal: null, error };
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
    if (o.logFile) await fs.mkdir(path.dirname(o.logFile), { recursive: true });
    let child: ChildProcess;
    let tail: () => string;
    if (o.background) {
      if (!o.logFile) throw new Error('a background dev server needs a log file');
      // File descriptors, not pipes: the server must keep running (and logging) after this process exits.
      const fd = openSync(o.logFile, 'a');
      child = spawn(o.binary, DevServer.args(o), { stdio: ['ignore', fd, fd], detached: true });
      closeSync(fd);
      child.unref();
      const logFile = o.logFile;
      tail = () => readTail(logFile);
    } else {
      let buf = '';
      const keep = (b: Buffer) => {
        buf = (buf + b.toString()).slice(-4000);
      };
      child = spawn(o.binary, DevServer.args(o), { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      if (o.logFile) {
        const out = createWriteStream(o.logFile, { flags: 'a' });
        out.on('error', () => {}); // a log that cannot be written must not take the server down
        child.stdout!.pipe(out, { end: false });
        child.stderr!.pipe(out, { end: false });
        child.once('close', () => out.end());
      }
      tail = () => buf;
    }
    const server = new DevServer(o, child, tail);
    try {
      await waitForTemporal(server.address, {
        timeoutMs: o.startTimeoutMs ?? 60_000,
        isDead: () => {
          const x = server.exited;
          if (!x) return undefined;
          if (x.error) return `cannot start ${o.binary}: ${x.error.message}`;
          return `temporal dev server exited (code ${x.code}, signal ${x.signal}) before it was ready:\n${server.outputTail()}`;
        },
      });
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

  async waitForExit(): Promise<Exit> {
    await this.exitPromise;
    return this.exited!;
  }

  output(): string {
    return this.outputTail();
  }
}

function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-4000);
  } catch {
    return '';
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
