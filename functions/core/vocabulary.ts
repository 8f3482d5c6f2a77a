/**
 * The system's words: every closed list of values a record, a rule or the HTTP contract uses, declared
 * once. The contract builds its zod enums from these lists (functions/contract/schemas.ts), the core's
 * records are typed by them, and the policy schema validates its tables against them, so a new status
 * or event is added here and nowhere else.
 */

// ------------------------------------------------------------------------------------------------
// Where and what

export const REGIONS = ['AMER', 'APJC', 'AUS', 'EU'] as const;
export type Region = (typeof REGIONS)[number];

export const CHANGE_TYPES = [
  'upgrade',
  'patch',
  'certificate-renewal',
  'infrastructure',
  'configuration',
] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/** Customer windows run on weekdays; infrastructure work may also use weekend windows. */
export const WINDOW_KINDS = ['customer', 'infrastructure'] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];

export const UC_APPLICATIONS = ['CUCM', 'UNITY_CONNECTION', 'IM_AND_PRESENCE', 'CER', 'EXPRESSWAY'] as const;
export type UcApplication = (typeof UC_APPLICATIONS)[number];

// ------------------------------------------------------------------------------------------------
// A change and its lifecycle

export const CHANGE_STATUSES = [
  'SCHEDULED',
  'CONFIRMED',
  'IN_PROGRESS',
  'COMPLETED',
  'FAILED',
  'ROLLED_BACK',
  'CANCELLED',
] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

/** Planned and not started: the change may still be confirmed, moved, started or cancelled. */
export const OPEN_STATUSES: readonly ChangeStatus[] = ['SCHEDULED', 'CONFIRMED'];
/** Nothing happens to the change any more but its last notice. */
export const FINAL_STATUSES: readonly ChangeStatus[] = ['COMPLETED', 'FAILED', 'ROLLED_BACK', 'CANCELLED'];
/** Open or in progress: what the nightly scans count as "already scheduled". */
export const ACTIVE_STATUSES: readonly ChangeStatus[] = ['SCHEDULED', 'CONFIRMED', 'IN_PROGRESS'];

export const HISTORY_EVENTS = [
  'SCHEDULED',
  'NOTICE_SENT',
  'ACKNOWLEDGED',
  'CONFIRMED',
  'RESCHEDULED',
  'REMINDER_SENT',
  'STARTED',
  'COMPLETED',
  'FAILED',
  'ROLLED_BACK',
  'CANCELLED',
  'NOTIFICATION_FAILED',
  'ALERT_RAISED',
  /** A notice delivered again: a resend ops asked for, or a possible duplicate after a sender died. */
  'NOTICE_RESENT',
] as const;
export type HistoryEvent = (typeof HISTORY_EVENTS)[number];

/** Why an upgrade is due (rules section 6). */
export const UPGRADE_TRIGGERS = [
  'security-vulnerability',
  'below-n-1',
  'end-of-life',
  'partner-request',
] as const;
export type UpgradeTrigger = (typeof UPGRADE_TRIGGERS)[number];

/** Why an emergency may skip the notice (rules section 5). */
export const EMERGENCY_REASONS = [
  'restore-service',
  'reduce-outage-impact',
  'prevent-outage',
  'security-vulnerability',
] as const;
export type EmergencyReason = (typeof EMERGENCY_REASONS)[number];

/** The emergency reasons a provider-initiated COP install may give (rules section 9). */
export const PROVIDER_COP_EMERGENCY_REASONS = [
  'security-vulnerability',
  'prevent-outage',
] as const satisfies readonly EmergencyReason[];
export type ProviderCopEmergencyReason = (typeof PROVIDER_COP_EMERGENCY_REASONS)[number];

export const EMERGENCY_WHEN = ['now', 'next-window'] as const;
export type EmergencyWhen = (typeof EMERGENCY_WHEN)[number];

export const OUTCOMES = ['succeeded', 'failed', 'rolled-back'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The notices a change's lifecycle sends. */
export const NOTICE_KINDS = [
  'scheduled',
  'rescheduled',
  'reminder',
  'started',
  'emergency',
  'outcome',
  'cancelled',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** What a parked lifecycle waits for. */
export const PARK_PHASES = ['reply', 'confirmed', 'outcome', 'notice'] as const;
export type ParkPhase = (typeof PARK_PHASES)[number];

// ------------------------------------------------------------------------------------------------
// Who

export const ROLES = ['ops', 'partner'] as const;
export type Role = (typeof ROLES)[number];

// ------------------------------------------------------------------------------------------------
// Records: COP requests, backups, alerts

export const COP_STATUSES = ['PENDING', 'UPLOADED', 'REJECTED'] as const;
export type CopStatus = (typeof COP_STATUSES)[number];

export const BACKUP_STATUSES = ['succeeded', 'failed'] as const;
export type BackupStatus = (typeof BACKUP_STATUSES)[number];

/** Where a backup is kept (rules section 8). */
export const RETENTION_CLASSES = ['DATA_CENTRE', 'EXTENDED', 'EXPIRED'] as const;
export type Retention = (typeof RETENTION_CLASSES)[number];

export const ALERT_PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type AlertPriority = (typeof ALERT_PRIORITIES)[number];

export const ALERT_EVENTS = [
  'JOB_CRASHED',
  'NOTIFICATION_FAILED',
  'NO_GOOD_BACKUP',
  'STORAGE_NEAR_SATURATION',
  'STORAGE_NEAR_FULL',
  'WINDOW_OVER_CAPACITY',
  'OUTCOME_OVERDUE',
  'CERTIFICATE_AT_RISK',
  'NOTICE_LATE',
] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];

export const ALERT_STATUSES = ['open', 'acknowledged'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

// ------------------------------------------------------------------------------------------------
// Support cases (rules section 10)

export const SEVERITIES = ['S1', 'S2', 'S3', 'S4'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const IMPACTS = ['widespread', 'large', 'localized', 'individualized'] as const;
export type Impact = (typeof IMPACTS)[number];
export const URGENCIES = ['critical', 'high', 'medium', 'low'] as const;
export type Urgency = (typeof URGENCIES)[number];
