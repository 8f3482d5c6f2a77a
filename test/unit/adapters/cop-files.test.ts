/**
 * The COP file port: S3 CopyObject from the catalog bucket to the SFTP bucket (Transfer Family's store),
 * or a local folder pair; the environment chooses; the local catalog can be seeded with placeholders.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CopyObjectCommand, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CopFileMissingError,
  type CopFileStore,
  copFileStore,
  installCopFileStore,
  localCopFileStore,
  s3CopFileStore,
  seedLocalCatalog,
} from '#adapters/cop-files.ts';
import { DEFAULT_POLICY } from '#core/policy.ts';

const s3 = mockClient(S3Client);
const FIRMWARE = 'cmterm-78xx.14-3-1-0001-12.k4.cop.sgn';

afterEach(() => {
  s3.reset();
  vi.unstubAllEnvs();
});

describe('s3CopFileStore', () => {
  const store = s3CopFileStore({ catalogBucket: 'cop-catalog', sftpBucket: 'cop-sftp' });

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

  it('names the missing bucket setting', async () => {
    await expect(s3CopFileStore({ sftpBucket: 'x' }).copyToCustomer(FIRMWARE, 'globex')).rejects.toThrow(
      'COP_CATALOG_BUCKET is not set',
    );
    await expect(s3CopFileStore({ catalogBucket: 'x' }).copyToCustomer(FIRMWARE, 'globex')).rejects.toThrow(
      'COP_SFTP_BUCKET is not set',
    );
  });
});

describe('localCopFileStore', () => {
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
    const result = await localCopFileStore({ catalogDir, sftpDir }).copyToCustomer(FIRMWARE, 'globex');

    // Assess
    expect(result).toEqual({ sftpPath: `/globex/cop/${FIRMWARE}` });
    const copied = await readFile(join(sftpDir, 'globex', 'cop', FIRMWARE), 'utf8');
    expect(copied).toBe(await readFile(join(catalogDir, FIRMWARE), 'utf8'));
    expect(await readdir(join(sftpDir, 'globex', 'cop'))).toEqual([FIRMWARE]); // no partial file left
  });

  it('copies again over its own earlier copy (idempotent)', async () => {
    // Prepare
    const store = localCopFileStore({ catalogDir, sftpDir });
    await store.copyToCustomer(FIRMWARE, 'globex');

    // Act
    const again = await store.copyToCustomer(FIRMWARE, 'globex');

    // Assess
    expect(again.sftpPath).toBe(`/globex/cop/${FIRMWARE}`);
    expect(await readdir(join(sftpDir, 'globex', 'cop'))).toEqual([FIRMWARE]);
  });

  it('says which source file is missing, and leaves nothing in the customer folder', async () => {
    // Act
    const copy = localCopFileStore({ catalogDir, sftpDir }).copyToCustomer('absent.cop.sgn', 'globex');

    // Assess
    await expect(copy).rejects.toThrow(CopFileMissingError);
    await expect(copy).rejects.toThrow(`${join(catalogDir, 'absent.cop.sgn')} does not exist`);
    expect(await readdir(join(sftpDir, 'globex', 'cop'))).toEqual([]);
  });

  it('names the missing SFTP folder setting', async () => {
    await expect(localCopFileStore({ catalogDir }).copyToCustomer(FIRMWARE, 'globex')).rejects.toThrow(
      'COP_SFTP_DIR is not set',
    );
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

describe('copFileStore', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cop-env-'));
    vi.resetModules();
  });
  afterEach(async () => rm(root, { recursive: true, force: true }));

  it('uses the local folder pair when COP_CATALOG_DIR is set', async () => {
    // Prepare
    vi.stubEnv('COP_CATALOG_DIR', join(root, 'catalog'));
    vi.stubEnv('COP_SFTP_DIR', join(root, 'sftp'));
    await seedLocalCatalog(join(root, 'catalog'), DEFAULT_POLICY);
    const fresh = await import('#adapters/cop-files.ts');

    // Act
    await fresh.copFileStore().copyToCustomer(FIRMWARE, 'initech');

    // Assess
    expect(await readdir(join(root, 'sftp', 'initech', 'cop'))).toEqual([FIRMWARE]);
    expect(s3).not.toHaveReceivedAnyCommand();
  });

  it('uses S3 with the buckets of COP_CATALOG_BUCKET and COP_SFTP_BUCKET otherwise', async () => {
    // Prepare
    vi.stubEnv('COP_CATALOG_DIR', '');
    vi.stubEnv('COP_CATALOG_BUCKET', 'catalog-bucket');
    vi.stubEnv('COP_SFTP_BUCKET', 'sftp-bucket');
    s3.on(CopyObjectCommand).resolves({});
    const fresh = await import('#adapters/cop-files.ts');

    // Act
    await fresh.copFileStore().copyToCustomer(FIRMWARE, 'initech');

    // Assess
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, {
      CopySource: `catalog-bucket/catalog/${FIRMWARE}`,
      Bucket: 'sftp-bucket',
      Key: `initech/cop/${FIRMWARE}`,
    });
  });

  it('is the installed store once one is installed', async () => {
    // Prepare
    const fake: CopFileStore = { copyToCustomer: async () => ({ sftpPath: '/fake' }) };

    // Act
    installCopFileStore(fake);

    // Assess
    expect(copFileStore()).toBe(fake);
  });
});
