import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { listProjects, type ProjectInfo } from '../api';
import type { ProjectKey } from '../scope';

export interface Projects {
  /** Every backlog of the server, the global one first; empty until known, and on the Worker. */
  list: ProjectInfo[];
  /** Asks again: counts move, and projects appear as agents start using them. */
  refresh(): void;
}

/** The server's backlogs, asked at start, on each switch, and whenever the switcher or the spotlight opens. */
export function useProjects(shown: ProjectKey): Projects {
  const [list, setList] = useState<ProjectInfo[]>([]);
  const asking = useRef<AbortController | undefined>(undefined);
  const refresh = useCallback(() => {
    asking.current?.abort();
    const controller = new AbortController();
    asking.current = controller;
    listProjects(controller.signal)
      .then(setList)
      .catch(() => undefined);
  }, []);
  // Asked again on each switch: a project the server had not served before joins its list once the
  // page has asked about it.
  useEffect(() => {
    refresh();
    return () => asking.current?.abort();
  }, [refresh, shown]);
  return { list, refresh };
}
