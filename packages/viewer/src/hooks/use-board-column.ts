import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { type BoardQuery, boardColumn, type Status, type Stub } from '../api';
import { onLive } from '../bus';

// One board column, windowed like the item list (use-windowed-pages.ts) but simpler: cards have one
// fixed height, pages of 100 come from `/api/board` as the column scrolls, and a live change refetches
// only the pages in view. A column of 5,000 done items costs the DOM some 20 cards.

export const CARD_HEIGHT = 104;
const PAGE = 100;
const OVERSCAN = 4;
/** How long a card a live change touched stays highlighted. */
const FLASH_MS = 1600;

export function cardsInView(top: number, height: number, count: number): { first: number; last: number } {
  const first = Math.max(0, Math.floor(top / CARD_HEIGHT) - OVERSCAN);
  const last = Math.min(count - 1, Math.ceil((top + height) / CARD_HEIGHT) + OVERSCAN);
  return { first, last };
}

function pagesFor(top: number, height: number, count: number): number[] {
  const { first, last } = cardsInView(top, height, Math.max(count, 1));
  const pages: number[] = [];
  for (let p = Math.floor(first / PAGE); p <= Math.floor(Math.max(first, last) / PAGE); p++) pages.push(p);
  return pages;
}

type Scroller = { current: HTMLDivElement | null };
type Load = (wanted: number[], fresh: boolean) => Promise<void>;

/**
 * A card arriving above the ones in view (a moved card goes to the top: newest update first) would
 * push them down; the card at the top of the view is put back where it was instead. Returns the
 * function to call just before a live refetch replaces the pages.
 */
function useScrollAnchor(scroller: Scroller, pages: Map<number, Stub[]>): () => void {
  const anchor = useRef<{ id: string; delta: number } | undefined>(undefined);
  useLayoutEffect(() => {
    const el = scroller.current;
    const held = anchor.current;
    if (!el || !held) return;
    anchor.current = undefined;
    for (const [p, stubs] of pages) {
      const i = stubs.findIndex((stub) => stub.id === held.id);
      if (i < 0) continue;
      const top = (p * PAGE + i) * CARD_HEIGHT + held.delta;
      if (top !== el.scrollTop) el.scrollTop = top;
      return;
    }
  });
  return () => {
    const el = scroller.current;
    if (!el || el.scrollTop <= 0) return;
    const index = Math.floor(el.scrollTop / CARD_HEIGHT);
    const stub = pages.get(Math.floor(index / PAGE))?.[index % PAGE];
    if (stub) anchor.current = { id: stub.id, delta: el.scrollTop - index * CARD_HEIGHT };
  };
}

/** Scrolling and resizing decide which cards are drawn and which pages fetched. */
function useViewport(scroller: Scroller, setView: (view: { top: number; height: number }) => void): void {
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const update = () => setView({ top: el.scrollTop, height: el.clientHeight });
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

/** Live: a change may move a card into or out of this column; refetch what is in view, in place. */
function useLiveColumn(
  live: { current: { view: { top: number; height: number }; total: number | undefined } },
  load: Load,
): ReadonlySet<string> {
  const [flash, setFlash] = useState<ReadonlySet<string>>(new Set());
  useEffect(
    () =>
      onLive((events) => {
        const { view, total } = live.current;
        void load(pagesFor(view.top, view.height, (total ?? 0) + 1), true);
        if (events === 'reset') return;
        const ids = events.flatMap((e) => (e.item_id ? [e.item_id] : []));
        if (!ids.length) return;
        setFlash(new Set(ids));
        setTimeout(() => setFlash(new Set()), FLASH_MS);
      }),
    [load],
  );
  return flash;
}

export interface BoardColumnState {
  scroller: Scroller;
  total: number | undefined;
  top: number;
  height: number;
  flash: ReadonlySet<string>;
  error: string | undefined;
  cardAt(index: number): Stub | undefined;
}

/** A column's pages, fetched as it scrolls, refetched in view on live changes, restarted on a new filter. */
export function useBoardColumn(
  filter: BoardQuery,
  filterKey: string,
  column: Status,
  onCounts: (counts: Record<Status, number>) => void,
): BoardColumnState {
  const scroller = useRef<HTMLDivElement | null>(null);
  const pages = useRef(new Map<number, Stub[]>()).current;
  const generation = useRef(0);
  const query = useRef(filter);
  query.current = filter;
  const [total, setTotal] = useState<number | undefined>();
  const [view, setView] = useState({ top: 0, height: 800 });
  const [error, setError] = useState<string | undefined>();
  const [, setTick] = useState(0);
  const inflight = useRef(new Set<number>()).current;
  const holdAnchor = useScrollAnchor(scroller, pages);

  /** `fresh`: replace what is cached (a live change) rather than fill gaps. */
  const load = useCallback<Load>(
    async (wanted: number[], fresh: boolean) => {
      const gen = generation.current;
      const todo = fresh ? wanted : wanted.filter((p) => !pages.has(p) && !inflight.has(p));
      if (!todo.length) return;
      for (const p of todo) inflight.add(p);
      try {
        const answers = await Promise.all(todo.map((p) => boardColumn(query.current, column, p * PAGE, PAGE)));
        if (gen !== generation.current) return;
        if (fresh) {
          holdAnchor();
          pages.clear();
        }
        todo.forEach((p, i) => {
          pages.set(p, answers[i]?.items ?? []);
        });
        const last = answers[answers.length - 1];
        if (last) {
          setTotal(last.total);
          onCounts(last.counts);
        }
        setError(undefined);
        setTick((t) => t + 1);
      } catch (e) {
        if (gen === generation.current) setError(e instanceof Error ? e.message : String(e));
      } finally {
        for (const p of todo) inflight.delete(p);
      }
    },
    [column, onCounts],
  );

  // A new filter: start over at the top of the column.
  useEffect(() => {
    generation.current++;
    pages.clear();
    inflight.clear();
    setTotal(undefined);
    if (scroller.current) scroller.current.scrollTop = 0;
    void load([0], false);
  }, [filterKey, load]);

  useViewport(scroller, setView);

  useEffect(() => {
    if (total !== undefined) void load(pagesFor(view.top, view.height, total), false);
  }, [view, total, load]);

  const live = useRef({ view, total });
  live.current = { view, total };
  const flash = useLiveColumn(live, load);

  const cardAt = (index: number) => pages.get(Math.floor(index / PAGE))?.[index % PAGE];
  return { scroller, total, top: view.top, height: view.height, flash, error, cardAt };
}
