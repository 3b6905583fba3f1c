import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  type Counts,
  type ItemType,
  knownStubs,
  type LabelCount,
  type ListQuery,
  listItems,
  labels as listLabels,
  STATUS_LABEL,
  STATUSES,
  TYPE_LABEL,
  TYPES,
} from './api';
import { publish } from './bus';
import { Detail } from './components/detail';
import { LabelChip } from './components/labels';
import { ItemList, type ListHandle } from './components/list';
import { Spotlight } from './components/spotlight';
import { Timeline } from './components/timeline';
import { connectLive, type LiveState } from './live';
import { SEARCH_SHORTCUT, SEARCH_SHORTCUT_NAME } from './platform';
import { DEFAULT_STATE, parseUrl, statusesOf, toggleLabel, toSearch, type ViewState } from './url-state';

type Theme = 'system' | 'light' | 'dark';

function useTheme(): [Theme, boolean, () => void] {
  const [theme, setTheme] = useState<Theme>(() => {
    const saved = localStorage.getItem('backlog-theme');
    return saved === 'light' || saved === 'dark' ? saved : 'system';
  });
  const media = useMemo(() => window.matchMedia('(prefers-color-scheme: dark)'), []);
  const [systemDark, setSystemDark] = useState(media.matches);
  useEffect(() => {
    const listener = () => setSystemDark(media.matches);
    media.addEventListener('change', listener);
    return () => media.removeEventListener('change', listener);
  }, [media]);
  useEffect(() => {
    if (theme === 'system') {
      delete document.documentElement.dataset.theme;
      localStorage.removeItem('backlog-theme');
    } else {
      document.documentElement.dataset.theme = theme;
      localStorage.setItem('backlog-theme', theme);
    }
  }, [theme]);
  const dark = theme === 'dark' || (theme === 'system' && systemDark);
  const cycle = useCallback(
    () => setTheme((t) => (t === 'system' ? (dark ? 'light' : 'dark') : t === 'dark' ? 'light' : 'dark')),
    [dark],
  );
  return [theme, dark, cycle];
}

function inEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el?.tagName) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

function sum(counts: Counts | undefined, statuses: readonly string[]): number | undefined {
  if (!counts) return undefined;
  return statuses.reduce((n, s) => n + (counts.by_status[s] ?? 0), 0);
}

