/**
 * One structured logger for every function (Powertools: JSON lines with the service name, and the
 * Lambda context once the handler's middleware injects it). Its level is the process's, as Powertools
 * reads it (POWERTOOLS_LOG_LEVEL, or LOG_LEVEL; INFO by default): `npm start` runs at WARN and the
 * tests at ERROR (package.json, vitest.config.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME } from '#contract/environment.ts';

export const logger = new Logger({ serviceName: SERVICE_NAME });
