import type { ProjectCounts, ProjectInfo } from './api';

// How the page names backlogs: by the project folder's name, the global one as "Global", with the
// full path wherever room allows (two projects may share a folder name).

/** The last segment of a path (POSIX or Windows), ignoring a trailing separator. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

/** The entry for what the URL names (a project or its backlog folder); undefined names the global one. */
export function findProject(projects: readonly ProjectInfo[], key: string | undefined): ProjectInfo | undefined {
  if (key === undefined) return projects.find((p) => p.global);
  return projects.find((p) => p.project === key || p.dir === key);
}

/** What the URL says for an entry: nothing for the global backlog (the default), else its project. */
export function keyOf(info: ProjectInfo): string | undefined {
  return info.global ? undefined : info.project;
}

/** The global backlog first, then the projects by name (then path: two may share a name). */
export function sortedProjects(projects: readonly ProjectInfo[]): ProjectInfo[] {
  const named = (p: ProjectInfo) => `${p.global ? '' : baseName(p.project).toLowerCase()}\n${p.project}`;
  return [...projects].sort((a, b) => Number(b.global) - Number(a.global) || named(a).localeCompare(named(b)));
}

/** "Global", or the project folder's name; a project the list does not know yet is named from its path. */
export function projectName(info: ProjectInfo | undefined, key: string | undefined): string {
  if (info?.global || (!info && key === undefined)) return 'Global';
  return baseName(info?.project ?? key ?? '');
}

/** A search hit's project: its name, against the known list (the global one's path is its data folder). */
export function nameOfPath(projects: readonly ProjectInfo[], path: string): string {
  const info = projects.find((p) => p.project === path || p.dir === path);
  return projectName(info, path);
}

/**
 * What the URL says for a search hit's project: the shown project's own key when it is that one
 * (however the URL spells it), else the listed entry's key, else the path itself.
 */
export function hitProjectKey(
  projects: readonly ProjectInfo[],
  shown: string | undefined,
  path?: string,
): string | undefined {
  if (path === undefined) return shown;
  const current = findProject(projects, shown);
  if (current ? current.project === path : shown === path) return shown;
  const info = projects.find((p) => p.project === path);
  return info ? keyOf(info) : path;
}

/**
 * A path as its folders and its last name ("/home/me/work", "/app"), so a narrow box can cut the
 * folders and keep the name: the middle of a path says least, its end which project it is.
 */
export function splitPath(path: string): [string, string] {
  const at = Math.max(path.lastIndexOf('/', path.length - 2), path.lastIndexOf('\\', path.length - 2));
  return at > 0 ? [path.slice(0, at), path.slice(at)] : ['', path];
}

const ACTIVE = ['open', 'in_progress', 'blocked'];

/**
 * "5 active (3 open)": the work in flight, and how much of it nobody has started. "Active" is the
 * word the list's status filter uses for open + in progress + blocked.
 */
export function countsText(counts: ProjectCounts | undefined): string {
  if (!counts) return 'closed';
  const active = ACTIVE.reduce((n, s) => n + (counts.by_status[s] ?? 0), 0);
  if (counts.total === 0) return 'empty';
  if (active === 0) return 'nothing active';
  return `${active} active (${counts.by_status.open ?? 0} open)`;
}

/** Every status with its count, for a tooltip: "3 open, 1 in progress, 1 blocked, 12 done — 17 items". */
export function countsDetail(info: ProjectInfo): string {
  const { counts } = info;
  if (!counts) return 'Closed; its counts are not known yet (choosing it opens it)';
  const parts = Object.entries(counts.by_status)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status.replace('_', ' ')}`);
  const total = `${counts.total} ${counts.total === 1 ? 'item' : 'items'}`;
  const said = parts.length ? `${parts.join(', ')} — ${total}` : total;
  // A closed backlog is not watched: its files may have changed since.
  return info.open ? said : `${said}, when last open (closed while idle)`;
}
