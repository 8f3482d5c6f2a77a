/**
 * COP files locally: a folder pair stands in for the catalog bucket and the customers' SFTP store.
 * `<catalogDir>/<file>` is copied to `<sftpDir>/<customerId>/cop/<file>`, as S3CopFileStore copies
 * between the buckets in AWS (functions/adapters/s3-cop-files.ts).
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CopFileMissingError, type CopFileStore } from '#app/ports.ts';
import { assertCopPathParts, COP_FILE_NAME, sftpPathOf } from '#core/cop.ts';
import type { Policy } from '#core/policy.ts';

export class LocalCopFolders implements CopFileStore {
  constructor(private readonly dirs: { catalogDir: string; sftpDir: string }) {}

  async copyToCustomer(copFile: string, customerId: string): Promise<{ sftpPath: string }> {
    assertCopPathParts(customerId, copFile);
    const source = join(this.dirs.catalogDir, copFile);
    const target = join(this.dirs.sftpDir, customerId, 'cop', copFile);
    await mkdir(dirname(target), { recursive: true });
    // Copy beside the target and rename: a reader never sees half a file, and two copies of the same
    // file at once (two runs) each rename a whole file of their own.
    const partial = `${target}.partial-${randomUUID()}`;
    try {
      await copyFile(source, partial);
    } catch (error) {
      await rm(partial, { force: true });
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new CopFileMissingError(
          `the COP file ${copFile} is listed in the catalog but ${source} does not exist`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
    await rename(partial, target);
    return { sftpPath: sftpPathOf(customerId, copFile) };
  }
}

/**
 * A placeholder file for every catalog entry that the folder does not hold yet (a real file put there
 * by a person is kept). Answers the files written.
 */
export async function seedLocalCatalog(dir: string, policy: Policy): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const entry of policy.cop.catalog) {
    if (!COP_FILE_NAME.test(entry.file)) throw new TypeError(`not a plain COP file name: ${entry.file}`);
    const path = join(dir, entry.file);
    try {
      await writeFile(
        path,
        `Placeholder for the COP file ${entry.file} (${entry.kind}): ${entry.description}\n` +
          'The local runtime uploads this file to the customer folder when a partner requests it.\n',
        { flag: 'wx' },
      );
      written.push(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return written;
}
