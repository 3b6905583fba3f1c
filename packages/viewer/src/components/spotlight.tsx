import { useEffect, useRef, useState } from 'preact/hooks';
import { ACTIVE, type ItemType, type SearchAnswer, type Status, search, TYPE_LABEL, TYPES } from '../api';
import { Highlight, StatusChip, TypeBadge } from './bits';

interface Props {
  query: string;
  onQuery(query: string): void;
  onOpen(id: string): void;
  onClose(): void;
}

const STATUS_TABS: { key: string; label: string; statuses: readonly Status[] }[] = [
  { key: 'any', label: 'Any status', statuses: [] },
  { key: 'active', label: 'Active', statuses: ACTIVE },
  { key: 'done', label: 'Done', statuses: ['done', 'cancelled'] },
];

/** Ctrl/Cmd+K: results as you type from the server's search, keyboard first. */
export function Spotlight({ query, onQuery, onOpen, onClose }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const [type, setType] = useState<ItemType | 'all'>('all');
  const [statusTab, setStatusTab] = useState('any');
  const [answer, setAnswer] = useState<SearchAnswer | undefined>();
  const [active, setActive] = useState(0);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

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
      search(q, type === 'all' ? [] : [type], statuses, controller.signal)
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
  }, [query, type, statusTab]);

  useEffect(() => {
    listRef.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const results = answer?.results ?? [];
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || (e.ctrlKey && e.key === 'n')) {
      e.preventDefault();
      setActive((a) => Math.min(results.length - 1, a + 1));
    } else if (e.key === 'ArrowUp' || (e.ctrlKey && e.key === 'p')) {
      e.preventDefault();
      setActive((a) => Math.max(0, a - 1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const hit = results[active];
      if (hit) onOpen(hit.id);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      onClose();
    } else if (e.key === 'Tab') {
      // Tab cycles the type tabs, so the keyboard reaches them without leaving the input.
      e.preventDefault();
      const order: (ItemType | 'all')[] = ['all', ...TYPES];
      const next = (order.indexOf(type) + (e.shiftKey ? order.length - 1 : 1)) % order.length;
      setType(order[next] ?? 'all');
    }
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click on the backdrop closes, as Esc does from the keyboard
    <div
      class="overlay"
      role="presentation"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div class="spotlight" role="dialog" aria-modal="true" aria-label="Search">
        <div class="spot-input-row">
          <svg class="spot-glass" width="18" height="18" viewBox="0 0 24 24" aria-hidden="true">
            <circle cx="11" cy="11" r="7" fill="none" stroke="currentColor" stroke-width="2" />
            <path d="M20 20l-3.5-3.5" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
          </svg>
          <input
            ref={input}
            class="spot-input"
            type="text"
            placeholder="Search tasks, epics, artifacts…"
            value={query}
            aria-label="Search"
            role="combobox"
            aria-expanded={results.length > 0}
            aria-controls="spot-results"
            aria-activedescendant={results[active] ? `hit-${results[active]?.id}` : undefined}
            onInput={(e) => onQuery((e.target as HTMLInputElement).value)}
            onKeyDown={onKey}
          />
          {loading ? <span class="spinner" title="Searching" /> : null}
          {answer ? <span class="mode-badge">{answer.search_mode}</span> : null}
        </div>
        <div class="spot-tabs">
          <div class="tabs" role="tablist" aria-label="Type">
            {(['all', ...TYPES] as const).map((t) => (
              <button
                type="button"
                role="tab"
                key={t}
                aria-selected={type === t}
                class={type === t ? 'tab active' : 'tab'}
                onClick={() => {
                  setType(t);
                  input.current?.focus();
                }}
              >
                {t === 'all' ? 'All' : `${TYPE_LABEL[t]}s`}
              </button>
            ))}
          </div>
          <div class="tabs" role="tablist" aria-label="Status">
            {STATUS_TABS.map((t) => (
              <button
                type="button"
                role="tab"
                key={t.key}
                aria-selected={statusTab === t.key}
                class={statusTab === t.key ? 'tab active' : 'tab'}
                onClick={() => {
                  setStatusTab(t.key);
                  input.current?.focus();
                }}
              >
                {t.label}
              </button>
            ))}
          </div>
        </div>
        <div class="spot-results" id="spot-results" role="listbox" ref={listRef}>
          {results.map((hit, i) => (
            <div
              key={hit.id}
              tabIndex={-1}
              id={`hit-${hit.id}`}
              role="option"
              aria-selected={i === active}
              class={i === active ? 'hit active' : 'hit'}
              onMouseMove={() => setActive(i)}
              onClick={() => onOpen(hit.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') onOpen(hit.id);
              }}
            >
              <div class="hit-top">
                <span class="mono hit-id">{hit.id}</span>
                <span class="hit-title">
                  <Highlight text={hit.title} query={query} />
                </span>
                <TypeBadge type={hit.type} />
                <StatusChip status={hit.status} />
              </div>
              {hit.snippet && hit.snippet !== hit.title ? (
                <div class="hit-snippet">
                  <Highlight text={hit.snippet} query={query} />
                </div>
              ) : null}
            </div>
          ))}
        </div>
        {query.trim() && answer && results.length === 0 ? <div class="spot-empty">No results for “{query}”</div> : null}
        {!query.trim() ? <div class="spot-empty">Type to search titles, bodies, evidence and references.</div> : null}
        <div class="spot-footer">
          <span>
            <kbd>↑</kbd>
            <kbd>↓</kbd> navigate
          </span>
          <span>
            <kbd>↵</kbd> open
          </span>
          <span>
            <kbd>Tab</kbd> type
          </span>
          <span>
            <kbd>Esc</kbd> close
          </span>
          {answer ? (
            <span class="spot-count">
              {answer.total} {answer.total === 1 ? 'result' : 'results'}
            </span>
          ) : null}
        </div>
      </div>
    </div>
  );
}
