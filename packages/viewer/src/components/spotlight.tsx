import './spotlight.css';
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ItemType, type ProjectInfo, type SearchAnswer, type SearchHit, TYPE_LABEL, TYPES } from '../api';
import { useEverywhere } from '../hooks/use-everywhere';
import { type Search, STATUS_TABS, useSearch } from '../hooks/use-search';
import { ALL_PROJECTS_SHORTCUT, ALL_PROJECTS_SHORTCUT_NAME } from '../platform';
import type { ProjectKey } from '../scope';
import { HitList, hitIds } from './spotlight-hits';

interface Props {
  query: string;
  /** The server's backlogs: with more than one, the search can cover them all. */
  projects: readonly ProjectInfo[];
  shown: ProjectKey;
  onQuery(query: string): void;
  /** A hit was chosen; `project` is set when it came from a search of every project. */
  onOpen(id: string, project?: string): void;
  /** The spotlight opened: time to ask which projects there are. */
  onShow(): void;
  onClose(): void;
}

type TypeTab = ItemType | 'all';
const TYPE_ORDER: TypeTab[] = ['all', ...TYPES];
const TYPE_TABS = TYPE_ORDER.map((t) => ({ key: t, label: t === 'all' ? 'All' : `${TYPE_LABEL[t]}s` }));

interface SpotKeys {
  results: SearchHit[];
  active: number;
  setActive: Search['setActive'];
  onOpen(hit: SearchHit): void;
  onClose(): void;
  type: TypeTab;
  setType(type: TypeTab): void;
  /** Alt+A: the "from all projects" toggle, when there are several. */
  toggleEverywhere?: () => void;
}

/**
 * ↑/↓ (or Ctrl+N/P) move through the results, Enter opens, Esc closes, Tab cycles the type tabs,
 * Alt+A searches every project or the shown one.
 */
