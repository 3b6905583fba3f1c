import { useEffect, useState } from 'preact/hooks';
import { progress, type ScopeProgress } from '../api';
import { onLive } from '../bus';

/** Coalesces a burst of live changes (an agent closing ten items) into one refetch. */
const REFETCH_MS = 150;

/** Every scope's progress, refetched whole on any live change: it is one small request. */
export function useProgress(): { scopes?: ScopeProgress[]; error?: string } {
  const [scopes, setScopes] = useState<ScopeProgress[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      controller.abort();
      controller = new AbortController();
      progress(controller.signal).then(
        (next) => {
          setScopes(next);
          setError(undefined);
        },
        (e: unknown) => {
          if ((e as Error).name !== 'AbortError') setError(String((e as Error).message ?? e));
        },
      );
    };
    load();
    const off = onLive(() => {
      clearTimeout(timer);
      timer = setTimeout(load, REFETCH_MS);
    });
    return () => {
      off();
      clearTimeout(timer);
      controller.abort();
    };
  }, []);
  return { scopes, error };
}
