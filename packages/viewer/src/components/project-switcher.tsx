import './project-switcher.css';
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ProjectInfo } from '../api';
import { countsDetail, countsText, findProject, keyOf, projectName, sortedProjects, splitPath } from '../project-names';
import type { ProjectKey } from '../scope';

interface Props {
  /** The server's backlogs; empty where it serves only one (the Worker), and then nothing is shown. */
  projects: ProjectInfo[];
  shown: ProjectKey;
  onPick(project: ProjectKey): void;
  /** The list opened: time to ask for fresh counts. */
  onOpen(): void;
}

/**
 * Where the page is, in the top bar: the shown project's name, and a list of every backlog the
 * server serves (name, path, counts) to switch to. A button and a listbox, for mouse and keyboard.
 */
export function ProjectSwitcher({ projects, shown, onPick, onOpen }: Props) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState<string | undefined>();
  const wrapper = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const current = findProject(projects, shown);
  const name = projectName(current, shown);
  const entries = sortedProjects(projects);
  useDismiss(open, wrapper, () => setOpen(false));

  if (projects.length === 0 && shown === undefined) return null;

  const show = () => {
    onOpen();
    setActive(current?.dir ?? entries[0]?.dir);
    setOpen(true);
  };
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const pick = (entry: ProjectInfo) => {
    close();
    if (entry !== current) onPick(keyOf(entry));
  };

  return (
    <div class="project-switcher" ref={wrapper}>
      <button
        ref={button}
        type="button"
        class="project-button"
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-label={`Project: ${name}`}
        title={current?.project ?? shown ?? 'The global backlog'}
        onClick={() => (open ? close() : show())}
        onKeyDown={(e) => {
          if (!open && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
            e.preventDefault();
            show();
          }
        }}
      >
        <FolderIcon />
        <span class="project-button-name">{name}</span>
        <ChevronIcon />
      </button>
      {open ? (
        <ProjectList
          entries={entries}
          current={current}
          active={active}
          setActive={setActive}
          pick={pick}
          close={close}
        />
      ) : null}
    </div>
  );
}

interface ListProps extends Omit<ListKeys, 'setActive'> {
  current: ProjectInfo | undefined;
  setActive(dir: string | undefined): void;
}

/** The open list: it takes the focus, and the keyboard moves a highlight through it (aria-activedescendant). */
function ProjectList({ entries, current, active, setActive, pick, close }: ListProps) {
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => list.current?.focus(), []);
  return (
    <div class="project-popover">
      <div class="project-caption">Backlogs on this server</div>
      <div
        ref={list}
        class="project-list"
        role="listbox"
        aria-label="Projects"
        tabIndex={0}
        aria-activedescendant={active ? optionId(entries, active) : undefined}
        onKeyDown={(e) => onListKey(e, { entries, active, setActive, pick, close })}
      >
        {entries.map((entry, i) => (
          <ProjectOption
            key={entry.dir}
            id={`project-option-${i}`}
            entry={entry}
            current={entry === current}
            active={entry.dir === active}
            onHover={() => setActive(entry.dir)}
            onPick={() => pick(entry)}
          />
        ))}
      </div>
      <div class="project-hint">
        A project joins this list once an agent or this page has used its .backlog/ folder.
      </div>
    </div>
  );
}

function optionId(entries: readonly ProjectInfo[], dir: string): string | undefined {
  const index = entries.findIndex((entry) => entry.dir === dir);
  return index >= 0 ? `project-option-${index}` : undefined;
}

/** A press outside the switcher closes its list, as Escape does from the keyboard. */
function useDismiss(open: boolean, wrapper: RefObject<HTMLDivElement | null>, dismiss: () => void): void {
  const latest = useRef(dismiss);
  latest.current = dismiss;
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!wrapper.current?.contains(e.target as Node)) latest.current();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);
}

interface ListKeys {
  entries: ProjectInfo[];
  active: string | undefined;
  setActive(dir: string | undefined): void;
  pick(entry: ProjectInfo): void;
  /** The list closes and the focus goes back to the button. */
  close(): void;
}

/** ↑/↓ (and the page's j/k), Home/End move; Enter or Space switches; Esc closes; Tab closes and moves on. */
function onListKey(e: KeyboardEvent, keys: ListKeys): void {
  const { entries, active, setActive, pick } = keys;
  const at = entries.findIndex((entry) => entry.dir === active);
  const move = (index: number) => setActive(entries[Math.max(0, Math.min(entries.length - 1, index))]?.dir);
  // The focus goes back to the button first, so Tab's own move starts from there.
  if (e.key === 'Tab') {
    keys.close();
    return;
  }
  if (e.key === 'ArrowDown' || e.key === 'j') move(at + 1);
  else if (e.key === 'ArrowUp' || e.key === 'k') move(at - 1);
  else if (e.key === 'Home') move(0);
  else if (e.key === 'End') move(entries.length - 1);
  else if (e.key === 'Enter' || e.key === ' ') {
    const entry = entries[at];
    if (entry) pick(entry);
  } else if (e.key === 'Escape') keys.close();
  else return;
  // The page's own shortcuts (j/k in the list, Esc closing the detail) must not act as well.
  e.preventDefault();
  e.stopPropagation();
}

interface OptionProps {
  id: string;
  entry: ProjectInfo;
  current: boolean;
  active: boolean;
  onHover(): void;
  onPick(): void;
}

function ProjectOption({ id, entry, current, active, onHover, onPick }: OptionProps) {
  return (
    <div
      id={id}
      role="option"
      aria-selected={current}
      data-project={entry.project}
      class={`project-option${active ? ' active' : ''}${current ? ' current' : ''}`}
      tabIndex={-1}
      onMouseMove={onHover}
      onClick={onPick}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onPick();
      }}
    >
      <span class="project-check" aria-hidden="true">
        {current ? '✓' : ''}
      </span>
      <span class="project-main">
        <span class="project-name">{projectName(entry, keyOf(entry))}</span>
        <ProjectPath path={entry.project} />
      </span>
      <span class="project-side" title={countsDetail(entry)}>
        <span class="project-counts">{countsText(entry.counts)}</span>
        {entry.sessions > 0 ? (
          <span class="project-sessions">
            {entry.sessions} {entry.sessions === 1 ? 'session' : 'sessions'}
          </span>
        ) : !entry.open && entry.counts ? (
          <span class="project-idle">idle</span>
        ) : null}
      </span>
    </div>
  );
}

/** The full path in the tooltip; on screen, cut in the middle when long (the CSS shrinks the folders first). */
function ProjectPath({ path }: { path: string }) {
  const [folders, name] = splitPath(path);
  return (
    <span class="project-path mono" title={path}>
      <span class="project-path-folders">{folders}</span>
      <span class="project-path-name">{name}</span>
    </span>
  );
}

function ChevronIcon() {
  return (
    <svg class="project-chevron" width="10" height="10" viewBox="0 0 10 10" aria-hidden="true">
      <path d="M2 3.5l3 3 3-3" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
    </svg>
  );
}

function FolderIcon() {
  return (
    <svg class="project-icon" width="15" height="15" viewBox="0 0 24 24" aria-hidden="true">
      <path
        d="M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z"
        fill="none"
        stroke="currentColor"
        stroke-width="1.8"
        stroke-linejoin="round"
      />
    </svg>
  );
}
