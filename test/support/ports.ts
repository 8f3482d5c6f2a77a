/**
 * The ports of an integration test: the real DynamoDB adapters on the test's own table in DynamoDB
 * Local (local/wiring.ts, as the local runtime wires them), the test's clock, and recording doubles for
 * the mail, the workflow, the events and the pager unless the test brings its own.
 */
import { DateTime } from 'luxon';
import type { Clock, CopFileStore } from '#app/ports.ts';
import { type LocalPorts, localPorts } from '#local/wiring.ts';
import {
  noCopFiles,
  RecordingEvents,
  RecordingMailer,
  RecordingPager,
  RecordingWorkflow,
} from './doubles.ts';

/** A clock the test sets and moves. */
export interface TestClock extends Clock {
  set(instant: string | DateTime): void;
  advance(duration: { days?: number; hours?: number; minutes?: number }): void;
}

export function testClock(start: string): TestClock {
  let current: DateTime = DateTime.fromISO(start, { zone: 'utc' });
  return {
    now: () => current,
    set: (instant) => {
      current = typeof instant === 'string' ? DateTime.fromISO(instant, { zone: 'utc' }) : instant.toUTC();
    },
    advance: (duration) => {
      current = current.plus(duration);
    },
  };
}

export type TestPorts = LocalPorts & {
  mailer: RecordingMailer;
  workflow: RecordingWorkflow;
  events: RecordingEvents;
  pager: RecordingPager;
};

export function testPorts(options: {
  dynamoEndpoint: string;
  tableName: string;
  clock: Clock;
  /** The COP file store, for the tests that copy files (others refuse any copy). */
  copFiles?: CopFileStore;
}): TestPorts {
  return localPorts({
    tableName: options.tableName,
    dynamoEndpoint: options.dynamoEndpoint,
    clock: options.clock,
    ports: {
      mailer: new RecordingMailer(),
      workflow: new RecordingWorkflow(),
      events: new RecordingEvents(),
      pager: new RecordingPager(),
      copFiles: options.copFiles ?? noCopFiles,
    },
  }) as TestPorts;
}
