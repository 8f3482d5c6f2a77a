import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, parsePolicy } from '#core/policy.ts';
import { applyNewRelease, versionCompliance } from '#core/releases.ts';

const policy = DEFAULT_POLICY;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('versionCompliance', () => {
  it.each(['15.0 SU1', '15.0 SU2'])(
    'lets a customer on %s (n) stay, with new deployments supported',
    (version) => {
      expect(versionCompliance(policy, version)).toEqual({
        version,
        position: 'n',
        newDeployments: true,
        mayStay: true,
      });
    },
  );

  it.each(['14.0 SU3', '14.0 SU4'])(
    'tells a customer on %s (n-1, near end of life) to upgrade to 15.0 SU2',
    (version) => {
      expect(versionCompliance(policy, version)).toEqual({
        version,
        position: 'n-1',
        newDeployments: false,
        mayStay: false,
        mustUpgradeTo: '15.0 SU2',
        trigger: 'end-of-life',
      });
    },
  );

  it('tells a customer on 12.5 SU7a (n-2, below n-1) to upgrade to 15.0 SU2', () => {
    expect(versionCompliance(policy, '12.5 SU7a')).toEqual({
      version: '12.5 SU7a',
      position: 'n-2',
      newDeployments: false,
      mayStay: false,
      mustUpgradeTo: '15.0 SU2',
      trigger: 'below-n-1',
    });
  });

  it.each(['11.5 SU9', '15.0 su2', ' 15.0 SU2', ''])(
    'answers unknown for a version the matrix does not list (%j), leaving the decision to the caller',
    (version) => {
      expect(versionCompliance(policy, version)).toEqual({
        version,
        position: 'unknown',
        newDeployments: false,
        mayStay: false,
      });
    },
  );

  it('sends n-1 to the newest n version when the matrix names no target', () => {
    const custom = parsePolicy({
      releases: [
        { position: 'n', versions: ['15.0 SU1', '15.0 SU3'], newDeployments: true },
        { position: 'n-1', versions: ['14.0 SU4'], newDeployments: false },
      ],
    });

    expect(versionCompliance(custom, '14.0 SU4')).toMatchObject({
      mayStay: false,
      mustUpgradeTo: '15.0 SU3',
    });
  });

  it('follows a target the matrix sets for n, without an upgrade trigger, and never sends a version to itself', () => {
    const custom = parsePolicy({
      releases: [
        {
          position: 'n',
          versions: ['15.0 SU1', '15.0 SU2'],
          newDeployments: true,
          mustUpgradeTo: '15.0 SU2',
        },
      ],
    });

    expect(versionCompliance(custom, '15.0 SU1')).toEqual({
      version: '15.0 SU1',
      position: 'n',
      newDeployments: true,
      mayStay: false,
      mustUpgradeTo: '15.0 SU2',
    });
    expect(versionCompliance(custom, '15.0 SU2')).toMatchObject({ mayStay: true });
    expect(versionCompliance(custom, '15.0 SU2').mustUpgradeTo).toBeUndefined();
  });
});

describe('applyNewRelease', () => {
  it('makes the new versions n, shifts n to n-1 and n-1 to n-2, and drops the old n-2', () => {
    const next = applyNewRelease(policy.releases, ['16.0', '16.0 SU1']);

    expect(next).toEqual([
      { position: 'n', versions: ['16.0', '16.0 SU1'], newDeployments: true },
      {
        position: 'n-1',
        versions: ['15.0 SU1', '15.0 SU2'],
        newDeployments: false,
        mustUpgradeTo: '16.0 SU1',
      },
      {
        position: 'n-2',
        versions: ['14.0 SU3', '14.0 SU4'],
        newDeployments: false,
        mustUpgradeTo: '16.0 SU1',
      },
    ]);
  });

  it('gives a matrix the policy accepts, in which the end-of-sale version is no longer known', () => {
    const next = parsePolicy({ releases: applyNewRelease(policy.releases, ['16.0']) });

    expect(versionCompliance(next, '16.0')).toMatchObject({
      position: 'n',
      mayStay: true,
      newDeployments: true,
    });
    expect(versionCompliance(next, '15.0 SU2')).toMatchObject({
      position: 'n-1',
      mayStay: false,
      mustUpgradeTo: '16.0',
      trigger: 'end-of-life',
    });
    expect(versionCompliance(next, '14.0 SU3')).toMatchObject({
      position: 'n-2',
      mayStay: false,
      mustUpgradeTo: '16.0',
      trigger: 'below-n-1',
    });
    expect(versionCompliance(next, '12.5 SU7a').position).toBe('unknown');
  });

  it('moves on again with a second release', () => {
    const twice = applyNewRelease(applyNewRelease(policy.releases, ['16.0']), ['17.0 SU1']);

    expect(twice).toEqual([
      { position: 'n', versions: ['17.0 SU1'], newDeployments: true },
      { position: 'n-1', versions: ['16.0'], newDeployments: false, mustUpgradeTo: '17.0 SU1' },
      {
        position: 'n-2',
        versions: ['15.0 SU1', '15.0 SU2'],
        newDeployments: false,
        mustUpgradeTo: '17.0 SU1',
      },
    ]);
  });

  it('builds only the positions it has versions for', () => {
    const onlyN = [{ position: 'n' as const, versions: ['15.0 SU2'], newDeployments: true }];

    expect(applyNewRelease(onlyN, ['16.0'])).toEqual([
      { position: 'n', versions: ['16.0'], newDeployments: true },
      { position: 'n-1', versions: ['15.0 SU2'], newDeployments: false, mustUpgradeTo: '16.0' },
    ]);
  });

  it('leaves its input untouched and shares no arrays with it', () => {
    // Prepare: a frozen copy throws on any mutation.
    const releases = deepFreeze(structuredClone(policy.releases));
    const before = structuredClone(releases);
    const newVersions = ['16.0'];

    // Act
    const next = applyNewRelease(releases, newVersions);
    newVersions.push('16.0 SU1');

    // Assess
    expect(releases).toEqual(before);
    expect(next).not.toBe(releases);
    expect(next[0]?.versions).toEqual(['16.0']);
    expect(next[1]?.versions).not.toBe(releases[0]?.versions);
    expect(next[2]?.versions).not.toBe(releases[1]?.versions);
  });

  it.each([
    ['no versions', []],
    ['a blank version', ['16.0', ' ']],
    ['the same version twice', ['16.0', '16.0']],
    ['a version already in the matrix', ['15.0 SU2']],
  ])('refuses %s', (_, newVersions) => {
    expect(() => applyNewRelease(policy.releases, newVersions)).toThrow(RangeError);
  });
});
