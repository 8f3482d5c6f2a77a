/**
 * COP files in AWS (rules section 9): S3 `CopyObject` from the catalog bucket (key `catalog/<file>`) to
 * the SFTP bucket (key `<customerId>/cop/<file>`). The SFTP bucket is the S3 storage behind AWS
 * Transfer Family: each customer's SFTP home directory maps to its `<customerId>/` prefix, so the object
 * is what the partner's SFTP client sees as `/<customerId>/cop/<file>`.
 *
 * A copy is idempotent (the same source overwrites the same target), so a job that crashed after
 * copying may copy again. Names that are not one plain path segment are refused before S3 is called.
 */
import { CopyObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CopFileMissingError, type CopFileStore } from '#app/ports.ts';
import { assertCopPathParts, sftpPathOf } from '#core/cop.ts';

/** The S3 key of a customer's copy, relative to the SFTP bucket (Transfer Family's home mapping). */
export const sftpObjectKey = (customerId: string, copFile: string) => `${customerId}/cop/${copFile}`;
export const catalogObjectKey = (copFile: string) => `catalog/${copFile}`;

const isMissingSource = (error: unknown) =>
  error instanceof Error &&
  (error.name === 'NoSuchKey' ||
    error.name === 'NotFound' ||
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404);

export class S3CopFileStore implements CopFileStore {
  constructor(
    private readonly s3: S3Client,
    private readonly buckets: { catalogBucket: string; sftpBucket: string },
  ) {}

  async copyToCustomer(copFile: string, customerId: string): Promise<{ sftpPath: string }> {
    assertCopPathParts(customerId, copFile);
    const { catalogBucket, sftpBucket } = this.buckets;
    const sourceKey = catalogObjectKey(copFile);
    try {
      await this.s3.send(
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
  }
}
