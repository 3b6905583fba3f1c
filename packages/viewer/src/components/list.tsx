import './list.css';
import type { RefObject } from 'preact';
import type { ListQuery, Stub } from '../api';
import {
  type ListMeta,
  ROW_HEIGHT,
  rowsInView,
  useWindowedPages,
  type WindowedPages,
} from '../hooks/use-windowed-pages';
import { Empty, StatusIcon, Time, TypeBadge } from './bits';
import { RowLabels } from './labels';

export interface ListHandle {
  move(delta: number): void;
  openCursor(): void;
  focus(): void;
}

interface Props {
  filter: ListQuery;
  filterKey: string;
  selectedId?: string;
  onOpen(id: string): void;
  onMeta(meta: ListMeta): void;
  handle: RefObject<ListHandle | null>;
  epicTitles: ReadonlyMap<string, string>;
  /** The label filter, to mark the chips that are in it. */
  chosenLabels: readonly string[];
  onLabel(label: string): void;
}

function scrollToIndex(el: HTMLElement | null, index: number) {
  if (!el) return;
  const top = index * ROW_HEIGHT;
  if (top < el.scrollTop) el.scrollTop = top;
  else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
}

/** What the page's keyboard shortcuts do to the list. */
function keyboardHandle(list: WindowedPages, selectedId: string | undefined, onOpen: (id: string) => void): ListHandle {
  const { scroller, total, viewport, cursor, setCursor, rowAt, indexOf } = list;
  return {
    move(delta) {
      if (!total) return;
      const from =
        cursor ??
        (selectedId ? indexOf(selectedId) : undefined) ??
        (delta > 0 ? -1 : Math.floor(viewport.top / ROW_HEIGHT) + 1);
      const next = Math.min(total - 1, Math.max(0, from + delta));
      setCursor(next);
      scrollToIndex(scroller.current, next);
    },
    openCursor() {
      const stub = cursor === undefined ? undefined : rowAt(cursor);
      if (stub) onOpen(stub.id);
    },
    focus() {
      scroller.current?.focus();
    },
  };
}

/**
 * A windowed list: only the rows in view (plus a margin) exist in the DOM, and rows are
 * fetched from the server a page at a time, so 10,000 items cost what 30 do.
 */
export function ItemList({
  filter,
  filterKey,
  selectedId,
  onOpen,
  onMeta,
  handle,
  epicTitles,
  chosenLabels,
  onLabel,
}: Props) {
  const list = useWindowedPages(filter, filterKey, selectedId, onMeta);
  const { scroller, total, viewport, cursor, setCursor, flash, error, rowAt } = list;
  handle.current = keyboardHandle(list, selectedId, onOpen);

  const count = total ?? 0;
  const { first, last } = rowsInView(viewport, count);
  const rows = [];
  for (let i = first; i <= last; i++) {
    const stub = rowAt(i);
    if (!stub) {
      rows.push(
        <div class="row row-loading" style={{ top: `${i * ROW_HEIGHT}px` }} key={`loading-${i}`} aria-hidden="true">
          <span class="skeleton" />
        </div>,
      );
      continue;
    }
    rows.push(
      <Row
        key={stub.id}
        stub={stub}
        index={i}
        selected={stub.id === selectedId}
        cursor={i === cursor}
        flash={flash.has(stub.id)}
        epic={stub.epic_id ? epicTitles.get(stub.epic_id) : undefined}
        chosenLabels={chosenLabels}
        onLabel={onLabel}
        onPick={() => {
          setCursor(i);
          onOpen(stub.id);
        }}
        onOpen={onOpen}
      />,
    );
  }

  return (
    <div
      class="list-scroller"
      ref={scroller}
      tabIndex={0}
      role="listbox"
      aria-label="Items"
      aria-activedescendant={cursor !== undefined && rowAt(cursor) ? `row-${rowAt(cursor)?.id}` : undefined}
    >
      {error ? <div class="list-error">Could not load items: {error}</div> : null}
      {total === 0 ? (
        <Empty title="Nothing here">No item matches these filters.</Empty>
      ) : (
        <div class="list-canvas" style={{ height: `${count * ROW_HEIGHT}px` }}>
          {rows}
        </div>
      )}
    </div>
  );
}

interface RowProps {
  stub: Stub;
  index: number;
  selected: boolean;
  cursor: boolean;
  flash: boolean;
  /** The title of the row's epic, when known. */
  epic?: string;
  chosenLabels: readonly string[];
  onLabel(label: string): void;
  /** A click: the row becomes the cursor, and opens. */
  onPick(): void;
  onOpen(id: string): void;
}

function Row({ stub, index, selected, cursor, flash, epic, chosenLabels, onLabel, onPick, onOpen }: RowProps) {
  return (
    <div
      id={`row-${stub.id}`}
      role="option"
      aria-selected={selected}
      data-id={stub.id}
      class={`row${selected ? ' selected' : ''}${cursor ? ' cursor' : ''}${flash ? ' flash' : ''}`}
      style={{ top: `${index * ROW_HEIGHT}px` }}
      tabIndex={-1}
      onClick={onPick}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onOpen(stub.id);
      }}
    >
      <StatusIcon status={stub.status} size={16} />
      <div class="row-main">
        <div class="row-title">{stub.title}</div>
        <div class="row-meta">
          <span class="mono">{stub.id}</span>
          {stub.type !== 'task' ? <TypeBadge type={stub.type} /> : null}
          {stub.labels?.length ? <RowLabels labels={stub.labels} chosen={chosenLabels} onToggle={onLabel} /> : null}
          {epic ? <span class="row-epic">{epic}</span> : null}
          {stub.assignee ? <span class="row-assignee">@{stub.assignee}</span> : null}
        </div>
      </div>
      <div class="row-side">
        {stub.priority === 'high' ? <span class="prio prio-high">High</span> : null}
        <Time iso={stub.updated_at} />
      </div>
    </div>
  );
}
