import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

/** A fresh folder removed after the test file finishes. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `skinr1-${label}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
