import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, generateApiTypes } from '../../../scripts/generate-api-types.ts';

describe('the CLI types generated from the OpenAPI document', () => {
  it('are what `npm run api-types` writes from the route table today', async () => {
    const committed = readFileSync(API_TYPES_FILE, 'utf8');
    const fresh = await generateApiTypes();
    // When this fails: run `npm run api-types` and commit cli/api-types.ts.
    expect(committed).toBe(fresh);
  });
});
