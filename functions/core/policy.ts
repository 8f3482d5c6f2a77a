/**
 * The operating policy as data (docs/rules.md). Every number and table of the rules is a
 * default here, so another provider can run the same engine with its own numbers: pass a partial
 * object to `parsePolicy` and it is validated and completed, or it fails naming the bad field.
 * Every object is strict: an unknown or misspelt key, at any depth, is an error rather than being
 * silently dropped (a typo must not leave the provider running on a default it meant to change).
 */
import * as z from 'zod';
import { hasHolidayCalendar } from './holidays.ts';
import { ALERT_PRIORITIES, REGIONS, SEVERITIES, UC_APPLICATIONS } from './vocabulary.ts';

const ianaZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone, e.g. Europe/Berlin' },
);

/** ISO-8601 duration of fixed length (hours/minutes), e.g. PT15M. */
const isoDuration = z
  .string()
  .regex(/^PT(?=\d)(\d+H)?(\d+M)?$/, 'must be an ISO-8601 duration like PT15M or PT2H');

const holidayCalendar = z
  .strictObject({
    /** date-holidays country code, e.g. US, JP, AU, DE */
    country: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code'),
    /** date-holidays state code, e.g. ACT for Australia */
    state: z.string().min(1).optional(),
    /** Which date-holidays types remove a business day (public holidays only, by default). */
    types: z
      .array(z.enum(['public', 'bank', 'school', 'optional', 'observance']))
      .min(1)
      .default(['public']),
  })
  .refine((calendar) => hasHolidayCalendar(calendar.country, calendar.state), {
    message: 'has no holiday table: add it with `npm run holidays -- COUNTRY[-STATE]`',
  });

const regionPolicy = z.strictObject({
  timezone: ianaZone,
  holidays: holidayCalendar,
});

/** Weekdays as luxon numbers them: 1 = Monday ... 7 = Sunday. */
const weekday = z.number().int().min(1).max(7);

const responseTarget = z.discriminatedUnion('clock', [
  /** Counted around the clock. */
  z.strictObject({ clock: z.literal('continuous'), duration: isoDuration }),
  /** Counted in business days of a region (same wall-clock time, n business days later). */
  z.strictObject({ clock: z.literal('business-days'), businessDays: z.number().int().min(1).max(30) }),
]);

const releasePosition = z.strictObject({
  position: z.enum(['n', 'n-1', 'n-2']),
  /** Versions at this position, e.g. ["15.0 SU1", "15.0 SU2"]. */
  versions: z.array(z.string().min(1)).min(1),
  newDeployments: z.boolean(),
  /** The version a customer here must upgrade to; absent when it may stay. */
  mustUpgradeTo: z.string().min(1).optional(),
});

const severityRow = z.strictObject({
  widespread: z.enum(SEVERITIES),
  large: z.enum(SEVERITIES),
  localized: z.enum(SEVERITIES),
  individualized: z.enum(SEVERITIES),
});

