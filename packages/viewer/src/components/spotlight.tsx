import './spotlight.css';
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ItemType, type SearchAnswer, type SearchHit, TYPE_LABEL, TYPES } from '../api';
import { type Search, STATUS_TABS, useSearch } from '../hooks/use-search';
import { Highlight, StatusChip, TypeBadge } from './bits';

interface Props {
  query: string;
  onQuery(query: string): void;
  onOpen(id: string): void;
  onClose(): void;
}

type TypeTab = ItemType | 'all';
const TYPE_ORDER: TypeTab[] = ['all', ...TYPES];
const TYPE_TABS = TYPE_ORDER.map((t) => ({ key: t, label: t === 'all' ? 'All' : `${TYPE_LABEL[t]}s` }));

interface SpotKeys {
  results: SearchHit[];
  active: number;
  setActive: Search['setActive'];
  onOpen(id: string): void;
  onClose(): void;
  type: TypeTab;
  setType(type: TypeTab): void;
}

/** ↑/↓ (or Ctrl+N/P) move through the results, Enter opens, Esc closes, Tab cycles the type tabs. */
function onSpotKey(e: KeyboardEvent, s: SpotKeys): void {
  const { results, active, setActive, onOpen, onClose, type, setType } = s;
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
    const next = (TYPE_ORDER.indexOf(type) + (e.shiftKey ? TYPE_ORDER.length - 1 : 1)) % TYPE_ORDER.length;
    setType(TYPE_ORDER[next] ?? 'all');
  }
}

/** Ctrl/Cmd+K: results as you type from the server's search, keyboard first. */
export function Spotlight({ query, onQuery, onOpen, onClose }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const [type, setType] = useState<TypeTab>('all');
  const [statusTab, setStatusTab] = useState('any');

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

  const { answer, loading, active, setActive } = useSearch(query, type, statusTab);

  useEffect(() => {
    listRef.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const results = answer?.results ?? [];
  const onKey = (e: KeyboardEvent) => onSpotKey(e, { results, active, setActive, onOpen, onClose, type, setType });

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
          <TabGroup label="Type" tabs={TYPE_TABS} value={type} onPick={setType} input={input} />
          <TabGroup label="Status" tabs={STATUS_TABS} value={statusTab} onPick={setStatusTab} input={input} />
        </div>
        <HitList results={results} active={active} setActive={setActive} query={query} onOpen={onOpen} list={listRef} />
        {query.trim() && answer && results.length === 0 ? <div class="spot-empty">No results for “{query}”</div> : null}
        {!query.trim() ? <div class="spot-empty">Type to search titles, bodies, evidence and references.</div> : null}
        <SpotFooter answer={answer} />
      </div>
    </div>
  );
}

interface TabGroupProps<K extends string> {
  label: string;
  tabs: readonly { key: K; label: string }[];
  value: K;
  onPick(key: NoInfer<K>): void;
  /** The search box, which keeps the focus. */
  input: RefObject<HTMLInputElement | null>;
}

function TabGroup<K extends string>({ label, tabs, value, onPick, input }: TabGroupProps<K>) {
  return (
    <div class="tabs" role="tablist" aria-label={label}>
      {tabs.map((t) => (
        <button
          type="button"
          role="tab"
          key={t.key}
          aria-selected={value === t.key}
          class={value === t.key ? 'tab active' : 'tab'}
          onClick={() => {
            onPick(t.key);
            input.current?.focus();
          }}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

interface HitListProps {
  results: SearchHit[];
  active: number;
  setActive(index: number): void;
  query: string;
  onOpen(id: string): void;
  list: RefObject<HTMLDivElement | null>;
}

function HitList({ results, active, setActive, query, onOpen, list }: HitListProps) {
  return (
    <div class="spot-results" id="spot-results" role="listbox" ref={list}>
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
  );
}

function SpotFooter({ answer }: { answer: SearchAnswer | undefined }) {
  return (
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
  );
}
