/**
 * Partners, customers (with certificates) and API keys. API keys are stored as SHA-256 hashes;
 * the clear key exists only in the hands of its holder (and in the local demo data file).
 */

import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documents, tableName } from '#adapters/clients.ts';
import type { Principal } from '#core/visibility.ts';
import type { Region } from '#core/vocabulary.ts';
import { indexKeys, keys, withoutKeys } from './keys.ts';

export interface Contact {
  name?: string;
  email: string;
  /** Subscriptions; notices go to contacts subscribed to 'maintenance-and-outages'. */
  subscriptions: string[];
}

export interface Partner {
  partnerId: string;
  name: string;
  contacts: Contact[];
}

export interface Certificate {
  certificateId: string;
  commonName: string;
  expiresAt: string;
}

export interface Customer {
  customerId: string;
  partnerId: string;
  name: string;
  region: Region;
  /** Running UC version, e.g. "14.0 SU3". */
  version: string;
  sso: boolean;
  contacts: { name?: string; email: string }[];
  certificates?: Certificate[];
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export async function readPartner(partnerId: string): Promise<Partner | null> {
  const result = await documents.send(
    new GetCommand({ TableName: tableName(), Key: keys.partner(partnerId) }),
  );
  return result.Item ? withoutKeys<Partner>(result.Item) : null;
}

/** The customer with its certificates (one query over the customer's partition). */
export async function readCustomer(customerId: string): Promise<Customer | null> {
  const result = await documents.send(
    new QueryCommand({
      TableName: tableName(),
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

async function queryAll(
  input: ConstructorParameters<typeof QueryCommand>[0],
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export async function listCustomers(partnerId?: string): Promise<Customer[]> {
  const items = partnerId
    ? await queryAll({
        TableName: tableName(),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': indexKeys.partnerCustomers(partnerId, '').gsi1pk },
      })
    : await queryAll({
        TableName: tableName(),
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': 'CUSTOMERS' },
      });
  return items.map((item) => withoutKeys<Customer>(item));
}

export async function resolveApiKey(key: string): Promise<Principal | null> {
  const result = await documents.send(
    new GetCommand({ TableName: tableName(), Key: keys.apiKey(hashApiKey(key)) }),
  );
  const item = result.Item;
  if (!item || item.revoked === true) return null;
  if (item.role === 'ops') return { role: 'ops', name: item.name };
  if (item.role === 'partner' && typeof item.partnerId === 'string') {
    return { role: 'partner', partnerId: item.partnerId, name: item.name };
  }
  return null;
}

// Writes used by seeding (local runtime, tests) and administration scripts.

export async function putPartner(partner: Partner): Promise<void> {
  await documents.send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.partner(partner.partnerId), entity: 'partner', ...partner },
    }),
  );
}

export async function putCustomer(customer: Customer): Promise<void> {
  const { certificates = [], ...profile } = customer;
  await documents.send(
    new PutCommand({
      TableName: tableName(),
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
    await documents.send(
      new PutCommand({
        TableName: tableName(),
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

export async function putApiKey(key: string, principal: Principal): Promise<void> {
  await documents.send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.apiKey(hashApiKey(key)), entity: 'apiKey', ...principal },
    }),
  );
}
