/**
 * The COP file port: S3 CopyObject from the catalog bucket to the SFTP bucket (Transfer Family's store) in
 * AWS, a local folder pair in the local runtime; the local catalog can be seeded with placeholders.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CopyObjectCommand, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { s3Client as makeS3Client } from '#adapters/aws-clients.ts';
import { S3CopFileStore } from '#adapters/s3-cop-files.ts';
import { CopFileMissingError } from '#app/ports.ts';
import { loadConfig } from '#config';
import { DEFAULT_POLICY } from '#core/policy.ts';
import { LocalCopFolders, seedLocalCatalog } from '#local/cop-folders.ts';
import { createAwsPorts, s3 as s3Files } from '#wiring/aws.ts';

const s3 = mockClient(S3Client);
const FIRMWARE = 'cmterm-78xx.14-3-1-0001-12.k4.cop.sgn';
const s3Client = makeS3Client();

afterEach(() => {
  s3.reset();
});

describe('S3CopFileStore', () => {
  const store = new S3CopFileStore(s3Client, { catalogBucket: 'cop-catalog', sftpBucket: 'cop-sftp' });

  it('copies catalog/<file> to <customerId>/cop/<file> in the SFTP bucket and answers the SFTP path', async () => {
    // Prepare
    s3.on(CopyObjectCommand).resolves({});

    // Act
    const result = await store.copyToCustomer(FIRMWARE, 'globex');

    // Assess
    expect(result).toEqual({ sftpPath: `/globex/cop/${FIRMWARE}` });
    expect(s3).toHaveReceivedCommandTimes(CopyObjectCommand, 1);
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, {
      CopySource: `cop-catalog/catalog/${FIRMWARE}`,
      Bucket: 'cop-sftp',
      Key: `globex/cop/${FIRMWARE}`,
    });
  });

  it("URL-encodes the copy source ('+' is not a space)", async () => {
    // Prepare
    s3.on(CopyObjectCommand).resolves({});

    // Act
    await store.copyToCustomer('pack+extra.cop.sgn', 'globex');

    // Assess
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, {
      CopySource: 'cop-catalog/catalog/pack%2Bextra.cop.sgn',
      Key: 'globex/cop/pack+extra.cop.sgn',
    });
  });

  it('says which object is missing when the catalog bucket does not hold the file', async () => {
    // Prepare
    s3.on(CopyObjectCommand).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }),
    );

    // Act
    const copy = store.copyToCustomer(FIRMWARE, 'globex');

    // Assess
    await expect(copy).rejects.toThrow(CopFileMissingError);
    await expect(copy).rejects.toThrow(`s3://cop-catalog/catalog/${FIRMWARE} does not exist`);
  });

  it('passes other S3 errors on unchanged', async () => {
    // Prepare
    const denied = new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'Access Denied',
    });
    s3.on(CopyObjectCommand).rejects(denied);

    // Act / Assess
    await expect(store.copyToCustomer(FIRMWARE, 'globex')).rejects.toBe(denied);
  });

  it('refuses names that would leave the customer folder, without calling S3', async () => {
    await expect(store.copyToCustomer(`../${FIRMWARE}`, 'globex')).rejects.toThrow(TypeError);
    await expect(store.copyToCustomer(FIRMWARE, '../globex')).rejects.toThrow(TypeError);
    expect(s3).not.toHaveReceivedAnyCommand();
  });
});

describe('the COP file port in AWS', () => {
  const env = {
    TABLE_NAME: 'changes',
    STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:lifecycle',
    EVENT_BUS_NAME: 'change-management',
    ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:alerts',
    COP_CATALOG_BUCKET: 'catalog-bucket',
    COP_SFTP_BUCKET: 'sftp-bucket',
  };

  it('copies with S3 between the buckets of COP_CATALOG_BUCKET and COP_SFTP_BUCKET', async () => {
    // Prepare
    s3.on(CopyObjectCommand).resolves({});
    const ports = createAwsPorts(loadConfig('cop-uploads', env), [s3Files]);

    // Act
    await ports.copFiles.copyToCustomer(FIRMWARE, 'initech');

    // Assess
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, {
      CopySource: `catalog-bucket/catalog/${FIRMWARE}`,
      Bucket: 'sftp-bucket',
      Key: `initech/cop/${FIRMWARE}`,
    });
  });

  it('names the missing bucket setting', () => {
    const { COP_CATALOG_BUCKET: _catalog, ...withoutCatalog } = env;
    const { COP_SFTP_BUCKET: _sftp, ...withoutSftp } = env;
    expect(() => loadConfig('cop-uploads', withoutCatalog)).toThrow('COP_CATALOG_BUCKET is required');
    expect(() => loadConfig('cop-uploads', withoutSftp)).toThrow('COP_SFTP_BUCKET is required');
    // Wired into a Lambda whose configuration does not require them, they are named when it starts.
    expect(() => createAwsPorts(loadConfig('release-scan', withoutCatalog), [s3Files])).toThrow(
      'COP_CATALOG_BUCKET is not set',
    );
  });
});

describe('LocalCopFolders', () => {
  let root: string;
  let catalogDir: string;
  let sftpDir: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cop-files-'));
    catalogDir = join(root, 'catalog');
    sftpDir = join(root, 'sftp');
    await seedLocalCatalog(catalogDir, DEFAULT_POLICY);
  });
  afterEach(async () => rm(root, { recursive: true, force: true }));

  it('copies <catalogDir>/<file> to <sftpDir>/<customerId>/cop/<file>, creating the folders', async () => {
    // Act
    const result = await new LocalCopFolders({ catalogDir, sftpDir }).copyToCustomer(FIRMWARE, 'globex');

    // Assess
    expect(result).toEqual({ sftpPath: `/globex/cop/${FIRMWARE}` });
    const copied = await readFile(join(sftpDir, 'globex', 'cop', FIRMWARE), 'utf8');
    expect(copied).toBe(await readFile(join(catalogDir, FIRMWARE), 'utf8'));
    expect(await readdir(join(sftpDir, 'globex', 'cop'))).toEqual([FIRMWARE]); // no partial file left
  });

  it('copies again over its own earlier copy (idempotent)', async () => {
    // Prepare
    const store = new LocalCopFolders({ catalogDir, sftpDir });
    await store.copyToCustomer(FIRMWARE, 'globex');

    // Act
    const again = await store.copyToCustomer(FIRMWARE, 'globex');

    // Assess
    expect(again.sftpPath).toBe(`/globex/cop/${FIRMWARE}`);
    expect(await readdir(join(sftpDir, 'globex', 'cop'))).toEqual([FIRMWARE]);
  });

  it('says which source file is missing, and leaves nothing in the customer folder', async () => {
    // Act
    const copy = new LocalCopFolders({ catalogDir, sftpDir }).copyToCustomer('absent.cop.sgn', 'globex');

    // Assess
    await expect(copy).rejects.toThrow(CopFileMissingError);
    await expect(copy).rejects.toThrow(`${join(catalogDir, 'absent.cop.sgn')} does not exist`);
    expect(await readdir(join(sftpDir, 'globex', 'cop'))).toEqual([]);
  });
});

describe('seedLocalCatalog', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cop-catalog-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('writes a placeholder for each catalog entry and keeps a file a person put there', async () => {
    // Prepare
    await writeFile(join(dir, FIRMWARE), 'the real firmware');

    // Act
    const written = await seedLocalCatalog(dir, DEFAULT_POLICY);

    // Assess
    const files = DEFAULT_POLICY.cop.catalog.map((entry) => entry.file);
    expect((await readdir(dir)).sort()).toEqual([...files].sort());
    expect(written).toHaveLength(files.length - 1);
    expect(await readFile(join(dir, FIRMWARE), 'utf8')).toBe('the real firmware');
    expect(await readFile(join(dir, 'cm-locale-de_DE-15.0.1.1000-1.cop.sgn'), 'utf8')).toContain(
      'German (Germany) locale pack',
    );
  });
});
