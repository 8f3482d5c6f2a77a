/**
 * The embedded default: the whole system on this machine, out of real parts. DynamoDB Local holds
 * the same table the CDK app deploys, the demo data is seeded, and the API is served through the
 * same authorizer and handlers. `npm start` and the end-to-end tests both run this.
 *
 * Modules that create AWS clients are imported only after the environment points them at the
 * local services (they read it once, when first loaded), hence the dynamic imports below.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { TABLE_SCHEMA } from '../infra/table-schema.ts';
import { type LocalApi, startLocalApi } from './api-server.ts';
import { ensureTable, localDynamoDbClient } from './dynamodb-client.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.ts';

export interface RuntimeOptions {
  /** API port; 0 picks a free one. */
  port: number;
  /** Keep DynamoDB's data in this folder between runs; omitted = in memory. */
  dataDir?: string;
  tableName?: string;
  /** Demo data file to seed (default local/demo-data.json). */
  demoDataFile?: string;
  onDynamoOutput?: (text: string) => void;
}

export interface RunningKey {
  key: string;
  role: 'ops' | 'partner';
  partnerId?: string;
  name: string;
}

export interface Runtime {
  baseUrl: string;
  port: number;
  dynamoEndpoint: string;
  tableName: string;
  keys: RunningKey[];
  stop(): Promise<void>;
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const tableName = options.tableName ?? TABLE_SCHEMA.localTableName;
  if (options.dataDir) mkdirSync(resolve(options.dataDir), { recursive: true });
  const dynamo: DynamoDbLocal = await startDynamoDbLocal({
    ...(options.dataDir ? { dataDir: resolve(options.dataDir) } : {}),
    ...(options.onDynamoOutput ? { onOutput: options.onDynamoOutput } : {}),
  });
  let api: LocalApi | undefined;
  try {
    process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
    process.env.TABLE_NAME = tableName;
    process.env.AWS_REGION ??= 'us-east-1';
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
    await ensureTable(localDynamoDbClient(dynamo.endpoint), tableName);

    const { now } = await import('../functions/adapters/clock.ts');
    const { loadDemoData, seed } = await import('./seed.ts');
    const demo = loadDemoData(options.demoDataFile);
    await seed(demo, now());

    const [changes, catalog, records, authorizer] = await Promise.all([
      import('../functions/api/changes.ts'),
      import('../functions/api/catalog.ts'),
      import('../functions/api/records.ts'),
      import('../functions/auth/authorizer.ts'),
    ]);
    api = await startLocalApi({
      port: options.port,
      handlers: { changes: changes.handler, catalog: catalog.handler, records: records.handler },
      authorizer: authorizer.handler,
    });
    const running = api;
    return {
      baseUrl: running.baseUrl,
      port: running.port,
      dynamoEndpoint: dynamo.endpoint,
      tableName,
      keys: demo.apiKeys.map((k) => ({ ...k })),
      async stop() {
        await running.close();
        await dynamo.stop();
      },
    };
  } catch (error) {
    await api?.close();
    await dynamo.stop();
    throw error;
  }
}
