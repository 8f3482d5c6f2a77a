/**
 * Partners, customers (with their certificates) and API keys. API keys are stored as SHA-256 hashes;
 * the clear key exists only in the hands of its holder (and in the local demo data file).
 */
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DateTime } from 'luxon';
import type { CursorPage, DirectoryStore, PageCursor } from '#app/ports.ts';
import type { Certificate, Customer, Partner, StoredCertificate } from '#core/directory.ts';
import type { Principal } from '#core/visibility.ts';
import { indexKeys, keys, sortableInstant, withoutKeys } from './keys.ts';
import { queryAll, queryPage, type Table } from './table.ts';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export class DynamoDirectoryStore implements DirectoryStore {
  constructor(private readonly table: Table) {}

  async readPartner(partnerId: string): Promise<Partner | null> {
    const result = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: keys.partner(partnerId) }),
    );
    return result.Item ? withoutKeys<Partner>(result.Item) : null;
  }

  /** One query over the customer's partition: the profile and its certificates. */
  async readCustomer(customerId: string): Promise<Customer | null> {
    const result = await this.table.documents.send(
      new QueryCommand({
        TableName: this.table.name,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.customer(customerId).pk },
      }),
    );
    let customer: Customer | null = null;
    const certificates: Certificate[] = [];
    for (const item of result.Items ?? []) {
      if (item.sk === '#CUSTOMER') customer = withoutKeys<Customer>(item);
      else if (typeof item.sk === 'string' && item.sk.startsWith('CERT#')) {
        const { certificateId, commonName, expiresAt } = item as Certificate;
        certificates.push({ certificateId, commonName, expiresAt });
      }
    }
    return customer ? { ...customer, certificates } : null;
  }

  listCustomers(partnerId?: string): Promise<Customer[]> {
    return partnerId
      ? queryAll<Customer>(this.table, {
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': indexKeys.partnerCustomers(partnerId, '').gsi1pk },
        })
      : queryAll<Customer>(this.table, {
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': indexKeys.allCustomers('').gsi2pk },
        });
  }

  customerPage(options: { limit: number; after?: PageCursor }): Promise<CursorPage<Customer>> {
    return queryPage<Customer>(
      this.table,
      {
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': indexKeys.allCustomers('').gsi2pk },
      },
      options,
    );
  }

  async certificatesExpiring(options: {
    from: DateTime;
    to: DateTime;
    limit: number;
    after?: PageCursor;
  }): Promise<CursorPage<StoredCertificate>> {
    const page = await queryPage<StoredCertificate>(
      this.table,
      {
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': 'CERTIFICATES',
          ':from': sortableInstant(options.from.toISO() as string),
          // '~' sorts after '#': a certificate expiring exactly at `to` is included.
          ':to': `${sortableInstant(options.to.toISO() as string)}~`,
        },
      },
      { limit: options.limit, ...(options.after ? { after: options.after } : {}) },
    );
    return {
      ...page,
      items: page.items.map(({ customerId, certificateId, commonName, expiresAt }) => ({
        customerId: String(customerId),
        certificateId: String(certificateId),
        commonName: String(commonName),
        expiresAt: String(expiresAt),
      })),
    };
  }

  async resolveApiKey(key: string): Promise<Principal | null> {
    const result = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: keys.apiKey(hashApiKey(key)) }),
    );
    const item = result.Item;
    if (!item || item.revoked === true) return null;
    if (item.role === 'ops') return { role: 'ops', name: item.name };
    if (item.role === 'partner' && typeof item.partnerId === 'string') {
      return { role: 'partner', partnerId: item.partnerId, name: item.name };
    }
    return null;
  }

  // Writes used by seeding (local runtime, tests) and administration scripts; no use case writes the directory.

  async putPartner(partner: Partner): Promise<void> {
    await this.table.documents.send(
      new PutCommand({
        TableName: this.table.name,
        Item: { ...keys.partner(partner.partnerId), entity: 'partner', ...partner },
      }),
    );
  }

  async putCustomer(customer: Customer): Promise<void> {
    const { certificates = [], ...profile } = customer;
    await this.table.documents.send(
      new PutCommand({
        TableName: this.table.name,
        Item: {
          ...keys.customer(customer.customerId),
          ...indexKeys.partnerCustomers(customer.partnerId, customer.customerId),
          ...indexKeys.allCustomers(customer.customerId),
          entity: 'customer',
          ...profile,
        },
      }),
    );
    for (const certificate of certificates) {
      await this.table.documents.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...keys.certificate(customer.customerId, certificate.certificateId),
            ...indexKeys.certificatesByExpiry(
              certificate.expiresAt,
              customer.customerId,
              certificate.certificateId,
            ),
            entity: 'certificate',
            customerId: customer.customerId,
            ...certificate,
          },
        }),
      );
    }
  }

  async putApiKey(key: string, principal: Principal): Promise<void> {
    await this.table.documents.send(
      new PutCommand({
        TableName: this.table.name,
        Item: { ...keys.apiKey(hashApiKey(key)), entity: 'apiKey', ...principal },
      }),
    );
  }
}
