/**
 * The composition root of the local runtime (and of the integration tests): the same adapters as in
 * AWS over the local stand-ins (DynamoDB Local; the local mail store's SES API), with the runtime's
 * clock, its workflow runner, its event log and its alert pager. Nothing goes through environment
 * variables: the ports are built here, once, and handed to the handlers' factories.
 */
import { dynamoDbDocuments, sesClient } from '#adapters/aws-clients.ts';
import { type DynamoStores, dynamoStores } from '#adapters/dynamodb/stores.ts';
import type { Table } from '#adapters/dynamodb/table.ts';
import { SesMailer } from '#adapters/ses-mailer.ts';
import { randomIds } from '#adapters/system.ts';
import type { AlertPager, Clock, EventPublisher, LifecycleWorkflow, Mailer, Ports } from '#app/ports.ts';
import { DEFAULT_NOTICE_SENDER } from '#contract/environment.ts';
import { type LifecycleEventDetail, lifecycleEventDetail } from '#contract/events.ts';
import type { Alert } from '#core/alerts.ts';
import type { ChangeRecord, HistoryRecord } from '#core/change.ts';
import { DEFAULT_POLICY } from '#core/policy.ts';
import { LOCAL_REGION } from './dynamodb-local.ts';
import { ExecutionAlreadyExists, type LocalWorkflow, TaskDoesNotExist } from './workflow/index.ts';

export interface LocalWiring {
  tableName: string;
  dynamoEndpoint: string;
  /** The local mail store's SES endpoint (not needed when `ports` brings a mailer). */
  sesEndpoint?: string;
  clock: Clock;
  /** The ports this environment brings itself (the runtime's runner and logs; tests' doubles). */
  ports: Pick<Ports, 'workflow' | 'events' | 'pager' | 'copFiles'> & Partial<Ports>;
}

/** The ports, with the table and its stores themselves (for seeding and for tests that look inside). */
export type LocalPorts = Ports & { stores: DynamoStores; table: Table };

export function localPorts(wiring: LocalWiring): LocalPorts {
  if (!wiring.sesEndpoint && !wiring.ports.mailer) {
    throw new Error('the local wiring needs the local mail store (sesEndpoint) or a mailer');
  }
  const table: Table = {
    documents: dynamoDbDocuments({ region: LOCAL_REGION, endpoint: wiring.dynamoEndpoint }),
    name: wiring.tableName,
  };
  const stores = dynamoStores(table);
  return {
    policy: DEFAULT_POLICY,
    noticeSender: DEFAULT_NOTICE_SENDER,
    clock: wiring.clock,
    ids: randomIds,
    ...stores,
    mailer:
      wiring.ports.mailer ??
      new SesMailer(sesClient({ region: LOCAL_REGION, endpoint: wiring.sesEndpoint as string })),
    ...wiring.ports,
    stores,
    table,
  };
}

/** The lifecycle workflow over the local runner (one execution per change, as Step Functions names them). */
export class LocalLifecycleWorkflow implements LifecycleWorkflow {
  constructor(private readonly runner: LocalWorkflow) {}

  async start(change: ChangeRecord): Promise<void> {
    try {
      this.runner.start(change.changeId, { changeId: change.changeId });
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }

  async resume(token: string, output: Record<string, unknown>): Promise<void> {
    try {
      this.runner.sendTaskSuccess(token, output);
    } catch (error) {
      if (!(error instanceof TaskDoesNotExist)) throw error;
    }
  }
}

/** Lifecycle events (EventBridge in AWS): kept for GET /local/events, and printed when asked. */
export class LocalEventLog implements EventPublisher {
  readonly published: LifecycleEventDetail[] = [];
  constructor(private readonly print = false) {}

  async publish(change: ChangeRecord, records: readonly HistoryRecord[]): Promise<void> {
    for (const record of records) {
      const detail = lifecycleEventDetail(change, record);
      this.published.push(detail);
      if (this.published.length > 10_000) this.published.shift();
      if (this.print)
        console.log(`[event] ${detail.at} ${detail.changeId} ${detail.event} by ${detail.actor}`);
    }
  }
}

/** Alerts for people (SNS in AWS): a line on the console and an e-mail to the ops address in the local inbox. */
export class LocalAlertPager implements AlertPager {
  constructor(
    private readonly mailer: () => Mailer,
    private readonly clock: Clock,
    private readonly opsAddress = 'ops-alerts@provider.example',
  ) {}

  async page(alert: Alert): Promise<void> {
    console.warn(`[alert ${alert.priority}] ${alert.subject} (respond by ${alert.respondBy})`);
    const detail = JSON.stringify(alert.detail, null, 2);
    await this.mailer().send({
      from: 'alerts@provider.example',
      to: [this.opsAddress],
      subject: `[${alert.priority}] ${alert.subject}`,
      text: `${alert.subject}\n\nRespond by: ${alert.respondBy}\n\n${detail}\n`,
      html: `<p>${alert.subject}</p><p>Respond by: ${alert.respondBy}</p><pre>${detail.replaceAll('<', '&lt;')}</pre>`,
      date: this.clock.now().toJSDate(),
    });
  }
}
