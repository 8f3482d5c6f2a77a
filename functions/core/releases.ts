/**
 * Release management (rules section 7). The support matrix is data (`policy.releases`): which
 * versions sit at n, n-1 and n-2, whether new deployments are supported and which version a
 * customer must upgrade to. This module reads the matrix and moves it on when a release arrives.
 *
 * Choices:
 * - A version matches only when it is written exactly as in the matrix ("15.0 SU2"); nothing is
 *   normalised, so an unlisted spelling is `unknown` and the caller decides.
 * - Within a position, versions are listed oldest to newest (as in the defaults), so "the newest
 *   version" of a position is its last one.
 * - n-1 and n-2 must upgrade to the matrix's `mustUpgradeTo`; if a provider's matrix leaves it out,
 *   the target is the newest version at n (the rules say both positions must upgrade). The upgrade
 *   trigger (section 6) is `end-of-life` at n-1 (a version near end of life) and `below-n-1` at n-2.
 * - n may stay, unless the provider's matrix names a `mustUpgradeTo` for it (policy: "absent when
 *   it may stay"); such an upgrade has no section-6 trigger of its own, so none is given.
 * - A version that is itself the target never has to upgrade to itself.
 */
import type { Policy } from './policy.ts';

/**
 * `unsupported` is part of the contract for callers that track versions the matrix dropped (end of
 * sale); the matrix itself cannot tell a dropped version from a misspelt one, so
 * `versionCompliance` answers `unknown` for every unlisted version.
 */
export type ReleasePosition = 'n' | 'n-1' | 'n-2' | 'unsupported';
type Releases = Policy['releases'];
type ReleaseEntry = Releases[number];

export interface VersionCompliance {
  version: string;
  position: ReleasePosition | 'unknown';
  /** New deployments of this version are supported. */
  newDeployments: boolean;
  /** A customer on this version may stay on it. */
  mayStay: boolean;
  /** The version a customer here must upgrade to (absent when it may stay or the version is unknown). */
  mustUpgradeTo?: string;
  /** The section-6 upgrade trigger that applies (absent when it may stay or the version is unknown). */
  trigger?: 'below-n-1' | 'end-of-life';
}

const TRIGGERS: Partial<Record<ReleaseEntry['position'], VersionCompliance['trigger']>> = {
  'n-1': 'end-of-life',
  'n-2': 'below-n-1',
};

function newestOf(entry: ReleaseEntry | undefined): string | undefined {
  return entry?.versions[entry.versions.length - 1];
}

/** Where a version stands in the matrix and what its customers must do. */
export function versionCompliance(policy: Policy, version: string): VersionCompliance {
  const entry = policy.releases.find((r) => r.versions.includes(version));
  if (!entry) return { version, position: 'unknown', newDeployments: false, mayStay: false };

  const fallbackTarget =
    entry.position === 'n' ? undefined : newestOf(policy.releases.find((r) => r.position === 'n'));
  const target = entry.mustUpgradeTo ?? fallbackTarget;
  const base = { version, position: entry.position, newDeployments: entry.newDeployments };
  if (target === undefined || target === version) return { ...base, mayStay: true };

  const trigger = TRIGGERS[entry.position];
  return { ...base, mayStay: false, mustUpgradeTo: target, ...(trigger ? { trigger } : {}) };
}

/**
 * The matrix after a new release (section 7): `newVersions` (oldest to newest) become n with new
 * deployments supported; the old n becomes n-1, the old n-1 becomes n-2, and the old n-2 drops out
 * (end of sale: its versions are no longer listed, so they read as `unknown`). n-1 and n-2 must
 * upgrade to the newest new version. Pure: the input is left as it was and shares no arrays with
 * the result. Throws a RangeError when `newVersions` is empty, has blanks or duplicates, or names
 * a version the matrix already lists (that is not a new release).
 */
export function applyNewRelease(releases: Releases, newVersions: string[]): Releases {
  if (newVersions.length === 0) throw new RangeError('a new release needs at least one version');
  if (newVersions.some((v) => v.trim() === '')) throw new RangeError('a version must not be blank');
  if (new Set(newVersions).size !== newVersions.length) {
    throw new RangeError(`a new release lists a version twice: ${newVersions.join(', ')}`);
  }
  const listed = new Set(releases.flatMap((r) => r.versions));
  const already = newVersions.filter((v) => listed.has(v));
  if (already.length > 0) throw new RangeError(`already in the release matrix: ${already.join(', ')}`);

  const target = newVersions[newVersions.length - 1] as string;
  const at = (position: ReleaseEntry['position']) => releases.find((r) => r.position === position);
  const oldN = at('n');
  const oldN1 = at('n-1');

  const next: Releases = [{ position: 'n', versions: [...newVersions], newDeployments: true }];
  if (oldN)
    next.push({
      position: 'n-1',
      versions: [...oldN.versions],
      newDeployments: false,
      mustUpgradeTo: target,
    });
  if (oldN1)
    next.push({
      position: 'n-2',
      versions: [...oldN1.versions],
      newDeployments: false,
      mustUpgradeTo: target,
    });
  return next;
}
