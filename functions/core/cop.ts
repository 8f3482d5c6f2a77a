/**
 * COP (patch) files, rules section 9, as pure functions:
 * - a partner's request names a file; the nightly job uploads it to the customer's SFTP server when
 *   the provider's catalog knows it, or rejects it with the reason (`checkCopRequest`);
 * - where an uploaded file lands on the customer's SFTP server (`sftpPathOf`);
 * - what the partner is told either way (`composeCopNotice`);
 * - a provider-initiated install is a change: an emergency in the next window for a vulnerability or
 *   an imminent failure, otherwise a regular planned change under sections 3 and 4 (`providerCopChange`).
 */
import type { EmergencyFields, NewChangeFields } from './change.ts';
import { type NoticeParty, recipientsOf } from './notices.ts';
import type { Policy } from './policy.ts';
import type { CopStatus, ProviderCopEmergencyReason, Region } from './vocabulary.ts';

export type CopCatalogEntry = Policy['cop']['catalog'][number];

/**
 * A COP file name: one plain path segment ending in `.cop.sgn` or `.cop.sha512` (the API's contract
 * uses the same form). Being one segment is what keeps a name from escaping the customer's folder.
 */
export const COP_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*\.cop\.(sgn|sha512)$/;

/** A customer id as the API accepts it (letters, digits, `_` and `-`): safe as one path segment. */
const CUSTOMER_ID = /^[A-Za-z0-9_-]{1,64}$/;

export type CopCheck = { ok: true; entry: CopCatalogEntry } | { ok: false; reason: string };

/** Can the provider upload this file? Only a file of the right form that its catalog lists. */
export function checkCopRequest(policy: Policy, copFile: string): CopCheck {
  if (!COP_FILE_NAME.test(copFile) || copFile.length > 200) {
    return {
      ok: false,
      reason: `"${copFile}" is not a COP file name: it must be a plain file name ending in .cop.sgn or .cop.sha512`,
    };
  }
  const entry = policy.cop.catalog.find((candidate) => candidate.file === copFile);
  if (!entry) {
    return {
      ok: false,
      reason: `the COP file ${copFile} is not in the provider's catalog of COP files, so it cannot be uploaded`,
    };
  }
  return { ok: true, entry };
}

/** The one-segment checks every path built from a request goes through. */
export function assertCopPathParts(customerId: string, copFile: string): void {
  if (!CUSTOMER_ID.test(customerId)) throw new TypeError(`not a customer id usable in a path: ${customerId}`);
  if (!COP_FILE_NAME.test(copFile)) throw new TypeError(`not a COP file name: ${copFile}`);
}

/**
 * Where the file lands on the customer's SFTP server, as the partner's SFTP client sees it:
 * `/<customerId>/cop/<copFile>`.
 */
export function sftpPathOf(customerId: string, copFile: string): string {
  assertCopPathParts(customerId, copFile);
  return `/${customerId}/cop/${copFile}`;
}

// ------------------------------------------------------------------------------------------------
// The partner's notice of the outcome

/** A partner's request for a COP file on a customer's SFTP server, as it is kept. */
export interface CopRequest {
  requestId: string;
  partnerId: string;
  customerId: string;
  copFile: string;
  reason?: string;
  status: CopStatus;
  sftpPath?: string;
  rejectionReason?: string;
  createdAt: string;
  updatedAt: string;
}

/** How the nightly job settles a pending request: uploaded (where to), or rejected (why). */
export type CopSettlement =
  | { status: 'UPLOADED'; sftpPath: string }
  | { status: 'REJECTED'; rejectionReason: string };

/** The request as the notice needs it (structurally the stored COP request). */
export interface CopOutcome {
  requestId: string;
  customerId: string;
  copFile: string;
  status: 'UPLOADED' | 'REJECTED';
  sftpPath?: string;
  rejectionReason?: string;
}

