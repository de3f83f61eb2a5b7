/**
 * Shortens a policy version for a table cell: digests are long and differ early, so the first
 * characters identify them the way a short git hash does. The full value goes in a title.
 */
export function shortenDigest(version: string): string {
  const prefixed = /^([a-z0-9-]+):([0-9a-f]{16,})$/i.exec(version);
  if (prefixed) return `${prefixed[1]}:${prefixed[2]!.slice(0, 10)}`;
  if (/^[0-9a-f]{16,}$/i.test(version)) return version.slice(0, 12);
  return version.length > 24 ? `${version.slice(0, 23)}…` : version;
}
