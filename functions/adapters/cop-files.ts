/**
 * The COP file port: puts a file of the provider's catalog on a customer's SFTP server (rules section 9).
 * - In AWS: S3 `CopyObject` from the catalog bucket (`COP_CATALOG_BUCKET`, key `catalog/<file>`) to the
 *   SFTP bucket (`COP_SFTP_BUCKET`, key `<customerId>/cop/<file>`). The SFTP bucket is the S3 storage behind
 *   AWS Transfer Family: each customer's SFTP home directory maps to its `<customerId>/` prefix, so the
 *   object is what the partner's SFTP client sees as `/<customerId>/cop/<file>`.
 * - Locally (when `COP_CATALOG_DIR` is set): a folder pair, `<COP_CATALOG_DIR>/<file>` copied to
 *   `<COP_SFTP_DIR>/<customerId>/cop/<file>`.
 *
 * A copy is idempotent (the same source overwrites the same target), so a job that crashed after copying
 * may copy again. Both implementations refuse names that are not one plain path segment.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CopyObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { assertCopPathParts, COP_FILE_NAME, sftpPathOf } from '#core/cop.ts';
import type { Policy } from '#core/policy.ts';

export interface CopFileStore {
  /** Copies the catalog's file to the customer's SFTP server; answers where the partner finds it. */
  copyToCustomer(copFile: string, customerId: string): Promise<{ sftpPath: string }>;
}

/** The catalog has no such file to copy (the policy lists it, the storage does not hold it). */
export class CopFileMissingError extends Error {
  override readonly name = 'CopFileMissingError';
}

/** Created once per process; aws-sdk-client-mock replaces its `send` in unit tests. */
export const s3Client = new S3Client({ maxAttempts: 3 });

/** The S3 key of a customer's copy, relative to the SFTP bucket (Transfer Family's home mapping). */
export const sftpObjectKey = (customerId: string, copFile: string) => `${customerId}/cop/${copFile}`;
export const catalogObjectKey = (copFile: string) => `catalog/${copFile}`;

const isMissingSource = (error: unknown) =>
  error instanceof Error &&
  (error.name === 'NoSuchKey' ||
    error.name === 'NotFound' ||
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404);

export function s3CopFileStore(buckets: { catalogBucket?: string; sftpBucket?: string }): CopFileStore {
  return {
    async copyToCustomer(copFile, customerId) {
      assertCopPathParts(customerId, copFile);
      const { catalogBucket, sftpBucket } = buckets;
      if (!catalogBucket) throw new Error('COP_CATALOG_BUCKET is not set: there is no catalog to copy from');
      if (!sftpBucket) throw new Error('COP_SFTP_BUCKET is not set: there is no SFTP store to copy to');
      const sourceKey = catalogObjectKey(copFile);
      try {
        await s3Client.send(
          new CopyObjectCommand({
            // CopySource is URL-encoded: names may hold '+', which would otherwise read as a space.
            CopySource: `${catalogBucket}/${sourceKey.split('/').map(encodeURIComponent).join('/')}`,
            Bucket: sftpBucket,
            Key: sftpObjectKey(customerId, copFile),
            MetadataDirective: 'COPY',
          }),
        );
      } catch (error) {
        if (isMissingSource(error)) {
          throw new CopFileMissingError(
            `the COP file ${copFile} is listed in the catalog but s3://${catalogBucket}/${sourceKey} does not exist`,
            { cause: error },
          );
        }
        throw error;
      }
      return { sftpPath: sftpPathOf(customerId, copFile) };
    },
  };
}

export function localCopFileStore(dirs: { catalogDir: string; sftpDir?: string }): CopFileStore {
  return {
    async copyToCustomer(copFile, customerId) {
      assertCopPathParts(customerId, copFile);
      const { catalogDir, sftpDir } = dirs;
      if (!sftpDir) throw new Error('COP_SFTP_DIR is not set: there is no local SFTP folder to copy to');
      const source = join(catalogDir, copFile);
      const target = join(sftpDir, customerId, 'cop', copFile);
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
            { cause: error },
          );
        }
        throw error;
      }
      await rename(partial, target);
      return { sftpPath: sftpPathOf(customerId, copFile) };
    },
  };
}

/** The store this process uses: the local folder pair when COP_CATALOG_DIR is set, else S3. */
function storeFromEnvironment(): CopFileStore {
  const catalogDir = process.env.COP_CATALOG_DIR;
  if (catalogDir) {
    return localCopFileStore({
      catalogDir,
      ...(process.env.COP_SFTP_DIR ? { sftpDir: process.env.COP_SFTP_DIR } : {}),
    });
  }
  return s3CopFileStore({
    ...(process.env.COP_CATALOG_BUCKET ? { catalogBucket: process.env.COP_CATALOG_BUCKET } : {}),
    ...(process.env.COP_SFTP_BUCKET ? { sftpBucket: process.env.COP_SFTP_BUCKET } : {}),
  });
}

let port: CopFileStore | undefined;

export function copFileStore(): CopFileStore {
  port ??= storeFromEnvironment();
  return port;
}

/** Local runtime and tests only. */
export function installCopFileStore(next: CopFileStore): void {
  port = next;
}

/**
 * Local runtime: a placeholder file for every catalog entry that the folder does not hold yet (a real
 * file put there by a person is kept). Answers the files written.
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
