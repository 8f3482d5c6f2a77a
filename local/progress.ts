/**
 * Start-up that talks: one line per stage as it finishes, with how long it took, instead of seconds of
 * silence (`npm start` prints them; the tests and the demo's own system do not).
 *
 *   ✓ DynamoDB Local ready                1.9 s
 *   ✓ table change-management             0.2 s
 */
export type ProgressSink = (line: string) => void;

export interface Progress {
  /** Runs one stage and reports it with its duration; a failed stage is reported as such and rethrown. */
  step<T>(label: string, work: () => Promise<T> | T): Promise<T>;
  /** Seconds since the progress started. */
  elapsed(): number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function progress(sink: ProgressSink | undefined): Progress {
  const started = performance.now();
  return {
    async step(label, work) {
      const t0 = performance.now();
      try {
        const result = await work();
        sink?.(`  ✓ ${label.padEnd(40)} ${seconds(performance.now() - t0).padStart(6)}`);
        return result;
      } catch (error) {
        sink?.(`  ✗ ${label.padEnd(40)} ${seconds(performance.now() - t0).padStart(6)}  (failed)`);
        throw error;
      }
    },
    elapsed: () => (performance.now() - started) / 1000,
  };
}
