/**
 * Every command line of the project answers `--help` with its usage (exit 0) and a misspelt option
 * with the error, a suggestion and the usage (exit 2): never a stack trace. Each runs as a person runs
 * it, in its own process.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;
const TSX = `${ROOT}node_modules/.bin/tsx`;

function run(file: string, args: string[]) {
  const result = spawnSync(TSX, [file, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    // No endpoints file and no CMM_* variables from the caller: nothing may depend on a running system.
    env: withoutRuntimeVariables(process.env),
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function withoutRuntimeVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { CMM_BASE_URL, CMM_API_KEY, PORT, MAIL_PORT, ...rest } = env;
  return rest;
}

// `given`: what the command needs besides the bad option (commander reports a missing required option first).
const COMMANDS = [
  {
    name: 'npm start',
    file: 'local/start.ts',
    args: [],
    usage: 'Usage: npm start --',
    bad: '--prot',
    hint: '--port',
  },
  {
    name: 'npm run job',
    file: 'local/run-job.ts',
    args: [],
    usage: 'Usage: npm run job --',
    bad: '--tme',
    hint: '--time',
  },
  {
    name: 'npm run demo',
    file: 'local/demo.ts',
    args: [],
    usage: 'Usage: npm run demo --',
    bad: '--kep',
    hint: '--keep',
  },
  { name: 'cmm', file: 'cli/bin.ts', args: [], usage: 'Usage: cmm', bad: '--jsn', hint: '--json' },
  {
    name: 'cmm changes list',
    file: 'cli/bin.ts',
    args: ['changes', 'list'],
    usage: 'Usage: cmm changes list',
    bad: '--statu',
    hint: '--status',
  },
  {
    name: 'cmm changes create',
    file: 'cli/bin.ts',
    args: ['changes', 'create'],
    usage: 'Usage: cmm changes create',
    bad: '--titel',
    given: ['--customer', 'globex', '--type', 'patch', '--title', 'x'],
    hint: '--title',
  },
  {
    name: 'cmm changes emergency',
    file: 'cli/bin.ts',
    args: ['changes', 'emergency'],
    usage: 'Usage: cmm changes emergency',
    bad: '--wen',
    given: ['--customer', 'globex', '--reason', 'restore-service', '--impact', 'x', '--title', 'x'],
    hint: '--when',
  },
  {
    name: 'cmm changes complete',
    file: 'cli/bin.ts',
    args: ['changes', 'complete'],
    usage: 'Usage: cmm changes complete',
    bad: '--outcom',
    hint: '--outcome',
  },
  {
    name: 'cmm changes cancel',
    file: 'cli/bin.ts',
    args: ['changes', 'cancel'],
    usage: 'Usage: cmm changes cancel',
    bad: '--reasn',
    given: ['--reason', 'x'],
    hint: '--reason',
  },
  {
    name: 'cmm changes show',
    file: 'cli/bin.ts',
    args: ['changes', 'show'],
    usage: 'Usage: cmm changes show',
    bad: '--jason',
    hint: '--json',
  },
  {
    name: 'cmm windows',
    file: 'cli/bin.ts',
    args: ['windows'],
    usage: 'Usage: cmm windows',
    bad: '--regin',
    given: ['--region', 'EU'],
    hint: '--region',
  },
  {
    name: 'cmm alerts list',
    file: 'cli/bin.ts',
    args: ['alerts', 'list'],
    usage: 'Usage: cmm alerts list',
    bad: '--priorty',
    hint: '--priority',
  },
  {
    name: 'cmm alerts acknowledge',
    file: 'cli/bin.ts',
    args: ['alerts', 'acknowledge'],
    usage: 'Usage: cmm alerts acknowledge',
    bad: '--coment',
    hint: '--comment',
  },
  {
    name: 'cmm jobs list',
    file: 'cli/bin.ts',
    args: ['jobs', 'list'],
    usage: 'Usage: cmm jobs list',
    bad: '--jsn',
    hint: '--json',
  },
  {
    name: 'cmm jobs run',
    file: 'cli/bin.ts',
    args: ['jobs', 'run'],
    usage: 'Usage: cmm jobs run',
    bad: '--restrt',
    hint: '--restart',
  },
];

describe.each(COMMANDS)('$name', ({ file, args, usage, bad, hint, given = [] }) => {
  it('prints its usage on --help and exits 0', () => {
    const { status, stdout, stderr } = run(file, [...args, '--help']);
    expect(stderr).toBe('');
    expect(stdout).toContain(usage);
    expect(stdout).toContain('--help');
    expect(status).toBe(0);
  });

  it(`refuses ${bad} with a suggestion and the usage, exit 2, no stack trace`, () => {
    const { status, stdout, stderr } = run(file, [...args, ...given, bad]);
    expect(stderr).toContain(`unknown option '${bad}'`);
    expect(stderr).toContain(`Did you mean ${hint}?`);
    expect(stderr).toContain(usage);
    expect(stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
    expect(stdout).toBe('');
    expect(status).toBe(2);
  });
});

describe('values out of range', () => {
  it.each([
    ['local/start.ts', ['--port', '99999'], "option '--port <port>' argument '99999' is invalid"],
    ['local/start.ts', ['--clock-speed', 'fast'], "option '--clock-speed <n>' argument 'fast' is invalid"],
    [
      'local/start.ts',
      ['--clock-start', 'tomorrow'],
      "option '--clock-start <instant>' argument 'tomorrow' is invalid",
    ],
    ['local/run-job.ts', ['nightly-everything'], "value 'nightly-everything' is invalid for argument 'job'"],
    ['local/run-job.ts', [], "missing required argument 'job'"],
    [
      'cli/bin.ts',
      ['changes', 'list', '--status', 'DONE'],
      "argument 'DONE' is invalid. Allowed choices are SCHEDULED",
    ],
    ['cli/bin.ts', ['windows'], "required option '--region <region>' not specified"],
    ['cli/bin.ts', ['changes'], 'Usage: cmm changes'],
    ['cli/bin.ts', ['chnages'], '(Did you mean changes?)'],
  ])('%s %j: exit 2 with the reason', (file, args, message) => {
    const { status, stderr } = run(file, args);
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
    expect(status).toBe(2);
  });
});
