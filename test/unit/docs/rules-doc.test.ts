/**
 * Keeps docs/rules.md honest about the policy: every field of the policy object is named there, and
 * every policy field the document names exists (a misspelt or renamed field fails here, so the
 * document cannot point a reader at a number the code does not have).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '#core/policy.ts';

const RULES_DOC = readFileSync(new URL('../../../docs/rules.md', import.meta.url), 'utf8');

/** Groups of the policy whose fields are written `group.field` in the document. */
const GROUPS = Object.entries(DEFAULT_POLICY).filter(
  ([, value]) => typeof value === 'object' && value !== null && !Array.isArray(value),
);
/** Fields as the document names them: `notice.disruptiveBusinessDays`, `regions.<REGION>.timezone`, `releases`. */
const FIELDS = Object.entries(DEFAULT_POLICY).flatMap(([group, value]) => {
  if (Array.isArray(value)) return [group];
  if (group === 'regions') {
    const region = Object.values(value)[0] as Record<string, unknown>;
    return Object.keys(region).map((field) => `regions.<REGION>.${field}`);
  }
  return Object.keys(value as Record<string, unknown>).map((field) => `${group}.${field}`);
});

/** Whether a field the document names resolves in the policy (`<REGION>` standing for any region). */
function exists(field: string): boolean {
  let value: unknown = DEFAULT_POLICY;
  for (const part of field.split('.')) {
    const key = part === '<REGION>' ? 'AMER' : part;
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return false;
    value = (value as Record<string, unknown>)[key];
  }
  return true;
}

describe('docs/rules.md', () => {
  it.each(FIELDS)('names the policy field %s', (field) => {
    // Assess
    expect(RULES_DOC).toContain(`\`${field}\``);
  });

  it('names no policy field the policy does not have', () => {
    // Prepare: every backquoted `group.field` (or `group.<REGION>.field`) whose group is a policy group.
    const groups = GROUPS.map(([group]) => group).join('|');
    const named = [...RULES_DOC.matchAll(new RegExp(`\`((?:${groups})\\.[A-Za-z<>.]+)\``, 'g'))].map(
      (match) => match[1] as string,
    );

    // Act
    const unknown = [...new Set(named)].filter((field) => !exists(field));

    // Assess
    expect(named.length).toBeGreaterThan(FIELDS.length);
    expect(unknown).toEqual([]);
  });
});
