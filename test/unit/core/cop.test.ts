/**
 * COP files (rules section 9): which requests the provider can serve, where the file lands, what the
 * partner is told, and the change a provider-initiated install becomes.
 */
import { describe, expect, it } from 'vitest';
import {
  checkCopRequest,
  composeCopNotice,
  DEFAULT_COP_CUSTOMER_IMPACT,
  providerCopChange,
  sftpPathOf,
} from '#core/cop.ts';
import type { NoticeParty } from '#core/notices.ts';
import { DEFAULT_POLICY, parsePolicy } from '#core/policy.ts';

const policy = DEFAULT_POLICY;
const FIRMWARE = 'cmterm-78xx.14-3-1-0001-12.k4.cop.sgn';

describe('checkCopRequest', () => {
  it('accepts a file the catalog lists, with its catalog entry', () => {
    // Act
    const check = checkCopRequest(policy, FIRMWARE);

    // Assess
    expect(check).toEqual({
      ok: true,
      entry: { file: FIRMWARE, kind: 'phone-firmware', description: 'IP Phone 7800 series firmware 14.3(1)' },
    });
  });

  it('accepts a .cop.sha512 file of the catalog', () => {
    expect(checkCopRequest(policy, 'cmterm-devicepack15.0.1.12900-1.cop.sha512').ok).toBe(true);
  });

  it("rejects a name of the right form that the catalog does not know, naming the file and the provider's catalog", () => {
    // Act
    const check = checkCopRequest(policy, 'cmterm-99xx.1-0-0.cop.sgn');

    // Assess
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.reason).toContain('cmterm-99xx.1-0-0.cop.sgn');
    expect(check.reason).toContain("not in the provider's catalog");
  });

  it('compares names exactly (a different case is another file)', () => {
    expect(checkCopRequest(policy, 'CMTERM-78xx.14-3-1-0001-12.k4.cop.sgn').ok).toBe(false);
  });

  it.each([
    ['a name of the wrong form', 'firmware.zip'],
    ['a path', `../${FIRMWARE}`],
    ['a name in a folder', `phones/${FIRMWARE}`],
  ])('rejects %s with the expected form in the reason', (_what, copFile) => {
    // Act
    const check = checkCopRequest(policy, copFile);

    // Assess
    expect(check).toEqual({ ok: false, reason: expect.stringContaining('.cop.sgn or .cop.sha512') });
  });

  it("follows the provider's own catalog", () => {
    // Prepare
    const own = parsePolicy({
      cop: { catalog: [{ file: 'own-pack.cop.sgn', kind: 'device-pack', description: 'Own device pack' }] },
    });

    // Act / Assess
    expect(checkCopRequest(own, 'own-pack.cop.sgn').ok).toBe(true);
    expect(checkCopRequest(own, FIRMWARE).ok).toBe(false);
  });
});

describe('sftpPathOf', () => {
  it("is the file in the customer's cop folder", () => {
    expect(sftpPathOf('globex', FIRMWARE)).toBe(`/globex/cop/${FIRMWARE}`);
  });

  it('refuses parts that would leave the customer folder', () => {
    expect(() => sftpPathOf('../other', FIRMWARE)).toThrow(TypeError);
    expect(() => sftpPathOf('globex', `../${FIRMWARE}`)).toThrow(TypeError);
  });
});

describe('composeCopNotice', () => {
  const party: NoticeParty = {
    partner: {
      partnerId: 'acme-voice',
      name: 'Acme Voice Partners',
      contacts: [
        { email: 'NOC@acme-voice.example', subscriptions: ['maintenance-and-outages'] },
        { email: 'billing@acme-voice.example', subscriptions: ['invoices'] },
      ],
    },
    customer: {
      customerId: 'globex',
      name: 'Globex Corporation',
      sso: false,
      contacts: [{ email: 'it@globex.example' }],
    },
  };

  it('tells the maintenance contacts (customer in copy) where the uploaded file is and that they install it', () => {
    // Act
    const notice = composeCopNotice(
      {
        requestId: 'cop_1',
        customerId: 'globex',
        copFile: FIRMWARE,
        status: 'UPLOADED',
        sftpPath: `/globex/cop/${FIRMWARE}`,
      },
      party,
    );

    // Assess
    expect(notice.to).toEqual(['noc@acme-voice.example']);
    expect(notice.cc).toEqual(['it@globex.example']);
    expect(notice.subject).toContain('cop_1');
    expect(notice.subject).toContain(FIRMWARE);
    expect(notice.text).toContain(`/globex/cop/${FIRMWARE}`);
    expect(notice.text).toContain('please install it yourself');
  });

  it('tells why a rejected file was not uploaded', () => {
    // Act
    const notice = composeCopNotice(
      {
        requestId: 'cop_2',
        customerId: 'globex',
        copFile: 'unknown.cop.sgn',
        status: 'REJECTED',
        rejectionReason: "the COP file unknown.cop.sgn is not in the provider's catalog",
      },
      party,
    );

    // Assess
    expect(notice.subject).toContain('cop_2');
    expect(notice.subject).toContain('could not be uploaded');
    expect(notice.text).toContain("Reason: the COP file unknown.cop.sgn is not in the provider's catalog");
    expect(notice.html).toContain("is not in the provider's catalog");
  });
});

describe('providerCopChange', () => {
  const install = {
    customerId: 'globex',
    partnerId: 'acme-voice',
    region: 'AMER' as const,
    copFile: FIRMWARE,
  };

  it('makes an emergency fix an emergency patch in the next window, with its reason and impact', () => {
    // Act
    const change = providerCopChange({
      ...install,
      emergency: true,
      reason: 'security-vulnerability',
      customerImpact: 'Phones restart once.',
    });

    // Assess
    expect(change).toEqual({
      emergency: true,
      when: 'next-window',
      fields: {
        customerId: 'globex',
        partnerId: 'acme-voice',
        region: 'AMER',
        type: 'patch',
        title: expect.stringContaining(FIRMWARE),
        description: expect.stringContaining('security vulnerability'),
        reason: 'security-vulnerability',
        customerImpact: 'Phones restart once.',
      },
    });
  });

  it('states a default customer impact when ops give none', () => {
    // Act
    const change = providerCopChange({ ...install, emergency: true, reason: 'prevent-outage' });

    // Assess
    expect(change.emergency && change.fields.customerImpact).toBe(DEFAULT_COP_CUSTOMER_IMPACT);
    expect(change.emergency && change.fields.reason).toBe('prevent-outage');
  });

  it('refuses an emergency without a reason', () => {
    expect(() => providerCopChange({ ...install, emergency: true })).toThrow(/names its reason/);
  });

  it('makes any other install a planned patch that disrupts calling (full notice, reschedulable)', () => {
    // Act
    const change = providerCopChange({ ...install, emergency: false });

    // Assess
    expect(change).toEqual({
      emergency: false,
      fields: {
        customerId: 'globex',
        partnerId: 'acme-voice',
        region: 'AMER',
        type: 'patch',
        title: `Install COP file ${FIRMWARE}`,
        description: expect.stringContaining(FIRMWARE),
        disruptsCalling: true,
      },
    });
    expect(change.fields).not.toHaveProperty('urgent');
  });
});