export function App() {
  const [state, setState] = useState<ViewState>(() => parseUrl(window.location.search));
  const [theme, dark, cycleTheme] = useTheme();
  const [live, setLive] = useState<LiveState>('connecting');
  const [meta, setMeta] = useState<{ total: number; counts?: Counts }>({ total: 0 });
  const [epics, setEpics] = useState<{ id: string; title: string }[]>([]);
  const [epicsRev, setEpicsRev] = useState(0);
  const [labelCounts, setLabelCounts] = useState<LabelCount[]>([]);
  const [labelsRev, setLabelsRev] = useState(0);
  const [qDraft, setQDraft] = useState(state.q);
  const listHandle = useRef<ListHandle | null>(null);
  const stateRef = useRef(state);
  stateRef.current = state;

  /** Changes the view; a new history entry unless `replace` (typing, live tweaks). */
  const navigate = useCallback((patch: Partial<ViewState>, replace = false) => {
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

  // The live stream: every change fans out to the list, the detail and the timeline.
  useEffect(
    () =>
      connectLive({
        onChanges(events) {
          for (const e of events) {
            const known = e.item_id ? knownStubs.get(e.item_id) : undefined;
            if (known && e.title) known.title = e.title;
            if (known && e.status) known.status = e.status as typeof known.status;
          }
          if (events.some((e) => e.item_id?.startsWith('EPIC-'))) setEpicsRev((n) => n + 1);
          // Labels come and go with items, and with edits that name the field (or do not say).
          if (events.some((e) => e.kind !== 'updated' || !e.fields || e.fields.includes('labels')))
            setLabelsRev((n) => n + 1);
          publish(events);
        },
        onReset() {
          setEpicsRev((n) => n + 1);
          setLabelsRev((n) => n + 1);
          publish('reset');
        },
        onState: setLive,
      }),
    [],
  );

  useEffect(() => {
    listItems({ status: [...STATUSES], types: ['epic'], sort: 'updated' }, 0, 1000)
      .then((page) =>
        setEpics(page.items.map((e) => ({ id: e.id, title: e.title })).sort((a, b) => a.id.localeCompare(b.id))),
      )
      .catch(() => undefined);
  }, [epicsRev]);
  useEffect(() => {
    const controller = new AbortController();
    listLabels(controller.signal)
      .then(setLabelCounts)
      .catch(() => undefined);
    return () => controller.abort();
  }, [labelsRev]);
  const epicTitles = useMemo(() => new Map(epics.map((e) => [e.id, e.title])), [epics]);

  // Typing in the filter box updates the URL in place, debounced.
  useEffect(() => {
    if (qDraft === stateRef.current.q) return;
    const timer = setTimeout(() => navigate({ q: qDraft }, true), 200);
    return () => clearTimeout(timer);
  }, [qDraft, navigate]);

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
  const filterKey = JSON.stringify(filter);

  const open = useCallback((id: string) => navigate({ id, spot: undefined }), [navigate]);
  const closeDetail = useCallback(() => navigate({ id: undefined }), [navigate]);
  const onLabel = useCallback(
    (label: string) => navigate({ labels: toggleLabel(stateRef.current.labels, label) }),
    [navigate],
  );

  useEffect(() => {
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

  useEffect(() => {
    const title = state.id ? knownStubs.get(state.id)?.title : undefined;
    document.title = state.id ? `${state.id}${title ? ` · ${title}` : ''} — backlog-mcp` : 'backlog-mcp';
  });

  const counts = meta.counts;
  const quick = [
    { key: 'active', label: 'Active', n: sum(counts, ['open', 'in_progress', 'blocked']) },
    { key: 'done', label: 'Done', n: sum(counts, ['done', 'cancelled']) },
    { key: 'all', label: 'All', n: sum(counts, STATUSES) },
  ];

  return (
    <div class={`app${state.id ? ' has-detail' : ''}`}>
      <header class="topbar">
        <a
          class="brand"
          href="/"
          onClick={(e) => {
            e.preventDefault();
            setQDraft('');
            navigate({ ...DEFAULT_STATE });
          }}
        >
          <svg width="22" height="22" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="var(--accent)" />
            <path d="M9 10h14M9 16h10M9 22h6" stroke="#fff" stroke-width="3" stroke-linecap="round" />
          </svg>
          <span>backlog</span>
        </a>
        <nav class="views" aria-label="View">
          <button
            type="button"
            class={state.view === 'items' ? 'view-tab active' : 'view-tab'}
            aria-pressed={state.view === 'items'}
            onClick={() => navigate({ view: 'items' })}
          >
            Items
          </button>
          <button
            type="button"
            class={state.view === 'activity' ? 'view-tab active' : 'view-tab'}
            aria-pressed={state.view === 'activity'}
            onClick={() => navigate({ view: 'activity' })}
          >
            Activity
          </button>
        </nav>
        <button
          type="button"
          class="search-button"
          onClick={() => navigate({ spot: '' }, true)}
          aria-label={`Search (${SEARCH_SHORTCUT_NAME})`}
          title={`Search (${SEARCH_SHORTCUT_NAME})`}
        >
          <svg width="15" height="15" viewBox="0 0 24 24" aria-hidden="true">
            <circle cx="11" cy="11" r="7" fill="none" stroke="currentColor" stroke-width="2" />
            <path d="M20 20l-3.5-3.5" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
          </svg>
          <span class="search-label">Search…</span>
          <kbd class="search-kbd">{SEARCH_SHORTCUT}</kbd>
        </button>
        <div class="topbar-right">
          <span class={`live live-${live}`} title={live === 'live' ? 'Live: changes appear as they happen' : live}>
            <span class="live-dot" />
            <span class="live-label">{live === 'live' ? 'Live' : live === 'offline' ? 'Offline' : 'Connecting'}</span>
          </span>
          <button
            type="button"
            class="icon-button"
            onClick={cycleTheme}
            aria-label={`Theme: ${theme}. Switch to ${dark ? 'light' : 'dark'}`}
            title={`Theme: ${theme}`}
          >
            {dark ? (
              <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true">
                <circle cx="12" cy="12" r="4.5" fill="currentColor" />
                <path
                  d="M12 2v2.5M12 19.5V22M2 12h2.5M19.5 12H22M4.9 4.9l1.8 1.8M17.3 17.3l1.8 1.8M4.9 19.1l1.8-1.8M17.3 6.7l1.8-1.8"
                  stroke="currentColor"
                  stroke-width="2"
                  stroke-linecap="round"
                />
              </svg>
            ) : (
              <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z" fill="currentColor" />
              </svg>
            )}
          </button>
        </div>
      </header>

      <main class="panes">
        <section class="left-pane" aria-label={state.view === 'items' ? 'Item list' : 'Activity timeline'}>
          {state.view === 'items' ? (
            <>
              <div class="filters">
                <div class="filters-row">
                  <fieldset class="segmented" aria-label="Status">
                    {quick.map((q) => (
                      <button
                        type="button"
                        key={q.key}
                        class={state.status === q.key ? 'seg active' : 'seg'}
                        aria-pressed={state.status === q.key}
                        onClick={() => navigate({ status: q.key })}
                      >
                        {q.label}
                        {q.n !== undefined ? <span class="seg-count">{q.n}</span> : null}
                      </button>
                    ))}
                  </fieldset>
                  <select
                    aria-label="Sort"
                    class="select compact"
                    value={state.sort}
                    onChange={(e) => navigate({ sort: (e.target as HTMLSelectElement).value as ViewState['sort'] })}
                  >
                    <option value="updated">Last updated</option>
                    <option value="created">Newest created</option>
                  </select>
                </div>
                <div class="filters-row">
                  <select
                    aria-label="Status filter"
                    class="select"
                    value={STATUSES.includes(state.status as (typeof STATUSES)[number]) ? state.status : ''}
                    onChange={(e) => navigate({ status: (e.target as HTMLSelectElement).value || 'active' })}
                  >
                    <option value="">Any status</option>
                    {STATUSES.map((s) => (
                      <option value={s} key={s}>
                        {STATUS_LABEL[s]}
                        {counts ? ` (${counts.by_status[s] ?? 0})` : ''}
                      </option>
                    ))}
                  </select>
                  <select
                    aria-label="Type filter"
                    class="select"
                    value={state.types.length === 1 ? state.types[0] : ''}
                    onChange={(e) => {
                      const value = (e.target as HTMLSelectElement).value as ItemType | '';
                      navigate({ types: value ? [value] : [] });
                    }}
                  >
                    <option value="">All types</option>
                    {TYPES.map((t) => (
                      <option value={t} key={t}>
                        {TYPE_LABEL[t]}
                      </option>
                    ))}
                  </select>
                  <select
                    aria-label="Epic filter"
                    class="select"
                    value={state.epic ?? ''}
                    onChange={(e) => navigate({ epic: (e.target as HTMLSelectElement).value || undefined })}
                  >
                    <option value="">All epics</option>
                    {state.epic && !epicTitles.has(state.epic) ? (
                      <option value={state.epic}>{state.epic}</option>
                    ) : null}
                    {epics.map((e) => (
                      <option value={e.id} key={e.id}>
                        {e.id} · {e.title}
                      </option>
                    ))}
                  </select>
                </div>
                {labelCounts.length || state.labels.length ? (
                  <fieldset class="filters-row label-filter" aria-label="Labels">
                    <select
                      aria-label="Label filter"
                      class="select compact label-select"
                      value=""
                      onChange={(e) => {
                        const select = e.target as HTMLSelectElement;
                        const label = select.value;
                        select.value = '';
                        if (label) onLabel(label);
                      }}
                    >
                      <option value="">{state.labels.length ? 'Add label…' : 'Any label'}</option>
                      {labelCounts
                        .filter((l) => !state.labels.includes(l.name))
                        .map((l) => (
                          <option value={l.name} key={l.name}>
                            {l.name} ({l.count})
                          </option>
                        ))}
                    </select>
                    {state.labels.length > 1 ? <span class="label-filter-all">all of</span> : null}
                    {state.labels.map((label) => (
                      <LabelChip key={label} label={label} active removable onToggle={onLabel} />
                    ))}
                    {state.labels.length ? (
                      <button type="button" class="link-button clear-labels" onClick={() => navigate({ labels: [] })}>
                        Clear
                      </button>
                    ) : null}
                  </fieldset>
                ) : null}
                <div class="filter-input">
                  <svg width="14" height="14" viewBox="0 0 24 24" aria-hidden="true">
                    <path
                      d="M3 5h18l-7 8v6l-4-2v-4z"
                      fill="none"
                      stroke="currentColor"
                      stroke-width="2"
                      stroke-linejoin="round"
                    />
                  </svg>
                  <input
                    type="search"
                    placeholder="Filter by words or ID"
                    aria-label="Filter the list"
                    value={qDraft}
                    onInput={(e) => setQDraft((e.target as HTMLInputElement).value)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') navigate({ q: qDraft }, true);
                    }}
                  />
                  <span class="total" aria-live="polite">
                    {meta.total.toLocaleString()} {meta.total === 1 ? 'item' : 'items'}
                  </span>
                </div>
              </div>
              <ItemList
                filter={filter}
                filterKey={filterKey}
                selectedId={state.id}
                onOpen={open}
                onMeta={setMeta}
                handle={listHandle}
                epicTitles={epicTitles}
                chosenLabels={state.labels}
                onLabel={onLabel}
              />
            </>
          ) : (
            <Timeline forId={state.for} selectedId={state.id} onFilter={(id) => navigate({ for: id })} onOpen={open} />
          )}
        </section>
        <section class="right-pane">
          {state.id ? (
            <Detail
              key={state.id}
              id={state.id}
              dark={dark}
              onOpen={open}
              onBack={closeDetail}
              onShowActivity={(id) => navigate({ view: 'activity', for: id })}
              chosenLabels={state.labels}
              onLabel={onLabel}
            />
          ) : (
            <div class="placeholder">
              <div class="placeholder-card">
                <div class="placeholder-title">Select an item</div>
                <p>Agents’ changes appear here as they happen.</p>
                <ul class="shortcuts">
                  <li>
                    <kbd>j</kbd>
                    <kbd>k</kbd> move · <kbd>↵</kbd> open
                  </li>
                  <li>
                    <kbd>/</kbd> or <kbd class="search-kbd">{SEARCH_SHORTCUT}</kbd> search
                  </li>
                  <li>
                    <kbd>Esc</kbd> close
                  </li>
                </ul>
              </div>
            </div>
          )}
        </section>
      </main>

      {state.spot !== undefined ? (
        <Spotlight
          query={state.spot}
          onQuery={(q) => navigate({ spot: q }, true)}
          onOpen={open}
          onClose={() => navigate({ spot: undefined }, true)}
        />
      ) : null}
    </div>
  );
}
