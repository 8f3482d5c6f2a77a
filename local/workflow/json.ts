/**
 * The JSON values a state machine passes between states. In AWS every input, task result and callback
 * output crosses the wire as JSON; locally the same values are JavaScript objects in one process, so the
 * runner turns each one into plain JSON where AWS would serialize it (a handler's `Date` becomes a string,
 * `undefined` becomes null) and a local run cannot depend on something AWS would have dropped.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** JSON in and out, as over the wire: undefined becomes null, dates become strings. */
export function toJson(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}
