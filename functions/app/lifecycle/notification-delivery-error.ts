/**
 * A notice of a change that the mail service did not take. The lifecycle's state machine retries the
 * Advance step on this error, by its name, with back-off, and then hands it to the failure recorder
 * (workflows/change-lifecycle.ts). Which notice failed travels as data: the message is the JSON of
 * `FailedNotice`, so Lambda's error payload (the Step Functions `Cause`) carries it, and the recorder
 * reads it back with `failedNoticeOf`.
 */
import * as z from 'zod';

const failedNotice = z.object({ changeId: z.string(), noticeKey: z.string().min(1), reason: z.string() });
export type FailedNotice = z.output<typeof failedNotice>;

export class NotificationDeliveryError extends Error {
  override readonly name = 'NotificationDeliveryError';
  constructor(
    readonly failed: FailedNotice,
    options?: ErrorOptions,
  ) {
    super(JSON.stringify(failed), options);
  }
}

/** Lambda's error payload for a failed task: `{ errorType, errorMessage, trace }`. */
const lambdaError = z.object({ errorType: z.string(), errorMessage: z.string() });

/**
 * The notice a Step Functions Cause names, if it is the payload of a NotificationDeliveryError;
 * undefined for any other cause (the recorder then falls back to the notice the lifecycle still wants).
 */
export function failedNoticeOf(cause: string | undefined): FailedNotice | undefined {
  const payload = lambdaError.safeParse(parseJson(cause));
  if (!payload.success || payload.data.errorType !== 'NotificationDeliveryError') return undefined;
  const failed = failedNotice.safeParse(parseJson(payload.data.errorMessage));
  return failed.success ? failed.data : undefined;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
