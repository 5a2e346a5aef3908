import { Command } from 'commander';
import { provisionTemporalCli } from '../../devserver/provisionTemporalCli.ts';
import { configFrom } from '../globalConfig.ts';
import { emit, note } from '../output.ts';

export const provisionCommand = new Command('provision')
  .description('find or build the Temporal CLI (dev server): $TEMPORAL_CLI_PATH, .tools/bin, PATH, the per-user cache, else go install')
  .option('--no-build', 'fail instead of building with Go when no binary is found')
  .option('--json', 'machine-readable output')
  .action(async (opts: { build: boolean; json?: boolean }, cmd: Command) => {
    const cfg = configFrom(cmd);
    const t0 = Date.now();
    const cli = await provisionTemporalCli({ version: cfg.embedded.cliVersion, allowBuild: opts.build, log: note });
    emit(!!opts.json, { ...cli, seconds: (Date.now() - t0) / 1000 }, () => `temporal CLI: ${cli.path}\n  source: ${cli.source}\n  ${cli.versionLine}`);
  });