export interface CopNotice {
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/**
 * The partner's contacts subscribed to "maintenance and outages", the customer's contacts in copy.
 * With nobody subscribed at the partner, the customer's contacts are the only recipients (`to` empty:
 * the caller sends to `cc` then, as the change notices do).
 */
export function composeCopNotice(
  outcome: CopOutcome,
  party: NoticeParty,
  entry?: CopCatalogEntry,
): CopNotice {
  // Who a planned notice goes to: the outcome of a request is no emergency.
  const { to, cc } = recipientsOf('scheduled', party);
  const who = `${party.customer.name} (${outcome.customerId})`;
  const what = entry ? `${outcome.copFile} (${entry.description})` : outcome.copFile;
  let subject: string;
  let body: string[];
  if (outcome.status === 'UPLOADED') {
    subject = `[${outcome.requestId}] COP file ${outcome.copFile} uploaded for ${party.customer.name}`;
    body = [
      `The COP file ${what} that you requested for ${who} has been uploaded to the customer's SFTP server in the dedicated instance.`,
      `Location on the SFTP server: ${outcome.sftpPath ?? sftpPathOf(outcome.customerId, outcome.copFile)}`,
      'The provider only uploads COP files: please install it yourself (for example from Cisco Unified OS ' +
        'Administration, Software Upgrades > Install/Upgrade, with this SFTP server as the remote source), ' +
        "at a time that suits the customer's business.",
    ];
  } else {
    subject = `[${outcome.requestId}] COP file ${outcome.copFile} could not be uploaded for ${party.customer.name}`;
    body = [
      `The COP file ${outcome.copFile} that you requested for ${who} could not be uploaded, and nothing was uploaded.`,
      `Reason: ${outcome.rejectionReason ?? 'not stated'}`,
      'Please check the file name, or open a support case if the customer needs a COP file that the ' +
        "provider's catalog does not list.",
    ];
  }
  const footer = `COP request ${outcome.requestId} - ${party.partner.name}`;
  const text = [`Dear ${party.partner.name},`, '', ...body.flatMap((p) => [p, '']), footer, ''].join('\n');
  const html = [
    '<!doctype html><html><body>',
    `<p>Dear ${escapeHtml(party.partner.name)},</p>`,
    ...body.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p style="color:#666">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('\n');
  return { to, cc, subject, text, html };
}

// ------------------------------------------------------------------------------------------------
// Provider-initiated installs

export interface ProviderCopInstall {
  customerId: string;
  partnerId: string;
  region: Region;
  copFile: string;
  /** A vulnerability fix or an imminent failure: an emergency change in the next window. */
  emergency: boolean;
  /** Required for an emergency (rules section 5: an emergency names its reason). */
  reason?: ProviderCopEmergencyReason;
  customerImpact?: string;
}

export type ProviderCopChange =
  | {
      emergency: true;
      when: 'next-window';
      fields: Omit<EmergencyFields, 'changeId' | 'when'>;
    }
  | { emergency: false; fields: Omit<NewChangeFields, 'changeId'> };

/** Said when ops give no customer impact: installing a COP file restarts what it updates. */
export const DEFAULT_COP_CUSTOMER_IMPACT =
  'Services or devices that the COP file updates may restart during the window; calling may be briefly interrupted.';

/**
 * The change for a provider-initiated COP install (rules section 9): an emergency fix is applied in
 * the provider's next window as an emergency change (type `patch`, `next-window`, with its reason and
 * customer impact); any other install is a regular planned change (type `patch`, disrupting calling,
 * so it gets the full notice and may be rescheduled once).
 */
export function providerCopChange(input: ProviderCopInstall): ProviderCopChange {
  const { customerId, partnerId, region, copFile } = input;
  const base = { customerId, partnerId, region, type: 'patch' as const };
  if (input.emergency) {
    if (!input.reason) {
      throw new TypeError(
        'an emergency COP install names its reason: security-vulnerability or prevent-outage',
      );
    }
    return {
      emergency: true,
      when: 'next-window',
      fields: {
        ...base,
        title: `Emergency install of COP file ${copFile}`,
        description:
          `The provider installs the COP file ${copFile} in the next maintenance window ` +
          `(${input.reason === 'security-vulnerability' ? 'a security vulnerability fix' : 'to prevent an outage'}).`,
        reason: input.reason,
        customerImpact: input.customerImpact?.trim() || DEFAULT_COP_CUSTOMER_IMPACT,
      },
    };
  }
  return {
    emergency: false,
    fields: {
      ...base,
      title: `Install COP file ${copFile}`,
      description: `The provider installs the COP file ${copFile} on the customer's dedicated instance.`,
      disruptsCalling: true,
    },
  };
}
