import { Command } from 'commander';
import { z } from 'zod';
import { schemaRegistry } from '../../schemas/registry.ts';

export const schemaCommand = new Command('schema')
  .description('print the JSON Schema (draft 2020-12) of a contract, generated from its zod schema; no name lists them')
  .argument('[name]', `one of: ${Object.keys(schemaRegistry).join(', ')}`)
  .action((name: string | undefined) => {
    if (!name) {
      process.stdout.write(Object.keys(schemaRegistry).join('\n') + '\n');
      return;
    }
    const schema = schemaRegistry[name];
    if (!schema) throw new Error(`unknown schema "${name}"; known: ${Object.keys(schemaRegistry).join(', ')}`);
    process.stdout.write(JSON.stringify(z.toJSONSchema(schema, { io: 'input' }), null, 2) + '\n');
  });
