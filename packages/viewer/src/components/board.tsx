import './board.css';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { type BoardQuery, STATUS_LABEL, type Status } from '../api';
import { CARD_HEIGHT, cardsInView, useBoardColumn } from '../hooks/use-board-column';
import type { UrlState } from '../hooks/use-url-state';
import type { ViewState } from '../url-state';
import { StatusIcon } from './bits';
import { BoardCard } from './board-card';
import { BoardFilters } from './board-filters';

const COLUMNS: readonly Status[] = ['open', 'in_progress', 'blocked', 'done'];

/** The board's query for a view state, and a key that changes only when the query does. */
function useBoardQuery(state: ViewState): { filter: BoardQuery; filterKey: string } {
  const filter = useMemo<BoardQuery>(
    () => ({
      types: state.types,
      epic: state.epic,
      milestone: state.milestone,
      parent: state.folder,
      q: state.q || undefined,
      allDone: state.allDone === true,
    }),
    [state.types, state.epic, state.milestone, state.folder, state.q, state.allDone],
  );
  return { filter, filterKey: JSON.stringify(filter) };
}

/** The clock the cards' lease countdowns read; a tick a minute is as fine as they show. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

interface Props {
  url: UrlState;
  epics: readonly { id: string; title: string }[];
  epicTitles: ReadonlyMap<string, string>;
  optionsRev: number;
  onOpen(id: string): void;
}

/**
 * The board: one column per status, each windowed and scrolled on its own, so the page never
 * scrolls sideways on a phone (the columns stack there, each keeping its own scroller).
 */
export function Board({ url, epics, epicTitles, optionsRev, onOpen }: Props) {
  const { state } = url;
  const { filter, filterKey } = useBoardQuery(state);
  const [counts, setCounts] = useState<Record<Status, number> | undefined>();
  const onCounts = useCallback((next: Record<Status, number>) => setCounts(next), []);
  const now = useNow(30_000);
  const columns = state.cancelled ? [...COLUMNS, 'cancelled' as const] : COLUMNS;
  return (
    <div class="board">
      <BoardFilters url={url} epics={epics} optionsRev={optionsRev} />
      <div class="board-columns" style={{ '--columns': columns.length }}>
        {columns.map((status) => (
          <Column
            key={status}
            status={status}
            filter={filter}
            filterKey={filterKey}
            count={counts?.[status]}
            allDone={state.allDone === true}
            selectedId={state.id}
            epicTitles={epicTitles}
            now={now}
            onCounts={onCounts}
            onOpen={onOpen}
          />
        ))}
      </div>
    </div>
  );
}

interface ColumnProps {
  status: Status;
  filter: BoardQuery;
  filterKey: string;
  count: number | undefined;
  allDone: boolean;
  selectedId?: string;
  epicTitles: ReadonlyMap<string, string>;
  now: number;
  onCounts(counts: Record<Status, number>): void;
  onOpen(id: string): void;
}

function Column(props: ColumnProps) {
  const { status, filter, filterKey, count, allDone, selectedId, epicTitles, now, onCounts, onOpen } = props;
  const column = useBoardColumn(filter, filterKey, status, onCounts);
  const total = column.total ?? 0;
  const { first, last } = cardsInView(column.top, column.height, total);
  const cards = [];
  for (let i = first; i <= last; i++) {
    const stub = column.cardAt(i);
    const top = i * CARD_HEIGHT;
    if (!stub) {
      cards.push(<div class="card card-loading" style={{ top: `${top}px` }} key={`loading-${i}`} aria-hidden="true" />);
      continue;
    }
    cards.push(
      <BoardCard
        key={stub.id}
        stub={stub}
        top={top}
        selected={stub.id === selectedId}
        flash={column.flash.has(stub.id)}
        epic={stub.epic_id ? epicTitles.get(stub.epic_id) : undefined}
        now={now}
        onOpen={onOpen}
      />,
    );
  }
  const label = STATUS_LABEL[status];
  return (
    <section class={`board-column column-${status}`} data-column={status} aria-label={label}>
      <h2 class="column-head">
        <StatusIcon status={status} />
        <span>{label}</span>
        {status === 'done' && !allDone ? <span class="column-note">14 days</span> : null}
        <span class="column-count" data-count={count ?? ''}>
          {count ?? '…'}
        </span>
      </h2>
      <div class="column-scroller" ref={column.scroller}>
        {column.error ? <div class="list-error">Could not load: {column.error}</div> : null}
        {column.total === 0 ? <div class="column-empty">Nothing here</div> : null}
        <div class="column-canvas" style={{ height: `${total * CARD_HEIGHT}px` }}>
          {cards}
        </div>
      </div>
    </section>
  );
}
