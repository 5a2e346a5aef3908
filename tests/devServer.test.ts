import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DevServer } from '../devserver/DevServer.ts';
import { freePort } from './helpers/freePort.ts';
import { tempDir } from './helpers/tempDir.ts';

describe('DevServer', { timeout: 60_000 }, () => {
  it('fails fast with the cause when the binary cannot be started', async () => {
    const dir = tempDir('devsrv-bad');
    const t0 = Date.now();
    await assert.rejects(
      DevServer.start({ binary: path.join(dir, 'no-such-temporal'), ip: '127.0.0.1', port: await freePort(), uiPort: await freePort(), dbFile: path.join(dir, 'db.sqlite'), namespace: 'default', headless: true }),
      /cannot start .*no-such-temporal: spawn .* ENOENT/,
    );
    assert.ok(Date.now() - t0 < 10_000);
  });

  it('reports the output of a server that exits before it is ready', async () => {
    const dir = tempDir('devsrv-exit');
    const fake = path.join(dir, 'temporal');
    await fs.writeFile(fake, '#!/bin/sh\necho "bind: address already in use" >&2\nexit 3\n', { mode: 0o755 });
    await assert.rejects(
      DevServer.start({ binary: fake, ip: '127.0.0.1', port: await freePort(), uiPort: await freePort(), dbFile: path.join(dir, 'db.sqlite'), namespace: 'default', headless: true }),
      /exited \(code 3.*\n.*address already in use/,
    );
  });
});
