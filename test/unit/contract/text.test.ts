import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { ROUTES } from '#contract/routes.ts';
import { multiLineText, singleLineText } from '#contract/text.ts';

const CONTROLS = ['\r', '\n', '\t', '\u0000', '\u001B', '\u007F', '\u0085', '\u009F', '\u2028', '\u2029'];

describe('singleLineText', () => {
  it.each(CONTROLS.map((c) => [JSON.stringify(c), c]))('refuses %s', (_, character) => {
    expect(singleLineText(100).safeParse(`a${character}b`).success).toBe(false);
  });

  it('trims, refuses what trims to nothing, and keeps the rest as typed', () => {
    expect(singleLineText(100).parse('  Dial plan: v2, «Zürich» 📞 ')).toBe('Dial plan: v2, «Zürich» 📞');
    expect(singleLineText(100).safeParse('   ').success).toBe(false);
    expect(singleLineText(5).safeParse('abcdef').success).toBe(false);
  });

  it('refuses a lone surrogate', () => {
    expect(singleLineText(100).safeParse('a\uD800b').success).toBe(false);
  });
});

describe('multiLineText', () => {
  it.each(CONTROLS.filter((c) => c !== '\n').map((c) => [JSON.stringify(c), c]))('refuses %s', (_, c) => {
    expect(multiLineText(100).safeParse(`a${c}b`).success).toBe(false);
  });

  it('keeps LF and stores CRLF as LF', () => {
    expect(multiLineText(100).parse('one\ntwo\r\nthree')).toBe('one\ntwo\nthree');
  });

  it('accepts an empty text (the fields that use it are optional)', () => {
    expect(multiLineText(100).parse('')).toBe('');
  });
});

/** The fields of each POST body that take free text: they accept a sentence a person might type. */
function freeTextFields(): string[] {
  const fields = new Set<string>();
  for (const route of ROUTES) {
    if (!('body' in route)) continue;
    const shape = (route.body as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
    for (const [name, schema] of Object.entries(shape)) {
      if (schema.safeParse('A sentence, typed by a person.').success) fields.add(`${route.id}.${name}`);
    }
  }
  return [...fields].sort();
}

describe('the text fields of the contract', () => {
  const SINGLE_LINE = [
    'cancelChange.reason',
    'createChange.targetVersion',
    'createChange.title',
    'createChange.urgentReason',
    'createCopRequest.reason',
    'createEmergencyChange.customerImpact',
    'createEmergencyChange.title',
    'rescheduleChange.reason',
  ];
  const MULTI_LINE = [
    'acknowledgeAlert.comment',
    'acknowledgeChange.comment',
    'completeChange.notes',
    'createChange.description',
    'createEmergencyChange.description',
  ];

  it('are exactly the fields listed here (a new text field must pick single- or multi-line)', () => {
    expect(freeTextFields()).toEqual([...SINGLE_LINE, ...MULTI_LINE].sort());
  });

  it.each(SINGLE_LINE)('%s refuses line breaks and every other control character', (path) => {
    const [routeId, field] = path.split('.') as [string, string];
    const route = ROUTES.find((r) => r.id === routeId) as { body: { shape: Record<string, z.ZodType> } };
    for (const c of CONTROLS) expect(route.body.shape[field]?.safeParse(`a${c}b`).success).toBe(false);
  });

  it.each(MULTI_LINE)('%s keeps line breaks and refuses every other control character', (path) => {
    const [routeId, field] = path.split('.') as [string, string];
    const route = ROUTES.find((r) => r.id === routeId) as { body: { shape: Record<string, z.ZodType> } };
    expect(route.body.shape[field]?.safeParse('a\nb').success).toBe(true);
    for (const c of CONTROLS.filter((c) => c !== '\n'))
      expect(route.body.shape[field]?.safeParse(`a${c}b`).success).toBe(false);
  });
});
