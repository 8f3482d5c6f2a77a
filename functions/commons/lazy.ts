/**
 * Building things when they are first needed, once: a Lambda's ports and clients are made on its
 * first invocation (not when its module is imported, so importing an entry file reads no environment
 * and creates no client), then kept for the warm invocations that follow.
 */

/** An object whose every property is built by its builder on first read, then kept. */
export function lazily<T extends object>(builders: { [K in keyof T]: () => T[K] }): T {
  const target = {} as T;
  for (const key of Object.keys(builders) as (keyof T)[]) {
    let built = false;
    let value: T[typeof key];
    Object.defineProperty(target, key, {
      enumerable: true,
      get: () => {
        if (!built) {
          value = builders[key]();
          built = true;
        }
        return value;
      },
    });
  }
  return target;
}

/** `make()` on the first call, then the same value. */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

/** A Lambda handler built by `build()` on its first invocation (and kept for the warm ones). */
export function onFirstCall<Event, Context, Result>(
  build: () => (event: Event, context: Context) => Promise<Result>,
): (event: Event, context: Context) => Promise<Result> {
  const handler = once(build);
  // async: a handler that cannot be built (a missing setting) answers with a rejection, as any failure.
  return async (event, context) => handler()(event, context);
}
