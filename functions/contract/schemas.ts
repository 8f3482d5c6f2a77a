/**
 * The HTTP contract's request and response shapes (docs/api.md) as zod schemas: the single
 * source for validation, the TypeScript types of the handlers and the OpenAPI document.
 * Every request object is strict: unknown fields are refused with the field named.
 */
import * as z from 'zod';
import { HOLIDAY_YEARS } from '#core/holidays.ts';
import {
  ALERT_EVENTS,
  ALERT_PRIORITIES,
  ALERT_STATUSES,
  BACKUP_STATUSES,
  CHANGE_STATUSES,
  CHANGE_TYPES,
  COP_STATUSES,
  EMERGENCY_REASONS,
  EMERGENCY_WHEN,
  HISTORY_EVENTS,
  IMPACTS,
  OUTCOMES,
  REGIONS,
  RETENTION_CLASSES,
  SEVERITIES,
  UC_APPLICATIONS,
  UPGRADE_TRIGGERS,
  URGENCIES,
  WINDOW_KINDS,
} from '#core/vocabulary.ts';
import { multiLineText, singleLineText } from './text.ts';

/**
 * An instant with an explicit zone (`Z` or an offset: a local time without a zone is ambiguous),
 * within the years the business-day calendar covers.
 */
export const instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO-8601 instant with Z or an offset' })
  .refine(
    (value) => {
      const year = new Date(value).getUTCFullYear();
      return year >= HOLIDAY_YEARS.first && year <= HOLIDAY_YEARS.last;
    },
    { message: `must be within the years ${HOLIDAY_YEARS.first}-${HOLIDAY_YEARS.last}` },
  );
const id = (what: string) =>
  z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, `must be a ${what} id (letters, digits, _ and -)`);

/** A COP file name: a plain file name (no path) ending in .cop.sgn or .cop.sha512 (rules section 9). */
export const copFileName = z
  .string()
  .max(200)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._+-]*\.cop\.(sgn|sha512)$/,
    'must be a COP file name ending in .cop.sgn or .cop.sha512',
  );

// ------------------------------------------------------------------------------------------------
// Requests

export const createChangeBody = z
  .strictObject({
    customerId: id('customer'),
    partnerId: id('partner'),
    region: z.enum(REGIONS).optional(),
    type: z.enum(CHANGE_TYPES),
    title: singleLineText(200),
    description: multiLineText(5000).optional(),
    disruptsCalling: z.boolean(),
    earliestStart: instant.optional(),
    trigger: z.enum(UPGRADE_TRIGGERS).optional(),
    targetVersion: singleLineText(50).optional(),
    certificateExpiresAt: instant.optional(),
    urgent: z.boolean().optional(),
    urgentReason: singleLineText(500).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.type === 'upgrade') {
      if (!body.trigger)
        ctx.addIssue({ code: 'custom', path: ['trigger'], message: 'is required for an upgrade' });
      if (!body.targetVersion)
        ctx.addIssue({ code: 'custom', path: ['targetVersion'], message: 'is required for an upgrade' });
    } else {
      if (body.trigger)
        ctx.addIssue({ code: 'custom', path: ['trigger'], message: 'applies to upgrades only' });
    }
    if (body.type === 'certificate-renewal' && !body.certificateExpiresAt) {
      ctx.addIssue({
        code: 'custom',
        path: ['certificateExpiresAt'],
        message: 'is required for a certificate renewal',
      });
    }
    if (body.type !== 'certificate-renewal' && body.certificateExpiresAt) {
      ctx.addIssue({
        code: 'custom',
        path: ['certificateExpiresAt'],
        message: 'applies to certificate renewals only',
      });
    }
    if (body.urgent && !body.urgentReason) {
      ctx.addIssue({ code: 'custom', path: ['urgentReason'], message: 'is required when urgent is true' });
    }
  });
export type CreateChangeBody = z.output<typeof createChangeBody>;

export const createEmergencyBody = z.strictObject({
  customerId: id('customer'),
  partnerId: id('partner'),
  reason: z.enum(EMERGENCY_REASONS),
  customerImpact: singleLineText(2000),
  title: singleLineText(200),
  description: multiLineText(5000).optional(),
  type: z.enum(CHANGE_TYPES).optional(),
  when: z.enum(EMERGENCY_WHEN),
});
export type CreateEmergencyBody = z.output<typeof createEmergencyBody>;

export const rescheduleBody = z.strictObject({ requestedStart: instant, reason: singleLineText(1000) });
export const acknowledgeBody = z.strictObject({ comment: multiLineText(1000).optional() });
export const completeBody = z.strictObject({
  outcome: z.enum(OUTCOMES),
  notes: multiLineText(5000).optional(),
});
export const cancelBody = z.strictObject({ reason: singleLineText(1000) });
export const copRequestBody = z.strictObject({
  customerId: id('customer'),
  copFile: copFileName,
  reason: singleLineText(1000).optional(),
});
export const backupBody = z.strictObject({
  customerId: id('customer'),
  application: z.enum(UC_APPLICATIONS),
  takenAt: instant,
  status: z.enum(BACKUP_STATUSES),
  sizeBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});

// Query strings arrive as text: numbers are coerced, and unknown parameters are refused too.
const count = (min: number, max: number, fallback: number) =>
  z.coerce.number().int('must be a whole number').min(min).max(max).default(fallback);

export const windowsQuery = z.strictObject({
  region: z.enum(REGIONS),
  from: instant.optional(),
  count: count(1, 100, 10),
  kind: z.enum(WINDOW_KINDS).default('customer'),
});
export const changesQuery = z
  .strictObject({
    status: z.enum(CHANGE_STATUSES).optional(),
    customerId: id('customer').optional(),
    from: instant.optional(),
    to: instant.optional(),
    limit: count(1, 100, 25),
    nextToken: z.string().max(2048).optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
    path: ['to'],
    message: 'must not be before from',
  });
