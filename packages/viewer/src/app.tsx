import './app.css';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { knownStubs, onProjectMissing } from './api';
import type { ListHandle } from './components/list';
import { MissingProject } from './components/missing-project';
import { ProjectSwitcher } from './components/project-switcher';
import { Spotlight } from './components/spotlight';
import { Topbar } from './components/topbar';
import { Workspace } from './components/workspace';
import { useKeyboard } from './hooks/use-keyboard';
import { useLive } from './hooks/use-live';
import { useProjects } from './hooks/use-projects';
import { useTheme } from './hooks/use-theme';
import { useUrlState } from './hooks/use-url-state';
import { baseName, hitProjectKey } from './project-names';
import { type ProjectKey, shownProject, showProject } from './scope';
import { DEFAULT_STATE, switchedTo, toSearch } from './url-state';

/** The tab's title names the open item and the project (when it is not the global backlog). */
function useDocumentTitle(id: string | undefined, project: ProjectKey): void {
  useEffect(() => {
    const title = id ? knownStubs.get(id)?.title : undefined;
    const where = project ? ` — ${baseName(project)}` : '';
    document.title = id ? `${id}${title ? ` · ${title}` : ''}${where} — backlog-mcp` : `backlog-mcp${where}`;
  });
}

/**
 * The shown project follows the URL. Set while rendering, not in an effect: the panes mounted for
 * a new project fetch in their own effects, which run before this component's, and must already
 * ask about it.
 */
function useShownProject(project: ProjectKey): void {
  showProject(project);
}

/** What the server said when the URL's project turned out not to be a backlog; cleared by another project. */
function useProjectMissing(project: ProjectKey): string | undefined {
  const [missing, setMissing] = useState<{ project: ProjectKey; message: string } | undefined>();
  useEffect(() => onProjectMissing((message) => setMissing({ project: shownProject(), message })), []);
  return missing && missing.project === project ? missing.message : undefined;
}

export function App() {
  const [theme, dark, cycleTheme] = useTheme();
  const url = useUrlState();
  const { state, stateRef, navigate } = url;
  useShownProject(state.project);
  const missing = useProjectMissing(state.project);
  const feed = useLive(state.project, missing === undefined);
  const projects = useProjects(state.project);
  const listHandle = useRef<ListHandle | null>(null);

  const open = useCallback((id: string) => navigate({ id, spot: undefined }), [navigate]);
  // The filter box's draft goes too, or its pending update would bring the old words back.
  const switchTo = useCallback(
    (project: ProjectKey, id?: string) => {
      url.setQDraft('');
      navigate({ ...switchedTo(project), id });
    },
    [navigate],
  );
  /** A search hit, maybe from another project: the page switches there and opens it. */
  const openHit = (id: string, hitProject?: string) => {
    const key = hitProjectKey(projects.list, state.project, hitProject);
    if (key === state.project) open(id);
    else switchTo(key, id);
  };
  useKeyboard(stateRef, navigate, listHandle);
  useDocumentTitle(state.id, state.project);

  return (
    <div class={`app${state.id ? ' has-detail' : ''}`}>
      <Topbar
        view={state.view}
        live={feed.live}
        theme={theme}
        dark={dark}
        onCycleTheme={cycleTheme}
        onHome={() => {
          url.setQDraft('');
          navigate({ ...DEFAULT_STATE });
        }}
        homeHref={toSearch({ ...DEFAULT_STATE, project: state.project }) || '/'}
        switcher={
          <ProjectSwitcher
            projects={projects.list}
            shown={state.project}
            onPick={(project) => switchTo(project)}
            onOpen={projects.refresh}
          />
        }
        navigate={navigate}
      />
      {missing !== undefined && state.project ? (
        <MissingProject project={state.project} message={missing} onGlobal={() => switchTo(undefined)} />
      ) : (
        <Workspace key={state.project ?? ''} url={url} feed={feed} dark={dark} listHandle={listHandle} onOpen={open} />
      )}
      {state.spot !== undefined ? (
        <Spotlight
          query={state.spot}
          projects={projects.list}
          shown={state.project}
          onQuery={(q) => navigate({ spot: q }, true)}
          onOpen={openHit}
          onShow={projects.refresh}
          onClose={() => navigate({ spot: undefined }, true)}
        />
      ) : null}
    </div>
  );
}
