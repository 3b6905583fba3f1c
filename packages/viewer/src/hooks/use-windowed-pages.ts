import type { RefObject } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { type Counts, type ListQuery, listItems, type Stub } from '../api';
import { onLive } from '../bus';

export const ROW_HEIGHT = 60;
const PAGE = 100;
const OVERSCAN = 8;

/** The list's total and counts per status, for the filter bar. */
export interface ListMeta {
  total: number;
  counts?: Counts;
}

export interface Viewport {
  top: number;
  height: number;
}

/** The rows to draw for a view: those in it, plus a margin, in a list of `count` rows. */
export function rowsInView(view: Viewport, count: number): { first: number; last: number } {
  const first = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count - 1, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN);
  return { first, last };
}

function neededPages(view: Viewport, count: number): number[] {
  const { first, last } = rowsInView(view, count);
  const wanted: number[] = [];
  for (let p = Math.floor(first / PAGE); p <= Math.floor(Math.max(first, last) / PAGE); p++) wanted.push(p);
  return wanted;
}

/** The fetched pages and their bookkeeping. */
interface Cache {
  pages: Map<number, Stub[]>;
  inflight: Set<number>;
  /** Bumped by a new filter: answers to an older one are dropped. */
  generation: number;
  /** The row at the top of the view before a live refresh, to keep it in place afterwards. */
  anchor?: { id: string; delta: number };
}

function rowIn(cache: Cache, index: number): Stub | undefined {
  return cache.pages.get(Math.floor(index / PAGE))?.[index % PAGE];
}

/** Where the row `id` is, if a fetched page holds it. */
function indexIn(cache: Cache, id: string): number | undefined {
  for (const [p, items] of cache.pages) {
    const i = items.findIndex((s) => s.id === id);
    if (i >= 0) return p * PAGE + i;
  }
  return undefined;
}

type Scroller = RefObject<HTMLDivElement | null>;
type Load = (wanted: number[], fresh: boolean) => Promise<void>;

/** The page cache: pages fetched on demand, the list's total and the last error. */
function usePageCache(filter: ListQuery, onMeta: (meta: ListMeta) => void, scroller: Scroller) {
  const cache = useRef<Cache>({ pages: new Map(), inflight: new Set(), generation: 0 }).current;
  const query = useRef(filter);
  query.current = filter;
  const [total, setTotal] = useState<number | undefined>(undefined);
  const [, setTick] = useState(0);
  const [error, setError] = useState<string | undefined>();

  const rerender = useCallback(() => setTick((t) => t + 1), []);

  /** Fetches pages; `fresh` replaces whatever is cached (a live change), keeping the scroll offset. */
  const load = useCallback<Load>(
    async (wanted, fresh) => {
      const gen = cache.generation;
      const todo = fresh ? wanted : wanted.filter((p) => !cache.pages.has(p) && !cache.inflight.has(p));
      if (todo.length === 0) return;
      for (const p of todo) cache.inflight.add(p);
      try {
        const results = await Promise.all(todo.map((p) => listItems(query.current, p * PAGE, PAGE)));
        if (gen !== cache.generation) return;
        if (fresh) {
          // Rows may have moved (a new item on top): keep the row the reader looks at where it is.
          const el = scroller.current;
          if (el && el.scrollTop > 0) {
            const index = Math.floor(el.scrollTop / ROW_HEIGHT);
            const stub = rowIn(cache, index);
            if (stub) cache.anchor = { id: stub.id, delta: el.scrollTop - index * ROW_HEIGHT };
          }
          cache.pages.clear();
        }
        todo.forEach((p, i) => {
          cache.pages.set(p, (results[i] as { items: Stub[] }).items);
        });
        const last = results[results.length - 1];
        if (last) {
          setTotal(last.total);
          onMeta({ total: last.total, counts: last.counts });
        }
        setError(undefined);
        rerender();
      } catch (e) {
        if (gen === cache.generation) setError(e instanceof Error ? e.message : String(e));
      } finally {
        for (const p of todo) cache.inflight.delete(p);
      }
    },
    [onMeta, rerender],
  );
  return { cache, total, setTotal, error, setError, rerender, load };
}

/** After a live refresh: puts the row that was at the top of the view back there. */
function useScrollAnchor(scroller: Scroller, cache: Cache, setViewport: (v: Viewport) => void) {
  useLayoutEffect(() => {
    const el = scroller.current;
    const held = cache.anchor;
    if (!el || !held) return;
    cache.anchor = undefined;
    const index = indexIn(cache, held.id);
    if (index === undefined) return;
    const top = index * ROW_HEIGHT + held.delta;
    if (top !== el.scrollTop) {
      el.scrollTop = top;
      setViewport({ top: el.scrollTop, height: el.clientHeight });
    }
  });
}

/** Scrolling and resizing decide which pages are needed. */
function useViewportTracking(scroller: Scroller, setViewport: (v: Viewport) => void) {
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
}

/** Live: any item change may move rows in or out of this window; refetch the window only. */
function useLiveRefresh(live: { current: { viewport: Viewport; total?: number } }, load: Load): ReadonlySet<string> {
  const [flash, setFlash] = useState<ReadonlySet<string>>(new Set());
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
    [load],
  );
  return flash;
}

export interface WindowedPages {
  scroller: Scroller;
  /** Undefined until the first page has arrived. */
  total: number | undefined;
  viewport: Viewport;
  /** The keyboard's row (j/k), apart from the selection. */
  cursor: number | undefined;
  setCursor(index: number | undefined): void;
  /** Rows a live change has just touched. */
  flash: ReadonlySet<string>;
  error: string | undefined;
  rowAt(index: number): Stub | undefined;
  indexOf(id: string): number | undefined;
}

/**
 * The rows of a windowed list: fetched from the server a page at a time as the view needs them,
 * refetched in place on live changes, and started over on a new filter.
 */
export function useWindowedPages(
  filter: ListQuery,
  filterKey: string,
  selectedId: string | undefined,
  onMeta: (meta: ListMeta) => void,
): WindowedPages {
  const scroller = useRef<HTMLDivElement>(null);
  const { cache, total, setTotal, error, setError, rerender, load } = usePageCache(filter, onMeta, scroller);
  const [viewport, setViewport] = useState<Viewport>({ top: 0, height: 800 });
  const [cursor, setCursor] = useState<number | undefined>(undefined);
  const live = useRef({ selectedId, viewport, total });
  live.current = { selectedId, viewport, total };

  // A new filter: start over, and bring the selected item into view if it is in the results.
  useEffect(() => {
    const gen = ++cache.generation;
    cache.pages.clear();
    cache.inflight.clear();
    setCursor(undefined);
    const selected = live.current.selectedId;
    void listItems(filter, 0, PAGE, selected)
      .then((page) => {
        if (gen !== cache.generation) return;
        cache.pages.set(0, page.items);
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

  useScrollAnchor(scroller, cache, setViewport);
  useViewportTracking(scroller, setViewport);

  useEffect(() => {
    if (total !== undefined) void load(neededPages(viewport, total), false);
  }, [viewport, total, load]);

  const flash = useLiveRefresh(live, load);
  const rowAt = (index: number) => rowIn(cache, index);
  const indexOf = (id: string) => indexIn(cache, id);
  return { scroller, total, viewport, cursor, setCursor, flash, error, rowAt, indexOf };
}
