import type { Item } from '@backlog-mcp/shared';
import { conflict, notFound } from './errors.js';
import type { ChangeEmitter } from './events.js';
import type { SearchCursors } from './paging.js';
import type { Journal, SearchIndex, SourceReader, Store } from './ports.js';
import type { WriteGate } from './write-gate.js';

export interface BacklogDeps {
  store: Store;
  search: SearchIndex;
  journal: Journal;
  readSource?: SourceReader;
  now?: () => Date;
  leaseMs?: number;
  /** Where search cursors' snapshots live; by default one store per Backlog (the Worker shares one per isolate). */
  searchCursors?: SearchCursors;
}

/**
 * What every part of the backlog service works on: its ports, its clock, its write lock and
 * its change feed. One per Backlog; the writes, queries and documents modules share it.
 */
export interface BacklogCore {
  readonly deps: BacklogDeps;
  readonly events: ChangeEmitter;
  /** One writer at a time (relation checks stay true while a write lands); answered once durable. */
  readonly writes: WriteGate;
  readonly now: () => Date;
  readonly searchCursors: SearchCursors;
}

export function timestamp(core: BacklogCore): string {
  return core.now().toISOString();
}

export async function requireItem(core: BacklogCore, field: string, id: string): Promise<Item> {
  const item = await core.deps.store.get(id);
  if (!item) throw notFound(field, id, 'Use backlog_list or backlog_search to find existing IDs.');
  return item;
}

/** A stale if_version fails with the current version, so the agent can re-read and retry. */
export function checkVersion(field: string, current: Item, expected: number | undefined): void {
  if (expected === undefined || expected === current.version) return;
  throw conflict(
    `${field}: ${current.id} is at version ${current.version}, not ${expected}; someone changed it since you read it. ` +
      'Re-read it (backlog_get) and retry with the new version.',
    field,
  );
}
