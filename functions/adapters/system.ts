/** The real clock and random ids: the Clock and Ids ports outside tests and the local runtime. */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Clock, IdPrefix, Ids } from '#app/ports.ts';

export const systemClock: Clock = { now: () => DateTime.utc() };

/** A readable prefix and 128 random bits. */
export const randomIds: Ids = {
  newId: (prefix: IdPrefix) => `${prefix}_${randomUUID().replaceAll('-', '')}`,
};
