import type { ActivityEntry } from './activity.js';
import { type BacklogCore, timestamp } from './backlog-core.js';
import type { ChangeEvent } from './events.js';
import type { ExternalChange } from './ports.js';

/** After a write landed: the search index, then the journal, then the subscribers. */
export async function recordWrite(core: BacklogCore, event: ChangeEvent, entry: ActivityEntry): Promise<void> {
  const { search, journal } = core.deps;
  // In order and awaited: a search right after a write must see it.
  if (event.kind === 'created' || event.kind === 'updated') await search.upsert(event.item);
  if (event.kind === 'deleted') await search.remove(event.id);
  await journal.append(stripUndefined(entry));
  core.events.emit(event);
}

/** Builds the search index from the store and follows changes made outside the process. */
export async function startBacklog(core: BacklogCore): Promise<void> {
  const { store, search, journal } = core.deps;
  // Under the write lock, and following outside changes from before the snapshot is taken: an edit
  // that lands while the index is built waits for the build and is applied after it. (Subscribed
  // after the build, such an edit reached the store but never the index.)
  await core.writes.run(async () => {
    store.onExternalChange?.((change) => {
      void core.writes.run(() => followExternalChange(core, change)).catch(() => undefined); // an outside edit must never take the server down
    });
    const { items } = await store.snapshot();
    await search.rebuild(items);
    // What a crash or an edit made while no server ran left out of the journal.
    await journal.reconcile?.(items, {
      at: timestamp(core),
      unreadable: store.unreadableIds?.() ?? [],
    });
  });
}

async function followExternalChange(core: BacklogCore, change: ExternalChange): Promise<void> {
  const { store, search, journal } = core.deps;
  const at = timestamp(core);
  const id = change.kind === 'upsert' ? change.item.id : change.id;
  // The store's current item, not the one in the change: a write may have landed since.
  const item = (await store.snapshot()).byId.get(id);
  if (item) {
    await search.upsert(item);
    const created = change.kind === 'upsert' && change.created === true;
    await journal.append({ at, tool: 'file', action: created ? 'created' : 'updated', id });
    core.events.emit({ kind: 'updated', id, item, fields: [], tool: 'file', at });
  } else {
    await search.remove(id);
    await journal.append({ at, tool: 'file', action: 'deleted', id });
    core.events.emit({ kind: 'deleted', id, tool: 'file', at });
  }
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
