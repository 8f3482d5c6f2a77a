/**
 * The nightly scans' decisions, with dates checked by hand. "Now" is Monday 2027-05-03 14:00 UTC,
 * 10:00 in New York (EDT, UTC-4, no DST change nearby); the AMER window that night starts Monday
 * 21:00 EDT = 2027-05-04T01:00:00Z. The scan horizon is 60 days (2027-07-02T14:00:00Z) and a renewal
 * is urgent within 30 days (2027-06-02T14:00:00Z).
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, parsePolicy } from '#core/policy.ts';
import {
  CERTIFICATE_SCAN,
  certificateEmergencyDecision,
  certificateRenewalDecision,
  releaseUpgradeDecision,
  type ScanChange,
  type ScanSettings,
} from '#core/scans.ts';
import { ACTIVE_STATUSES, type ChangeStatus } from '#core/vocabulary.ts';

const policy = DEFAULT_POLICY;
const NOW = DateTime.fromISO('2027-05-03T14:00:00Z', { zone: 'utc' });

const customer = {
  customerId: 'globex',
  partnerId: 'acme-voice',
  name: 'Globex Corporation',
  region: 'AMER' as const,
};
const certificate = {
  certificateId: 'globex-cucm-tomcat',
  commonName: 'cucm.globex.example',
  expiresAt: '2027-06-10T12:00:00Z',
};

function renewal(status: ChangeStatus, overrides: Partial<ScanChange> = {}): ScanChange {
  return {
    changeId: `chg_${status.toLowerCase()}`,
    type: 'certificate-renewal',
    status,
    certificateId: certificate.certificateId,
    certificateExpiresAt: certificate.expiresAt,
    ...overrides,
  };
}

function upgrade(status: ChangeStatus, targetVersion = '15.0 SU2'): ScanChange {
  return { changeId: `chg_upg_${status.toLowerCase()}`, type: 'upgrade', status, targetVersion };
}

function decideRenewal(
  overrides: { expiresAt?: string; changes?: ScanChange[]; settings?: ScanSettings } = {},
) {
  return certificateRenewalDecision(
    policy,
    {
      certificate: { ...certificate, ...(overrides.expiresAt ? { expiresAt: overrides.expiresAt } : {}) },
      customer,
      changes: overrides.changes ?? [],
      now: NOW,
    },
    overrides.settings,
  );
}

describe('certificateRenewalDecision', () => {
  it('schedules a planned, disruptive renewal naming the certificate and its expiry', () => {
    // Prepare: expires 2027-06-10, 38 days away: inside the 60-day horizon, not within 30 days.
    // Act
    const decision = decideRenewal();
    // Assess
    expect(decision).toEqual({
      action: 'schedule',
      dedupeKey: 'certificate-renewal#globex#globex-cucm-tomcat#2027-06-10T12:00:00Z#0',
      request: {
        partnerId: 'acme-voice',
        customerId: 'globex',
        region: 'AMER',
        type: 'certificate-renewal',
        title: 'Renew certificate cucm.globex.example (expires 2027-06-10 12:00 UTC)',
        description:
          'The certificate cucm.globex.example (globex-cucm-tomcat) of Globex Corporation expires ' +
          '2027-06-10T12:00:00Z. Scheduled by the nightly certificate scan.',
        disruptsCalling: true,
        certificateExpiresAt: '2027-06-10T12:00:00Z',
        certificateId: 'globex-cucm-tomcat',
        urgent: false,
        actor: 'system',
      },
    });
  });

  it('uses a 60-day horizon and a 30-day urgency by default', () => {
    expect(CERTIFICATE_SCAN).toEqual({ certificateHorizonDays: 60, certificateUrgentWithinDays: 30 });
  });

  it('marks a renewal urgent, with the reason, when the certificate expires within 30 days', () => {
    // 2027-05-03T14:00Z + 30 days = 2027-06-02T14:00Z, included.
    const decision = decideRenewal({ expiresAt: '2027-06-02T14:00:00Z' });
    expect(decision.action).toBe('schedule');
    if (decision.action !== 'schedule') return;
    expect(decision.request.urgent).toBe(true);
    expect(decision.request.urgentReason).toBe(
      'the certificate cucm.globex.example expires 2027-06-02T14:00:00Z, within 30 days: it is about to expire',
    );
  });

  it('does not mark a renewal urgent one millisecond after the 30 days', () => {
    const decision = decideRenewal({ expiresAt: '2027-06-02T14:00:00.001Z' });
    expect(decision.action === 'schedule' && decision.request.urgent).toBe(false);
    expect(decision.action === 'schedule' && 'urgentReason' in decision.request).toBe(false);
  });

  it('schedules a certificate expiring exactly at the 60-day horizon', () => {
    expect(decideRenewal({ expiresAt: '2027-07-02T14:00:00Z' }).action).toBe('schedule');
  });

  it('skips a certificate expiring after the 60-day horizon', () => {
    expect(decideRenewal({ expiresAt: '2027-07-02T14:00:00.001Z' })).toMatchObject({
      action: 'skip',
      reason: 'beyond-horizon',
    });
  });

  it('takes the horizon and the urgency from the settings it is given', () => {
    const settings = { certificateHorizonDays: 90, certificateUrgentWithinDays: 45 };
    // 2027-07-20 is 78 days away: beyond the default horizon, within 90; not within 45 days.
    const later = decideRenewal({ expiresAt: '2027-07-20T00:00:00Z', settings });
    expect(later.action === 'schedule' && later.request.urgent).toBe(false);
    // 2027-06-10 is 38 days away: urgent within 45.
    const sooner = decideRenewal({ settings });
    expect(sooner.action === 'schedule' && sooner.request.urgent).toBe(true);
  });

  it.each([
    ['expires right now', '2027-05-03T14:00:00Z'],
    ['expired yesterday', '2027-05-02T14:00:00Z'],
  ])('skips a certificate that %s', (_label, expiresAt) => {
    expect(decideRenewal({ expiresAt })).toMatchObject({ action: 'skip', reason: 'expired' });
  });

  it('skips a certificate whose expiry cannot be read', () => {
    expect(decideRenewal({ expiresAt: 'next tuesday' })).toMatchObject({
      action: 'skip',
      reason: 'invalid-expiry',
    });
  });

  it('normalises an expiry with an offset to UTC, and reads one without an offset as UTC', () => {
    const withOffset = decideRenewal({ expiresAt: '2027-06-10T14:00:00+02:00' });
    const withoutOffset = decideRenewal({ expiresAt: '2027-06-10T12:00:00' });
    for (const decision of [withOffset, withoutOffset]) {
      expect(decision.action === 'schedule' && decision.request.certificateExpiresAt).toBe(
        '2027-06-10T12:00:00Z',
      );
    }
  });

  it.each(ACTIVE_STATUSES)('skips a certificate whose renewal is %s', (status) => {
    expect(decideRenewal({ changes: [renewal(status)] })).toEqual({
      action: 'skip',
      reason: 'renewal-open',
      detail: `renewal chg_${status.toLowerCase()} of certificate globex-cucm-tomcat is ${status}`,
    });
  });

  it('treats SCHEDULED, CONFIRMED and IN_PROGRESS as active', () => {
    expect(ACTIVE_STATUSES).toEqual(['SCHEDULED', 'CONFIRMED', 'IN_PROGRESS']);
  });

  it('blocks on an active renewal of the certificate whatever expiry it was made for', () => {
    const earlier = renewal('CONFIRMED', { certificateExpiresAt: '2026-06-10T12:00:00Z' });
    expect(decideRenewal({ changes: [earlier] })).toMatchObject({ reason: 'renewal-open' });
  });

  it('is not blocked by active renewals of other certificates or active changes of other types', () => {
    const changes: ScanChange[] = [
      renewal('SCHEDULED', { certificateId: 'globex-expressway' }),
      { changeId: 'chg_upgrade', type: 'upgrade', status: 'CONFIRMED', targetVersion: '15.0 SU2' },
    ];
    expect(decideRenewal({ changes })).toMatchObject({
      action: 'schedule',
      dedupeKey: 'certificate-renewal#globex#globex-cucm-tomcat#2027-06-10T12:00:00Z#0',
    });
  });

  it('skips a certificate whose renewal for this very expiry was completed (the directory lags)', () => {
    // Written with an offset: the same instant.
    const done = renewal('COMPLETED', { certificateExpiresAt: '2027-06-10T08:00:00-04:00' });
    expect(decideRenewal({ changes: [done] })).toMatchObject({ action: 'skip', reason: 'renewed' });
  });

  it('is not blocked by a completed renewal of an earlier expiry of the certificate', () => {
    const lastYear = renewal('COMPLETED', { certificateExpiresAt: '2026-06-10T12:00:00Z' });
    expect(decideRenewal({ changes: [lastYear] })).toMatchObject({
      action: 'schedule',
      dedupeKey: 'certificate-renewal#globex#globex-cucm-tomcat#2027-06-10T12:00:00Z#0',
    });
  });

  it('schedules again after renewals that were cancelled, failed or rolled back, under a new key', () => {
    const changes = [renewal('CANCELLED'), renewal('FAILED'), renewal('ROLLED_BACK')];
    const decision = decideRenewal({ changes });
    expect(decision).toMatchObject({
      action: 'schedule',
      dedupeKey: 'certificate-renewal#globex#globex-cucm-tomcat#2027-06-10T12:00:00Z#3',
    });
    expect(decision.action === 'schedule' && decision.request.description).toContain(
      '(attempt 4: the earlier renewal did not complete).',
    );
  });

  it('derives the same key on every run for the same facts', () => {
    const changes = [renewal('CANCELLED')];
    expect(decideRenewal({ changes })).toEqual(decideRenewal({ changes }));
  });
});

describe('certificateEmergencyDecision', () => {
  function decideEmergency(expiresAt: string) {
    return certificateEmergencyDecision(policy, {
      certificate: { ...certificate, expiresAt },
      customer,
      now: NOW,
      planRefusal: 'No customer (weekday) window can renew the certificate in time.',
    });
  }

  it('waits while the next window starts before the 7..3-day range opens', () => {
    // Expires 2027-05-12 12:00Z: the range opens 2027-05-05 12:00Z (08:00 EDT), after tonight's
    // window (2027-05-04T01:00Z); the next nights' scans have windows inside the range.
    expect(decideEmergency('2027-05-12T12:00:00Z')).toMatchObject({
      action: 'wait',
      rangeStart: '2027-05-05T12:00:00Z',
    });
  });

  it('waits when the range opens one millisecond after the next window starts', () => {
    expect(decideEmergency('2027-05-11T01:00:00.001Z').action).toBe('wait');
  });

  it('takes the next window when it starts exactly as the range opens', () => {
    // Expires 2027-05-11 01:00Z: 7 days before is 2027-05-04 01:00Z, tonight's window start.
    expect(decideEmergency('2027-05-11T01:00:00Z')).toMatchObject({
      action: 'emergency',
      when: 'next-window',
    });
  });

  it('renews as an emergency in the next window, inside the range, to avoid an outage', () => {
    // Expires 2027-05-08 12:00Z: range 2027-05-01 12:00Z .. 2027-05-05 12:00Z holds 2027-05-04T01:00Z.
    const decision = decideEmergency('2027-05-08T12:00:00Z');
    expect(decision).toMatchObject({ action: 'emergency', when: 'next-window' });
    if (decision.action !== 'emergency') return;
    expect(decision.fields).toEqual({
      partnerId: 'acme-voice',
      customerId: 'globex',
      region: 'AMER',
      type: 'certificate-renewal',
      title: 'Renew certificate cucm.globex.example (expires 2027-05-08 12:00 UTC)',
      description: expect.stringContaining(
        'no planned window can renew it with the full notice: No customer (weekday) window can renew',
      ),
      reason: 'prevent-outage',
      customerImpact:
        'Calling may be briefly interrupted while the certificate cucm.globex.example is replaced; ' +
        'without the renewal, the expired certificate would take calling down at 2027-05-08T12:00:00Z.',
      certificateId: 'globex-cucm-tomcat',
      certificateExpiresAt: '2027-05-08T12:00:00Z',
      actor: 'system',
    });
    expect(decision.detail).toContain('inside the range of 7..3 days before expiry');
  });

  it('takes the next window after the range when the range has passed but the expiry has not', () => {
    // Expires 2027-05-06 12:00Z: the range closed 2027-05-03 12:00Z; tonight's window is before expiry.
    const decision = decideEmergency('2027-05-06T12:00:00Z');
    expect(decision).toMatchObject({ action: 'emergency', when: 'next-window' });
    expect(decision.detail).toContain('has passed');
  });

  it.each([
    ['before the next window', '2027-05-03T20:00:00Z'],
    ['exactly when the next window starts', '2027-05-04T01:00:00Z'],
  ])('runs now when the certificate expires %s', (_label, expiresAt) => {
    expect(decideEmergency(expiresAt)).toMatchObject({ action: 'emergency', when: 'now' });
  });

  it('counts the range in calendar days of the region (Berlin, across the spring DST change)', () => {
    // Berlin moves its clocks on 2027-03-28. Now 2027-03-25T20:30Z (Thursday 21:30 CET): that
    // night's EU window started 20:00Z, so the next one is Friday 2027-03-26 21:00 CET = 20:00Z.
    const inBerlin = (expiresAt: string) =>
      certificateEmergencyDecision(policy, {
        certificate: { ...certificate, expiresAt },
        customer: { ...customer, region: 'EU' },
        now: DateTime.fromISO('2027-03-25T20:30:00Z', { zone: 'utc' }),
        planRefusal: 'too late',
      });
    // Expires 2027-04-02T19:30Z = 21:30 CEST; 7 calendar days before is 2027-03-26 21:30 CET =
    // 20:30Z, after the 20:00Z window: wait. (168 hours before would be 19:30Z: an emergency.)
    expect(inBerlin('2027-04-02T19:30:00Z')).toMatchObject({
      action: 'wait',
      rangeStart: '2027-03-26T20:30:00Z',
    });
    // Expires 2027-04-02T18:00Z = 20:00 CEST; the range opens 2027-03-26 20:00 CET = 19:00Z.
    expect(inBerlin('2027-04-02T18:00:00Z')).toMatchObject({ action: 'emergency', when: 'next-window' });
  });

  it('throws on an expiry it cannot read (the renewal decision skips those first)', () => {
    expect(() => decideEmergency('soon')).toThrow(RangeError);
  });
});

describe('releaseUpgradeDecision', () => {
  function decideUpgrade(version: string, changes: ScanChange[] = [], withPolicy = policy) {
    return releaseUpgradeDecision(withPolicy, { customer: { ...customer, version }, changes });
  }

  it.each(['15.0 SU1', '15.0 SU2'])('leaves a customer on %s (n) alone', (version) => {
    expect(decideUpgrade(version)).toMatchObject({ action: 'skip', reason: 'compliant' });
  });

  it.each(['11.5 SU9', '15.0 su2', ''])(
    'skips a customer on a version the matrix does not list (%j)',
    (version) => {
      expect(decideUpgrade(version)).toMatchObject({ action: 'skip', reason: 'unknown-version' });
    },
  );

  it.each([
    ['14.0 SU3', 'end-of-life', 'is at n-1 of the release matrix and near its end of life'],
    ['14.0 SU4', 'end-of-life', 'is at n-1 of the release matrix and near its end of life'],
    ['12.5 SU7a', 'below-n-1', 'is at n-2 of the release matrix, below n-1'],
  ])('schedules an upgrade of a customer on %s to 15.0 SU2 with trigger %s', (version, trigger, why) => {
    expect(decideUpgrade(version)).toEqual({
      action: 'schedule',
      dedupeKey: 'upgrade#globex#15.0 SU2#0',
      request: {
        partnerId: 'acme-voice',
        customerId: 'globex',
        region: 'AMER',
        type: 'upgrade',
        title: `Upgrade Globex Corporation from ${version} to 15.0 SU2`,
        description:
          `${version} ${why}: customers on it must upgrade to 15.0 SU2. ` +
          'Scheduled by the nightly release scan.',
        disruptsCalling: true,
        trigger,
        targetVersion: '15.0 SU2',
        actor: 'system',
      },
    });
  });

  it.each(ACTIVE_STATUSES)('skips a customer with an upgrade that is %s', (status) => {
    expect(decideUpgrade('14.0 SU3', [upgrade(status)])).toMatchObject({
      action: 'skip',
      reason: 'upgrade-open',
    });
  });

  it('skips a customer with an active upgrade to another target (a partner request)', () => {
    expect(decideUpgrade('12.5 SU7a', [upgrade('SCHEDULED', '15.0 SU1')])).toMatchObject({
      reason: 'upgrade-open',
    });
  });

  it('is not blocked by active changes of other types', () => {
    const renewalChange = renewal('CONFIRMED');
    expect(decideUpgrade('14.0 SU3', [renewalChange]).action).toBe('schedule');
  });

  it('schedules again after upgrades that were cancelled, failed or rolled back, under a new key', () => {
    const changes = [
      upgrade('CANCELLED'),
      upgrade('FAILED'),
      upgrade('ROLLED_BACK'),
      upgrade('CANCELLED', '15.0 SU1'),
    ];
    const decision = decideUpgrade('14.0 SU3', changes);
    expect(decision).toMatchObject({ action: 'schedule', dedupeKey: 'upgrade#globex#15.0 SU2#3' });
    expect(decision.action === 'schedule' && decision.request.description).toContain(
      '(attempt 4: the earlier upgrade did not complete).',
    );
  });

  it('skips a customer whose upgrade to the target was completed (the directory lags)', () => {
    expect(decideUpgrade('14.0 SU3', [upgrade('COMPLETED')])).toMatchObject({
      action: 'skip',
      reason: 'upgraded',
    });
  });

  it('is not blocked by a completed upgrade to another version', () => {
    expect(decideUpgrade('14.0 SU3', [upgrade('COMPLETED', '14.0 SU4')]).action).toBe('schedule');
  });

  it('skips a customer that must upgrade but has no section-6 trigger (n with a mustUpgradeTo)', () => {
    const strict = parsePolicy({
      releases: [
        {
          position: 'n',
          versions: ['15.0 SU1', '15.0 SU2'],
          newDeployments: true,
          mustUpgradeTo: '15.0 SU2',
        },
        { position: 'n-1', versions: ['14.0 SU3'], newDeployments: false, mustUpgradeTo: '15.0 SU2' },
      ],
    });
    expect(decideUpgrade('15.0 SU1', [], strict)).toMatchObject({ action: 'skip', reason: 'no-trigger' });
    expect(decideUpgrade('15.0 SU2', [], strict)).toMatchObject({ action: 'skip', reason: 'compliant' });
  });
});
