import type { RefObject } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { type Counts, type ListQuery, listItems, type Stub } from '../api';
import { onLive } from '../bus';
import { Empty, StatusIcon, Time, TypeBadge } from './bits';
import { RowLabels } from './labels';

export const ROW_HEIGHT = 60;
const PAGE = 100;
const OVERSCAN = 8;

export interface ListHandle {
  move(delta: number): void;
  openCursor(): void;
  focus(): void;
}

/** The list's total and counts per status, for the filter bar. */
export interface ListMeta {
  total: number;
  counts?: Counts;
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
  const scroller = useRef<HTMLDivElement>(null);
  const pages = useRef(new Map<number, Stub[]>());
  const inflight = useRef(new Set<number>());
  const generation = useRef(0);
  const [total, setTotal] = useState<number | undefined>(undefined);
  const [, setTick] = useState(0);
  const [viewport, setViewport] = useState({ top: 0, height: 800 });
  const [cursor, setCursor] = useState<number | undefined>(undefined);
  const [flash, setFlash] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string | undefined>();
  /** The row at the top of the view before a live refresh, to keep it in place afterwards. */
  const anchor = useRef<{ id: string; delta: number } | undefined>(undefined);
  const live = useRef({ filter, selectedId, viewport, total });
  live.current = { filter, selectedId, viewport, total };

  const rerender = useCallback(() => setTick((t) => t + 1), []);

  const neededPages = useCallback((view: { top: number; height: number }, count: number): number[] => {
    const first = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(count - 1, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN);
    const wanted: number[] = [];
    for (let p = Math.floor(first / PAGE); p <= Math.floor(Math.max(first, last) / PAGE); p++) wanted.push(p);
    return wanted;
  }, []);

  /** Fetches pages; `fresh` replaces whatever is cached (a live change), keeping the scroll offset. */
  const load = useCallback(
    async (wanted: number[], fresh: boolean) => {
      const gen = generation.current;
      const todo = fresh ? wanted : wanted.filter((p) => !pages.current.has(p) && !inflight.current.has(p));
      if (todo.length === 0) return;
      for (const p of todo) inflight.current.add(p);
      try {
        const results = await Promise.all(todo.map((p) => listItems(live.current.filter, p * PAGE, PAGE)));
        if (gen !== generation.current) return;
        if (fresh) {
          // Rows may have moved (a new item on top): keep the row the reader looks at where it is.
          const el = scroller.current;
          if (el && el.scrollTop > 0) {
            const index = Math.floor(el.scrollTop / ROW_HEIGHT);
            const stub = pages.current.get(Math.floor(index / PAGE))?.[index % PAGE];
            if (stub) anchor.current = { id: stub.id, delta: el.scrollTop - index * ROW_HEIGHT };
          }
          pages.current.clear();
        }
        todo.forEach((p, i) => {
          pages.current.set(p, (results[i] as { items: Stub[] }).items);
        });
        const last = results[results.length - 1];
        if (last) {
          setTotal(last.total);
          onMeta({ total: last.total, counts: last.counts });
        }
        setError(undefined);
        rerender();
      } catch (e) {
        if (gen === generation.current) setError(e instanceof Error ? e.message : String(e));
      } finally {
        for (const p of todo) inflight.current.delete(p);
      }
    },
    [onMeta, rerender],
  );

