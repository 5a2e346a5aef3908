/**
 * The one Temporal and runtime configuration of the project: defaults here, environment variables on top,
 * validated by zod at start so a wrong value fails before anything connects or writes.
 */
import path from 'node:path';
import { TemporalConfigSchema, type TemporalConfig } from './schemas/temporalConfig.ts';
import type { RetryPolicy } from './schemas/activityPolicy.ts';

const quickRetry: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  maximumAttempts: 5,
  nonRetryableErrorTypes: ['ValidationError', 'ConfigError', 'HierarchyError'],
};
const patientRetry: RetryPolicy = {
  initialInterval: '5s',
  backoffCoefficient: 2,
  maximumInterval: '5m',
  maximumAttempts: 0,
  nonRetryableErrorTypes: ['ValidationError', 'ConfigError', 'HierarchyError'],
};

export const defaultTemporalConfig: TemporalConfig = {
  address: undefined,
  namespace: 'default',
  embedded: { ip: '127.0.0.1', port: 7233, uiPort: 8233, dbFile: 'temporal/dev-server.sqlite', cliVersion: 'v1.5.1' },
  taskQueues: { cpu: 'skinr1-cpu', gpu: 'skinr1-gpu' },
  activities: {
    // Short bookkeeping (memo lookups, commits, reports).
    control: { taskQueue: 'cpu', startToCloseTimeout: '2m', retry: quickRetry },
    // Dataset harmonization and distillation: deterministic work, so a bounded number of attempts (a bug or a bad
    // file fails the run within about half an hour instead of retrying forever); heartbeat per chunk of rows.
    data: { taskQueue: 'cpu', startToCloseTimeout: '2h', heartbeatTimeout: '2m', retry: { ...patientRetry, maximumAttempts: 8 } },
    // SFT/RL shards and rollouts: long, resumable from the heartbeat's checkpoint, retried until they finish.
    training: { taskQueue: 'gpu', startToCloseTimeout: '24h', heartbeatTimeout: '5m', retry: patientRetry },
    // Reward scoring of a rollout batch: CPU work, seconds.
    reward: { taskQueue: 'cpu', startToCloseTimeout: '10m', heartbeatTimeout: '1m', retry: quickRetry },
    // The smoke workflow's stepped activity: a short heartbeat timeout so a killed worker is noticed within seconds.
    smoke: { taskQueue: 'cpu', startToCloseTimeout: '10m', heartbeatTimeout: '3s', retry: { ...quickRetry, initialInterval: '500ms' } },
  },
  storeRoot: '.skinr1',
  workerShutdownGraceTime: '10s',
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The config before validation: env values land here as strings or numbers and zod judges them. */
type RawConfig = Record<string, unknown> & { embedded: Record<string, unknown>; taskQueues: Record<string, unknown> };
type Setter = (c: RawConfig, v: string) => void;
const asInt = (v: string): number | string => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : v);

/** Environment variable -> where it lands in the config; the variable name is reported with any error it causes. */
const envOverrides: Record<string, { path: string; set: Setter }> = {
  TEMPORAL_ADDRESS: { path: 'address', set: (c, v) => (c.address = v) },
  TEMPORAL_NAMESPACE: { path: 'namespace', set: (c, v) => (c.namespace = v) },
  SKINR1_HOME: { path: 'storeRoot', set: (c, v) => (c.storeRoot = v) },
  SKINR1_TEMPORAL_IP: { path: 'embedded.ip', set: (c, v) => (c.embedded.ip = v) },
  SKINR1_TEMPORAL_PORT: { path: 'embedded.port', set: (c, v) => (c.embedded.port = asInt(v)) },
  SKINR1_TEMPORAL_UI_PORT: { path: 'embedded.uiPort', set: (c, v) => (c.embedded.uiPort = asInt(v)) },
  SKINR1_TEMPORAL_DB: { path: 'embedded.dbFile', set: (c, v) => (c.embedded.dbFile = v) },
  SKINR1_TASK_QUEUE_CPU: { path: 'taskQueues.cpu', set: (c, v) => (c.taskQueues.cpu = v) },
  SKINR1_TASK_QUEUE_GPU: { path: 'taskQueues.gpu', set: (c, v) => (c.taskQueues.gpu = v) },
  SKINR1_WORKER_SHUTDOWN_GRACE: { path: 'workerShutdownGraceTime', set: (c, v) => (c.workerShutdownGraceTime = v) },
};

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Working directory that a relative store root resolves against. */
  cwd?: string;
  /** Values set by CLI flags; they win over the environment. */
  overrides?: Partial<Pick<TemporalConfig, 'storeRoot' | 'address' | 'namespace'>> & {
    embedded?: Partial<TemporalConfig['embedded']>;
  };
}

/** Defaults, then environment, then CLI overrides; validated; paths made absolute. Throws ConfigError naming the source. */
export function loadTemporalConfig(opts: LoadOptions = {}): TemporalConfig {
  const env = opts.env ?? process.env;
  const raw = structuredClone(defaultTemporalConfig) as unknown as RawConfig;
  const sourceOf = new Map<string, string>();
  for (const [name, { path: p, set }] of Object.entries(envOverrides)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    set(raw, v);
    sourceOf.set(p, `${name}=${JSON.stringify(v)}`);
  }
  const o = opts.overrides ?? {};
  for (const key of ['storeRoot', 'address', 'namespace'] as const) {
    if (o[key] !== undefined) {
      raw[key] = o[key];
      sourceOf.set(key, `--${key} ${JSON.stringify(o[key])}`);
    }
  }
  for (const [k, v] of Object.entries(o.embedded ?? {})) {
    if (v === undefined) continue;
    raw.embedded[k] = v;
    sourceOf.set(`embedded.${k}`, `option ${k}=${JSON.stringify(v)}`);
  }
  const parsed = TemporalConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const p = i.path.join('.');
      const src = sourceOf.get(p);
      return `  - ${p}${src ? ` (from ${src})` : ''}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration (temporal.config.ts + environment):\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
  cfg.storeRoot = path.resolve(opts.cwd ?? process.cwd(), cfg.storeRoot);
  if (!path.isAbsolute(cfg.embedded.dbFile)) cfg.embedded.dbFile = path.join(cfg.storeRoot, cfg.embedded.dbFile);
  return cfg;
}

/** The address clients and workers connect to: the configured cluster, or the embedded server. */
export function temporalAddress(cfg: TemporalConfig): string {
  if (cfg.address) return cfg.address;
  const host = cfg.embedded.ip === '0.0.0.0' ? '127.0.0.1' : cfg.embedded.ip;
  return `${host}:${cfg.embedded.port}`;
}

/** Local mode: no address configured, so this process may start the embedded server and run workers in-process. */
export function isLocalMode(cfg: TemporalConfig): boolean {
  return cfg.address === undefined;
}
