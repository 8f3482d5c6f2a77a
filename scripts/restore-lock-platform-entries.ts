/**
 * The registry mirror here lacks Biome's non-Linux CLI packages, so `npm install` leaves them out
 * of package-lock.json, and `npm ci` then refuses the lock as out of sync with Biome's
 * optionalDependencies. This adds the missing entries back as optional, platform-gated entries
 * (never fetched on Linux). Run it after any `npm install` that rewrites the lock:
 *
 *   npx tsx scripts/restore-lock-platform-entries.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';

type LockEntry = Record<string, unknown> & {
  version?: string;
  optionalDependencies?: Record<string, string>;
};
const lockFile = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages: Record<string, LockEntry> };

const PLATFORM = /^@biomejs\/cli-(android|darwin|linux|win32)-(arm64|x64)(-musl)?$/;
let added = 0;
for (const entry of Object.values(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const match = PLATFORM.exec(name);
    const path = `node_modules/${name}`;
    if (!match || lock.packages[path]) continue;
    lock.packages[path] = {
      version,
      cpu: [match[2]],
      dev: true,
      license: 'MIT OR Apache-2.0',
      optional: true,
      os: [match[1]],
      ...(match[3] ? { libc: ['musl'] } : {}),
      engines: { node: '>=14.21.3' },
    };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
writeFileSync(lockFile, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
console.log(
  added === 0 ? 'package-lock.json already lists every Biome platform package' : `added ${added} entries`,
);
