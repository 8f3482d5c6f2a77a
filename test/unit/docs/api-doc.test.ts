/**
 * Keeps docs/api.md honest: every route of the route table has its own section there, headed
 * `METHOD /v1/path`, naming its success status and each refusal code the table lists; and no section
 * documents a route the API does not serve. A new route therefore fails this test until it is documented.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_STAGE, ROUTES, type RouteSpec } from '#contract/routes.ts';

const API_DOC = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
/** A route section's heading: ### `POST /v1/changes/{changeId}/reschedule` */
const ROUTE_HEADING = /^### `([A-Z]+ \/\S+)`\s*$/;

interface RouteSection {
  heading: string;
  text: string;
}

/** The route sections of the document, in order, each with its text up to the next heading. */
function routeSections(markdown: string): RouteSection[] {
  const sections: RouteSection[] = [];
  let current: RouteSection | null = null;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('#')) {
      const heading = ROUTE_HEADING.exec(line)?.[1];
      current = heading ? { heading, text: '' } : null;
      if (current) sections.push(current);
    } else if (current) {
      current.text += `${line}\n`;
    }
  }
  return sections;
}

const sections = routeSections(API_DOC);
const routes: readonly RouteSpec[] = ROUTES;
const headingOf = (route: RouteSpec) => `${route.method} /${API_STAGE}${route.path}`;

describe('docs/api.md', () => {
  it.each(routes.map((route) => ({ route, heading: headingOf(route) })))(
    'has a section for $heading',
    ({ heading }) => {
      // Act
      const documented = sections.map((section) => section.heading);

      // Assess
      expect(documented).toContain(heading);
    },
  );

  it.each(routes.map((route) => ({ route, heading: headingOf(route) })))(
    'names the success status and every refusal code of $heading in its section',
    ({ route, heading }) => {
      // Prepare
      const text = sections.find((section) => section.heading === heading)?.text ?? '';

      // Act
      const missing = [
        `**${route.successStatus}**`,
        ...(route.refusals ?? []).flatMap((refusal) => {
          const [status, code] = refusal.split(' ') as [string, string];
          return [status, `\`${code}\``];
        }),
      ].filter((needle) => !text.includes(needle));

      // Assess
      expect(missing, `section ${heading}`).toEqual([]);
    },
  );

  it('documents each served route once, and no route the table does not serve', () => {
    // Prepare
    const served = new Set(routes.map(headingOf));

    // Act
    const headings = sections.map((section) => section.heading);
    const unknown = headings.filter((heading) => !served.has(heading));
    const repeated = headings.filter((heading, index) => headings.indexOf(heading) !== index);

    // Assess
    expect(unknown).toEqual([]);
    expect(repeated).toEqual([]);
  });
});
