import { useEffect, useState } from 'preact/hooks';
import { ACTIVE, type ItemType, type SearchAnswer, type Status, search } from '../api';

/** The spotlight's status tabs. */
export const STATUS_TABS: { key: string; label: string; statuses: readonly Status[] }[] = [
  { key: 'any', label: 'Any status', statuses: [] },
  { key: 'active', label: 'Active', statuses: ACTIVE },
  { key: 'done', label: 'Done', statuses: ['done', 'cancelled'] },
];

export interface Search {
  answer: SearchAnswer | undefined;
  loading: boolean;
  /** The highlighted result (back to the first with each new answer). */
  active: number;
  setActive(update: number | ((active: number) => number)): void;
}

/**
 * Results as you type from the server's search (the shown project's, or every project's when
 * `everywhere`), debounced; a newer query aborts the older one.
 */
export function useSearch(query: string, type: ItemType | 'all', statusTab: string, everywhere: boolean): Search {
  const [answer, setAnswer] = useState<SearchAnswer | undefined>();
  const [active, setActive] = useState(0);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setAnswer(undefined);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    const timer = setTimeout(() => {
      const statuses = STATUS_TABS.find((t) => t.key === statusTab)?.statuses ?? [];
      search(q, type === 'all' ? [] : [type], statuses, everywhere, controller.signal)
        .then((result) => {
          setAnswer(result);
          setActive(0);
          setLoading(false);
        })
        .catch(() => {
          if (!controller.signal.aborted) setLoading(false);
        });
    }, 90);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query, type, statusTab, everywhere]);

  return { answer, loading, active, setActive };
}
