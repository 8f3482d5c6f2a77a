import { describe, expect, it } from 'vitest';
import { JOB_NAMES, JOB_SCHEDULES, toCronPattern } from '#contract/schedules.ts';

describe('job schedules', () => {
  it('schedules every job exactly once', () => {
    expect(JOB_SCHEDULES.map((s) => s.job).sort()).toEqual([...JOB_NAMES].sort());
  });

  it.each([
    ['cron(0 1,13 * * ? *)', '0 1,13 * * *'],
    ['cron(30 11 * * ? *)', '30 11 * * *'],
    ['cron(0 2 ? * MON-FRI *)', '0 2 * * MON-FRI'],
  ])('turns the EventBridge expression %s into the cron pattern %s', (expression, pattern) => {
    expect(toCronPattern(expression)).toBe(pattern);
  });

  it.each(['rate(1 day)', 'cron(0 1 * * ?)', 'cron(0 1 * * ? 2027)'])(
    'refuses %s with a reason',
    (expression) => {
      expect(() => toCronPattern(expression)).toThrow(/cron|year/);
    },
  );
});
