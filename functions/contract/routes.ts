/**
 * The route table of the contract: one entry per route, plain data plus its schemas. The handlers
 * dispatch on it, the OpenAPI document is generated from it, and the CDK app builds the REST API
 * resources from it (it imports no handler code, only this table).
 */
import type { z } from 'zod';
import { ROLES, type Role } from '#core/vocabulary.ts';
import * as s from './schemas.ts';

/** The Lambda that serves a route: one function per group of related routes. */
export type RouteGroup = 'changes' | 'catalog' | 'records';
export type HttpMethod = 'GET' | 'POST';

export interface RouteSpec {
  readonly id: string;
  readonly method: HttpMethod;
  /** Path below the stage, with `{param}` placeholders, e.g. `/changes/{changeId}`. */
  readonly path: string;
  readonly group: RouteGroup;
  /** Roles allowed to call it; ownership by a partner is checked by the handler (404 when not theirs). */
  readonly roles: readonly Role[];
  readonly summary: string;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly successStatus: 200 | 201 | 202;
  /** JSON schema of the success body, or the media type of a non-JSON answer. */
  readonly response: z.ZodType | 'text/calendar';
  /** Refusal codes beyond 400/401, for the documentation. */
  readonly refusals?: readonly string[];
}

const ANY: readonly Role[] = ['ops', 'partner'];
const OPS: readonly Role[] = ['ops'];
const PARTNER: readonly Role[] = ['partner'];

export const ROUTES = [
  {
    id: 'getIndex',
    method: 'GET',
    path: '/',
    group: 'catalog',
    roles: ANY,
    summary: 'Where to start: the routes, the OpenAPI document and the docs',
    query: s.emptyQuery,
    successStatus: 200,
    response: s.apiIndex,
  },
  {
    id: 'listCustomers',
    method: 'GET',
    path: '/customers',
    group: 'catalog',
    roles: ANY,
    summary: 'Customers: all for ops, its own for a partner',
    query: s.emptyQuery,
    successStatus: 200,
    response: s.customerList,
  },
  {
    id: 'getCustomer',
    method: 'GET',
    path: '/customers/{customerId}',
    group: 'catalog',
    roles: ANY,
    summary: 'One customer with its certificates',
    query: s.emptyQuery,
    successStatus: 200,
    response: s.customerView,
    refusals: ['404 NOT_FOUND'],
  },
  {
    id: 'listMaintenanceWindows',
    method: 'GET',
    path: '/maintenance-windows',
    group: 'catalog',
    roles: ANY,
    summary: "A region's maintenance windows from an instant",
    query: s.windowsQuery,
    successStatus: 200,
    response: s.windowsView,
  },
  {
    id: 'getSeverity',
    method: 'GET',
    path: '/severity',
    group: 'catalog',
    roles: ANY,
    summary: 'Support-case severity and response target from impact and urgency',
    query: s.severityQuery,
    successStatus: 200,
    response: s.severityView,
  },
  {
    id: 'getPartnerCalendar',
    method: 'GET',
    path: '/partners/{partnerId}/calendar.ics',
    group: 'catalog',
    roles: ANY,
    summary: "iCalendar feed of a partner's non-cancelled changes",
    query: s.emptyQuery,
    successStatus: 200,
    response: 'text/calendar',
    refusals: ['404 NOT_FOUND'],
  },
  {
    id: 'getOpenApi',
    method: 'GET',
    path: '/openapi.json',
    group: 'catalog',
    roles: ANY,
    summary: 'This document',
    query: s.emptyQuery,
    successStatus: 200,
    response: s.openApiDocument,
  },
  {
    id: 'createChange',
    method: 'POST',
    path: '/changes',
    group: 'changes',
    roles: OPS,
    summary: 'Schedule a planned change into the earliest eligible window and send the notice',
    body: s.createChangeBody,
    successStatus: 201,
    response: s.changeView,
    refusals: ['404 NOT_FOUND', '422 NO_ELIGIBLE_WINDOW'],
  },
  {
    id: 'createEmergencyChange',
    method: 'POST',
    path: '/changes/emergency',
    group: 'changes',
    roles: OPS,
    summary: 'Push an emergency change through now or in the next window',
    body: s.createEmergencyBody,
    successStatus: 201,
    response: s.changeView,
    refusals: ['404 NOT_FOUND'],
  },
  {
    id: 'listChanges',
    method: 'GET',
    path: '/changes',
    group: 'changes',
    roles: ANY,
    summary: 'Changes ordered by window start: all for ops, its own for a partner',
    query: s.changesQuery,
    successStatus: 200,
    response: s.changeList,
  },
  {
    id: 'getChange',
    method: 'GET',
    path: '/changes/{changeId}',
    group: 'changes',
    roles: ANY,
    summary: 'One change with its history',
    query: s.emptyQuery,
    successStatus: 200,
    response: s.changeView,
    refusals: ['404 NOT_FOUND'],
  },
  {
    id: 'acknowledgeChange',
    method: 'POST',
    path: '/changes/{changeId}/acknowledge',
    group: 'changes',
    roles: PARTNER,
    summary: 'The partner accepts the scheduled window: the change is confirmed',
    body: s.acknowledgeBody,
    successStatus: 200,
    response: s.changeView,
    refusals: ['404 NOT_FOUND', '409 INVALID_STATE'],
  },
  {
    id: 'rescheduleChange',
    method: 'POST',
    path: '/changes/{changeId}/reschedule',
    group: 'changes',
    roles: PARTNER,
    summary: 'The partner moves the change to another window, once',
    body: s.rescheduleBody,
    successStatus: 200,
    response: s.changeView,
    refusals: [
      '404 NOT_FOUND',
      '409 RESCHEDULE_LIMIT_REACHED',
      '409 RESCHEDULE_CUTOFF_PASSED',
      '409 NOT_RESCHEDULABLE',
      '409 INVALID_STATE',
      '409 WINDOW_FULL',
      '422 OUTSIDE_MAINTENANCE_WINDOW',
      '422 SAME_WINDOW',
      '422 RESCHEDULE_TOO_SOON',
      '422 RESCHEDULE_TOO_LATE',
    ],
  },
  {
    id: 'completeChange',
    method: 'POST',
    path: '/changes/{changeId}/complete',
    group: 'changes',
    roles: OPS,
    summary: 'Ops records the outcome of a change in progress',
    body: s.completeBody,
    successStatus: 200,
    response: s.changeView,
    refusals: ['404 NOT_FOUND', '409 INVALID_STATE'],
  },
  {
    id: 'cancelChange',
    method: 'POST',
    path: '/changes/{changeId}/cancel',
    group: 'changes',
    roles: OPS,
    summary: 'Ops cancels a change that has not started',
    body: s.cancelBody,
    successStatus: 200,
    response: s.changeView,
    refusals: ['404 NOT_FOUND', '409 INVALID_STATE'],
  },
  {
    id: 'createCopRequest',
    method: 'POST',
    path: '/cop-requests',
    group: 'records',
    roles: PARTNER,
    summary: "Ask the provider to upload a COP file to the customer's SFTP server",
    body: s.copRequestBody,
    successStatus: 202,
    response: s.copRequestView,
    refusals: ['404 NOT_FOUND'],
  },
  {
    id: 'listCopRequests',
    method: 'GET',
    path: '/cop-requests',
    group: 'records',
    roles: ANY,
    summary: "A partner's COP upload requests, newest first (ops name the partner with partnerId)",
    query: s.copRequestsQuery,
    successStatus: 200,
    response: s.copRequestList,
    refusals: ['404 NOT_FOUND'],
  },
  {
    id: 'getCopRequest',
    method: 'GET',
    path: '/cop-requests/{requestId}',
    group: 'records',
    roles: ANY,
    summary: 'One COP upload request',
    query: s.emptyQuery,
    successStatus: 200,
    response: s.copRequestView,
    refusals: ['404 NOT_FOUND'],
  },
  {
    id: 'recordBackup',
    method: 'POST',
    path: '/backups',
    group: 'records',
    roles: OPS,
    summary: 'Record the result of a nightly backup',
    body: s.backupBody,
    successStatus: 201,
    response: s.backupView,
    refusals: ['403 FORBIDDEN', '404 NOT_FOUND'],
  },
  {
    id: 'listBackups',
    method: 'GET',
    path: '/backups',
    group: 'records',
    roles: OPS,
    summary: "A customer's backup records with their retention class",
    query: s.backupsQuery,
    successStatus: 200,
    response: s.backupList,
    refusals: ['403 FORBIDDEN'],
  },
  {
    id: 'listAlerts',
    method: 'GET',
    path: '/alerts',
    group: 'records',
    roles: OPS,
    summary: 'Alerts the system raised about itself',
    query: s.alertsQuery,
    successStatus: 200,
    response: s.alertList,
    refusals: ['403 FORBIDDEN'],
  },
  {
    id: 'acknowledgeAlert',
    method: 'POST',
    path: '/alerts/{alertId}/acknowledge',
    group: 'records',
    roles: OPS,
    summary: 'Ops takes an alert in hand',
    body: s.acknowledgeBody,
    successStatus: 200,
    response: s.alertView,
    refusals: ['403 FORBIDDEN', '404 NOT_FOUND'],
  },
] as const satisfies readonly RouteSpec[];

