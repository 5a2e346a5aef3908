// Lint: typescript-eslint's recommended rules everywhere, plus the determinism fence around workflow code.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export const workflowRules = {
  // Workflow code is replayed by Temporal: it may import the workflow SDK, zod, schemas and its own helpers, and only
  // the *types* of activities. Anything that touches the OS, the network or real time belongs in an activity.
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      paths: nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not allowed in workflow code; do this in an activity.' })),
      patterns: [
        { group: ['**/activities/*', '**/activities'], allowTypeImports: true, message: 'Workflows import only activity types (use `import type`).' },
        {
          group: [
            '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@duckdb/*', 'sharp', 'cli-progress', 'commander',
            '**/store/*', '**/devserver/*', '**/lineage/*', '**/cli/*', '**/workers/*', '**/datasets/*', '**/hierarchy/*', '**/temporal.config*',
          ],
          message: 'Workflow code may not import side-effecting modules; wrap the work in an activity.',
        },
      ],
    },
  ],
  'no-restricted-globals': [
    'error',
    ...['process', 'require', 'Buffer', 'fetch', 'performance', 'crypto', 'setInterval', 'setImmediate', 'queueMicrotask', 'XMLHttpRequest', 'WebSocket'].map((name) => ({
      name,
      message: `\`${name}\` is not deterministic on replay; use an activity (or @temporalio/workflow's sleep/uuid4).`,
    })),
  ],
  'no-restricted-properties': [
    'error',
    { object: 'Math', property: 'random', message: 'Use a seeded RNG from the workflow input or uuid4() from @temporalio/workflow.' },
    { object: 'crypto', property: 'randomUUID', message: 'Use uuid4() from @temporalio/workflow.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.skinr1/**', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['workflows/**/*.ts'], rules: workflowRules },
  // Schemas are imported by workflows too: they may use zod and each other, nothing that touches the OS.
  {
    files: ['schemas/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: nodeBuiltins.map((name) => ({ name, message: 'schemas are loaded into workflow code: no Node built-ins.' })) }],
      'no-restricted-globals': workflowRules['no-restricted-globals'],
    },
  },
);
