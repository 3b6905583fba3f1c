import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ListQuery } from '../api';
import { parseUrl, statusesOf, toSearch, type ViewState } from '../url-state';

/** Changes the view; a new history entry unless `replace` (typing, live tweaks). */
export type Navigate = (patch: Partial<ViewState>, replace?: boolean) => void;

export interface UrlState {
  state: ViewState;
  /** The latest state, for handlers registered once. */
  stateRef: { readonly current: ViewState };
  navigate: Navigate;
  /** The filter box's text; it reaches the URL (as `q`) a moment after typing stops. */
  qDraft: string;
  setQDraft(q: string): void;
}

/** The view state lives in the URL: links reproduce it, and back/forward walk through it. */
export function useUrlState(): UrlState {
  const [state, setState] = useState<ViewState>(() => parseUrl(window.location.search));
  const [qDraft, setQDraft] = useState(state.q);
  const stateRef = useRef(state);
  stateRef.current = state;

  const navigate = useCallback<Navigate>((patch, replace = false) => {
    const next: ViewState = { ...stateRef.current, ...patch };
    const url = `${window.location.pathname}${toSearch(next)}`;
    if (url !== `${window.location.pathname}${window.location.search}`) {
      if (replace) window.history.replaceState(null, '', url);
      else window.history.pushState(null, '', url);
    }
    stateRef.current = next;
    setState(next);
  }, []);

  useEffect(() => {
    const onPop = () => {
      const next = parseUrl(window.location.search);
      stateRef.current = next;
      setState(next);
      setQDraft(next.q);
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  // Typing in the filter box updates the URL in place, debounced.
  useEffect(() => {
    if (qDraft === stateRef.current.q) return;
    const timer = setTimeout(() => navigate({ q: qDraft }, true), 200);
    return () => clearTimeout(timer);
  }, [qDraft, navigate]);

  return { state, stateRef, navigate, qDraft, setQDraft };
}

/** The list's query for a view state, and a key that changes only when the query does. */
export function useListFilter(state: ViewState): { filter: ListQuery; filterKey: string } {
  const filter: ListQuery = useMemo(
    () => ({
      status: statusesOf(state.status),
      types: state.types,
      epic: state.epic,
      q: state.q || undefined,
      labels: state.labels,
      sort: state.sort,
    }),
    [state.status, state.types, state.epic, state.q, state.labels, state.sort],
  );
  return { filter, filterKey: JSON.stringify(filter) };
}
