/**
 * What the application layer needs from the world outside it: one small interface per need, named for
 * what the use cases do with it, gathered in `Ports`. Every use case takes the ports it uses as its
 * first argument, so the same coordination runs against AWS (functions/wiring/aws.ts), the local
 * runtime (local/wiring.ts) and the doubles of the tests (test/support/).
 *
 * Adapters implement these and report failures as the errors declared at the end of this file (never
 * as HTTP answers: the edge maps them to the contract).
 */
import type { DateTime } from 'luxon';
import type { IdempotencyStore } from '#commons/http/idempotency.ts';
import type { Alert, AlertDraft } from '#core/alerts.ts';
import type { ChangeRecord, HistoryRecord, Transition } from '#core/change.ts';
import type { CopRequest, CopSettlement } from '#core/cop.ts';
import type { Customer, Partner, StoredCertificate } from '#core/directory.ts';
import type { NoticeEntry } from '#core/lifecycle.ts';
import type { Policy } from '#core/policy.ts';
import type { BackupResult, RetentionRecord, StoredBackup, StoredRetention } from '#core/retention.ts';
import type { Principal } from '#core/visibility.ts';
import type { AlertPriority, AlertStatus, ChangeStatus, ParkPhase } from '#core/vocabulary.ts';

// ------------------------------------------------------------------------------------------------
// Time and identity

/** The one source of "now" for business decisions (never Date.now()). */
export interface Clock {
  now(): DateTime;
}

export type IdPrefix = 'chg' | 'cop' | 'bkp';

export interface Ids {
  /** A fresh random id with a readable prefix. */
  newId(prefix: IdPrefix): string;
}

// ------------------------------------------------------------------------------------------------
// Paging

/** Where the next page of a listing starts: opaque to the application, kept in job checkpoints. */
export type PageCursor = Record<string, unknown>;

export interface CursorPage<T> {
  items: T[];
  /** Absent on the last page. */
  next?: PageCursor;
}

// ------------------------------------------------------------------------------------------------
// Changes

export interface StoredChange {
  change: ChangeRecord;
  history: HistoryRecord[];
  /** The notice ledger's entries of the change, by key (claimed, owed, settled). */
  notices: Record<string, NoticeEntry>;
}

export type ChangeScope =
  | { kind: 'all' }
  | { kind: 'partner'; partnerId: string }
  | { kind: 'customer'; customerId: string };

export interface ChangeQuery {
  scope: ChangeScope;
  status?: ChangeStatus;
  from?: string;
  to?: string;
  limit: number;
  /** Opaque token from a previous page (the API's `nextToken`). */
  nextToken?: string;
}

