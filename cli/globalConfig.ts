import type { Command } from 'commander';
import { loadTemporalConfig } from '../temporal.config.ts';
import type { TemporalConfig } from '../schemas/temporalConfig.ts';

/** The config for a command: defaults, environment, then the global --store flag. */
export function configFrom(cmd: Command): TemporalConfig {
  const opts = cmd.optsWithGlobals<{ store?: string }>();
  return loadTemporalConfig({ overrides: { storeRoot: opts.store } });
}