  // A new filter: start over, and bring the selected item into view if it is in the results.
  useEffect(() => {
    const gen = ++generation.current;
    pages.current.clear();
    inflight.current.clear();
    setCursor(undefined);
    const selected = live.current.selectedId;
    void listItems(filter, 0, PAGE, selected)
      .then((page) => {
        if (gen !== generation.current) return;
        pages.current.set(0, page.items);
        setTotal(page.total);
        onMeta({ total: page.total, counts: page.counts });
        setError(undefined);
        const el = scroller.current;
        if (el) {
          const position = page.position ?? -1;
          if (position >= 0) {
            setCursor(position);
            el.scrollTop = Math.max(0, position * ROW_HEIGHT - el.clientHeight / 2 + ROW_HEIGHT / 2);
          } else el.scrollTop = 0;
          const view = { top: el.scrollTop, height: el.clientHeight };
          setViewport(view);
          void load(neededPages(view, page.total), false);
        }
        rerender();
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [filterKey]);

  useLayoutEffect(() => {
    const el = scroller.current;
    const held = anchor.current;
    if (!el || !held) return;
    anchor.current = undefined;
    for (const [p, items] of pages.current) {
      const i = items.findIndex((s) => s.id === held.id);
      if (i >= 0) {
        const top = (p * PAGE + i) * ROW_HEIGHT + held.delta;
        if (top !== el.scrollTop) {
          el.scrollTop = top;
          setViewport({ top: el.scrollTop, height: el.clientHeight });
        }
        return;
      }
    }
  });

  // Scrolling and resizing decide which pages are needed.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const update = () => setViewport({ top: el.scrollTop, height: el.clientHeight });
    const observer = new ResizeObserver(update);
    observer.observe(el);
    el.addEventListener('scroll', update, { passive: true });
    update();
    return () => {
      observer.disconnect();
      el.removeEventListener('scroll', update);
    };
  }, []);

  useEffect(() => {
    if (total !== undefined) void load(neededPages(viewport, total), false);
  }, [viewport, total, load, neededPages]);

  // Live: any item change may move rows in or out of this window; refetch the window only.
  useEffect(
    () =>
      onLive((events) => {
        const { viewport: view, total: count } = live.current;
        const wanted = neededPages(view, Math.max(count ?? 0, 1) + 1);
        void load(wanted.length ? wanted : [0], true);
        if (events !== 'reset') {
          const ids = events.flatMap((e) => (e.item_id ? [e.item_id] : []));
          if (ids.length) {
            setFlash(new Set(ids));
            setTimeout(() => setFlash(new Set()), 1600);
          }
        }
      }),
    [load, neededPages],
  );

  const rowAt = (index: number): Stub | undefined => pages.current.get(Math.floor(index / PAGE))?.[index % PAGE];

  const indexOfSelected = (): number | undefined => {
    if (!selectedId) return undefined;
    for (const [p, items] of pages.current) {
      const i = items.findIndex((s) => s.id === selectedId);
      if (i >= 0) return p * PAGE + i;
    }
    return undefined;
  };

  const scrollToIndex = (index: number) => {
    const el = scroller.current;
    if (!el) return;
    const top = index * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
  };

  handle.current = {
    move(delta) {
      if (!total) return;
      const from = cursor ?? indexOfSelected() ?? (delta > 0 ? -1 : Math.floor(viewport.top / ROW_HEIGHT) + 1);
      const next = Math.min(total - 1, Math.max(0, from + delta));
      setCursor(next);
      scrollToIndex(next);
    },
    openCursor() {
      const stub = cursor === undefined ? undefined : rowAt(cursor);
      if (stub) onOpen(stub.id);
    },
    focus() {
      scroller.current?.focus();
    },
  };

  const count = total ?? 0;
  const first = Math.max(0, Math.floor(viewport.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count - 1, Math.ceil((viewport.top + viewport.height) / ROW_HEIGHT) + OVERSCAN);
  const rows = [];
  for (let i = first; i <= last; i++) {
    const stub = rowAt(i);
    const top = i * ROW_HEIGHT;
    if (!stub) {
      rows.push(
        <div class="row row-loading" style={{ top: `${top}px` }} key={`loading-${i}`} aria-hidden="true">
          <span class="skeleton" />
        </div>,
      );
      continue;
    }
    const epic = stub.epic_id ? epicTitles.get(stub.epic_id) : undefined;
    rows.push(
      <div
        key={stub.id}
        id={`row-${stub.id}`}
        role="option"
        aria-selected={stub.id === selectedId}
        data-id={stub.id}
        class={`row${stub.id === selectedId ? ' selected' : ''}${i === cursor ? ' cursor' : ''}${flash.has(stub.id) ? ' flash' : ''}`}
        style={{ top: `${top}px` }}
        tabIndex={-1}
        onClick={() => {
          setCursor(i);
          onOpen(stub.id);
        }}
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
      </div>,
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
