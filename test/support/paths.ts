import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, whatever the working directory of the test run. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The shared corpus beside the repository (CI lays it out the same way). */
export const corpusRoot = path.resolve(repoRoot, '../shared/corpus');
export const pcapsDir = path.join(repoRoot, 'pcaps');
