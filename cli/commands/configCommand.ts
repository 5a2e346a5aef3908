import { Command } from 'commander';
import { isLocalMode, temporalAddress } from '../../temporal.config.ts';
import { configFrom } from '../globalConfig.ts';
import { emit } from '../output.ts';

export const configCommand = new Command('config')
  .description('print the resolved configuration (temporal.config.ts defaults + environment), or fail naming the bad value')
  .option('--json', 'machine-readable output')
  .action((opts: { json?: boolean }, cmd: Command) => {
    const cfg = configFrom(cmd);
    const out = { mode: isLocalMode(cfg) ? 'local' : 'cluster', connectTo: temporalAddress(cfg), ...cfg };
    emit(!!opts.json, out, () => JSON.stringify(out, null, 2));
  });
