import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { projectRoot } from '../devserver/projectRoot.ts';

const eslint = new ESLint({ cwd: projectRoot });
const lintAsWorkflow = async (code: string) => {
  const [res] = await eslint.lintText(code, { filePath: path.join(projectRoot, 'workflows', 'probe.ts') });
  return res!.messages.map((m) => `${m.ruleId}: ${m.message}`);
};

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

  it('rejects non-deterministic calls and globals', async () => {
    const msgs = await lintAsWorkflow('export function f() { return [Math.random(), process.env.X, performance.now(), fetch("x")]; }');
    assert.ok(msgs.some((m) => m.startsWith('no-restricted-properties') && /seeded RNG/.test(m)), msgs.join('\n'));
    for (const g of ['process', 'performance', 'fetch']) assert.ok(msgs.some((m) => m.startsWith('no-restricted-globals') && m.includes(`\`${g}\``)), g);
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
