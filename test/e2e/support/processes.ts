/**
 * Runs one of the project's command lines in a child process, as a person would, while the system
 * under test keeps serving in this process (so never synchronously).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runtime } from '#local/runtime.ts';

export const ROOT = new URL('../../../', import.meta.url).pathname;

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node_modules/.bin/<bin> ...args` in the repository, without the caller's CMM_* variables. */
export function runBin(
  bin: 'node' | 'tsx',
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Finished> {
  const { CMM_BASE_URL, CMM_API_KEY, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(
      `${ROOT}node_modules/.bin/${bin}`,
      args,
      {
        cwd: ROOT,
        env: { ...env, ...options.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 << 20,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The operator CLI, run by Node 24 straight from its TypeScript (as `npx cmm` does). */
export const cmm = (args: string[], env?: Record<string, string>) =>
  runBin('node', ['cli/bin.ts', ...args], env ? { env } : {});

/** An endpoints file like the one `npm start` writes, for this runtime; returns its path. */
export function writeEndpointsFile(runtime: Runtime): string {
  const file = join(mkdtempSync(join(tmpdir(), 'endpoints-')), 'endpoints.json');
  writeFileSync(
    file,
    JSON.stringify({
      baseUrl: runtime.baseUrl,
      adminUrl: runtime.adminUrl,
      inboxUrl: runtime.mail.inboxUrl,
      mailStoreUrl: runtime.mail.storeUrl,
      keys: runtime.keys,
    }),
  );
  return file;
}