export const policySchema = z
  .strictObject({
    regions: z
      .strictObject({
        AMER: regionPolicy.prefault({ timezone: 'America/New_York', holidays: { country: 'US' } }),
        APJC: regionPolicy.prefault({ timezone: 'Asia/Tokyo', holidays: { country: 'JP' } }),
        AUS: regionPolicy.prefault({
          timezone: 'Australia/Sydney',
          holidays: { country: 'AU', state: 'ACT' },
        }),
        EU: regionPolicy.prefault({ timezone: 'Europe/Berlin', holidays: { country: 'DE' } }),
      })
      .prefault({}),
    windows: z
      .strictObject({
        /** Local wall-clock hour a window starts on its date D. */
        startHour: z.number().int().min(0).max(23).default(21),
        /** Local wall-clock hour a window ends on D+1. */
        endHour: z.number().int().min(0).max(23).default(6),
        /** Weekdays a customer window may start on. */
        customerDays: z.array(weekday).min(1).default([1, 2, 3, 4, 5]),
        /** Weekdays an infrastructure window may start on (includes the weekend). */
        infrastructureDays: z.array(weekday).min(1).default([1, 2, 3, 4, 5, 6, 7]),
        /** Most changes ops runs in one window of one region. */
        capacity: z.number().int().min(1).max(10_000).default(25),
        /** How far ahead planning looks for a window before giving up. */
        searchHorizonDays: z.number().int().min(7).max(3660).default(400),
      })
      .prefault({}),
    notice: z
      .strictObject({
        /** Business days of written notice a disruptive planned change needs. */
        disruptiveBusinessDays: z.number().int().min(0).max(60).default(10),
        /** A non-disruptive change goes in the next window starting at least this long after scheduling. */
        nonDisruptiveMinHours: z
          .number()
          .int()
          .min(0)
          .max(24 * 30)
          .default(24),
        /** Business days the partner has to answer (the agreement allows 2 or 3). */
        replyBusinessDays: z.number().int().min(2).max(3).default(3),
        /** Reminders before the window start, in hours. */
        reminderOffsetsHours: z
          .array(
            z
              .number()
              .int()
              .min(1)
              .max(24 * 14),
          )
          .default([24]),
        /** Hours after a window's end with no outcome before ops is alerted. */
        outcomeGraceHours: z.number().int().min(0).max(72).default(2),
      })
      .prefault({}),
    reschedule: z
      .strictObject({
        maxCount: z.number().int().min(0).max(10).default(1),
        /** Requests must arrive at least this long before the scheduled window start (7 days). */
        cutoffHours: z
          .number()
          .int()
          .min(0)
          .max(24 * 60)
          .default(168),
        /** The new window starts at least this many days after the request. */
        minDaysAfterRequest: z.number().int().min(0).max(60).default(7),
        /** The new window starts at most this many days after the original window start. */
        maxDaysAfterOriginal: z.number().int().min(1).max(365).default(60),
      })
      .prefault({}),
    emergency: z
      .strictObject({
        /** Length of a `when: now` emergency that does not fall inside a window. */
        nowDurationHours: z.number().int().min(1).max(24).default(4),
      })
      .prefault({}),
    certificate: z
      .strictObject({
        /** The window starts at least this many days before expiry. */
        minDaysBeforeExpiry: z.number().int().min(0).max(60).default(3),
        /** The window starts at most this many days before expiry. */
        maxDaysBeforeExpiry: z.number().int().min(1).max(90).default(7),
      })
      .prefault({}),
    backups: z
      .strictObject({
        applications: z
          .array(z.enum(UC_APPLICATIONS))
          .min(1)
          .default([...UC_APPLICATIONS]),
        /** The latest good backups of a customer application that never expire. */
        keepLatestGood: z.number().int().min(1).max(30).default(3),
        /** A good backup is in the data centre this many days ... */
        dataCentreDays: z.number().int().min(0).max(60).default(3),
        /** ... and then kept this many more days. */
        extendedDays: z.number().int().min(0).max(365).default(30),
        /** Failed results are kept as records this many days. */
        failedRecordDays: z.number().int().min(0).max(60).default(7),
      })
      .prefault({}),
    cop: z
      .strictObject({
        /**
         * The COP files the provider can upload (rules section 9): a partner's request for a file
         * not listed here is rejected by the nightly job with the reason.
         */
        catalog: z
          .array(
            z.strictObject({
              file: z
                .string()
                .max(200)
                .regex(
                  /^[A-Za-z0-9][A-Za-z0-9._+-]*\.cop\.(sgn|sha512)$/,
                  'must be a plain file name ending in .cop.sgn or .cop.sha512',
                ),
              kind: z.enum(['phone-firmware', 'locale', 'device-pack', 'security-patch']),
              description: z.string().min(1),
            }),
          )
          .default([
            {
              file: 'cmterm-78xx.14-3-1-0001-12.k4.cop.sgn',
              kind: 'phone-firmware',
              description: 'IP Phone 7800 series firmware 14.3(1)',
            },
            {
              file: 'cm-locale-de_DE-15.0.1.1000-1.cop.sgn',
              kind: 'locale',
              description: 'German (Germany) locale pack for 15.0',
            },
            {
              file: 'cm-locale-ja_JP-15.0.1.1000-1.cop.sgn',
              kind: 'locale',
              description: 'Japanese locale pack for 15.0',
            },
            {
              file: 'cmterm-devicepack15.0.1.12900-1.cop.sha512',
              kind: 'device-pack',
              description: 'Device pack for 15.0 SU2',
            },
          ]),
      })
      .prefault({}),
    releases: z
      .array(releasePosition)
      .min(1)
      .default([
        { position: 'n', versions: ['15.0 SU1', '15.0 SU2'], newDeployments: true },
        {
          position: 'n-1',
          versions: ['14.0 SU3', '14.0 SU4'],
          newDeployments: false,
          mustUpgradeTo: '15.0 SU2',
        },
        { position: 'n-2', versions: ['12.5 SU7a'], newDeployments: false, mustUpgradeTo: '15.0 SU2' },
      ]),
    severity: z
      .strictObject({
        matrix: z
          .strictObject({ critical: severityRow, high: severityRow, medium: severityRow, low: severityRow })
          .default({
            critical: { widespread: 'S1', large: 'S1', localized: 'S2', individualized: 'S3' },
            high: { widespread: 'S1', large: 'S2', localized: 'S2', individualized: 'S3' },
            medium: { widespread: 'S2', large: 'S3', localized: 'S3', individualized: 'S3' },
            low: { widespread: 'S4', large: 'S4', localized: 'S4', individualized: 'S4' },
          }),
        responseTargets: z
          .strictObject({ S1: responseTarget, S2: responseTarget, S3: responseTarget, S4: responseTarget })
          .default({
            S1: { clock: 'continuous', duration: 'PT15M' },
            S2: { clock: 'continuous', duration: 'PT30M' },
            S3: { clock: 'business-days', businessDays: 1 },
            S4: { clock: 'business-days', businessDays: 3 },
          }),
        /** Region whose business days count S3/S4 targets when none is given. */
        defaultRegion: z.enum(REGIONS).default('AMER'),
      })
      .prefault({}),
    alerts: z
      .strictObject({
        responseTargets: z
          .strictObject({ P1: isoDuration, P2: isoDuration, P3: isoDuration, P4: isoDuration })
          .default({ P1: 'PT1H', P2: 'PT2H', P3: 'PT4H', P4: 'PT8H' }),
        priorities: z
          .strictObject({
            JOB_CRASHED: z.enum(ALERT_PRIORITIES),
            NOTIFICATION_FAILED: z.enum(ALERT_PRIORITIES),
            NO_GOOD_BACKUP: z.enum(ALERT_PRIORITIES),
            STORAGE_NEAR_SATURATION: z.enum(ALERT_PRIORITIES),
            STORAGE_NEAR_FULL: z.enum(ALERT_PRIORITIES),
            WINDOW_OVER_CAPACITY: z.enum(ALERT_PRIORITIES),
            OUTCOME_OVERDUE: z.enum(ALERT_PRIORITIES),
            /** A certificate can no longer be renewed with full notice before it expires. */
            CERTIFICATE_AT_RISK: z.enum(ALERT_PRIORITIES),
            /** A planned change's first notice came too late for its window: the system moved it. */
            NOTICE_LATE: z.enum(ALERT_PRIORITIES),
          })
          .default({
            JOB_CRASHED: 'P1',
            NOTIFICATION_FAILED: 'P2',
            NO_GOOD_BACKUP: 'P2',
            STORAGE_NEAR_SATURATION: 'P4',
            STORAGE_NEAR_FULL: 'P3',
            WINDOW_OVER_CAPACITY: 'P3',
            OUTCOME_OVERDUE: 'P2',
            CERTIFICATE_AT_RISK: 'P1',
            NOTICE_LATE: 'P2',
          }),
      })
      .prefault({}),
  })
  .superRefine((policy, ctx) => {
    if (policy.certificate.minDaysBeforeExpiry > policy.certificate.maxDaysBeforeExpiry) {
      ctx.addIssue({
        code: 'custom',
        path: ['certificate', 'minDaysBeforeExpiry'],
        message: 'must not exceed certificate.maxDaysBeforeExpiry',
      });
    }
    if (policy.windows.endHour >= policy.windows.startHour) {
      ctx.addIssue({
        code: 'custom',
        path: ['windows', 'endHour'],
        message: 'a window ends on the next local day, so endHour must be before startHour',
      });
    }
    const customerOutsideInfra = policy.windows.customerDays.filter(
      (day) => !policy.windows.infrastructureDays.includes(day),
    );
    if (customerOutsideInfra.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['windows', 'infrastructureDays'],
        message: 'every customer-window day must also be an infrastructure-window day',
      });
    }
    const positions = policy.releases.map((r) => r.position);
    if (new Set(positions).size !== positions.length) {
      ctx.addIssue({ code: 'custom', path: ['releases'], message: 'each position may appear once' });
    }
    const versions = policy.releases.flatMap((r) => r.versions);
    if (new Set(versions).size !== versions.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['releases'],
        message: 'a version may appear at one position only',
      });
    }
  });

export type Policy = z.output<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;

export class InvalidPolicyError extends Error {
  override readonly name = 'InvalidPolicyError';
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`invalid policy: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

/** Validates and completes a policy; throws `InvalidPolicyError` naming every bad field. */
export function parsePolicy(input: PolicyInput = {}): Policy {
  const result = policySchema.safeParse(input);
  if (!result.success) {
    throw new InvalidPolicyError(
      result.error.issues.flatMap((issue) =>
        // zod reports unknown keys on their parent: name each key so the message points at it.
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({
              path: [...issue.path, key].join('.'),
              message: 'is not a policy field',
            }))
          : [{ path: issue.path.join('.') || '(root)', message: issue.message }],
      ),
    );
  }
  return result.data;
}

/** The provider's published defaults. */
export const DEFAULT_POLICY: Policy = parsePolicy();
