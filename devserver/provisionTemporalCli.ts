import { execFile, spawn } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from './projectRoot.ts';

const run = promisify(execFile);

export interface TemporalCli {
  path: string;
  /** Where it came from: the env var, the project's .tools link, PATH, the per-user cache, or a fresh Go build. */
  source: 'TEMPORAL_CLI_PATH' | 'project-tools' | 'PATH' | 'user-cache' | 'go-install';
  /** What `temporal --version` printed. */
  versionLine: string;
}

export class ProvisionError extends Error {
  override name = 'ProvisionError';
}

/** The per-user cache that keeps one built binary per CLI version, shared by every clone and CI run on the machine. */
export function userCacheBinary(version: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'skinr1', 'temporal-cli', version, 'temporal');
}

export const projectToolsBinary = path.join(projectRoot, '.tools', 'bin', 'temporal');

async function isExecutable(file: string): Promise<boolean> {
  try {
    await fs.access(file, constants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function versionLine(bin: string): Promise<string> {
  const { stdout } = await run(bin, ['--version'], { timeout: 20_000 });
  return stdout.trim();
}

async function onPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && (await isExecutable(path.join(dir, name)))) return path.join(dir, name);
  }
  return undefined;
}

export interface ProvisionOptions {
  version: string;
  env?: NodeJS.ProcessEnv;
  /** Build with Go when no binary is found (default true). */
  allowBuild?: boolean;
  log?: (line: string) => void;
  /** The project-local link (default .tools/bin/temporal); tests point it elsewhere. */
  toolsBinary?: string;
}

/**
 * Finds or builds the Temporal CLI, in order: $TEMPORAL_CLI_PATH, the project's .tools/bin/temporal, `temporal` on PATH,
 * the per-user cache for this version, then `go install github.com/temporalio/cli/cmd/temporal@<version>` into that cache.
 * The result is linked at .tools/bin/temporal so later runs find it first.
 */
export async function provisionTemporalCli(opts: ProvisionOptions): Promise<TemporalCli> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  const tools = opts.toolsBinary ?? projectToolsBinary;
  const link = (cli: TemporalCli) => linkInto(tools, cli);
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!(await isExecutable(explicit))) {
      throw new ProvisionError(`TEMPORAL_CLI_PATH=${explicit} is not an executable file; point it at a temporal CLI binary or unset it`);
    }
    return { path: explicit, source: 'TEMPORAL_CLI_PATH', versionLine: await versionLine(explicit) };
  }
  if (await isExecutable(tools)) {
    // A link into our cache for another CLI version is stale after a version bump; anything else the user chose is kept.
    const line = await versionLine(tools);
    const target = await fs.realpath(tools);
    const staleCacheLink = target.includes(`${path.sep}temporal-cli${path.sep}`) && !line.includes(` ${opts.version.replace(/^v/, '')} `);
    if (!staleCacheLink) return { path: tools, source: 'project-tools', versionLine: line };
  }
  const fromPath = await onPath('temporal', env);
  if (fromPath) return link({ path: fromPath, source: 'PATH', versionLine: await versionLine(fromPath) });

  const cached = userCacheBinary(opts.version, env);
  if (await isExecutable(cached)) return link({ path: cached, source: 'user-cache', versionLine: await versionLine(cached) });

  if (opts.allowBuild === false) throw new ProvisionError(notFoundMessage(opts.version, cached, 'building was disabled'));
  const go = await onPath('go', env);
  if (!go) throw new ProvisionError(notFoundMessage(opts.version, cached, 'Go is not installed'));
  log(`building Temporal CLI ${opts.version} with ${go} (first time only; a few minutes on 2 cores) ...`);
  await goInstall(go, opts.version, cached, env, log);
  return link({ path: cached, source: 'go-install', versionLine: await versionLine(cached) });
}

/** Builds into a private GOBIN next to the cache entry, then renames, so concurrent provisioners never see half a binary. */
async function goInstall(go: string, version: string, target: string, env: NodeJS.ProcessEnv, log: (l: string) => void): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const gobin = await fs.mkdtemp(path.join(path.dirname(target), '.build-'));
  try {
    // `go install` leaves the version at 0.0.0-DEV; stamp the tag so `temporal --version` tells which CLI this is.
    const ldflags = `-X github.com/temporalio/cli/temporalcli.Version=${version.replace(/^v/, '')}`;
    const args = ['install', `-ldflags=${ldflags}`, `github.com/temporalio/cli/cmd/temporal@${version}`];
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(go, args, { env: { ...env, GOBIN: gobin, CGO_ENABLED: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let tail = '';
      const keep = (b: Buffer) => {
        tail = (tail + b.toString()).slice(-4000);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.on('error', reject);
      child.on('close', (c) => {
        if (c !== 0) log(tail);
        resolve(c ?? 1);
      });
    });
    if (code !== 0) {
      throw new ProvisionError(
        `go install github.com/temporalio/cli/cmd/temporal@${version} failed (exit ${code}). ` +
          `Check that the Go module proxy is reachable (go env GOPROXY) and Go is >= 1.25, or set TEMPORAL_CLI_PATH to an existing binary.`,
      );
    }
    await fs.rename(path.join(gobin, 'temporal'), target);
  } finally {
    await fs.rm(gobin, { recursive: true, force: true });
  }
}

async function linkInto(tools: string, cli: TemporalCli): Promise<TemporalCli> {
  await fs.mkdir(path.dirname(tools), { recursive: true });
  const tmp = `${tools}.${process.pid}.tmp`;
  await fs.rm(tmp, { force: true });
  await fs.symlink(cli.path, tmp);
  await fs.rename(tmp, tools);
  return cli;
}

function notFoundMessage(version: string, cached: string, why: string): string {
  return [
    `no Temporal CLI found and it cannot be built here (${why}). Any one of these fixes it:`,
    `  - set TEMPORAL_CLI_PATH to a temporal CLI binary (any 1.x release), or put \`temporal\` on PATH;`,
    `  - install Go >= 1.25 with access to a Go module proxy, then run \`npm run provision\``,
    `    (it runs: go install github.com/temporalio/cli/cmd/temporal@${version}, and caches the binary at ${cached});`,
    `  - or point TEMPORAL_ADDRESS at an existing Temporal cluster (cluster mode needs no local server).`,
  ].join('\n');
}
