// How the page names backlogs: by the project folder's name, the global one as "Global", with the
// full path wherever room allows (two projects may share a folder name).

/** The last segment of a path (POSIX or Windows), ignoring a trailing separator. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}
