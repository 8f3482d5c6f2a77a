/**
 * The layer rules of CONTRIBUTING.md, checked on the source: which folder may import which, who reads
 * the environment, and how long entry files and modules grow. A rule broken here is a design
 * question to settle (and this test changed on purpose), not a line to work around.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '#infra/paths.ts';

function sourcesUnder(folder: string): string[] {
  const root = join(REPO_ROOT, folder);
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return walk(path);
      return name.endsWith('.ts') ? [relative(REPO_ROOT, path)] : [];
    });
  return walk(root);
}

const text = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

/** Every module a file imports (static and dynamic), as written. */
function importsOf(file: string): string[] {
  const source = text(file);
  const specifiers = [
    ...source.matchAll(/^(?:import|export)\s(?:[^;]*?from\s+)?'([^']+)'/gms),
    ...source.matchAll(/import\('([^']+)'\)/g),
  ];
  return specifiers.map((match) => match[1] as string);
}

function violations(files: string[], forbidden: (specifier: string) => boolean): string[] {
  return files.flatMap((file) =>
    importsOf(file)
      .filter(forbidden)
      .map((specifier) => `${file} imports ${specifier}`),
  );
}

const functions = sourcesUnder('functions');
const inFolder = (folder: string) => functions.filter((file) => file.startsWith(`functions/${folder}/`));
const ENTRY_FOLDERS = ['api', 'auth', 'workflow', 'jobs'];

describe('layers', () => {
  it('the core imports nothing but itself and its libraries (no AWS SDK, no other layer)', () => {
    expect(
      violations(
        inFolder('core'),
        (s) => s.startsWith('#') || s.startsWith('../') || s.startsWith('@aws-sdk/'),
      ),
    ).toEqual([]);
  });

  it('the application layer never reaches an adapter, the wiring, an entry file or the AWS SDK', () => {
    const forbidden = [
      '#adapters/',
      '#wiring/',
      '#config',
      '#local/',
      '@aws-sdk/',
      ...ENTRY_FOLDERS.map((f) => `#${f}/`),
    ];
    expect(violations(inFolder('app'), (s) => forbidden.some((prefix) => s.startsWith(prefix)))).toEqual([]);
  });

  it('adapters implement ports: they import the ports, the core and commons helpers, never the HTTP middleware or a use case', () => {
    const allowedApp = '#app/ports.ts';
    expect(
      violations(
        inFolder('adapters'),
        (s) =>
          (s.startsWith('#app/') && s !== allowedApp) ||
          (s.startsWith('#commons/http/') && s !== '#commons/http/idempotency.ts') ||
          s.startsWith('#wiring/') ||
          s.startsWith('#config') ||
          ENTRY_FOLDERS.some((f) => s.startsWith(`#${f}/`)),
      ),
    ).toEqual([]);
  });

  it('commons helps every layer and depends on none above it (only the core and the contract)', () => {
    const forbidden = [
      '#app/',
      '#adapters/',
      '#wiring/',
      '#config',
      '#local/',
      ...ENTRY_FOLDERS.map((f) => `#${f}/`),
    ];
    expect(violations(inFolder('commons'), (s) => forbidden.some((prefix) => s.startsWith(prefix)))).toEqual(
      [],
    );
  });

  it('infra and workflows read only the shared contract of functions/', () => {
    const infra = [...sourcesUnder('infra'), ...sourcesUnder('workflows')];
    const forbidden = [
      '#core/',
      '#app/',
      '#adapters/',
      '#commons/',
      '#wiring/',
      '#config',
      '#local/',
      ...ENTRY_FOLDERS.map((f) => `#${f}/`),
    ];
    expect(violations(infra, (s) => forbidden.some((prefix) => s.startsWith(prefix)))).toEqual([]);
  });

  it('nothing imports the local runtime but the local runtime', () => {
    const deployed = [...functions, ...sourcesUnder('infra'), ...sourcesUnder('workflows')];
    expect(violations(deployed, (s) => s.startsWith('#local/'))).toEqual([]);
  });

  it('no file in functions/, infra/ or workflows/ climbs out of its folder with ../', () => {
    const files = [...functions, ...sourcesUnder('infra'), ...sourcesUnder('workflows')];
    expect(violations(files, (s) => s.startsWith('../'))).toEqual([]);
  });
});

describe('the composition root', () => {
  it('only the configuration module reads process.env under functions/', () => {
    const readers = functions.filter((file) => /process\.env/.test(text(file)));
    expect(readers).toEqual(['functions/config.ts']);
  });

  it('only the wiring builds ports for AWS, and only one module creates AWS SDK clients', () => {
    const clientMakers = functions.filter((file) => /new \w+Client\(/.test(text(file)));
    expect(clientMakers).toEqual(['functions/adapters/aws-clients.ts']);
  });
});

describe('sizes', () => {
  it('every entry file stays under 60 lines: parse, call one use case, answer', () => {
    const entries = functions.filter((file) =>
      ENTRY_FOLDERS.some((folder) => file.startsWith(`functions/${folder}/`)),
    );
    const long = entries.filter((file) => text(file).split('\n').length >= 60);
    expect(long).toEqual([]);
  });

  it('no module of functions/, infra/ or workflows/ grows past 400 lines without saying why at its top', () => {
    const files = ['functions', 'infra', 'workflows'].flatMap(sourcesUnder);
    const long = files.filter(
      (file) =>
        text(file).split('\n').length > 400 &&
        !/Longer than 400 lines because/.test(text(file).slice(0, 2000)),
    );
    expect(long).toEqual([]);
  });
});
