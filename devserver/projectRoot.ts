import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives one folder below it), so tools resolve paths wherever they are run from. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
