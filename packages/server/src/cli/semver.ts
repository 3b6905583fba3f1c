/** A parsed version: numbers compared numerically, a pre-release sorts before its release. */
export interface Version {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
}

/**
 * Parses what `/version` answers, defensively: surrounding whitespace, quotes (an old server
 * answered a JSON string) and a leading "v" are ignored. Anything else is not a version.
 */
export function parseVersion(raw: string): Version | undefined {
  let text = raw.trim();
  while (/^["'].*["']$/s.test(text) && text.length >= 2) text = text.slice(1, -1).trim();
  const match = /^v?(\d{1,9})\.(\d{1,9})\.(\d{1,9})(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text);
  if (!match) return undefined;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3]),
    prerelease: match[4] ? match[4].split('.') : [],
  };
}

function compareIdentifiers(a: string, b: string): number {
  const numA = /^\d+$/.test(a);
  const numB = /^\d+$/.test(b);
  if (numA && numB) return Math.sign(Number(a) - Number(b));
  if (numA) return -1;
  if (numB) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semver precedence: negative if a < b, 0 if equal, positive if a > b. */
export function compareVersions(a: Version, b: Version): number {
  const core = Math.sign(a.major - b.major) || Math.sign(a.minor - b.minor) || Math.sign(a.patch - b.patch);
  if (core) return core;
  if (!a.prerelease.length && !b.prerelease.length) return 0;
  if (!a.prerelease.length) return 1;
  if (!b.prerelease.length) return -1;
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const c = compareIdentifiers(x, y);
    if (c) return c;
  }
  return 0;
}

/** True only when `mine` is strictly newer than `theirs`: the one rule that lets a bridge replace a server. */
export function isStrictlyNewer(mine: string, theirs: string): boolean {
  const a = parseVersion(mine);
  const b = parseVersion(theirs);
  if (!a || !b) return false;
  return compareVersions(a, b) > 0;
}
