import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { projectRoot } from '../devserver/projectRoot.ts';

const eslint = new ESLint({ cwd: projectRoot });
const lintAs = async (file: string, code: string) => {
  const [res] = await eslint.lintText(code, { filePath: path.join(projectRoot, file) });
  return res!.messages.map((m) => `${m.ruleId}: ${m.message}`);
};
const lintAsWorkflow = (code: string) => lintAs(path.join('workflows', 'probe.ts'), code);

describe('the determinism lint on workflow code', () => {
  it('rejects Node built-ins, side-effecting modules and value imports of activities', async () => {
    const msgs = await lintAsWorkflow(
      [
        "import fs from 'node:fs';",
        "import { createHash } from 'crypto';",
        "import { ArtifactStore } from '../store/ArtifactStore.ts';",
        "import { makeSmokeWork } from '../activities/smokeWork.ts';",
        'export const x = [fs, createHash, ArtifactStore, makeSmokeWork];',
      ].join('\n'),
    );
    assert.equal(msgs.filter((m) => m.startsWith('@typescript-eslint/no-restricted-imports')).length, 4, msgs.join('\n'));
    assert.ok(msgs.some((m) => /Node built-ins are not allowed/.test(m)));
    assert.ok(msgs.some((m) => /only activity types/.test(m)));
  });

  it('rejects every side-effecting module, also from nested workflow folders', async () => {
    const modules = [
      '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@duckdb/node-api', 'sharp',
      '../../store/ArtifactStore.ts', '../../devserver/DevServer.ts', '../../lineage/codeVersion.ts', '../../cli/output.ts',
      '../../workers/createWorkers.ts', '../../datasets/LabelMap.ts', '../../hierarchy/Hierarchy.ts', '../../temporal.config.ts',
    ];
    for (const m of modules) {
      const msgs = await lintAs(path.join('workflows', 'nested', 'probe.ts'), `import * as x from '${m}';\nexport const y = x;`);
      assert.ok(msgs.some((s) => s.startsWith('@typescript-eslint/no-restricted-imports')), `${m} passed the fence`);
    }
    const valueImport = await lintAs(path.join('workflows', 'nested', 'probe.ts'), "import { ping } from '../../activities/ping.ts';\nexport const p = ping;");
    assert.ok(valueImport.some((s) => /only activity types/.test(s)), valueImport.join('\n'));
  });

  it('rejects non-deterministic calls and globals', async () => {
    const msgs = await lintAsWorkflow(
      'export function f() { return [Math.random(), process.env.X, performance.now(), fetch("x"), setInterval(() => 0, 1), crypto.getRandomValues(new Uint8Array(1)), setImmediate(() => 0)]; }',
    );
    assert.ok(msgs.some((m) => m.startsWith('no-restricted-properties') && /seeded RNG/.test(m)), msgs.join('\n'));
    for (const g of ['process', 'performance', 'fetch', 'setInterval', 'crypto', 'setImmediate']) {
      assert.ok(msgs.some((m) => m.startsWith('no-restricted-globals') && m.includes(`\`${g}\``)), g);
    }
  });

  it('keeps Node built-ins out of schemas, which workflows load', async () => {
    const msgs = await lintAs(path.join('schemas', 'probe.ts'), "import fs from 'node:fs';\nexport const x = fs;");
    assert.ok(msgs.some((m) => m.startsWith('no-restricted-imports')), msgs.join('\n'));
  });

  it('allows type-only activity imports, the workflow SDK and schemas, and the real workflows pass', async () => {
    const msgs = await lintAsWorkflow(
      [
        "import { proxyActivities } from '@temporalio/workflow';",
        "import type { Activities } from '../activities/index.ts';",
        "import { SmokeInputSchema } from '../schemas/smoke.ts';",
        'export const a = proxyActivities<Activities>({ startToCloseTimeout: 1000 });',
        'export const s = SmokeInputSchema;',
      ].join('\n'),
    );
    assert.deepEqual(msgs, []);
    const results = await eslint.lintFiles([path.join(projectRoot, 'workflows')]);
    assert.deepEqual(results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.message}`)), []);
  });
});
