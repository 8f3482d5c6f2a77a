/**
 * What a command prints: a table for people, or the API's JSON as it came (`--json`) for scripts.
 * Results go to stdout, refusals and problems to stderr.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

export type Column<T> = [header: string, value: (row: T) => string | number | boolean | undefined | null];

/** Aligned columns with a header line; an empty list says so instead of printing a bare header. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[], empty = '(none)'): string {
  if (rows.length === 0) return empty;
  const cells = rows.map((row) => columns.map(([, value]) => String(value(row) ?? '-')));
  const headers = columns.map(([header]) => header);
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

/** `key: value` lines for one record, keys aligned. */
export function fields(entries: readonly [string, unknown][]): string {
  const shown = entries.filter(([, v]) => v !== undefined && v !== null && v !== '');
  const width = Math.max(...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${String(v)}`).join('\n');
}

export const json = (value: unknown) => JSON.stringify(value, null, 2);

/** `2026-12-09T02:00:00.000Z` -> `2026-12-09 02:00Z`: short enough for a table cell. */
export function shortInstant(value: string | undefined): string | undefined {
  if (!value) return value;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  return m ? `${m[1]} ${m[2]}${m[3]}` : value;
}
