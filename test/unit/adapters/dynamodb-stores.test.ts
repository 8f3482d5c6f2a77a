/**
 * The DynamoDB stores on their AWS side (aws-sdk-client-mock): the commands they send, and DynamoDB's
 * refusals turned into the ports' adapter errors (VersionConflict, CapacityExceeded, ChangeMovedError,
 * InvalidPageToken) or outcomes (not claimed, skipped, replay). Their behaviour against a real table is
 * tested on DynamoDB Local (test/integration/).
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { dynamoDbDocuments } from '#adapters/aws-clients.ts';
import { dynamoStores } from '#adapters/dynamodb/stores.ts';
import { CapacityExceeded, ChangeMovedError, VersionConflict } from '#app/ports.ts';
import { encodePageToken, InvalidPageToken } from '#commons/paging.ts';
import type { Transition } from '#core/change.ts';
import { alertIdOf } from '#core/ids.ts';
import { plannedChangeRecord } from '../support/change-fixtures.ts';

const documents = mockClient(DynamoDBDocumentClient);
const TABLE = 'change-management';
const stores = dynamoStores({ documents: dynamoDbDocuments(), name: TABLE });
const NOW = DateTime.fromISO('2026-11-23T15:00:00Z', { zone: 'utc' });

afterEach(() => {
  documents.reset();
});

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

describe('DynamoChangeStore.write', () => {
  const change = plannedChangeRecord({ changeId: 'chg_1', windowId: 'AMER#2026-12-07' });
  const transition: Transition = {
    change,
    history: [{ at: '2026-11-23T15:00:00Z', event: 'SCHEDULED', actor: 'ops', detail: {} }],
    capacity: [{ windowId: 'AMER#2026-12-07', delta: 1, limit: 25 }],
  };

  it('writes a new change, its history and its reservation in one transaction, each conditionally', async () => {
    // Prepare
    documents.on(TransactWriteCommand).resolves({});

    // Act
    await stores.changes.write(null, transition);

    // Assess
    const items = documents.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items).toHaveLength(3);
    expect(items[0]?.Put).toMatchObject({
      TableName: TABLE,
      Item: { pk: 'CHANGE#chg_1', sk: '#CHANGE', status: 'SCHEDULED', version: 1 },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(items[1]?.Put).toMatchObject({ Item: { pk: 'CHANGE#chg_1', event: 'SCHEDULED' } });
    expect(items[2]?.Update).toMatchObject({
      Key: { pk: 'WINDOW#AMER#2026-12-07', sk: '#CAPACITY' },
      ConditionExpression: 'attribute_not_exists(used) OR used < :limit',
      ExpressionAttributeValues: { ':delta': 1, ':limit': 25 },
    });
  });

  it('writes a move on the condition that the record is still at the version it was decided on', async () => {
    documents.on(TransactWriteCommand).resolves({});
    await stores.changes.write(change, { ...transition, change: { ...change, version: 2 }, capacity: [] });
    const [put] = documents.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(put?.Put).toMatchObject({
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': 1 },
    });
  });

  it('reports a record that moved meanwhile (or a taken id) as VersionConflict', async () => {
    documents.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));
    await expect(stores.changes.write(null, transition)).rejects.toBeInstanceOf(VersionConflict);
  });

  it('reports a full window as CapacityExceeded naming the window, and no HTTP status', async () => {
    documents.on(TransactWriteCommand).rejects(cancelled('None', 'None', 'ConditionalCheckFailed'));
    const error = await stores.changes.write(null, transition).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CapacityExceeded);
    expect(error).toMatchObject({ windowId: 'AMER#2026-12-07' });
    expect(error).not.toHaveProperty('status');
  });

  it('reports a transaction that raced another writer as VersionConflict', async () => {
    documents.on(TransactWriteCommand).rejects(cancelled('None', 'None', 'TransactionConflict'));
    await expect(stores.changes.write(null, transition)).rejects.toBeInstanceOf(VersionConflict);
  });

  it('passes other DynamoDB errors on', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ProvisionedThroughputExceededException',
    });
    documents.on(TransactWriteCommand).rejects(throttled);
    await expect(stores.changes.write(null, transition)).rejects.toBe(throttled);
  });
});

describe('DynamoChangeStore.query', () => {
  const scope = { kind: 'partner', partnerId: 'acme-voice' } as const;

  it("queries the scope's index and hands back LastEvaluatedKey as an opaque token", async () => {
    // Prepare
    const last = { pk: 'CHANGE#chg_1', sk: '#CHANGE', gsi1pk: 'PARTNER#acme-voice#CHANGES', gsi1sk: 'x' };
    documents
      .on(QueryCommand)
      .resolves({ Items: [{ ...plannedChangeRecord(), pk: 'x', sk: 'y' }], LastEvaluatedKey: last });

    // Act
    const page = await stores.changes.query({ scope, limit: 1 });

    // Assess
    expect(documents).toHaveReceivedCommandWith(QueryCommand, {
      TableName: TABLE,
      IndexName: 'gsi1',
      ExpressionAttributeValues: { ':pk': 'PARTNER#acme-voice#CHANGES' },
      Limit: 1,
    });
    expect(page.items[0]).not.toHaveProperty('pk');
    expect(page.nextToken).toBe(encodePageToken(last));
  });

  it.each([
    ['not base64 JSON', '%%%'],
    [
      'another partition',
      encodePageToken({ pk: 'a', sk: 'b', gsi1pk: 'PARTNER#other#CHANGES', gsi1sk: 'c' }),
    ],
    ['other attributes', encodePageToken({ pk: 'a', sk: 'b', gsi2pk: 'CHANGES', gsi2sk: 'c' })],
  ])(
    'refuses a token this listing did not give out (%s) with InvalidPageToken, before any query',
    async (_what, nextToken) => {
      await expect(stores.changes.query({ scope, limit: 10, nextToken })).rejects.toBeInstanceOf(
        InvalidPageToken,
      );
      expect(documents).not.toHaveReceivedCommand(QueryCommand);
    },
  );
});

describe('DynamoWaitTokenStore.park', () => {
  it('stores the token on the condition that the change is at the version decided on', async () => {
    documents.on(TransactWriteCommand).resolves({});
    await stores.waitTokens.park('chg_1', 3, { token: 't', phase: 'reply', until: '2026-11-30T15:00:00Z' });
    const [check, put] = documents.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(check?.ConditionCheck).toMatchObject({
      Key: { pk: 'CHANGE#chg_1', sk: '#CHANGE' },
      ExpressionAttributeValues: { ':expected': 3 },
    });
    expect(put?.Put).toMatchObject({ Item: { pk: 'CHANGE#chg_1', sk: 'WAIT', token: 't', version: 3 } });
  });

  it('reports a change that moved as ChangeMovedError (the state machine advances again by that name)', async () => {
    documents.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
    const error = await stores.waitTokens
      .park('chg_1', 3, { token: 't', phase: 'reply', until: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChangeMovedError);
    expect((error as Error).name).toBe('ChangeMovedError');
  });
});

describe('DynamoNoticeLedger', () => {
  it("claims a change's notice, numbering the attempt (the old entry held one failed attempt)", async () => {
    // Prepare: the entry before the claim (ReturnValues ALL_OLD): one attempt, released for a retry.
    documents.on(UpdateCommand).resolves({ Attributes: { attempts: 1, state: 'RETRY' } });

    // Act
    const claim = await stores.noticeLedger.claim({ changeId: 'chg_1', noticeKey: 'scheduled' }, NOW);

    // Assess
    expect(claim).toEqual({ claimed: true, attempt: 2 });
    const input = documents.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.Key).toEqual({ pk: 'CHANGE#chg_1', sk: 'NOTICE#scheduled' });
    expect(input.ConditionExpression).toBe(
      'attribute_not_exists(pk) OR #state IN (:retry, :resend) OR (#state = :sending AND claimedUntil <= :now)',
    );
    expect(input.ReturnValues).toBe('ALL_OLD');
    expect(input.ExpressionAttributeValues).toMatchObject({
      ':now': NOW.toSeconds(),
      ':until': NOW.toSeconds() + 300,
    });
  });

  it("claims a COP request's outcome notice only while it is owed", async () => {
    documents.on(UpdateCommand).resolves({ Attributes: { attempts: 1 } });
    await stores.noticeLedger.claim({ copRequestId: 'cop_1' }, NOW);
    const input = documents.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.Key).toEqual({ pk: 'COP#cop_1', sk: 'NOTICE#OUTCOME' });
    expect(input.ConditionExpression).toBe(
      '#state IN (:owed, :retry) OR (#state = :sending AND claimedUntil <= :now)',
    );
  });

  it('flags a claim taken over from a sender whose claim lapsed as a possible second delivery', async () => {
    documents.on(UpdateCommand).resolves({ Attributes: { attempts: 1, state: 'SENDING' } });

    const claim = await stores.noticeLedger.claim({ changeId: 'chg_1', noticeKey: 'scheduled' }, NOW);

    expect(claim).toEqual({ claimed: true, attempt: 2, again: 'lapsed' });
  });

  it('answers not claimed when the notice is settled or held by another attempt', async () => {
    documents.on(UpdateCommand).rejects(conditionFailed());
    expect(await stores.noticeLedger.claim({ changeId: 'chg_1', noticeKey: 'scheduled' }, NOW)).toEqual({
      claimed: false,
    });
  });

  it('takes a COP notice out of the owed listing when it is settled', async () => {
    documents.on(UpdateCommand).resolves({});
    await stores.noticeLedger.settle(
      { copRequestId: 'cop_1' },
      { state: 'SENT', messageId: 'm1', at: '2026-11-23T15:00:00Z' },
    );
    expect(documents.commandCalls(UpdateCommand)[0]!.args[0].input.UpdateExpression).toBe(
      'SET #state = :state, settledAt = :at, #detail = :detail, firstSentAt = if_not_exists(firstSentAt, :at) REMOVE claimedUntil, nextAttemptAt, gsi2pk, gsi2sk',
    );
  });

  it('releases only its own claim: a notice settled meanwhile is not an error', async () => {
    documents.on(UpdateCommand).rejects(conditionFailed());
    await expect(
      stores.noticeLedger.release({ changeId: 'chg_1', noticeKey: 'scheduled' }, 'SES down'),
    ).resolves.toBeUndefined();
  });
});

describe('DynamoIdempotencyStore.begin', () => {
  const begin = () => stores.idempotency.begin('ops#createChange', 'key-1', 'fp-1', NOW);

  it('is the first attempt when the conditional put succeeds', async () => {
    documents.on(PutCommand).resolves({});
    expect(await begin()).toEqual({ kind: 'first' });
    expect(documents.commandCalls(PutCommand)[0]!.args[0].input.Item).toMatchObject({
      state: 'IN_PROGRESS',
      fingerprint: 'fp-1',
      ttl: NOW.plus({ hours: 24 }).toSeconds(),
    });
  });

  it('replays the stored response of a completed attempt with the same body', async () => {
    const response = { statusCode: 201, headers: {}, body: '{}' };
    documents.on(PutCommand).rejects(conditionFailed());
    documents.on(GetCommand).resolves({ Item: { fingerprint: 'fp-1', state: 'COMPLETED', response } });
    expect(await begin()).toEqual({ kind: 'replay', response });
  });

  it('says the key was used with another body', async () => {
    documents.on(PutCommand).rejects(conditionFailed());
    documents.on(GetCommand).resolves({ Item: { fingerprint: 'other', state: 'COMPLETED' } });
    expect(await begin()).toEqual({ kind: 'reused' });
  });

  it('says an attempt with the key is still running', async () => {
    documents.on(PutCommand).rejects(conditionFailed());
    documents.on(GetCommand).resolves({ Item: { fingerprint: 'fp-1', state: 'IN_PROGRESS' } });
    expect(await begin()).toEqual({ kind: 'in-progress' });
  });
});

describe('DynamoAlertStore.put', () => {
  const draft = {
    event: 'JOB_CRASHED' as const,
    priority: 'P1' as const,
    raisedAt: '2026-11-23T15:00:00Z',
    respondBy: '2026-11-23T16:00:00Z',
    subject: 'crashed',
    detail: {},
    dedupeKey: 'JOB_CRASHED#x',
  };

  it('stores a new alert under the id its dedupe key derives', async () => {
    documents.on(PutCommand).resolves({});
    const { alert, created } = await stores.alerts.put(draft);
    expect(created).toBe(true);
    expect(alert.alertId).toBe(alertIdOf('JOB_CRASHED#x'));
    expect(documents.commandCalls(PutCommand)[0]!.args[0].input.ConditionExpression).toBe(
      'attribute_not_exists(pk)',
    );
  });

  it('answers the first alert when the same condition is raised again', async () => {
    const first = { ...draft, alertId: alertIdOf('JOB_CRASHED#x'), status: 'acknowledged', pk: 'x', sk: 'y' };
    documents.on(PutCommand).rejects(conditionFailed());
    documents.on(GetCommand).resolves({ Item: first });
    const { alert, created } = await stores.alerts.put(draft);
    expect(created).toBe(false);
    expect(alert.status).toBe('acknowledged');
  });
});

describe('DynamoBackupStore', () => {
  const ref = {
    customerId: 'c1',
    application: 'CUCM' as const,
    takenAt: '2026-10-01T07:00:00Z',
    backupId: 'b1',
  };

  it('updates a class only over the values it read, and reports a lost race as skipped', async () => {
    documents.on(UpdateCommand).rejects(conditionFailed());
    expect(
      await stores.backups.updateRetention(ref, { retention: 'DATA_CENTRE' }, { retention: 'EXTENDED' }),
    ).toBe('skipped');
    const input = documents.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe(
      'attribute_exists(pk) AND #retention = :previousRetention AND attribute_not_exists(#expiresAt)',
    );
  });
});
