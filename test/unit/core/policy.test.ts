import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, InvalidPolicyError, type PolicyInput, parsePolicy } from '#core/policy.ts';
import type { Impact, Severity, Urgency } from '#core/vocabulary.ts';

/** Runs parsePolicy and returns the InvalidPolicyError it throws (fails the test when it does not throw). */
function policyError(input: unknown): InvalidPolicyError {
  try {
    parsePolicy(input as PolicyInput);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPolicyError);
    return error as InvalidPolicyError;
  }
  throw new Error('expected parsePolicy to throw InvalidPolicyError');
}

describe('default policy (rules.md, every number and table)', () => {
  it('is what parsePolicy returns for an empty input', () => {
    // Prepare / Act
    const parsed = parsePolicy({});
    const parsedWithoutArgument = parsePolicy();

    // Assess
    expect(parsed).toEqual(DEFAULT_POLICY);
    expect(parsedWithoutArgument).toEqual(DEFAULT_POLICY);
  });

  describe('regions (section 1 table)', () => {
    it.each([
      ['AMER', 'America/New_York', { country: 'US', types: ['public'] }],
      ['APJC', 'Asia/Tokyo', { country: 'JP', types: ['public'] }],
      ['AUS', 'Australia/Sydney', { country: 'AU', state: 'ACT', types: ['public'] }],
      ['EU', 'Europe/Berlin', { country: 'DE', types: ['public'] }],
    ] as const)('%s runs in %s with its public holiday calendar', (region, timezone, holidays) => {
      // Act
      const regionPolicy = DEFAULT_POLICY.regions[region];

      // Assess
      expect(regionPolicy).toEqual({ timezone, holidays });
    });

    it('has exactly the four regions of the rules', () => {
      // Act
      const regions = Object.keys(DEFAULT_POLICY.regions).sort();

      // Assess
      expect(regions).toEqual(['AMER', 'APJC', 'AUS', 'EU']);
    });
  });

  describe('maintenance windows (section 1)', () => {
    it('start at 21:00 and end at 06:00 local time', () => {
      // Act
      const { startHour, endHour } = DEFAULT_POLICY.windows;

      // Assess
      expect(startHour).toBe(21);
      expect(endHour).toBe(6);
    });

    it('open for customer changes Monday to Friday and for infrastructure work every day', () => {
      // Act
      const { customerDays, infrastructureDays } = DEFAULT_POLICY.windows;

      // Assess
      expect(customerDays).toEqual([1, 2, 3, 4, 5]);
      expect(infrastructureDays).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });

    it('take at most 25 changes per region and window', () => {
      // Act / Assess
      expect(DEFAULT_POLICY.windows.capacity).toBe(25);
    });
  });

  describe('notice and reply (section 3)', () => {
    it('needs 10 business days of notice for a disruptive change', () => {
      expect(DEFAULT_POLICY.notice.disruptiveBusinessDays).toBe(10);
    });

    it('places a non-disruptive change in a window at least 24 hours after scheduling', () => {
      expect(DEFAULT_POLICY.notice.nonDisruptiveMinHours).toBe(24);
    });

    it('gives the partner 3 business days to reply', () => {
      expect(DEFAULT_POLICY.notice.replyBusinessDays).toBe(3);
    });
  });

  describe('rescheduling (section 4)', () => {
    it('allows one reschedule, up to 168 hours before the window, into a window 7 to 60 days out', () => {
      // Act
      const reschedule = DEFAULT_POLICY.reschedule;

      // Assess
      expect(reschedule).toEqual({
        maxCount: 1,
        cutoffHours: 168,
        minDaysAfterRequest: 7,
        maxDaysAfterOriginal: 60,
      });
    });
  });

  describe('certificate renewal (section 6)', () => {
    it('puts the window between 7 and 3 days before expiry', () => {
      // Act
      const certificate = DEFAULT_POLICY.certificate;

      // Assess
      expect(certificate).toEqual({ minDaysBeforeExpiry: 3, maxDaysBeforeExpiry: 7 });
    });
  });

  describe('backups (section 8)', () => {
    it('keeps the 3 latest good backups, others 3 + 30 days, failed records 7 days', () => {
      // Act
      const backups = DEFAULT_POLICY.backups;

      // Assess
      expect(backups.keepLatestGood).toBe(3);
      expect(backups.dataCentreDays).toBe(3);
      expect(backups.extendedDays).toBe(30);
      expect(backups.failedRecordDays).toBe(7);
    });

    it('backs up CUCM, Unity Connection, IM and Presence, CER and Expressway', () => {
      expect(DEFAULT_POLICY.backups.applications).toEqual([
        'CUCM',
        'UNITY_CONNECTION',
        'IM_AND_PRESENCE',
        'CER',
        'EXPRESSWAY',
      ]);
    });
  });

  describe('release management (section 7)', () => {
    it('is the n / n-1 / n-2 version matrix', () => {
      // Act
      const releases = DEFAULT_POLICY.releases;

      // Assess
      expect(releases).toEqual([
        { position: 'n', versions: ['15.0 SU1', '15.0 SU2'], newDeployments: true },
        {
          position: 'n-1',
          versions: ['14.0 SU3', '14.0 SU4'],
          newDeployments: false,
          mustUpgradeTo: '15.0 SU2',
        },
        { position: 'n-2', versions: ['12.5 SU7a'], newDeployments: false, mustUpgradeTo: '15.0 SU2' },
      ]);
    });
  });

  describe('support-case severity (section 10)', () => {
    const cases: [Urgency, Impact, Severity][] = [
      ['critical', 'widespread', 'S1'],
      ['critical', 'large', 'S1'],
      ['critical', 'localized', 'S2'],
      ['critical', 'individualized', 'S3'],
      ['high', 'widespread', 'S1'],
      ['high', 'large', 'S2'],
      ['high', 'localized', 'S2'],
      ['high', 'individualized', 'S3'],
      ['medium', 'widespread', 'S2'],
      ['medium', 'large', 'S3'],
      ['medium', 'localized', 'S3'],
      ['medium', 'individualized', 'S3'],
      ['low', 'widespread', 'S4'],
      ['low', 'large', 'S4'],
      ['low', 'localized', 'S4'],
      ['low', 'individualized', 'S4'],
    ];

    it.each(cases)('urgency %s with %s impact is %s', (urgency, impact, severity) => {
      expect(DEFAULT_POLICY.severity.matrix[urgency][impact]).toBe(severity);
    });

    it('answers S1 in 15 minutes and S2 in 30 minutes around the clock, S3 in 1 and S4 in 3 business days', () => {
      // Act
      const targets = DEFAULT_POLICY.severity.responseTargets;

      // Assess
      expect(targets).toEqual({
        S1: { clock: 'continuous', duration: 'PT15M' },
        S2: { clock: 'continuous', duration: 'PT30M' },
        S3: { clock: 'business-days', businessDays: 1 },
        S4: { clock: 'business-days', businessDays: 3 },
      });
    });
  });

  describe('proactive alerts (section 11)', () => {
    it('responds to P1 within 1 h, P2 2 h, P3 4 h, P4 8 h', () => {
      expect(DEFAULT_POLICY.alerts.responseTargets).toEqual({
        P1: 'PT1H',
        P2: 'PT2H',
        P3: 'PT4H',
        P4: 'PT8H',
      });
    });

    it.each([
      ['JOB_CRASHED', 'P1'],
      ['NOTIFICATION_FAILED', 'P2'],
      ['NO_GOOD_BACKUP', 'P2'],
      ['STORAGE_NEAR_SATURATION', 'P4'],
      ['STORAGE_NEAR_FULL', 'P3'],
      ['WINDOW_OVER_CAPACITY', 'P3'],
    ] as const)('raises %s as %s', (event, priority) => {
      expect(DEFAULT_POLICY.alerts.priorities[event]).toBe(priority);
    });
  });
});

