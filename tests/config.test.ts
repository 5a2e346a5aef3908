import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, defaultTemporalConfig, isLocalMode, loadTemporalConfig, temporalAddress } from '../temporal.config.ts';

describe('temporal.config', () => {
  it('defaults to local mode with the embedded server, cpu/gpu queues and a store under the working directory', () => {
    const cfg = loadTemporalConfig({ env: {}, cwd: '/srv/project' });
    assert.equal(isLocalMode(cfg), true);
    assert.equal(temporalAddress(cfg), '127.0.0.1:7233');
    assert.equal(cfg.namespace, 'default');
    assert.deepEqual(cfg.taskQueues, { cpu: 'skinr1-cpu', gpu: 'skinr1-gpu' });
    assert.equal(cfg.storeRoot, '/srv/project/.skinr1');
    assert.equal(cfg.embedded.dbFile, '/srv/project/.skinr1/temporal/dev-server.sqlite');
    assert.equal(cfg.activities.training?.taskQueue, 'gpu');
    assert.equal(cfg.activities.data?.taskQueue, 'cpu');
  });

  it('takes TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and SKINR1_* from the environment', () => {
    const cfg = loadTemporalConfig({
      env: { TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'derm', SKINR1_HOME: '/data/skinr1', SKINR1_TASK_QUEUE_GPU: 'h100', SKINR1_TEMPORAL_PORT: '9000' },
      cwd: '/x',
    });
    assert.equal(isLocalMode(cfg), false);
    assert.equal(temporalAddress(cfg), 'temporal.internal:7233');
    assert.equal(cfg.namespace, 'derm');
    assert.equal(cfg.storeRoot, '/data/skinr1');
    assert.equal(cfg.taskQueues.gpu, 'h100');
    assert.equal(cfg.embedded.port, 9000);
  });

  it('fails at start naming the variable and the field when a value is wrong', () => {
    assert.throws(
      () => loadTemporalConfig({ env: { SKINR1_TEMPORAL_PORT: 'seventy', TEMPORAL_ADDRESS: 'no-port-here' } }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /embedded\.port \(from SKINR1_TEMPORAL_PORT="seventy"\)/);
        assert.match(e.message, /address \(from TEMPORAL_ADDRESS="no-port-here"\): expected host:port/);
        return true;
      },
    );
    assert.throws(() => loadTemporalConfig({ env: { SKINR1_TEMPORAL_PORT: '70000' } }), /embedded\.port/);
  });

  it('lets CLI overrides win over the environment, and never mutates the defaults', () => {
    const cfg = loadTemporalConfig({ env: { SKINR1_HOME: '/from/env' }, overrides: { storeRoot: 'rel/store', embedded: { port: 7300 } }, cwd: '/w' });
    assert.equal(cfg.storeRoot, path.resolve('/w', 'rel/store'));
    assert.equal(cfg.embedded.port, 7300);
    assert.equal(defaultTemporalConfig.embedded.port, 7233);
    assert.equal(defaultTemporalConfig.storeRoot, '.skinr1');
  });
});
