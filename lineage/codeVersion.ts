import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../devserver/projectRoot.ts';
import { sha256Hex } from '../store/sha256.ts';

export interface CodeVersion {
  /** HEAD of the repository the worker runs from, or "unknown" outside a git checkout. */
  gitCommit: string;
  /** True when tracked files differ from HEAD: the commit alone then does not say which code ran. */
  gitDirty: boolean;
  /** sha256 of package-lock.json: the exact dependency versions. */
  lockfileDigest: string;
}

let cached: CodeVersion | undefined;

/** Read once per process: workers do not change code under themselves. */
export function codeVersion(): CodeVersion {
  if (cached) return cached;
  const git = (...args: string[]): string | undefined => {
    try {
      return execFileSync('git', args, { cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  let lockfileDigest = 'unknown';
  try {
    lockfileDigest = sha256Hex(readFileSync(path.join(projectRoot, 'package-lock.json')));
  } catch {
    // no lockfile: reported as unknown
  }
  cached = {
    gitCommit: git('rev-parse', 'HEAD') ?? 'unknown',
    gitDirty: (git('status', '--porcelain', '--untracked-files=no') ?? '') !== '',
    lockfileDigest,
  };
  return cached;
}