export type RouteId = (typeof ROUTES)[number]['id'];

/**
 * The error answers a route can give, by HTTP status, with their codes: derived from its table entry
 * (what every route can answer, plus its own refusals), so the OpenAPI document lists per operation
 * only what it can return.
 */
export function errorAnswers(route: RouteSpec): Map<string, string[]> {
  const answers = new Map<string, Set<string>>();
  const add = (status: string, code: string) =>
    answers.set(status, (answers.get(status) ?? new Set()).add(code));
  // Every route validates its query or body (unknown parameters and fields are refused) and needs a key.
  add('400', 'VALIDATION_FAILED');
  add('401', 'UNAUTHORIZED');
  if (route.roles.length < ROLES.length) add('403', 'FORBIDDEN');
  if (route.body) add('413', 'PAYLOAD_TOO_LARGE');
  if (route.method === 'POST') {
    add('409', 'IDEMPOTENCY_KEY_REUSED');
    add('409', 'IDEMPOTENCY_IN_PROGRESS');
  }
  for (const refusal of route.refusals ?? []) {
    const [status, code] = refusal.split(' ') as [string, string];
    add(status, code);
  }
  return new Map(
    [...answers].sort(([a], [b]) => a.localeCompare(b)).map(([status, codes]) => [status, [...codes]]),
  );
}

/** API Gateway's `resource` for a route: the stage-less path template. */
export function routeKey(method: string, resource: string): string {
  return `${method.toUpperCase()} ${resource}`;
}

export function routesOf(group: RouteGroup): RouteSpec[] {
  return ROUTES.filter((route) => route.group === group);
}

export const API_STAGE = 'v1';

/** Seconds a caller is told to wait (`Retry-After`) when the service cannot reach what it depends on (503). */
export const RETRY_AFTER_SECONDS = 5;
