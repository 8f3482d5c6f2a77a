/**
 * Free-text fields of the contract (api.md, "Additions"): what a person types, refused at the edge when
 * it carries characters that break what the text later becomes.
 *
 * - Single-line fields (titles, names, reasons, impacts) become mail subjects, calendar summaries and
 *   log lines: a CR or LF there ended in "line break in a header" on every notice of the change, long
 *   after the 201. They refuse every control character, line breaks included.
 * - Multi-line fields (descriptions, notes, messages, comments) keep line breaks: LF, and CRLF (what a
 *   browser's textarea sends), which is stored as LF so there is one form. Every other control character
 *   is refused, a bare CR among them.
 *
 * "Control character" is Unicode's Cc category (C0, DEL, C1: NUL, tab, U+0085 NEXT LINE ...) plus
 * U+2028 and U+2029, the line and paragraph separators, which some readers take for line breaks and
 * others do not. Text must also be well-formed Unicode (no lone surrogate), which canonical JSON and
 * every encoder downstream require. The checks are patterns, so the OpenAPI document shows them.
 */
import * as z from 'zod';

/** Every control character, as a class body (written with escapes so the OpenAPI pattern stays readable). */
const CONTROLS = '\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029';
const CONTROLS_BUT_LF = '\\u0000-\\u0009\\u000B-\\u001F\\u007F-\\u009F\\u2028\\u2029';
const SINGLE_LINE = new RegExp(`^[^${CONTROLS}]*$`, 'u');
/** Line breaks as LF (a CRLF is normalised to LF before this check). */
const MULTI_LINE = new RegExp(`^[^${CONTROLS_BUT_LF}]*$`, 'u');
const FIRST_CONTROL = new RegExp(`[${CONTROLS}]`, 'u');

/** Which character offended and where, so an invisible character can be found: "U+0009 at character 7". */
function offender(input: unknown, allowLineFeed: boolean): string {
  const text = String(input);
  const [...characters] = text;
  const index = characters.findIndex(
    (character) => FIRST_CONTROL.test(character) && !(allowLineFeed && character === '\n'),
  );
  const character = characters[index];
  if (character === undefined) return '';
  const code = (character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return ` (found U+${code} at character ${index + 1})`;
}

const wellFormed = (text: string) => text.isWellFormed();
const WELL_FORMED_MESSAGE = 'must be well-formed Unicode text (it holds a lone surrogate)';

/**
 * One line of text: trimmed, 1..max characters, no control characters (no line break, no tab).
 */
export function singleLineText(max: number) {
  return z
    .string()
    .regex(SINGLE_LINE, {
      error: (issue) =>
        `must be a single line of text: no line breaks, tabs or other control characters${offender(issue.input, false)}`,
    })
    .refine(wellFormed, WELL_FORMED_MESSAGE)
    .trim()
    .min(1, 'must not be empty')
    .max(max);
}

/**
 * Text that may span lines: up to max characters, line breaks as LF (CRLF accepted and stored as LF),
 * no other control characters (no bare CR, no tab).
 */
export function multiLineText(max: number) {
  return z
    .string()
    .overwrite((text) => text.replaceAll('\r\n', '\n'))
    .regex(MULTI_LINE, {
      error: (issue) =>
        `may hold line breaks (\\n) but no other control characters such as CR or tab${offender(issue.input, true)}`,
    })
    .refine(wellFormed, WELL_FORMED_MESSAGE)
    .max(max);
}
