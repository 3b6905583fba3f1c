import type { RefObject } from 'preact';
import { useEffect } from 'preact/hooks';
import type { ListHandle } from '../components/list';
import type { ViewState } from '../url-state';
import type { Navigate } from './use-url-state';

function inEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el?.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** `g` then a letter switches view, as in Linear and GitHub (d: the dependency graph, w: who, the agents). */
const GO_TO: Record<string, ViewState['view']> = {
  i: 'items',
  a: 'activity',
  b: 'board',
  d: 'graph',
  p: 'progress',
  w: 'agents',
};
/** How long after `g` the second key still counts. */
const GO_WINDOW_MS = 1500;

/** The page's shortcuts: Ctrl/⌘K and / search, Esc closes, j/k/↑/↓ move in the list, Enter opens, g+i/a/b views. */
export function useKeyboard(
  stateRef: { readonly current: ViewState },
  navigate: Navigate,
  listHandle: RefObject<ListHandle | null>,
): void {
  useEffect(() => {
    let goSince = 0;
    const onKey = (e: KeyboardEvent) => {
      const s = stateRef.current;
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        navigate({ spot: s.spot ?? '' }, true);
        return;
      }
      if (s.spot !== undefined || e.altKey || e.ctrlKey || e.metaKey) return;
      if (inEditable(e.target)) {
        if (e.key === 'Escape') (e.target as HTMLElement).blur();
        return;
      }
      const view = Date.now() - goSince < GO_WINDOW_MS ? GO_TO[e.key] : undefined;
      goSince = e.key === 'g' ? Date.now() : 0;
      if (view) {
        e.preventDefault();
        navigate({ view });
        return;
      }
      const inList = s.view === 'items';
      const plainFocus =
        document.activeElement === document.body ||
        (document.activeElement as HTMLElement | null)?.classList.contains('list-scroller');
      if (e.key === '/') {
        e.preventDefault();
        navigate({ spot: '' }, true);
      } else if (e.key === 'Escape') {
        if (s.id) {
          e.preventDefault();
          navigate({ id: undefined });
        }
      } else if (inList && (e.key === 'j' || (e.key === 'ArrowDown' && plainFocus))) {
        e.preventDefault();
        listHandle.current?.move(1);
      } else if (inList && (e.key === 'k' || (e.key === 'ArrowUp' && plainFocus))) {
        e.preventDefault();
        listHandle.current?.move(-1);
      } else if (inList && e.key === 'Enter' && plainFocus) {
        e.preventDefault();
        listHandle.current?.openCursor();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate]);
}
