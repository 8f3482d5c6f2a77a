/**
 * The load generator of bench/api-latency.ts, in a process of its own (forked), so the server
 * process's CPU time (process.cpuUsage) is the server's alone: `clients` fetch loops share one task
 * list; each result is the status, the error code of a refusal, and the time to the whole answer.
 */

interface Task {
  method: 'GET' | 'POST';
  path: string;
  key: string;
  body?: unknown;
}

interface Order {
  baseUrl: string;
  tasks: Task[];
  clients: number;
  keepBodies: boolean;
}

process.on('message', async ({ baseUrl, tasks, clients, keepBodies }: Order) => {
  const results: unknown[] = new Array(tasks.length);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < tasks.length; i = next++) {
        const task = tasks[i] as Task;
        const t0 = performance.now();
        try {
          const response = await fetch(baseUrl + task.path, {
            method: task.method,
            headers:
              task.body === undefined
                ? { 'x-api-key': task.key }
                : { 'x-api-key': task.key, 'content-type': 'application/json' },
            body: task.body === undefined ? undefined : JSON.stringify(task.body),
          });
          const text = await response.text();
          const ms = performance.now() - t0;
          let body: Record<string, unknown>;
          try {
            body = JSON.parse(text) as Record<string, unknown>;
          } catch {
            body = { text };
          }
          results[i] = {
            status: response.status,
            ms,
            ...(typeof body.error === 'string' ? { code: body.error } : {}),
            ...(keepBodies ? { body } : {}),
          };
        } catch (error) {
          results[i] = { status: 0, code: `network error ${(error as Error).message}`, ms: Number.NaN };
        }
      }
    }),
  );
  process.send?.({ results, elapsedMs: performance.now() - started });
});