describe('parsePolicy with a partial input', () => {
  it('completes a partial section with the defaults of its other fields', () => {
    // Act
    const policy = parsePolicy({ windows: { capacity: 40 }, notice: { replyBusinessDays: 2 } });

    // Assess
    expect(policy.windows).toEqual({ ...DEFAULT_POLICY.windows, capacity: 40 });
    expect(policy.notice).toEqual({ ...DEFAULT_POLICY.notice, replyBusinessDays: 2 });
    expect(policy.reschedule).toEqual(DEFAULT_POLICY.reschedule);
  });

  it('replaces one region and keeps the other regions', () => {
    // Act
    const policy = parsePolicy({
      regions: { EU: { timezone: 'Europe/London', holidays: { country: 'GB', state: 'ENG' } } },
    });

    // Assess
    expect(policy.regions.EU).toEqual({
      timezone: 'Europe/London',
      holidays: { country: 'GB', state: 'ENG', types: ['public'] },
    });
    expect(policy.regions.AMER).toEqual(DEFAULT_POLICY.regions.AMER);
    expect(policy.regions.APJC).toEqual(DEFAULT_POLICY.regions.APJC);
    expect(policy.regions.AUS).toEqual(DEFAULT_POLICY.regions.AUS);
  });

  it('accepts holiday types beyond public holidays', () => {
    // Act
    const policy = parsePolicy({
      regions: { EU: { timezone: 'Europe/Berlin', holidays: { country: 'DE', types: ['public', 'bank'] } } },
    });

    // Assess
    expect(policy.regions.EU.holidays.types).toEqual(['public', 'bank']);
  });
});