export const severityQuery = z.strictObject({
  impact: z.enum(IMPACTS),
  urgency: z.enum(URGENCIES),
  openedAt: instant.optional(),
  region: z.enum(REGIONS).optional(),
});
export const backupsQuery = z.strictObject({
  customerId: id('customer'),
  application: z.enum(UC_APPLICATIONS).optional(),
});
export const alertsQuery = z.strictObject({
  status: z.enum(ALERT_STATUSES).default('open'),
  priority: z.enum(ALERT_PRIORITIES).optional(),
});
export const emptyQuery = z.strictObject({});

// ------------------------------------------------------------------------------------------------
// Responses (documented in OpenAPI; handlers build them from the stored records)

export const windowView = z.object({
  start: z.string(),
  end: z.string(),
  timezone: z.string(),
  localStart: z.string(),
  localEnd: z.string(),
});
export const historyEntry = z.object({
  at: z.string(),
  event: z.enum(HISTORY_EVENTS),
  actor: z.string(),
  detail: z.record(z.string(), z.unknown()),
  /** The change's version the entry was committed at: history is in commit order (version, then `at`). */
  version: z.number().int().optional(),
});
export const changeView = z.object({
  changeId: z.string(),
  partnerId: z.string(),
  customerId: z.string(),
  region: z.enum(REGIONS),
  type: z.enum(CHANGE_TYPES),
  title: z.string(),
  description: z.string().optional(),
  disruptsCalling: z.boolean(),
  emergency: z.boolean(),
  urgent: z.boolean(),
  status: z.enum(CHANGE_STATUSES),
  window: windowView,
  noticeSentAt: z.string().optional(),
  replyBy: z.string().optional(),
  rescheduleCutoff: z.string().optional(),
  reschedulesRemaining: z.number(),
  trigger: z.string().optional(),
  targetVersion: z.string().optional(),
  certificateExpiresAt: z.string().optional(),
  reason: z.string().optional(),
  customerImpact: z.string().optional(),
  outcome: z.enum(OUTCOMES).optional(),
  history: z.array(historyEntry).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
});
export const changeList = z.object({ items: z.array(changeView), nextToken: z.string().optional() });
export const certificateView = z.object({
  certificateId: z.string(),
  commonName: z.string(),
  expiresAt: z.string(),
});
export const customerView = z.object({
  customerId: z.string(),
  partnerId: z.string(),
  name: z.string(),
  region: z.enum(REGIONS),
  version: z.string(),
  sso: z.boolean(),
  certificates: z.array(certificateView).optional(),
});
export const customerList = z.object({ items: z.array(customerView) });
/** A listed window; for ops also its place count: changes booked against the region's capacity. */
export const listedWindowView = windowView.extend({
  windowId: z.string(),
  booked: z.number().int().optional(),
  capacity: z.number().int().optional(),
  remaining: z.number().int().optional(),
});
export const windowsView = z.object({
  region: z.enum(REGIONS),
  timezone: z.string(),
  windows: z.array(listedWindowView),
});
export const severityView = z.object({
  severity: z.enum(SEVERITIES),
  /** ISO-8601 duration; for a business-day target, `P<n>D` counts business days (see responseClock). */
  responseTarget: z.string(),
  /** How the target is counted: a continuous duration, or business days in the region. */
  responseClock: z.enum(['continuous', 'business-days']),
  /** The target in business days, when it is counted in business days. */
  responseTargetBusinessDays: z.number().int().optional(),
  respondBy: z.string().optional(),
});
export const copRequestView = z.object({
  requestId: z.string(),
  partnerId: z.string(),
  customerId: z.string(),
  copFile: z.string(),
  reason: z.string().optional(),
  status: z.enum(COP_STATUSES),
  sftpPath: z.string().optional(),
  rejectionReason: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const copRequestList = z.object({
  items: z.array(copRequestView),
  nextToken: z.string().optional(),
});
export const copRequestsQuery = z.strictObject({
  partnerId: id('partner').optional(),
  limit: count(1, 100, 25),
  nextToken: z.string().max(2048).optional(),
});
/** `GET /v1/`: where to start. */
export const apiIndex = z.object({
  name: z.string(),
  openapi: z.string(),
  docs: z.string(),
  you: z.object({ role: z.string(), partnerId: z.string().optional() }),
  routes: z.array(
    z.object({ method: z.string(), path: z.string(), summary: z.string(), forYou: z.boolean() }),
  ),
});
export const backupView = z.object({
  backupId: z.string(),
  customerId: z.string(),
  application: z.enum(UC_APPLICATIONS),
  takenAt: z.string(),
  status: z.enum(BACKUP_STATUSES),
  sizeBytes: z.number().optional(),
  retention: z.enum(RETENTION_CLASSES),
  expiresAt: z.string().optional(),
});
export const backupList = z.object({ items: z.array(backupView) });
export const alertView = z.object({
  alertId: z.string(),
  event: z.enum(ALERT_EVENTS),
  priority: z.enum(ALERT_PRIORITIES),
  raisedAt: z.string(),
  respondBy: z.string(),
  subject: z.string(),
  detail: z.record(z.string(), z.unknown()),
  acknowledgedAt: z.string().optional(),
});
export const alertList = z.object({ items: z.array(alertView) });
/** The OpenAPI document itself (free-form JSON). */
export const openApiDocument = z.record(z.string(), z.unknown());
export const errorView = z.object({
  error: z.string(),
  message: z.string(),
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
