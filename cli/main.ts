#!/usr/bin/env node
import { Command } from 'commander';
import { configCommand } from './commands/configCommand.ts';
import { datasetsCommand } from './commands/datasetsCommand.ts';
import { demoCommand } from './commands/demoCommand.ts';
import { devServerCommand } from './commands/devServerCommand.ts';
import { distillCommand } from './commands/distillCommand.ts';
import { evalCommand } from './commands/evalCommand.ts';
import { trainCommand } from './commands/trainCommand.ts';
import { diagnoseCommand } from './commands/diagnoseCommand.ts';
import { lineageCommand } from './commands/lineageCommand.ts';
import { knowledgeCommand } from './commands/knowledgeCommand.ts';
import { onboardCommand } from './commands/onboardCommand.ts';
import { provisionCommand } from './commands/provisionCommand.ts';
import { schemaCommand } from './commands/schemaCommand.ts';
import { smokeCommand } from './commands/smokeCommand.ts';
import { statusCommand } from './commands/statusCommand.ts';
import { synthCommand } from './commands/synthCommand.ts';
import { storeCommand } from './commands/storeCommand.ts';
import { workerCommand } from './commands/workerCommand.ts';

const program = new Command('skinr1')
  .description(
    'Skin-R1 pipeline: Temporal workflows that harmonize dermatology datasets, distill reasoning trajectories, and train and audit a diagnosis model.\n' +
      'Local mode (no TEMPORAL_ADDRESS): commands start the embedded dev server and run workers in-process.\n' +
      'Cluster mode (TEMPORAL_ADDRESS=host:port): commands start workflows and wait; `skinr1 worker` runs on the worker machines.',
  )
  .option('--store <dir>', 'artifact store root (default $SKINR1_HOME or ./.skinr1); before the command')
  // Each command owns the options after its name (`train --config` is a pipeline file, `train sft --config` a preset).
  .enablePositionalOptions()
  .showHelpAfterError()
  .addCommand(demoCommand)
  .addCommand(onboardCommand)
  .addCommand(datasetsCommand)
  .addCommand(knowledgeCommand)
  .addCommand(distillCommand)
  .addCommand(trainCommand)
  .addCommand(diagnoseCommand)
  .addCommand(evalCommand)
  .addCommand(lineageCommand)
  .addCommand(synthCommand)
  .addCommand(smokeCommand)
  .addCommand(statusCommand)
  .addCommand(workerCommand)
  .addCommand(devServerCommand)
  .addCommand(storeCommand)
  .addCommand(configCommand)
  .addCommand(schemaCommand)
  .addCommand(provisionCommand);

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

program.parseAsync(process.argv).catch((e: unknown) => {
  const err = e as Error;
  process.stderr.write(`skinr1: ${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}\n`);
  if (process.env.SKINR1_DEBUG) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
