import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRetryPolicy } from '@temporalio/common';
import { loadTemporalConfig } from '../temporal.config.ts';
import { ActivityKindSchema } from '../schemas/activityPolicy.ts';
import { activityOptions } from '../workflows/activityOptions.ts';

describe('activityOptions', () => {
  const cfg = loadTemporalConfig({ env: {} });
  const runtime = { taskQueues: cfg.taskQueues, activities: cfg.activities };

  it('turns every configured kind into options the SDK accepts (0 attempts = unlimited)', () => {
    for (const kind of ActivityKindSchema.options) {
      const o = activityOptions(runtime, kind);
      assert.doesNotThrow(() => compileRetryPolicy(o.retry!), `${kind}: retry policy rejected by the SDK`);
      assert.ok(o.startToCloseTimeout, kind);
    }
    assert.equal(activityOptions(runtime, 'training').retry!.maximumAttempts, undefined);
    assert.equal(activityOptions(runtime, 'training').taskQueue, 'skinr1-gpu');
    assert.equal(activityOptions(runtime, 'data').taskQueue, 'skinr1-cpu');
  });
});
