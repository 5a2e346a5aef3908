import { provisionTemporalCli } from '../../devserver/provisionTemporalCli.ts';
import { defaultTemporalConfig } from '../../temporal.config.ts';

/** The real Temporal CLI the tests run (provisioned by `.ci/run`; built here with Go if it is not yet). */
export async function temporalBinary(): Promise<string> {
  const cli = await provisionTemporalCli({ version: defaultTemporalConfig.embedded.cliVersion, log: (l) => console.error(l) });
  return cli.path;
}
