/**
 * What the benchmarks share: the machine and its load (printed at the start and end of every bench,
 * since the machine's 2 cores are shared and a figure means little without the load it was taken
 * under), percentiles, ratios to a floor, and a seeded random generator.
 */
import { cpus, loadavg } from 'node:os';

/** The 1, 5 and 15 minute load averages. */
export function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/** `2 x <cpu model>, Node v24...`: what the README's figures are labelled with. */
export function machine(): string {
  const list = cpus();
  return `${list.length} x ${list[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`;
}

/** Prints the machine and the load average; call at the start and at the end of a bench. */
export function printLoad(when: 'start' | 'end', bench: string): void {
  const prefix = when === 'start' ? `${bench}: ${machine()}\n` : '';
  console.log(`${prefix}load average at the ${when} (1/5/15 min): ${loadAverage()}`);
}

/** The p-th percentile (nearest rank) of ascending values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** `12.3x`: a figure as a multiple of its floor. */
export function times(figure: number, floor: number): string {
  return floor > 0 && Number.isFinite(figure) ? `${(figure / floor).toFixed(2)}x` : 'n/a';
}

/** A small deterministic generator (mulberry32), so every run makes the same choices. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** User + system CPU seconds of another process so far (Linux /proc; 0 when unreadable). */
export async function processCpuSeconds(pid: number): Promise<number> {
  const { readFileSync } = await import('node:fs');
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // After "pid (comm) ": state is field 3, utime 14 and stime 15 (1-based), in clock ticks (100/s).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** One figure beside its floor, for the closing note of `npm run bench` (bench/run-all.ts collects these lines). */
export interface FigureLine {
  figure: string;
  value: number;
  floor: string;
  floorValue: number;
  unit: string;
  /** The goal, as a sentence, and whether it was met. */
  goal?: string;
  met?: boolean;
}

export const FIGURE_PREFIX = '@figure ';

/** Prints the figure as a line run-all.ts quotes in its closing note. */
export function recordFigure(line: FigureLine): void {
  console.log(`${FIGURE_PREFIX}${JSON.stringify(line)}`);
}
