import { useEffect, useState } from 'preact/hooks';
import { type ActivityEntry, activity, getItem, type Item, listItems, NotFound, STATUSES, type Stub } from '../api';
import { onLive } from '../bus';

export interface Loaded {
  item: Item;
  path: Stub[];
  children: Stub[];
  history: ActivityEntry[];
  names: Map<string, Stub>;
}

async function loadDetail(id: string): Promise<Loaded> {
  const item = await getItem(id);
  const names = new Map<string, Stub>();
  // The path up: parents first, else the epic; at most 8 levels (the core forbids cycles anyway).
  const path: Stub[] = [];
  const seen = new Set([item.id]);
  let up = item.parent_id ?? item.epic_id;
  while (up && !seen.has(up) && path.length < 8) {
    seen.add(up);
    const parent = await getItem(up).catch(() => undefined);
    if (!parent) break;
    path.unshift(parent);
    up = parent.parent_id ?? parent.epic_id;
  }
  for (const p of path) names.set(p.id, p);
  const all = [...STATUSES];
  const [byParent, byEpic, history, epic] = await Promise.all([
    item.type === 'artifact'
      ? Promise.resolve({ items: [] as Stub[] })
      : listItems({ status: all, types: [], parent: item.id, sort: 'updated' }, 0, 200),
    item.type === 'epic'
      ? listItems({ status: all, types: [], epic: item.id, sort: 'updated' }, 0, 200)
      : Promise.resolve({ items: [] as Stub[] }),
    activity(item.id, 20),
    item.epic_id && !names.has(item.epic_id) ? getItem(item.epic_id).catch(() => undefined) : undefined,
  ]);
  if (epic) names.set(epic.id, epic);
  const children = [...byParent.items];
  for (const stub of byEpic.items) if (!children.some((c) => c.id === stub.id)) children.push(stub);
  const blockers = await Promise.all(
    (item.blocked_by ?? []).slice(0, 20).map((b) => (names.has(b) ? undefined : getItem(b).catch(() => undefined))),
  );
  for (const b of blockers) if (b) names.set(b.id, b);
  return { item, path, children, history, names };
}

export interface DetailState {
  /** The item this state is about (the component may already show another). */
  id: string;
  data?: Loaded;
  missing?: boolean;
  error?: string;
}

/** One item with its path, children, blockers and recent history, reloaded on live changes. */
export function useDetail(id: string): DetailState {
  const [state, setState] = useState<DetailState>({ id });
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let cancelled = false;
    loadDetail(id)
      .then((data) => !cancelled && setState({ id, data }))
      .catch((e: unknown) => {
        if (cancelled) return;
        if (e instanceof NotFound) setState({ id, missing: true });
        else setState((s) => ({ ...s, id, error: e instanceof Error ? e.message : String(e) }));
      });
    return () => {
      cancelled = true;
    };
  }, [id, reload]);

  // Live: refetch when this item, an ancestor or a child changed, or something new may be a child.
  useEffect(
    () =>
      onLive((events) => {
        const data = state.data;
        const related = new Set([
          id,
          ...(data?.path ?? []).map((p) => p.id),
          ...(data?.children ?? []).map((c) => c.id),
        ]);
        if (events === 'reset' || events.some((e) => e.kind === 'created' || (e.item_id && related.has(e.item_id))))
          setReload((n) => n + 1);
      }),
    [id, state.data],
  );
  return state;
}