export interface ChangeStore {
  /** The change with its history and settled notices, read consistently; null when there is none. */
  read(changeId: string): Promise<StoredChange | null>;
  readRecord(changeId: string): Promise<ChangeRecord | null>;
  /** How many changes each window holds (0 for a window nobody used yet). */
  capacityUsed(windowIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * Writes a transition at once: the record, its history and its capacity adjustments. `before` is the
   * record it was decided on (null: a new change, whose id must be free). Throws VersionConflict when
   * the record moved meanwhile (or the id is taken), CapacityExceeded when a reservation would overfill.
   */
  write(before: ChangeRecord | null, transition: Transition): Promise<void>;
  /**
   * History entries that change nothing else (a notice sent, a failure recorded), ordered after the
   * entries of the version they were decided on (`change.version`).
   */
  appendHistory(
    change: Pick<ChangeRecord, 'changeId' | 'version'>,
    records: readonly HistoryRecord[],
  ): Promise<void>;
  /** One page of a scope's changes by window start. Throws InvalidPageToken for a token it did not give. */
  query(query: ChangeQuery): Promise<{ items: ChangeRecord[]; nextToken?: string }>;
  /** Every change of a scope (jobs and feeds; not for request paths with a limit). */
  queryAll(scope: ChangeScope): Promise<ChangeRecord[]>;
}

/** Where a parked lifecycle's task token waits for a decision. */
export interface WaitTokenStore {
  /** Stores the token if the change is still at `expectedVersion`; throws ChangeMovedError otherwise. */
  park(
    changeId: string,
    expectedVersion: number,
    wait: { token: string; phase: ParkPhase; until: string },
  ): Promise<void>;
  read(changeId: string): Promise<{ token: string; phase: string } | null>;
}

/** Runs each change's lifecycle (a Step Functions execution per change in AWS). */
export interface LifecycleWorkflow {
  /** Starts the change's lifecycle; a lifecycle already running for it is left alone. */
  start(change: ChangeRecord): Promise<void>;
  /** Resumes a parked lifecycle; a token that no longer waits is ignored (the lifecycle moved on). */
  resume(token: string, output: Record<string, unknown>): Promise<void>;
}

/** Lifecycle events for other systems (EventBridge in AWS; docs/events.md). */
export interface EventPublisher {
  publish(change: ChangeRecord, records: readonly HistoryRecord[]): Promise<void>;
}

// ------------------------------------------------------------------------------------------------
// Notices

/** A notice of the ledger: one notice of a change, or the outcome notice of a COP request. */
export type NoticeRef = { changeId: string; noticeKey: string } | { copRequestId: string };

export type NoticeClaim =
  | {
      claimed: true;
      /** The attempt's number (1 for the first); it settles or releases only its own claim. */
      attempt: number;
      /**
       * Why this is a second delivery: `lapsed`, the claim of an earlier attempt lapsed (its sender
       * died between claiming and settling, perhaps after the mail service took the mail), so this
       * delivery may be a duplicate; `resend`, ops asked for it again. Absent for a first delivery.
       */
      again?: 'lapsed' | 'resend';
    }
  | { claimed: false };

export type NoticeSettlement =
  | { state: 'SENT'; messageId: string; at: string }
  | { state: 'FAILED'; reason: string; at: string };

/** History entries written with a ledger update, in the same transaction (they record what it did). */
export interface HistoryWith {
  change: Pick<ChangeRecord, 'changeId' | 'version'>;
  records: readonly HistoryRecord[];
}

/**
 * Each notice is claimed before it is sent and settled after. A claim lapses after a while: its
 * sender died, and the next attempt may claim it again (and flags the delivery as a possible
 * duplicate); a failed send releases it for the next attempt; after the fast retries a notice stays
 * owed with a time for its next attempt (growing back-off) until it is delivered.
 */
export interface NoticeLedger {
  /** Not claimed when it is settled already or another attempt holds it. Numbers the attempts. */
  claim(ref: NoticeRef, now: DateTime): Promise<NoticeClaim>;
  /**
   * Settles the notice (and writes `history` with it, at once). With `attempt`, only that attempt's own
   * claim is settled: `false` when the claim lapsed and was taken meanwhile (nothing written).
   */
  settle(
    ref: NoticeRef,
    settlement: NoticeSettlement,
    options?: { attempt?: number; history?: HistoryWith },
  ): Promise<boolean>;
  /** The send failed: the next attempt may claim it again. */
  release(ref: NoticeRef, reason: string): Promise<void>;
  /**
   * The fast retries ran out: the notice stays owed, its next attempt not before `nextAttemptAt`
   * (`history` written with it). `false` when it was settled meanwhile (nothing written).
   */
  owe(
    ref: NoticeRef,
    owed: { nextAttemptAt: string; reason: string },
    history?: HistoryWith,
  ): Promise<boolean>;
  /**
   * Ops ask for a notice to be sent again (a settled or owed one; RESEND). `false` when it was never
   * attempted or an attempt holds it right now (nothing written).
   */
  askResend(ref: NoticeRef, at: string): Promise<boolean>;
}

export interface MailAttachment {
  filename: string;
  /** e.g. `text/calendar; method=PUBLISH; charset=utf-8` */
  contentType: string;
  /** UTF-8 text; sent base64-encoded, byte for byte. */
  content: string;
}

export interface OutgoingMail {
  /** `ops@example.com` or `Change Desk <ops@example.com>` */
  from: string;
  /** One mailbox per entry: `Doe, Jane <jane@example.com>` is one recipient. */
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html: string;
  attachments?: MailAttachment[];
  /** The Date header. Never the wall clock: the caller decides (a retry keeps the original date). */
  date: Date;
  /**
   * Extra headers, e.g. `X-Change-Id`, `X-Notice-Id`, `Message-ID`, `Reply-To`. The headers written from
   * the mail's fields (From, To, Cc, Subject, Date, MIME-Version, Content-*) and Bcc are refused.
   */
  headers?: Record<string, string>;
}

export interface Mailer {
  /** Throws when the mail service did not take the mail. */
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
}

// ------------------------------------------------------------------------------------------------
// Directory

export interface DirectoryStore {
  readPartner(partnerId: string): Promise<Partner | null>;
  /** The customer with its certificates. */
  readCustomer(customerId: string): Promise<Customer | null>;
  /** Every customer, or a partner's. */
  listCustomers(partnerId?: string): Promise<Customer[]>;
  /** One page of every customer (without certificates), for the nightly walks. */
  customerPage(options: { limit: number; after?: PageCursor }): Promise<CursorPage<Customer>>;
  /** One page of the certificates expiring between `from` and `to` (both included), by expiry. */
  certificatesExpiring(options: {
    from: DateTime;
    to: DateTime;
    limit: number;
    after?: PageCursor;
  }): Promise<CursorPage<StoredCertificate>>;
  /** The principal an API key stands for; null for an unknown or revoked key. */
  resolveApiKey(key: string): Promise<Principal | null>;
}

// ------------------------------------------------------------------------------------------------
// Records: COP requests, backups, alerts, job runs

/** What a conditional write did: changed the record, or found it already changed by someone else. */
export type WriteOutcome = 'written' | 'skipped';

/** Which backup record: its key. */
export type BackupRef = Pick<BackupResult, 'customerId' | 'application' | 'takenAt' | 'backupId'>;

export interface BackupStore {
  /** Records a new result with its initial retention class. */
  put(backup: BackupResult, retention: StoredRetention): Promise<void>;
  /** A customer's backup records, oldest first per application; one application if named. */
  query(customerId: string, application?: BackupResult['application']): Promise<StoredBackup[]>;
  /** A customer's records with only what classification needs. */
  retentionRecords(customerId: string): Promise<RetentionRecord[]>;
  /** Replaces a record's class if it still holds `previous`; 'skipped' when another run got there first. */
  updateRetention(
    record: BackupRef,
    previous: Pick<StoredBackup, 'retention' | 'expiresAt' | 'expiredAt'>,
    next: StoredRetention & { expiredAt?: string },
  ): Promise<WriteOutcome>;
  /** Deletes a failed result's record if it is still there and still failed. */
  deleteFailed(record: BackupRef): Promise<WriteOutcome>;
}

/** The ledger entry of a COP request's outcome notice. */
export interface CopNoticeEntry {
  requestId: string;
  status: 'UPLOADED' | 'REJECTED';
  state: 'OWED' | 'SENDING' | 'RETRY' | 'SENT' | 'FAILED';
  attempts: number;
  owedSince: string;
  messageId?: string;
  reason?: string;
  lastError?: string;
  settledAt?: string;
}

export interface CopRequestStore {
  put(request: CopRequest): Promise<void>;
  read(requestId: string): Promise<CopRequest | null>;
  /** One page of the pending requests, oldest first (an eventually consistent listing). */
  pendingPage(options: { limit: number; after?: PageCursor }): Promise<CursorPage<CopRequest>>;
  /** One page of a partner's requests, newest first. Throws InvalidPageToken for a token it did not give. */
  partnerRequests(
    partnerId: string,
    options: { limit: number; nextToken?: string },
  ): Promise<{ items: CopRequest[]; nextToken?: string }>;
  /**
   * PENDING -> UPLOADED or REJECTED with the partner's notice owed (NoticeLedger), at once;
   * 'already-settled' when the request is no longer PENDING (nothing written).
   */
  settle(requestId: string, settlement: CopSettlement, at: string): Promise<'settled' | 'already-settled'>;
  /** Every outcome notice still owed, oldest first. */
  owedNotices(): Promise<CopNoticeEntry[]>;
}

/** Puts a catalog file on a customer's SFTP server (S3 behind AWS Transfer Family in AWS). */
export interface CopFileStore {
  /** Throws CopFileMissingError when the catalog storage lacks the file. */
  copyToCustomer(copFile: string, customerId: string): Promise<{ sftpPath: string }>;
}

export interface AlertStore {
  /** Stores the alert unless one with its dedupe key exists; `created` says which. */
  put(draft: AlertDraft): Promise<{ alert: Alert; created: boolean }>;
  query(status: AlertStatus, priority?: AlertPriority): Promise<Alert[]>;
  /** Open -> acknowledged once; null when there is no such alert. */
  acknowledge(alertId: string, at: string): Promise<Alert | null>;
}

/** Tells people about an alert (SNS in AWS). */
export interface AlertPager {
  page(alert: Alert): Promise<void>;
}

export interface JobRun {
  job: string;
  runKey: string;
  state: 'RUNNING' | 'FINISHED';
  cursor?: PageCursor;
  counts: Record<string, number>;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
}

export interface JobRunStore {
  read(job: string, runKey: string): Promise<JobRun | null>;
  save(run: JobRun): Promise<void>;
}

// ------------------------------------------------------------------------------------------------
// All of it

export interface Ports {
  readonly policy: Policy;
  /** The verified identity notices are sent from. */
  readonly noticeSender: string;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly changes: ChangeStore;
  readonly waitTokens: WaitTokenStore;
  readonly workflow: LifecycleWorkflow;
  readonly events: EventPublisher;
  readonly noticeLedger: NoticeLedger;
  readonly mailer: Mailer;
  readonly directory: DirectoryStore;
  readonly backups: BackupStore;
  readonly copRequests: CopRequestStore;
  readonly copFiles: CopFileStore;
  readonly alerts: AlertStore;
  readonly pager: AlertPager;
  readonly jobRuns: JobRunStore;
  /** The HTTP edge's (functions/commons/http/idempotency.ts), wired with the others. */
  readonly idempotency: IdempotencyStore;
}

// ------------------------------------------------------------------------------------------------
// Adapter errors: what a port reports, for the use case (or the edge) to decide about

/** The record changed between our read and our write (or a new change's id is taken). */
export class VersionConflict extends Error {
  override readonly name = 'VersionConflict';
}

/** A capacity reservation would overfill its window. */
export class CapacityExceeded extends Error {
  override readonly name = 'CapacityExceeded';
  constructor(readonly windowId: string) {
    super(`window ${windowId} has no place left`);
  }
}

/**
 * The change moved after the lifecycle looked at it, so it cannot park on what it saw; the state
 * machine catches this by name (workflows/change-lifecycle.ts) and advances again.
 */
export class ChangeMovedError extends Error {
  override readonly name = 'ChangeMovedError';
}

/** The mail service did not take a mail; `cause` is its error. Sending again may work. */
export class MailNotSentError extends Error {
  override readonly name = 'MailNotSentError';
}

/** The catalog lists a COP file that its storage does not hold. */
export class CopFileMissingError extends Error {
  override readonly name = 'CopFileMissingError';
}
