import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ProvisionError, provisionTemporalCli, userCacheBinary } from '../devserver/provisionTemporalCli.ts';
import { tempDir } from './helpers/tempDir.ts';

async function fakeCli(file: string, version: string): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `#!/bin/sh\necho "temporal version ${version} (fake)"\n`, { mode: 0o755 });
  return file;
}

describe('provisionTemporalCli resolution order', () => {
  const base = () => {
    const dir = tempDir('prov');
    return { dir, toolsBinary: path.join(dir, 'tools', 'bin', 'temporal'), env: { PATH: path.join(dir, 'empty-path'), XDG_CACHE_HOME: path.join(dir, 'cache'), HOME: dir } };
  };

  it('uses $TEMPORAL_CLI_PATH first, and names it when it is not executable', async () => {
    const { dir, toolsBinary, env } = base();
    const bin = await fakeCli(path.join(dir, 'custom', 'temporal'), '7.7.7');
    const cli = await provisionTemporalCli({ version: 'v1.5.1', env: { ...env, TEMPORAL_CLI_PATH: bin }, toolsBinary });
    assert.equal(cli.source, 'TEMPORAL_CLI_PATH');
    assert.match(cli.versionLine, /7\.7\.7/);
    await assert.rejects(provisionTemporalCli({ version: 'v1.5.1', env: { ...env, TEMPORAL_CLI_PATH: path.join(dir, 'nope') }, toolsBinary }), /TEMPORAL_CLI_PATH=.*nope is not an executable/);
  });

  it('takes `temporal` from PATH and links it into the project tools folder for next time', async () => {
    const { dir, toolsBinary, env } = base();
    await fakeCli(path.join(dir, 'bin-on-path', 'temporal'), '1.2.3');
    const cli = await provisionTemporalCli({ version: 'v1.5.1', env: { ...env, PATH: path.join(dir, 'bin-on-path') }, toolsBinary });
    assert.equal(cli.source, 'PATH');
    assert.equal(await fs.readlink(toolsBinary), path.join(dir, 'bin-on-path', 'temporal'));
    const next = await provisionTemporalCli({ version: 'v1.5.1', env, toolsBinary });
    assert.equal(next.source, 'project-tools');
  });

  it('reuses the per-user cache keyed by version before building', async () => {
    const { toolsBinary, env } = base();
    await fakeCli(userCacheBinary('v1.5.1', env), '1.5.1');
    const cli = await provisionTemporalCli({ version: 'v1.5.1', env, toolsBinary, allowBuild: false });
    assert.equal(cli.source, 'user-cache');
    await assert.rejects(provisionTemporalCli({ version: 'v9.9.9', env, toolsBinary: toolsBinary + '-other', allowBuild: false }), ProvisionError);
  });

  it('says what to do when there is no binary and no Go', async () => {
    const { toolsBinary, env } = base();
    await assert.rejects(provisionTemporalCli({ version: 'v1.5.1', env, toolsBinary }), (e: unknown) => {
      assert.ok(e instanceof ProvisionError);
      assert.match(e.message, /Go is not installed/);
      assert.match(e.message, /TEMPORAL_CLI_PATH/);
      assert.match(e.message, /go install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1/);
      assert.match(e.message, /TEMPORAL_ADDRESS/);
      return true;
    });
  });
});