function onSpotKey(e: KeyboardEvent, s: SpotKeys): void {
  const { results, active, setActive, onOpen, onClose, type, setType } = s;
  // By the key's place, not its character: Option+A types "å" on a Mac.
  if (e.altKey && e.code === 'KeyA' && s.toggleEverywhere) {
    e.preventDefault();
    s.toggleEverywhere();
  } else if (e.key === 'ArrowDown' || (e.ctrlKey && e.key === 'n')) {
    e.preventDefault();
    setActive((a) => Math.min(results.length - 1, a + 1));
  } else if (e.key === 'ArrowUp' || (e.ctrlKey && e.key === 'p')) {
    e.preventDefault();
    setActive((a) => Math.max(0, a - 1));
  } else if (e.key === 'Enter') {
    e.preventDefault();
    const hit = results[active];
    if (hit) onOpen(hit);
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
export function Spotlight({ query, projects, shown, onQuery, onOpen, onShow, onClose }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const [type, setType] = useState<TypeTab>('all');
  const [statusTab, setStatusTab] = useState('any');
  const [everywhere, toggleEverywhere] = useEverywhere();
  // One backlog (or the Worker): nothing else to search, and no toggle to show.
  const several = projects.length > 1;
  const scope = several ? everywhere : undefined;

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
    onShow();
  }, []);

  const { answer, loading, active, setActive } = useSearch(query, type, statusTab, scope === true);

  useEffect(() => {
    listRef.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const results = answer?.results ?? [];
  const ids = hitIds(results, projects, shown);
  // Named by what the answer is, not by the toggle: it may have moved since the question.
  const fromAll = results.some((hit) => hit.project !== undefined);
  const openHit = (hit: SearchHit) => onOpen(hit.id, hit.project);
  const toggle = several ? toggleEverywhere : undefined;
  const onKey = (e: KeyboardEvent) =>
    onSpotKey(e, { results, active, setActive, onOpen: openHit, onClose, type, setType, toggleEverywhere: toggle });

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
        <SpotInput
          input={input}
          query={query}
          onQuery={onQuery}
          onKey={onKey}
          everywhere={scope}
          toggleEverywhere={toggleEverywhere}
          expanded={results.length > 0}
          activeId={results[active] ? ids[active] : undefined}
          loading={loading}
          mode={answer?.search_mode}
        />
        <div class="spot-tabs">
          <TabGroup label="Type" tabs={TYPE_TABS} value={type} onPick={setType} input={input} />
          <TabGroup label="Status" tabs={STATUS_TABS} value={statusTab} onPick={setStatusTab} input={input} />
        </div>
        <HitList
          results={results}
          ids={ids}
          active={active}
          setActive={setActive}
          query={query}
          projects={fromAll ? projects : undefined}
          onOpen={openHit}
          list={listRef}
        />
        {query.trim() && answer && results.length === 0 ? <div class="spot-empty">No results for “{query}”</div> : null}
        {!query.trim() ? <div class="spot-empty">Type to search titles, bodies, evidence and references.</div> : null}
        <SpotFooter answer={answer} several={several} />
      </div>
    </div>
  );
}

interface SpotInputProps {
  input: RefObject<HTMLInputElement | null>;
  query: string;
  onQuery(query: string): void;
  onKey(e: KeyboardEvent): void;
  /** The "from all projects" switch's state; undefined when there is one backlog only (no switch). */
  everywhere: boolean | undefined;
  toggleEverywhere(): void;
  expanded: boolean;
  /** The highlighted hit's element. */
  activeId: string | undefined;
  loading: boolean;
  /** The last answer's search mode. */
  mode: string | undefined;
}

/** The search box with what it is doing: the spinner, the search mode, and where it searches. */
function SpotInput(props: SpotInputProps) {
  const { input, query, everywhere } = props;
  return (
    <div class="spot-input-row">
      <svg class="spot-glass" width="18" height="18" viewBox="0 0 24 24" aria-hidden="true">
        <circle cx="11" cy="11" r="7" fill="none" stroke="currentColor" stroke-width="2" />
        <path d="M20 20l-3.5-3.5" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
      </svg>
      <input
        ref={input}
        class="spot-input"
        type="text"
        placeholder={everywhere ? 'Search every project…' : 'Search tasks, epics, artifacts…'}
        value={query}
        aria-label="Search"
        role="combobox"
        aria-expanded={props.expanded}
        aria-controls="spot-results"
        aria-activedescendant={props.activeId}
        onInput={(e) => props.onQuery((e.target as HTMLInputElement).value)}
        onKeyDown={props.onKey}
      />
      {props.loading ? <span class="spinner" title="Searching" /> : null}
      {props.mode ? <span class="mode-badge">{props.mode}</span> : null}
      {everywhere !== undefined ? (
        <EverywhereToggle on={everywhere} onToggle={props.toggleEverywhere} input={input} />
      ) : null}
    </div>
  );
}

/** The "from all projects" switch: a pressed button, also Alt+A from the search box (which keeps the focus). */
function EverywhereToggle({
  on,
  onToggle,
  input,
}: {
  on: boolean;
  onToggle(): void;
  input: RefObject<HTMLInputElement | null>;
}) {
  return (
    <button
      type="button"
      class={on ? 'spot-scope active' : 'spot-scope'}
      aria-pressed={on}
      title={`Search every project on this server (${ALL_PROJECTS_SHORTCUT_NAME})`}
      aria-keyshortcuts="Alt+A"
      onClick={() => {
        onToggle();
        input.current?.focus();
      }}
    >
      All projects
    </button>
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

function SpotFooter({ answer, several }: { answer: SearchAnswer | undefined; several: boolean }) {
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
      {several ? (
        <span>
          <kbd>{ALL_PROJECTS_SHORTCUT}</kbd> all projects
        </span>
      ) : null}
      {answer ? (
        <span class="spot-count">
          {answer.total} {answer.total === 1 ? 'result' : 'results'}
        </span>
      ) : null}
    </div>
  );
}
