import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where package.json, package-lock.json and cdk.json live). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Resolves a repository-relative path (absolute paths pass through unchanged). */
export function fromRepoRoot(path: string): string {
  return resolve(REPO_ROOT, path);
}