describe('parsePolicy with a bad policy', () => {
  const badPolicies: { problem: string; input: unknown; field: string }[] = [
    {
      problem: 'an unknown time zone',
      input: { regions: { EU: { timezone: 'Europe/Atlantis', holidays: { country: 'DE' } } } },
      field: 'regions.EU.timezone',
    },
    { problem: 'a window capacity of 0', input: { windows: { capacity: 0 } }, field: 'windows.capacity' },
    {
      problem: 'a fractional window capacity',
      input: { windows: { capacity: 2.5 } },
      field: 'windows.capacity',
    },
    {
      problem: '4 business days to reply (the agreement allows 2 or 3)',
      input: { notice: { replyBusinessDays: 4 } },
      field: 'notice.replyBusinessDays',
    },
    {
      problem: '1 business day to reply',
      input: { notice: { replyBusinessDays: 1 } },
      field: 'notice.replyBusinessDays',
    },
    { problem: 'an unknown top-level key', input: { holidays: { country: 'DE' } }, field: 'holidays' },
    {
      problem: 'an unknown key inside a section',
      input: { windows: { capacityPerWindow: 30 } },
      field: 'windows.capacityPerWindow',
    },
    {
      problem: 'a misspelt notice field',
      input: { notice: { replyBusinesDays: 2 } },
      field: 'notice.replyBusinesDays',
    },
    {
      problem: 'an unknown key in a region',
      input: { regions: { AUS: { timezone: 'Australia/Sydney', zone: 'x', holidays: { country: 'AU' } } } },
      field: 'regions.AUS.zone',
    },
    {
      problem: 'more minimum than maximum certificate days',
      input: { certificate: { minDaysBeforeExpiry: 8, maxDaysBeforeExpiry: 7 } },
      field: 'certificate.minDaysBeforeExpiry',
    },
    {
      problem: 'a window ending after its start hour',
      input: { windows: { startHour: 6, endHour: 21 } },
      field: 'windows.endHour',
    },
    {
      problem: 'a window ending at its start hour',
      input: { windows: { startHour: 21, endHour: 21 } },
      field: 'windows.endHour',
    },
    {
      problem: 'customer windows on a day without infrastructure windows',
      input: { windows: { customerDays: [1, 6], infrastructureDays: [1, 2, 3, 4, 5] } },
      field: 'windows.infrastructureDays',
    },
    { problem: 'a weekday 8', input: { windows: { customerDays: [8] } }, field: 'windows.customerDays.0' },
    {
      problem: 'a country name instead of a code',
      input: { regions: { EU: { timezone: 'Europe/Berlin', holidays: { country: 'Germany' } } } },
      field: 'regions.EU.holidays.country',
    },
    {
      problem: 'an unknown holiday type',
      input: {
        regions: { EU: { timezone: 'Europe/Berlin', holidays: { country: 'DE', types: ['festive'] } } },
      },
      field: 'regions.EU.holidays.types.0',
    },
    {
      problem: 'a response target that is no duration',
      input: { alerts: { responseTargets: { P1: '1 hour', P2: 'PT2H', P3: 'PT4H', P4: 'PT8H' } } },
      field: 'alerts.responseTargets.P1',
    },
    {
      problem: 'an empty duration PT',
      input: { alerts: { responseTargets: { P1: 'PT', P2: 'PT2H', P3: 'PT4H', P4: 'PT8H' } } },
      field: 'alerts.responseTargets.P1',
    },
    {
      problem: 'a severity outside S1..S4',
      input: {
        severity: {
          matrix: {
            critical: { widespread: 'S0', large: 'S1', localized: 'S2', individualized: 'S3' },
            high: { widespread: 'S1', large: 'S2', localized: 'S2', individualized: 'S3' },
            medium: { widespread: 'S2', large: 'S3', localized: 'S3', individualized: 'S3' },
            low: { widespread: 'S4', large: 'S4', localized: 'S4', individualized: 'S4' },
          },
        },
      },
      field: 'severity.matrix.critical.widespread',
    },
    {
      problem: 'a release position listed twice',
      input: {
        releases: [
          { position: 'n', versions: ['15.0 SU2'], newDeployments: true },
          { position: 'n', versions: ['15.0 SU1'], newDeployments: true },
        ],
      },
      field: 'releases',
    },
  ];

  it.each(badPolicies)('fails fast on $problem and names $field', ({ input, field }) => {
    // Act
    const error = policyError(input);

    // Assess
    expect(error.name).toBe('InvalidPolicyError');
    expect(error.issues.map((issue) => issue.path)).toContain(field);
    expect(error.message).toContain(`${field}: `);
  });

  it('names every bad field at once', () => {
    // Act
    const error = policyError({ windows: { capacity: 0 }, notice: { replyBusinessDays: 4 } });

    // Assess
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      'notice.replyBusinessDays',
      'windows.capacity',
    ]);
    expect(error.message).toMatch(/^invalid policy: /);
  });

  it('is an Error subclass so generic handlers catch it', () => {
    // Act
    const error = policyError({ windows: { capacity: 0 } });

    // Assess
    expect(error).toBeInstanceOf(Error);
  });
});
