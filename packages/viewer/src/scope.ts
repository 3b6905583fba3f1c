// Which backlog the page shows. One server serves a global backlog and any number of project
// backlogs; the page shows one at a time, named in the URL (`?project=`), and every API call and
// the change stream must ask about that one and no other. The project is a module value, not a
// prop threaded through every hook, because it is the page's context as a whole: the app sets it
// when the URL changes, and what was asked under another project is dropped (api.ts).

/** The project's absolute path as the server names it (or its backlog folder); undefined: the global backlog. */
export type ProjectKey = string | undefined;

let shown: ProjectKey;
const listeners = new Set<(project: ProjectKey) => void>();

export function shownProject(): ProjectKey {
  return shown;
}

/** Makes `project` the page's backlog; listeners forget what they knew of the previous one. */
export function showProject(project: ProjectKey): void {
  if (project === shown) return;
  shown = project;
  for (const listener of listeners) listener(project);
}

export function onProjectShown(listener: (project: ProjectKey) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** `path` (which may carry a query already) asking about `project`; the global backlog needs no parameter. */
export function inProject(path: string, project: ProjectKey = shown): string {
  if (!project) return path;
  return `${path}${path.includes('?') ? '&' : '?'}project=${encodeURIComponent(project)}`;
}
