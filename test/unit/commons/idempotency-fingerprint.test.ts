import { describe, expect, it } from 'vitest';
import { requestFingerprint } from '#commons/http/idempotency.ts';

describe('requestFingerprint', () => {
  it('is the same for the same request with its keys in another order, at every depth', () => {
    const request = {
      params: { changeId: 'chg_1' },
      body: { title: 'Patch', contacts: [{ name: 'Ann', email: 'ann@example.com' }], urgent: false },
    };
    const reordered = {
      body: { urgent: false, contacts: [{ email: 'ann@example.com', name: 'Ann' }], title: 'Patch' },
      params: { changeId: 'chg_1' },
    };

    expect(requestFingerprint(reordered)).toBe(requestFingerprint(request));
  });

  it('differs when a value, the order of an array or a nested key differs', () => {
    const base = requestFingerprint({ params: {}, body: { a: [1, 2], b: { c: 'x' } } });

    expect(requestFingerprint({ params: {}, body: { a: [2, 1], b: { c: 'x' } } })).not.toBe(base);
    expect(requestFingerprint({ params: {}, body: { a: [1, 2], b: { c: 'y' } } })).not.toBe(base);
    expect(requestFingerprint({ params: {}, body: { a: [1, 2], b: { d: 'x' } } })).not.toBe(base);
  });
});

describe('requestFingerprint on parts canonical JSON has no form for', () => {
  it('still hashes a lone surrogate and an infinite number, the same each time, instead of failing', () => {
    const parts = JSON.parse('{"params":{},"body":{"note":"\\ud800","size":1e400}}') as unknown;

    expect(() => requestFingerprint(parts)).not.toThrow();
    expect(requestFingerprint(parts)).toBe(requestFingerprint(structuredClone(parts)));
    expect(requestFingerprint(parts)).toMatch(/^[0-9a-f]{64}$/);
  });
});
